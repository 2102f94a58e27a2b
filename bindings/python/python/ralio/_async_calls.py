"""How an awaited call completes: uniffi's protocol, with its hand-overs taken out.

Every ``async`` method of the generated module awaits ``_uniffi_rust_call_async``: it creates an
asyncio future, asks Rust to poll the call (``ffi_poll``) with a continuation callback, awaits the
future, and polls again until Rust says ready. uniffi 0.32's version of it passes a Python
callback: when the call completes on a Rust runtime thread, that thread takes the GIL (creating and
freeing a CPython thread state each time) only to call ``call_soon_threadsafe``, which writes to
the loop's self-pipe; the loop thread then wakes and waits for the GIL in turn. Measured in
BENCHMARKS.md, that cost more than the gateway call itself adds.

Here, each event loop opens a completion queue in Rust (``crates/ralio-ffi/src/wakeups.rs``) and
watches its descriptor with ``add_reader``; the continuation is Rust's ``ralio_ffi_wake``, which
records the completion and makes the descriptor readable without entering Python. The loop then
collects the records on its own thread (``_Queue.collect``) and resolves the futures. A call that
Rust finds done while Python polls it is recorded without a signal and collected right after the
poll, so it needs no loop turn at all.

Where no queue can be used (a global event loop set with ``uniffi_set_event_loop``, or no socket
pair available) the Python continuation below is used, with uniffi's handle map; it still takes a
result found during the poll at once and keeps the thread states of the few runtime threads that
call back. The protocol is unchanged either way (same poll codes, same cleanup in ``finally``), so
cancelling the awaiting task still frees the Rust future. :func:`install` swaps this in for the
generated helper, after checking that the generated module has everything this one uses (uniffi
is pinned).
"""

from __future__ import annotations

import asyncio
import ctypes
import threading
import weakref
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
    "_UniffiLib",
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


# Made in install(): the loaded library (with the completion-queue functions declared), the
# ctypes function pointer of _continuation, and Rust's ralio_ffi_wake as a continuation.
_lib = None
_callback = None
_wake = None


class _Queue:
    """One event loop's completion queue in Rust, and the futures waiting on it (by token)."""

    _BATCH = 64

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        fd = ctypes.c_int(-1)
        self.id = _lib.ralio_ffi_wakeups_open(ctypes.byref(fd))
        if not self.id:
            raise OSError("no completion queue")
        self._waiting: dict[int, asyncio.Future] = {}
        self._next_token = 0
        self._records = (ctypes.c_uint64 * self._BATCH)()
        try:
            loop.add_reader(fd.value, self.collect)
        except BaseException:
            _lib.ralio_ffi_wakeups_close(self.id)
            raise
        # The queue (and its descriptor) lives as long as the loop object.
        self._closer = weakref.finalize(loop, _lib.ralio_ffi_wakeups_close, self.id)

    def wait(self, future: asyncio.Future) -> int:
        """Registers ``future`` and returns the continuation data that completes it."""
        token = self._next_token
        while token in self._waiting:
            token = (token + 1) & 0xFFFF_FFFF
        self._next_token = (token + 1) & 0xFFFF_FFFF
        self._waiting[token] = future
        return self.id << 32 | token

    def forget(self, data: int) -> None:
        self._waiting.pop(data & 0xFFFF_FFFF, None)

    def collect(self) -> None:
        """Resolves the futures of every completion recorded so far (on the loop's thread)."""
        while True:
            count = _lib.ralio_ffi_wakeups_take(self.id, self._records, self._BATCH)
            for record in self._records[:count]:
                future = self._waiting.pop(record >> 8, None)
                if future is not None and not future.done():
                    code = record & 0xFF
                    future.set_result(code - 256 if code > 127 else code)
            if count < self._BATCH:
                return


# Each loop's queue; a loop without one (it could not be opened) maps to None.
_queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Queue | None] = (
    weakref.WeakKeyDictionary()
)


def _queue_of(loop: asyncio.AbstractEventLoop) -> _Queue | None:
    try:
        return _queues[loop]
    except KeyError:
        pass
    try:
        queue: _Queue | None = _Queue(loop)
    except (OSError, NotImplementedError, RuntimeError):
        queue = None
    _queues[loop] = queue
    return queue


async def _rust_call_async(rust_future, ffi_poll, ffi_complete, ffi_free, lift_func, error_ffi_converter):
    generated = _generated
    assert generated is not None
    try:
        eventloop = generated._uniffi_get_event_loop()
        running = asyncio.get_running_loop()
        queue = _queue_of(running) if eventloop is running else None
        if queue is None:
            await _poll_with_python_continuation(generated, eventloop, rust_future, ffi_poll)
        else:
            await _poll_with_queue(generated, running, queue, rust_future, ffi_poll)
        return lift_func(
            generated._uniffi_rust_call_with_error(error_ffi_converter, ffi_complete, rust_future)
        )
    finally:
        ffi_free(rust_future)


async def _poll_with_queue(generated, loop, queue: _Queue, rust_future, ffi_poll) -> None:
    while True:
        future = loop.create_future()
        data = queue.wait(future)
        try:
            ffi_poll(rust_future, _wake, data)
            # A completion during the poll was recorded without a signal: take it now.
            queue.collect()
            poll_code = future.result() if future.done() else await future
        finally:
            queue.forget(data)
        if poll_code == generated._UNIFFI_RUST_FUTURE_POLL_READY:
            return


async def _poll_with_python_continuation(generated, eventloop, rust_future, ffi_poll) -> None:
    thread = threading.get_ident()
    handles = generated._UniffiContinuationHandleMap
    while True:
        future = eventloop.create_future()
        ffi_poll(rust_future, _callback, handles.insert((eventloop, future, thread)))
        poll_code = future.result() if future.done() else await future
        if poll_code == generated._UNIFFI_RUST_FUTURE_POLL_READY:
            return


def install(generated: ModuleType) -> None:
    """Makes the async methods of ``generated`` (a uniffi module) complete through this module."""
    global _generated, _callback, _lib, _wake, generated_helper
    missing = [name for name in _NEEDED if not hasattr(generated, name)]
    if missing:
        raise ImportError(f"the generated bindings lack {missing}: check the pinned uniffi version")
    lib = generated._UniffiLib
    lib.ralio_ffi_wakeups_open.argtypes = (ctypes.POINTER(ctypes.c_int),)
    lib.ralio_ffi_wakeups_open.restype = ctypes.c_uint32
    lib.ralio_ffi_wakeups_take.argtypes = (ctypes.c_uint32, ctypes.POINTER(ctypes.c_uint64), ctypes.c_size_t)
    lib.ralio_ffi_wakeups_take.restype = ctypes.c_size_t
    lib.ralio_ffi_wakeups_close.argtypes = (ctypes.c_uint32,)
    lib.ralio_ffi_wakeups_close.restype = None
    continuation_type = generated._UNIFFI_RUST_FUTURE_CONTINUATION_CALLBACK
    _wake = continuation_type(ctypes.cast(lib.ralio_ffi_wake, ctypes.c_void_p).value)
    _lib = lib
    _generated = generated
    generated_helper = generated._uniffi_rust_call_async
    _callback = continuation_type(_continuation)
    generated._uniffi_rust_call_async = _rust_call_async
