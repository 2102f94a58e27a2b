"""Cancelling a call from Python drops the Rust future: its HTTP request is aborted at once."""

import asyncio
import datetime
import socket

import pytest

import ralio


async def _silent_server():
    """A TCP server that accepts and never answers: every call to it stays in flight."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.setblocking(False)
    return listener, f"http://127.0.0.1:{listener.getsockname()[1]}"


async def _read_head(loop, connection) -> bytes:
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = await loop.sock_recv(connection, 65536)
        assert chunk, "the client closed before sending its request"
        received += chunk
    return received


async def _read_until_closed(loop, connection) -> bytes:
    received = b""
    while True:
        chunk = await loop.sock_recv(connection, 65536)
        if not chunk:
            return received
        received += chunk


def test_cancelling_a_task_aborts_the_request_and_does_not_hang():
    async def scenario():
        loop = asyncio.get_running_loop()
        listener, url = await _silent_server()
        with listener, ralio.direct(url, "code", "key", max_retries=0) as client:
            call = asyncio.create_task(client.merchant().user())
            # The request is in flight once the server has its connection.
            connection, _ = await asyncio.wait_for(loop.sock_accept(listener), 10)
            with connection:
                connection.setblocking(False)
                # Wait for the (login) request itself, so the call is awaiting the response.
                head = await asyncio.wait_for(_read_head(loop, connection), 10)
                assert head.startswith(b"POST /api/v1/auth/login")
                call.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await asyncio.wait_for(call, 5)
                # Dropping the Rust future closes its connection: the server reads EOF.
                await asyncio.wait_for(_read_until_closed(loop, connection), 5)

    asyncio.run(scenario())


def test_a_deadline_ends_a_hanging_call_with_a_typed_timeout():
    async def scenario():
        loop = asyncio.get_running_loop()
        listener, url = await _silent_server()
        with listener, ralio.direct(url, "code", "key") as client:
            options = ralio.CallOptions(deadline=datetime.timedelta(milliseconds=300))
            call = asyncio.create_task(client.merchant().with_options(options).user())
            connection, _ = await asyncio.wait_for(loop.sock_accept(listener), 10)
            with connection:
                with pytest.raises(ralio.RalioFfiError.Timeout) as caught:
                    await asyncio.wait_for(call, 10)
        return caught.value

    error = asyncio.run(scenario())
    assert error.code == "DEADLINE_EXCEEDED"
