"""The pywa-based client: Quita's messages on the Cloud API wire, Graph errors as GraphError."""

import socket

import httpx
import pytest

from channels.whatsapp.client import PywaClient
from channels.whatsapp.errors import GraphError
from channels.whatsapp.graph_standin import GraphStandIn
from channels.whatsapp.messages import (
    Button,
    Buttons,
    Document,
    Image,
    ListMessage,
    Row,
    Section,
    Template,
    Text,
)
from tests.channels.whatsapp.rows import PHONE_NUMBER_ID, TOKEN, WA_ID

PNG = b"\x89PNG\r\n\x1a\n" + b"\x02" * 100
PDF = b"%PDF-1.4\n" + b"1" * 500


async def test_a_text_goes_over_real_http_with_its_tracker(
    served_standin: str, standin: GraphStandIn
) -> None:
    client = PywaClient(
        graph_url=served_standin, phone_number_id=PHONE_NUMBER_ID, access_token=TOKEN
    )

    result = await client.send(Text(body="Olá, Maria!"), WA_ID, tracker="reply:1")
    await client.aclose()

    [sent] = standin.messages
    assert result.wamid == sent.wamid
    assert sent.wamid.startswith("wamid.")
    assert sent.request == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": WA_ID,
        "type": "text",
        "text": {"body": "Olá, Maria!", "preview_url": False},
        "biz_opaque_callback_data": "reply:1",
    }


async def test_media_and_templates_go_over_real_http_too(
    served_standin: str, standin: GraphStandIn
) -> None:
    client = PywaClient(
        graph_url=served_standin, phone_number_id=PHONE_NUMBER_ID, access_token=TOKEN
    )

    await client.send(Document(filename="boleto.pdf", mime_type="application/pdf", data=PDF), WA_ID)
    await client.send(Template(name="quita_lembrete", parameters=["Maria"]), WA_ID)
    await client.aclose()

    document, template = (m.request for m in standin.messages)
    uploaded = standin.media(document["document"]["id"])
    assert uploaded is not None
    assert (uploaded.content, uploaded.filename) == (PDF, "boleto.pdf")
    assert template["template"]["components"][0]["parameters"] == [
        {"type": "text", "text": "Maria"}
    ]


async def test_a_wrong_token_is_refused_by_the_standin(
    served_standin: str, standin: GraphStandIn
) -> None:
    client = PywaClient(graph_url=served_standin, phone_number_id=PHONE_NUMBER_ID, access_token="x")

    with pytest.raises(GraphError) as raised:
        await client.send(Text(body="Olá"), WA_ID)
    await client.aclose()

    assert (raised.value.code, raised.value.http_status) == ("190", 401)
    assert standin.messages == []


async def test_an_unreachable_graph_api_is_a_transient_network_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = PywaClient(
        graph_url=f"http://127.0.0.1:{port}/v23.0", phone_number_id="1", access_token=TOKEN
    )

    with pytest.raises(GraphError) as raised:
        await client.send(Text(body="Olá"), WA_ID)
    await client.aclose()

    assert raised.value.code == "network"
    assert raised.value.transient


async def test_a_graph_api_that_never_answers_is_a_transient_timeout() -> None:
    with socket.socket() as silent:  # accepts connections (backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        client = PywaClient(
            graph_url=f"http://127.0.0.1:{port}/v23.0",
            phone_number_id="1",
            access_token=TOKEN,
            timeout=0.2,
        )

        with pytest.raises(GraphError) as raised:
            await client.send(Text(body="Olá"), WA_ID)
        await client.aclose()

    assert (raised.value.code, raised.value.transient) == ("timeout", True)


