"""How awaited calls complete (ralio/_async_calls.py): through the package's helper; at once when
the call ends on its first poll; from runtime threads whose thread states are kept, a fixed few
however many calls; with no continuation left behind."""

import asyncio
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


def test_concurrent_calls_each_get_their_own_outcome_and_keep_few_thread_states(dev_gateway):
    async def scenario():
        async with ralio.gateway(dev_gateway.grpc_url, dev_gateway.token) as client:
            merchant = client.merchant()
            me = await merchant.user()
            calls = [merchant.user() for _ in range(30)]
            calls += [client.accounts().get(str(uuid.uuid4()), str(uuid.uuid4())) for _ in range(10)]
            outcomes = await asyncio.wait_for(
                asyncio.gather(*calls, return_exceptions=True), DEADLINE
            )
            return me, outcomes

    me, outcomes = asyncio.run(scenario())
    assert all(outcome == me for outcome in outcomes[:30]), outcomes[:30]
    assert all(isinstance(outcome, ralio.RalioFfiError.NotFound) for outcome in outcomes[30:]), (
        outcomes[30:]
    )
    # Calls that waited were completed from runtime threads, whose thread states are kept: one
    # per thread, not one per call.
    assert 1 <= len(_async_calls._known_threads) <= _async_calls._MAX_KEPT_THREAD_STATES
    assert pending_continuations() == 0
