"""RalioPay client for Python: the Rust core client (``ralio-core``) through uniffi.

The generated modules are ``ralio.ralio_ffi`` (the client, its sub-clients and the error) and
``ralio.ralio_core`` (the model); both are re-exported here so ``from ralio import ...`` finds
everything. The hand-written parts are :class:`Client` (an async context manager; :func:`direct` and
:func:`gateway` build one), :class:`EventStream` (event subscriptions as an async iterator) and
``_async_calls`` (how an awaited call completes: uniffi's protocol with less overhead).

Every operation is a coroutine (``await client.accounts().get(uid, aid)``) and has a blocking twin
for synchronous code, ``client.accounts().get_blocking(uid, aid)``, which waits without holding
the GIL (``ctypes`` releases it). Blocking methods raise ``RalioFfiError.Unsupported``
(``BLOCKING_CALL_IN_ASYNC_CONTEXT``) when called from an ``EventListener`` callback.
"""

from ._native.ralio_core import *  # noqa: F401,F403  (the model: records and enums)
from ._native.ralio_ffi import *  # noqa: F401,F403  (RalioClient, sub-clients, RalioFfiError)
from ._native.ralio_ffi import RalioClient, RalioFfiError, DirectConfig
from ._client import Client, EventStream, direct, gateway
from . import _async_calls
from ._native import ralio_ffi as _ffi_module

# Awaited calls complete without uniffi's two avoidable hand-overs (see _async_calls).
_async_calls.install(_ffi_module)

__all__ = [name for name in dir() if not name.startswith("_")]


def _let_callbacks_leave_python() -> None:
    # uniffi wakes a pending call by calling into Python from a Rust runtime thread. If the
    # interpreter starts finalising while such a thread is between writing to the event loop's
    # self-pipe and re-taking the GIL, CPython < 3.14 ends that thread with pthread_exit, whose
    # forced unwind through Rust frames aborts the process ("FATAL: exception not rethrown").
    # Releasing the GIL once more at exit lets an in-flight callback return first.
    import time

    time.sleep(0.01)


import atexit as _atexit  # noqa: E402

_atexit.register(_let_callbacks_leave_python)
