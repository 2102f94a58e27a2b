"""How awaited calls complete (ralio/_async_calls.py): through the package's helper; through the
event loop's completion queue, with no Python run on Rust threads; at once when the call ends on its
first poll; without a queue, from runtime threads whose thread states are kept, a fixed few however
many calls; cancelled or not, with nothing left behind; the queue closed with its loop."""

import asyncio
import gc
import socket
import uuid

import pytest

import ralio
from ralio import _async_calls
from ralio._native import ralio_ffi

# Bounds hangs only; never a timing assertion.
DEADLINE = 60


def pending_continuations() -> int:
    return len(ralio_ffi._UniffiContinuationHandleMap._map)


def test_the_package_completes_awaited_calls_through_its_own_helper():
    assert ralio_ffi._uniffi_rust_call_async is _async_calls._rust_call_async
    assert _async_calls.generated_helper not in (None, _async_calls._rust_call_async)


def test_a_call_refused_before_any_io_is_answered_on_the_polling_thread():
    async def scenario():
        # A gateway client refuses login() before any I/O (nothing listens on port 9).
        client = ralio.RalioClient.gateway("http://127.0.0.1:9", "token")
        kept = set(_async_calls._known_threads)
        for _ in range(20):
            with pytest.raises(ralio.RalioFfiError.Unsupported):
                await asyncio.wait_for(client.login(ralio.CallOptions()), DEADLINE)
        return kept

    kept = asyncio.run(scenario())
    # No runtime thread called back: the first poll found the call done.
    assert _async_calls._known_threads == kept
    assert pending_continuations() == 0


def without_queue() -> None:
    """Makes the running loop complete calls through the Python continuation (the fallback)."""
    _async_calls._queues[asyncio.get_running_loop()] = None


def test_awaited_calls_complete_through_the_loops_queue_without_python_on_rust_threads(dev_gateway):
    async def scenario():
        async with ralio.gateway(dev_gateway.grpc_url, dev_gateway.token) as client:
            merchant = client.merchant()
            kept = set(_async_calls._known_threads)
            for _ in range(20):
                await merchant.user()
            return kept, _async_calls._queues[asyncio.get_running_loop()]

    kept, queue = asyncio.run(scenario())
    assert isinstance(queue, _async_calls._Queue)
    # Calls that waited were completed by Rust threads, none of which entered Python.
    assert _async_calls._known_threads == kept
    assert queue._waiting == {}
    assert pending_continuations() == 0


@pytest.mark.parametrize("through", ["queue", "python continuation"])
def test_concurrent_calls_each_get_their_own_outcome(dev_gateway, through):
    async def scenario():
        if through == "python continuation":
            without_queue()
        async with ralio.gateway(dev_gateway.grpc_url, dev_gateway.token) as client:
            merchant = client.merchant()
            me = await merchant.user()
            calls = [merchant.user() for _ in range(30)]
            calls += [client.accounts().get(str(uuid.uuid4()), str(uuid.uuid4())) for _ in range(10)]
            outcomes = await asyncio.wait_for(
                asyncio.gather(*calls, return_exceptions=True), DEADLINE
            )
            return me, outcomes, _async_calls._queues[asyncio.get_running_loop()]

    me, outcomes, queue = asyncio.run(scenario())
    assert all(outcome == me for outcome in outcomes[:30]), outcomes[:30]
    assert all(isinstance(outcome, ralio.RalioFfiError.NotFound) for outcome in outcomes[30:]), (
        outcomes[30:]
    )
    if through == "queue":
        assert queue._waiting == {}
    else:
        assert queue is None
        # Completed from runtime threads, whose thread states are kept: one per thread, not
        # one per call.
        assert 1 <= len(_async_calls._known_threads) <= _async_calls._MAX_KEPT_THREAD_STATES
    assert pending_continuations() == 0


@pytest.mark.parametrize("through", ["queue", "python continuation"])
def test_a_cancelled_call_leaves_nothing_waiting(through):
    # A peer that accepts connections and never answers: the call waits until cancelled.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]

        async def scenario():
            if through == "python continuation":
                without_queue()
            client = ralio.RalioClient.gateway(f"http://127.0.0.1:{port}", "token")
            call = asyncio.ensure_future(client.merchant().user())
            done, _ = await asyncio.wait([call], timeout=0.3)
            assert not done, "the call should still be waiting"
            call.cancel()
            with pytest.raises(asyncio.CancelledError):
                await call
            # Rust may still report the cancelled poll; give it a moment to arrive.
            await asyncio.sleep(0.05)
            return _async_calls._queues[asyncio.get_running_loop()]

        queue = asyncio.run(scenario())
    if through == "queue":
        assert queue._waiting == {}
    assert pending_continuations() == 0


def test_a_loops_queue_is_closed_with_the_loop():
    async def scenario():
        await asyncio.wait_for(
            ralio.RalioClient.gateway("http://127.0.0.1:9", "token").login(ralio.CallOptions()),
            DEADLINE,
        )

    loop = asyncio.new_event_loop()
    with pytest.raises(ralio.RalioFfiError.Unsupported):
        loop.run_until_complete(scenario())
    queue = _async_calls._queues[loop]
    assert queue._closer.alive

    def record_then_take() -> int:
        # A completion for a token nobody waits on, recorded (or dropped) by Rust, then taken.
        _async_calls._wake(queue.id << 32 | 0xFFFF_FFFF, 0)
        return _async_calls._lib.ralio_ffi_wakeups_take(queue.id, queue._records, 1)

    assert record_then_take() == 1
    loop.close()
    del loop
    gc.collect()
    assert not queue._closer.alive
    # Closed in Rust: a completion for it is dropped.
    assert record_then_take() == 0
