"""How an awaited call completes: uniffi's protocol, with two of its costs taken out.

Every ``async`` method of the generated module awaits ``_uniffi_rust_call_async``: it creates an
asyncio future, asks Rust to poll the call (``ffi_poll``) with a continuation callback, awaits the
future, and polls again until Rust says ready. Two things in uniffi 0.32's version of it cost more
than the call through the gateway itself adds (measured in BENCHMARKS.md):

* When Rust finds the call ready while Python polls it, the callback runs right there, on the
  polling thread inside ``ffi_poll``, and still hands the result over with
  ``call_soon_threadsafe``: a write to the event loop's self-pipe and one more turn of the loop.
  Here that result is taken at once.
* When the call completes on a Rust runtime thread, ctypes enters Python on a thread CPython does
  not know: it creates a thread state (and the frame stack that goes with it) for the callback and
  frees it afterwards, every time. Here each such thread keeps its thread state after its first
  callback (one ``PyGILState_Ensure`` that is never released), so the next ones reuse it.

The protocol is unchanged (same handle map, same poll codes, same cleanup in ``finally``), so
cancelling the awaiting task still frees the Rust future. :func:`install` swaps this in for the
generated helper, after checking that the generated module has everything this one uses
(uniffi is pinned).
"""

from __future__ import annotations

import ctypes
import threading
from types import ModuleType

_generated: ModuleType | None = None
# uniffi's own helper, as generated (kept for the benchmark's side-by-side).
generated_helper = None
# Runtime threads whose thread state is kept (touched only with the GIL held). Callbacks come
# from the bindings runtime's two workers; a rare one may come from another Rust thread (one of
# tokio's short-lived blocking threads, say), whose kept state would outlive it: hence a bound.
_known_threads: set[int] = set()
_MAX_KEPT_THREAD_STATES = 8
_keep_thread_state = ctypes.pythonapi.PyGILState_Ensure
_keep_thread_state.restype = ctypes.c_int
_keep_thread_state.argtypes = []

# What this module uses of the generated one (it replaces the first).
_NEEDED = (
    "_uniffi_rust_call_async",
    "_uniffi_get_event_loop",
    "_uniffi_rust_call_with_error",
    "_uniffi_set_future_result",
    "_UniffiContinuationHandleMap",
    "_UNIFFI_RUST_FUTURE_CONTINUATION_CALLBACK",
    "_UNIFFI_RUST_FUTURE_POLL_READY",
)


def _continuation(handle: int, poll_code: int) -> None:
    assert _generated is not None
    eventloop, future, polling_thread = _generated._UniffiContinuationHandleMap.remove(handle)
    thread = threading.get_ident()
    if thread == polling_thread:
        # Called back inside ffi_poll (or a cancel) on the loop's own thread.
        if not future.done():
            future.set_result(poll_code)
        return
    if thread not in _known_threads and len(_known_threads) < _MAX_KEPT_THREAD_STATES:
        _known_threads.add(thread)
        _keep_thread_state()
    eventloop.call_soon_threadsafe(_generated._uniffi_set_future_result, future, poll_code)


# The ctypes function pointer of _continuation, made in install() from the generated module's type.
_callback = None


async def _rust_call_async(rust_future, ffi_poll, ffi_complete, ffi_free, lift_func, error_ffi_converter):
    generated = _generated
    assert generated is not None
    try:
        eventloop = generated._uniffi_get_event_loop()
        thread = threading.get_ident()
        handles = generated._UniffiContinuationHandleMap
        while True:
            future = eventloop.create_future()
            ffi_poll(rust_future, _callback, handles.insert((eventloop, future, thread)))
            poll_code = future.result() if future.done() else await future
            if poll_code == generated._UNIFFI_RUST_FUTURE_POLL_READY:
                break
        return lift_func(
            generated._uniffi_rust_call_with_error(error_ffi_converter, ffi_complete, rust_future)
        )
    finally:
        ffi_free(rust_future)


def install(generated: ModuleType) -> None:
    """Makes the async methods of ``generated`` (a uniffi module) complete through this module."""
    global _generated, _callback, generated_helper
    missing = [name for name in _NEEDED if not hasattr(generated, name)]
    if missing:
        raise ImportError(f"the generated bindings lack {missing}: check the pinned uniffi version")
    _generated = generated
    generated_helper = generated._uniffi_rust_call_async
    _callback = generated._UNIFFI_RUST_FUTURE_CONTINUATION_CALLBACK(_continuation)
    generated._uniffi_rust_call_async = _rust_call_async
