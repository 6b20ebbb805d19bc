"""The one small interface the sender talks to, and its implementation on pywa's async client.

pywa maps Graph error codes to exception classes and speaks the wire format; this module only
turns Quita's typed messages into pywa calls and pywa's errors into `GraphError`.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, cast

import httpx
from pywa import errors as pywa_errors
from pywa.types.callback import Button as PywaButton
from pywa.types.callback import Section as PywaSection
from pywa.types.callback import SectionList, SectionRow
from pywa.types.templates import BodyText, TemplateLanguage
from pywa_async.client import WhatsApp

from channels.whatsapp.errors import GraphError, graph_error
from channels.whatsapp.messages import (
    Buttons,
    Document,
    Image,
    ListMessage,
    OutboundMessage,
    Template,
    Text,
)
from channels.whatsapp.transport import AiohttpTransport
from quita.settings import Settings

DEFAULT_TIMEOUT_SECONDS = 10.0
DEFAULT_MAX_CONNECTIONS = 64
# pywa declares `BodyText.params` without `self` or @staticmethod; called on the class it takes
# the positional parameters, which mypy cannot see.
_body_params = cast(Callable[..., Any], BodyText.params)
_CODE_PREFIX = re.compile(r"^\(#\d+\)\s*")


@dataclass(frozen=True)
class SendResult:
    """What the Graph API answered to an accepted message: its `wamid`."""

    wamid: str


class WhatsAppClient(Protocol):
    """Sends typed messages and uploads media; every failure is a `GraphError`."""

    async def send(
        self, message: OutboundMessage, to: str, *, tracker: str | None = None
    ) -> SendResult:
        """Send `message` to the wa_id `to`; `tracker` comes back in its delivery statuses
        (`biz_opaque_callback_data`). A media message without `media_id` is uploaded first."""
        ...

    async def upload_media(self, content: bytes, mime_type: str, filename: str) -> str:
        """Upload a file through the media endpoint; its media id."""
        ...

    async def aclose(self) -> None: ...


ClientFactory = Callable[[], WhatsAppClient]


class PywaClient:
    """`WhatsAppClient` on pywa's async client, aimed at any Graph API base URL.

    `graph_url` includes the version ("https://graph.facebook.com/v23.0"). `transport` lets
    tests route requests to an in-process app; by default aiohttp does the network I/O.
    Makes no network call until a message is sent; use it within one event loop.
    """

    def __init__(
        self,
        *,
        graph_url: str,
        phone_number_id: str,
        access_token: str,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        # httpx's own connection layer is the costliest part of a send; aiohttp does the I/O.
        transport = transport or AiohttpTransport(limit=max_connections, timeout=timeout)
        self._session = httpx.AsyncClient(timeout=timeout, transport=transport)
        self._wa = WhatsApp(phone_id=phone_number_id, token=access_token, session=self._session)
        # pywa points its session at graph.facebook.com; the session is ours, so aim it at the
        # configured URL (a proxy, another API version, the local stand-in).
        self._session.base_url = httpx.URL(graph_url.rstrip("/") + "/")

    async def send(
        self, message: OutboundMessage, to: str, *, tracker: str | None = None
    ) -> SendResult:
        try:
            if isinstance(message, Image | Document) and message.media_id is None:
                media_id = await self.upload_media(
                    message.data, message.mime_type, message.filename
                )
                message = message.model_copy(update={"media_id": media_id})
            wamid = await self._send(message, to, tracker)
        except pywa_errors.WhatsAppError as error:
            raise _from_pywa(error) from error
        except httpx.TimeoutException as error:
            raise graph_error("timeout", "no answer in time") from error
        except httpx.TransportError as error:
            raise graph_error("network", type(error).__name__) from error
        return SendResult(wamid)

    async def upload_media(self, content: bytes, mime_type: str, filename: str) -> str:
        try:
            media = await self._wa.upload_media(content, mime_type=mime_type, filename=filename)
        except pywa_errors.WhatsAppError as error:
            raise _from_pywa(error) from error
        except httpx.TimeoutException as error:
            raise graph_error("timeout", "no answer in time") from error
        except httpx.TransportError as error:
            raise graph_error("network", type(error).__name__) from error
        return str(media.id)

    async def aclose(self) -> None:
        await self._session.aclose()

    async def _send(self, message: OutboundMessage, to: str, tracker: str | None) -> str:
        wa = self._wa
        if isinstance(message, Text):
            sent = await wa.send_message(
                to, message.body, preview_url=message.preview_url, tracker=tracker
            )
        elif isinstance(message, Buttons | ListMessage):
            sent = await wa.send_message(
                to,
                message.body,
                header=message.header,
                footer=message.footer,
                buttons=_pywa_buttons(message),
                tracker=tracker,
            )
        elif isinstance(message, Template):
            return await self._send_template(message, to, tracker)
        elif isinstance(message, Image):
            sent = await wa.send_image(
                to, str(message.media_id), caption=message.caption or None, tracker=tracker
            )
        else:
            sent = await wa.send_document(
                to,
                str(message.media_id),
                filename=message.filename,
                caption=message.caption or None,
                tracker=tracker,
            )
        return str(sent.id)

    async def _send_template(self, message: Template, to: str, tracker: str | None) -> str:
        params = [_body_params(*message.parameters)] if message.parameters else None
        sent = await self._wa.send_template(
            to,
            message.name,
            TemplateLanguage(message.language),
            params,
            tracker=tracker,
        )
        return str(sent.id)


def client_factory(settings: Settings) -> ClientFactory:
    """Builds a `PywaClient` from settings each time it is called (one per event loop)."""

    def build() -> WhatsAppClient:
        return PywaClient(
            graph_url=settings.whatsapp_graph_url,
            phone_number_id=settings.whatsapp_phone_number_id,
            access_token=settings.whatsapp_access_token.get_secret_value(),
        )

    return build


def _pywa_buttons(message: Buttons | ListMessage) -> list[PywaButton] | SectionList:
    if isinstance(message, Buttons):
        return [PywaButton(title=b.title, callback_data=b.id) for b in message.buttons]
    sections = [
        PywaSection(
            title=section.title,
            rows=[
                SectionRow(title=row.title, callback_data=row.id, description=row.description)
                for row in section.rows
            ],
        )
        for section in message.sections
    ]
    return SectionList(button_title=message.button, sections=sections)


def _from_pywa(error: pywa_errors.WhatsAppError) -> GraphError:
    # Graph prefixes its messages with the code, "(#131047) Re-engagement message".
    title = error.user_title or _CODE_PREFIX.sub("", error.message)
    return graph_error(
        error.code,
        title,
        detail=error.details,
        http_status=error.status_code,
        is_transient=error.is_transient,
    )
