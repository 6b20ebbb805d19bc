"""An httpx transport that does its network I/O with aiohttp.

pywa talks through an `httpx.AsyncClient`. httpx's own connection layer costs several times
more CPU per request than aiohttp's (measured in bench/sender_bench.py: about 8x on loopback),
which caps a sender far below Meta's throughput tiers. This transport keeps httpx's API for
pywa and hands each request to an aiohttp session: same requests, same responses.
"""

import asyncio

import aiohttp
import httpx
from yarl import URL

_HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "host"})
# aiohttp has already joined a chunked body: the header would no longer describe the content.
_CHUNKED = b"transfer-encoding"


class AiohttpTransport(httpx.AsyncBaseTransport):
    """Sends httpx requests through one aiohttp session, opened on first use in the running
    event loop and usable in that loop only (like httpx's own pool). `limit` caps the open
    connections; `timeout` is the whole request's seconds. Connection failures become
    `httpx.ConnectError`, timeouts `httpx.ReadTimeout`."""

    def __init__(self, *, limit: int = 64, timeout: float = 10.0) -> None:
        self._limit = limit
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        session = self._open()
        body = await request.aread()
        headers = [
            (name.decode("latin-1"), value.decode("latin-1"))
            for name, value in request.headers.raw
            if name.decode("latin-1").lower() not in _HOP_BY_HOP
        ]
        try:
            async with session.request(
                request.method,
                URL(str(request.url), encoded=True),  # httpx has already quoted it
                headers=headers,
                data=body or None,
                allow_redirects=False,
            ) as answer:
                content = await answer.read()
                status, raw_headers = answer.status, answer.raw_headers
        except TimeoutError as error:
            raise httpx.ReadTimeout(str(error) or "timed out", request=request) from error
        except aiohttp.ClientError as error:
            raise httpx.ConnectError(str(error), request=request) from error
        kept = [(name, value) for name, value in raw_headers if name.lower() != _CHUNKED]
        return httpx.Response(status, headers=kept, content=content, request=request)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            asyncio.get_running_loop()  # a session belongs to the loop it was opened in
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._limit),
                timeout=self._timeout,
                auto_decompress=False,  # httpx decodes by Content-Encoding, as for any transport
                skip_auto_headers=("User-Agent", "Accept-Encoding"),
            )
        return self._session
