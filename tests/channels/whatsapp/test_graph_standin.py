"""The Graph API stand-in refuses what Graph refuses, in Graph's words, and records the rest."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from channels.whatsapp.graph_standin import GraphStandIn
from tests.channels.whatsapp.rows import PHONE_NUMBER_ID, TOKEN, WA_ID

MESSAGES = f"/v23.0/{PHONE_NUMBER_ID}/messages"


@pytest.fixture
async def http(standin: GraphStandIn) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=standin.app()),
        base_url="http://graph.test",
        headers={"Authorization": f"Bearer {TOKEN}"},
    ) as client:
        yield client


def _text(**changes: Any) -> dict[str, Any]:
    body = {"messaging_product": "whatsapp", "to": WA_ID, "type": "text", "text": {"body": "Oi"}}
    return body | changes


async def test_an_accepted_message_gets_graphs_answer(
    http: httpx.AsyncClient, standin: GraphStandIn
) -> None:
    answer = await http.post(MESSAGES, json=_text(to="+" + WA_ID))

    assert answer.status_code == 200
    body = answer.json()
    assert body["messaging_product"] == "whatsapp"
    assert body["contacts"] == [{"input": "+" + WA_ID, "wa_id": WA_ID}]
    assert body["messages"][0]["id"] == standin.messages_to(WA_ID)[0].wamid


@pytest.mark.parametrize(
    ("request_body", "code"),
    [
        (_text(messaging_product=None), 131008),
        (_text(to="abc"), 131009),
        (_text(type="carrier_pigeon"), 131051),
        (_text(text={"body": ""}), 131008),
        (_text(text={"body": "x" * 4097}), 131009),
        (
            _text(
                type="interactive",
                interactive={
                    "type": "button",
                    "body": {"text": "Escolha"},
                    "action": {
                        "buttons": [
                            {"type": "reply", "reply": {"id": str(n), "title": f"B{n}"}}
                            for n in range(4)
                        ]
                    },
                },
            ),
            131009,
        ),
        (_text(type="image", image={"id": "999"}), 100),
        (
            _text(type="template", template={"name": "Lembrete", "language": {"code": "pt_BR"}}),
            131009,
        ),
    ],
)
async def test_a_malformed_message_is_refused_with_graphs_error_body(
    http: httpx.AsyncClient, standin: GraphStandIn, request_body: dict[str, Any], code: int
) -> None:
    answer = await http.post(MESSAGES, json=request_body)

    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == code
    assert error["message"].startswith(f"(#{code}) ")
    assert error["type"] == "OAuthException"
    assert "fbtrace_id" in error
    assert standin.messages == []


async def test_an_unknown_phone_number_or_token_is_refused(http: httpx.AsyncClient) -> None:
    unknown_number = await http.post("/v23.0/999/messages", json=_text())
    no_token = await http.post(MESSAGES, json=_text(), headers={"Authorization": ""})

    assert unknown_number.json()["error"]["code"] == 100
    assert (no_token.status_code, no_token.json()["error"]["code"]) == (401, 190)


async def test_injected_failures_hit_only_their_endpoint_and_count(
    http: httpx.AsyncClient, standin: GraphStandIn
) -> None:
    standin.fail_next(2, 131056, endpoint="messages")
    upload = await http.post(
        f"/v23.0/{PHONE_NUMBER_ID}/media",
        files={"file": ("pix.png", b"png", "image/png")},
        data={"messaging_product": "whatsapp", "type": "image/png"},
    )
    answers = [await http.post(MESSAGES, json=_text()) for _ in range(3)]

    assert upload.status_code == 200
    assert standin.media(upload.json()["id"]) is not None
    assert [a.status_code for a in answers] == [400, 400, 200]
    assert answers[0].json()["error"]["code"] == 131056


async def test_recorded_messages_can_be_read_from_another_process(
    http: httpx.AsyncClient,
) -> None:
    for body in ("um", "dois", "três"):
        await http.post(MESSAGES, json=_text(text={"body": body}))

    page = (await http.get("/_standin/messages", params={"since": 1})).json()

    assert page["count"] == 3
    assert [m["request"]["text"]["body"] for m in page["messages"]] == ["dois", "três"]
