"""Files debtors send (receipt photos, PDFs), fetched through the Graph API media endpoint and
kept with their message.

Fetching is two requests, both with the bearer token: `GET {graph_url}/{media_id}` answers
JSON with a short-lived `url`, `mime_type`, `sha256` and `file_size`; `GET url` answers the
bytes. A failure is recorded on the row (`fetch_error`), never raised: the conversation goes
on without the file.
"""

import base64
import binascii
import hashlib
import logging
from dataclasses import dataclass
from typing import Any, Protocol, Self

import httpx
from sqlmodel import Session, select

from billing.models import utc_now
from conversations.models import InboundMedia, InboundMessage
from quita.settings import Settings

logger = logging.getLogger(__name__)

# Receipts are photos (WhatsApp caps images at 5 MB) or small PDFs; the content is stored in
# the database, so bigger documents are refused rather than kept.
MAX_MEDIA_BYTES = 16 * 1024 * 1024
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


class MediaFetchError(Exception):
    """The file could not be fetched or failed its checks; the message says why."""


@dataclass(frozen=True)
class MediaInfo:
    """What the media endpoint says about a file. `sha256` is as Meta sends it (hex or base64)."""

    url: str
    mime_type: str | None = None
    sha256: str | None = None
    file_size: int | None = None


class MediaFetcher(Protocol):
    """The two Graph calls; both raise MediaFetchError (or httpx.HTTPError) on failure."""

    def media_info(self, media_id: str) -> MediaInfo: ...

    def download(self, url: str, max_bytes: int) -> bytes:
        """The file, refused with MediaFetchError as soon as it exceeds `max_bytes`."""
        ...


class GraphMediaFetcher:
    """`MediaFetcher` over httpx against the Graph API (or the simulator at the same URLs)."""

    def __init__(
        self, graph_url: str, access_token: str, client: httpx.Client | None = None
    ) -> None:
        self.graph_url = graph_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {access_token}"}
        self._client = client or httpx.Client(timeout=DEFAULT_TIMEOUT)

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        token = settings.whatsapp_access_token.get_secret_value()
        return cls(settings.whatsapp_graph_url, token)

    def media_info(self, media_id: str) -> MediaInfo:
        response = self._client.get(f"{self.graph_url}/{media_id}", headers=self._headers)
        response.raise_for_status()
        try:
            return _media_info(response.json())
        except ValueError as error:
            raise MediaFetchError(f"media endpoint answer unreadable: {error}") from None

    def download(self, url: str, max_bytes: int) -> bytes:
        with self._client.stream("GET", url, headers=self._headers) as response:
            response.raise_for_status()
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise MediaFetchError(f"file larger than {max_bytes} bytes")
            content = bytearray()
            for chunk in response.iter_bytes():
                content += chunk
                if len(content) > max_bytes:
                    raise MediaFetchError(f"file larger than {max_bytes} bytes")
        return bytes(content)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def fetch_pending_media(
    session: Session,
    message: InboundMessage,
    fetcher: MediaFetcher,
    max_bytes: int = MAX_MEDIA_BYTES,
) -> InboundMedia | None:
    """Fetch the message's file if it has one not fetched yet (a retry re-tries a failure).

    Returns the media row (with `content`, or with `fetch_error` saying why not), or None
    when the message carries no file. Only database errors raise.
    """
    media = session.exec(select(InboundMedia).where(InboundMedia.message_id == message.id)).first()
    if media is None or media.content is not None:
        return media
    _fetch(session, media, fetcher, max_bytes, message.wamid)
    return media


def _fetch(
    session: Session, media: InboundMedia, fetcher: MediaFetcher, max_bytes: int, wamid: str
) -> None:
    """Fetch, verify (size cap, sha256) and store one file on its row, or record why not."""
    try:
        info = fetcher.media_info(media.media_id)
        if info.file_size is not None and info.file_size > max_bytes:
            raise MediaFetchError(f"file of {info.file_size} bytes is over {max_bytes}")
        content = fetcher.download(info.url, max_bytes)
        digest = _verified_digest(content, info.sha256)
    except (MediaFetchError, httpx.HTTPError) as error:
        _record_failure(session, media, error, wamid)
        return

    media.content = content
    media.size = len(content)
    media.sha256 = digest
    media.mime_type = (info.mime_type or media.mime_type or "")[:128] or None
    media.fetch_error = None
    media.fetched_at = utc_now()
    session.add(media)
    session.flush()
    logger.info("inbound media fetched (%d bytes)", len(content), extra={"wamid": wamid})


def _media_info(data: Any) -> MediaInfo:
    if not isinstance(data, dict) or not isinstance(data.get("url"), str):
        raise ValueError('no "url" in the answer')
    size = data.get("file_size")
    if isinstance(size, str) and size.isdigit():
        size = int(size)
    return MediaInfo(
        url=data["url"],
        mime_type=data.get("mime_type") if isinstance(data.get("mime_type"), str) else None,
        sha256=data.get("sha256") if isinstance(data.get("sha256"), str) else None,
        file_size=size if isinstance(size, int) and not isinstance(size, bool) else None,
    )


def _verified_digest(content: bytes, expected: str | None) -> str:
    """The content's hex sha256, after checking it against Meta's (hex or base64) if given."""
    digest = hashlib.sha256(content)
    if expected is None:
        return digest.hexdigest()
    if expected.lower() == digest.hexdigest() or _base64_equals(expected, digest.digest()):
        return digest.hexdigest()
    raise MediaFetchError("sha256 mismatch: the file is not the one announced")


def _base64_equals(encoded: str, raw_digest: bytes) -> bool:
    try:
        return base64.b64decode(encoded, validate=True) == raw_digest
    except (binascii.Error, ValueError):
        return False


def _record_failure(session: Session, media: InboundMedia, error: Exception, wamid: str) -> None:
    reason = _reason(error)
    media.fetch_error = reason[:500]
    media.fetched_at = utc_now()
    session.add(media)
    session.flush()
    logger.warning("inbound media not fetched: %s", reason, extra={"wamid": wamid})


def _reason(error: Exception) -> str:
    if isinstance(error, httpx.HTTPStatusError):
        return f"HTTP {error.response.status_code} from {error.request.url.host}"
    if isinstance(error, httpx.HTTPError):
        return f"{type(error).__name__} reaching the media server"
    return str(error)
