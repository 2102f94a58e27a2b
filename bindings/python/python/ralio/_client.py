"""The idiomatic layer: an async context manager around the generated :class:`RalioClient`, and
event subscriptions as an async iterator."""

from __future__ import annotations

import asyncio
import datetime
from types import TracebackType
from typing import AsyncIterator, Optional, Sequence, Type

from ._native.ralio_ffi import (
    DirectConfig,
    EventListener,
    EventSubscribeOptions,
    EventSubscription,
    RalioClient,
    RalioEvent,
    RalioFfiError,
    StartPosition,
)


class Client:
    """Holds a :class:`RalioClient` for the duration of an ``async with`` (or ``with``) block.

    The Rust side holds a connection pool; leaving the block releases the client (its pooled
    connections close once no sub-client is left), so scripts do not have to rely on garbage
    collection to let go of sockets::

        async with ralio.direct("http://127.0.0.1:8090", "code", "key") as client:
            accounts = await client.accounts().list(uid, ralio.ListQuery(...))

        with ralio.direct("http://127.0.0.1:8090", "code", "key") as client:  # synchronous code
            accounts = client.accounts().list_blocking(uid, ralio.ListQuery(...))
    """

    def __init__(self, client: RalioClient) -> None:
        self._client: Optional[RalioClient] = client

    @property
    def client(self) -> RalioClient:
        if self._client is None:
            raise RuntimeError("the client was closed")
        return self._client

    def __getattr__(self, name: str):
        # Sub-client accessors and login (users(), accounts(), ...) come from the generated class.
        return getattr(self.client, name)

    def events(
        self,
        types: Sequence[str] = (),
        *,
        user_id: Optional[str] = None,
        account_id: Optional[str] = None,
        start: Optional[StartPosition] = None,
        consumer: Optional[str] = None,
        heartbeat_interval: Optional[datetime.timedelta] = None,
    ) -> "EventStream":
        """Subscribes to the gateway's events (gateway mode only); see :class:`EventStream`."""
        options = EventSubscribeOptions(
            types=list(types),
            user_id=user_id,
            account_id=account_id,
            start=start,
            consumer=consumer,
            heartbeat_interval=heartbeat_interval,
        )
        return EventStream(self.client, options)

    def close(self) -> None:
        """Drops the Rust client now rather than at garbage collection."""
        # The generated object frees its Rust handle when its last Python reference goes.
        self._client = None

    async def __aenter__(self) -> "Client":
        return self

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()


def direct(base_url: str, api_code: str, api_key: str, **tuning) -> Client:
    """A client straight to RalioPay (server-side use). ``tuning`` takes the optional fields of
    :class:`DirectConfig` (``timeout``, ``max_retries``, ... as ``datetime.timedelta``/``int``)."""
    config = DirectConfig(base_url=base_url, api_code=api_code, api_key=api_key, **tuning)
    return Client(RalioClient.direct(config))


def gateway(url: str, token: str) -> Client:
    """A client through ``ralio-gateway`` (``http://host:port``) with a gateway token."""
    return Client(RalioClient.gateway(url, token))


_END = object()


class _QueueListener(EventListener):
    """Hands events from the Rust stream thread to an asyncio queue, thread-safely."""

    def __init__(self, loop: asyncio.AbstractEventLoop, queue: "asyncio.Queue[object]") -> None:
        self._loop = loop
        self._queue = queue

    def _put(self, item: object) -> None:
        try:
            self._loop.call_soon_threadsafe(self._queue.put_nowait, item)
        except RuntimeError:
            pass  # the loop is closed: nobody is listening any more

    def on_event(self, event: RalioEvent) -> None:
        self._put(event)

    def on_error(self, error: RalioFfiError) -> None:
        self._put(error)


class EventStream:
    """An event subscription as an async iterator::

        async with client.events(["payin_*"], account_id=aid) as events:
            async for event in events:
                ...

    Leaving the block (or :meth:`aclose`) cancels the Rust stream task and waits until the
    gRPC stream is closed. A stream error is raised from the iteration as
    :class:`RalioFfiError`. Dropping the stream without closing it also cancels it (when the
    Rust handle is freed)."""

    def __init__(self, client: RalioClient, options: EventSubscribeOptions) -> None:
        loop = asyncio.get_running_loop()
        self._queue: "asyncio.Queue[object]" = asyncio.Queue()
        self._listener = _QueueListener(loop, self._queue)
        self._failed = False
        self._subscription: Optional[EventSubscription] = client.subscribe_events(
            options, self._listener
        )

    @property
    def subscription(self) -> EventSubscription:
        if self._subscription is None:
            raise RuntimeError("the event stream was closed")
        return self._subscription

    def __aiter__(self) -> AsyncIterator[RalioEvent]:
        return self

    async def __anext__(self) -> RalioEvent:
        if self._subscription is None or self._failed:
            raise StopAsyncIteration
        item = await self._queue.get()
        if isinstance(item, BaseException):
            self._failed = True  # the stream has ended: later calls stop the iteration
            raise item
        return item  # type: ignore[return-value]

    async def aclose(self) -> None:
        """Cancels the subscription and waits until its stream task has ended."""
        subscription, self._subscription = self._subscription, None
        if subscription is not None:
            subscription.cancel()
            await subscription.wait_finished()

    async def __aenter__(self) -> "EventStream":
        return self

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        await self.aclose()
