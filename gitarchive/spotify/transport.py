"""The HTTP transport under the Spotify client: small connection pools used as one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from collections.abc import AsyncIterator


class ShardedPool(httpx.AsyncBaseTransport):
    """Small connection pools behind the one client, used as one pool.

    httpcore's pool re-examines every connection on each request event (and polls
    the socket of each idle one): O(connections) work per event, O(connections²)
    in places. Measured at 32 connections that is ~10 ms of CPU per request, more
    than the network's latency. Shards of at most 8 connections keep that flat.
    Each request goes to the shard with the most free connections, so keep-alive
    connections are reused and no shard queues while another has room.
    """

    SHARD_SIZE = 8

    def __init__(self, connections: int, *, keepalive_expiry: float) -> None:
        count = max(1, -(-connections // self.SHARD_SIZE))
        sizes = [connections // count + (i < connections % count) for i in range(count)]
        tls = httpx.create_ssl_context()  # loading CA certificates costs ~40 ms: do it once
        self._shards = [
            httpx.AsyncHTTPTransport(
                verify=tls,
                limits=httpx.Limits(
                    max_connections=size,
                    max_keepalive_connections=size,
                    keepalive_expiry=keepalive_expiry,
                ),
            )
            for size in sizes
        ]
        self._free = list(sizes)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        index = max(range(len(self._shards)), key=self._free.__getitem__)
        self._free[index] -= 1
        try:
            response = await self._shards[index].handle_async_request(request)
        except BaseException:
            self._free[index] += 1
            raise
        response.stream = _ReleasingStream(response.stream, self._free, index)
        return response

    async def aclose(self) -> None:
        for shard in self._shards:
            await shard.aclose()


class _ReleasingStream(httpx.AsyncByteStream):
    """A response body that gives its shard's connection back when closed."""

    def __init__(self, stream: Any, free: list[int], index: int) -> None:
        self._stream = stream
        self._free = free
        self._index = index
        self._released = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            if not self._released:
                self._released = True
                self._free[self._index] += 1
