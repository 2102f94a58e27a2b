"""The idiomatic layer: an async context manager around the generated :class:`RalioClient`."""

from __future__ import annotations

from types import TracebackType
from typing import Optional, Type

from ._native.ralio_ffi import DirectConfig, RalioClient


class Client:
    """Holds a :class:`RalioClient` for the duration of an ``async with`` (or ``with``) block.

    The Rust side holds a connection pool; leaving the block releases the client (its pooled
    connections close once no sub-client is left), so scripts do not have to rely on garbage
    collection to let go of sockets::

        async with ralio.direct("http://127.0.0.1:8090", "code", "key") as client:
            accounts = await client.accounts().list(uid, ralio.ListQuery(...))
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