async def test_buttons_and_lists_use_the_interactive_wire_format(
    client: PywaClient, standin: GraphStandIn
) -> None:
    await client.send(
        Buttons(
            body="Como prefere pagar?",
            buttons=[Button(id="pix", title="Pix"), Button(id="boleto", title="Boleto")],
            footer="Conecta Vale",
        ),
        WA_ID,
    )
    await client.send(
        ListMessage(
            body="Escolha",
            button="Ver opções",
            sections=[Section(title="Pagar", rows=[Row(id="pix", title="Pix", description="Já")])],
        ),
        WA_ID,
    )

    buttons, listing = (m.request["interactive"] for m in standin.messages)
    assert buttons["type"] == "button"
    assert buttons["body"] == {"text": "Como prefere pagar?"}
    assert buttons["footer"] == {"text": "Conecta Vale"}
    assert buttons["action"]["buttons"][1] == {
        "type": "reply",
        "reply": {"id": "boleto", "title": "Boleto"},
    }
    assert listing["type"] == "list"
    assert listing["action"] == {
        "button": "Ver opções",
        "sections": [
            {"title": "Pagar", "rows": [{"id": "pix", "title": "Pix", "description": "Já"}]}
        ],
    }


async def test_a_template_carries_its_language_and_body_parameters(
    client: PywaClient, standin: GraphStandIn
) -> None:
    await client.send(Template(name="quita_lembrete", parameters=["Maria", "R$ 99,90"]), WA_ID)

    assert standin.messages[0].request["template"] == {
        "name": "quita_lembrete",
        "language": {"code": "pt_BR"},
        "components": [
            {
                "type": "BODY",
                "parameters": [
                    {"type": "text", "text": "Maria"},
                    {"type": "text", "text": "R$ 99,90"},
                ],
            }
        ],
    }


async def test_media_is_uploaded_through_the_media_endpoint_then_sent_by_id(
    client: PywaClient, standin: GraphStandIn
) -> None:
    await client.send(
        Image(filename="pix.png", mime_type="image/png", data=PNG, caption="Pix"), WA_ID
    )
    media_id = await client.upload_media(PDF, "application/pdf", "boleto.pdf")
    await client.send(
        Document(filename="boleto.pdf", mime_type="application/pdf", data=PDF, media_id=media_id),
        WA_ID,
    )

    image, document = (m.request for m in standin.messages)
    uploaded = standin.media(image["image"]["id"])
    assert uploaded is not None
    assert (uploaded.content, uploaded.mime_type, uploaded.filename) == (
        PNG,
        "image/png",
        "pix.png",
    )
    assert image["image"]["caption"] == "Pix"
    assert document["document"] == {"id": media_id, "filename": "boleto.pdf"}


@pytest.mark.parametrize(
    ("code", "http_status", "transient", "window_closed"),
    [
        (131047, 400, False, True),
        (131056, 400, True, False),
        (130429, 400, True, False),
        (131000, 500, True, False),
        (131026, 400, False, False),
        (100, 400, False, False),
    ],
)
async def test_graph_errors_become_classified_graph_errors(
    client: PywaClient,
    standin: GraphStandIn,
    code: int,
    http_status: int,
    transient: bool,
    window_closed: bool,
) -> None:
    standin.fail_next(1, code, http_status=http_status, message="Boom", details="More")

    with pytest.raises(GraphError) as raised:
        await client.send(Text(body="Olá"), WA_ID)

    error = raised.value
    assert (error.code, error.http_status, error.title, error.detail) == (
        str(code),
        http_status,
        "Boom",
        "More",
    )
    assert (error.transient, error.window_closed) == (transient, window_closed)


async def test_the_media_url_and_download_need_the_token(standin: GraphStandIn) -> None:
    media_id = standin.store_media(PNG, "image/png", "recibo.png")
    transport = httpx.ASGITransport(app=standin.app())
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://graph.test") as http:
        info = (await http.get(f"/v23.0/{media_id}", headers=headers)).json()
        refused = await http.get(info["url"])
        downloaded = await http.get(info["url"], headers=headers)

    assert info["mime_type"] == "image/png"
    assert info["file_size"] == len(PNG)
    assert info["messaging_product"] == "whatsapp"
    assert refused.status_code == 401
    assert downloaded.content == PNG
