"""Typed messages refuse what WhatsApp would refuse, and survive a trip through the outbox."""

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine

from billing.models import OutboxKind
from channels.whatsapp.messages import (
    Button,
    Buttons,
    Document,
    Image,
    ListMessage,
    OutboundMessage,
    Row,
    Section,
    Template,
    Text,
    message_from_row,
    render_template_text,
)
from tests.channels.whatsapp.rows import outbox_row, queue

PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 200
PDF = b"%PDF-1.4\n" + b"0" * 2000


def _buttons(*titles: str) -> list[Button]:
    return [Button(id=f"b{n}", title=title) for n, title in enumerate(titles)]


def _rows(count: int, prefix: str = "r") -> list[Row]:
    return [Row(id=f"{prefix}{n}", title=f"Opção {n}") for n in range(count)]


@pytest.mark.parametrize(
    ("build", "complaint"),
    [
        (lambda: Text(body="x" * 4097), "at most 4096 characters"),
        (lambda: Text(body="   "), "must not be blank"),
        (lambda: Buttons(body="Escolha", buttons=_buttons("a", "b", "c", "d")), "1 to 3"),
        (lambda: Buttons(body="Escolha", buttons=[]), "1 to 3"),
        (lambda: Buttons(body="Escolha", buttons=_buttons("x" * 21)), "at most 20 characters"),
        (lambda: Buttons(body="Escolha", buttons=_buttons("Pix", "Pix")), "appears twice"),
        (lambda: Buttons(body="x" * 1025, buttons=_buttons("Pix")), "at most 1024 characters"),
        (
            lambda: Buttons(body="Escolha", buttons=_buttons("Pix"), header="h" * 61),
            "at most 60 characters",
        ),
        (
            lambda: ListMessage(
                body="Escolha",
                button="Ver opções",
                sections=[
                    Section(title="A", rows=_rows(6, "a")),
                    Section(title="B", rows=_rows(5, "b")),
                ],
            ),
            "at most 10 rows",
        ),
        (lambda: Row(id="r", title="x" * 25), "at most 24 characters"),
        (lambda: Row(id="r", title="ok", description="d" * 73), "at most 72 characters"),
        (
            lambda: ListMessage(
                body="Escolha", button="x" * 21, sections=[Section(title="A", rows=_rows(1))]
            ),
            "at most 20 characters",
        ),
        (lambda: Template(name="Lembrete Fatura"), "should match pattern"),
        (lambda: Template(name="lembrete", parameters=["linha 1\nlinha 2"]), "newline"),
        (lambda: Template(name="lembrete", parameters=["a     b"]), "four spaces"),
        (lambda: Template(name="lembrete", parameters=[" "]), "is empty"),
        (lambda: Image(filename="pix.gif", mime_type="image/gif", data=PNG), "not accepted"),
        (lambda: Image(filename="pix.png", mime_type="image/png", data=b""), "empty"),
        (
            lambda: Image(filename="pix.png", mime_type="image/png", data=b"0" * (5 * 2**20 + 1)),
            "byte limit",
        ),
        (lambda: Document(filename="b.exe", mime_type="application/x-dos", data=PDF), "accepted"),
    ],
)
def test_a_message_outside_whatsapps_limits_is_refused_with_a_readable_reason(
    build: object, complaint: str
) -> None:
    with pytest.raises(ValidationError, match=complaint):
        build()  # type: ignore[operator]


def test_the_largest_messages_whatsapp_accepts_are_accepted() -> None:
    Text(body="x" * 4096)
    Buttons(body="x" * 1024, buttons=_buttons("a" * 20, "b" * 20, "c" * 20), header="h" * 60)
    ListMessage(
        body="x" * 4096,
        button="Ver opções",
        sections=[
            Section(title="t" * 24, rows=_rows(4, "a")),
            Section(title="B", rows=_rows(6, "b")),
        ],
    )


MESSAGES: list[OutboundMessage] = [
    Text(body="Olá! Sua fatura de novembro vence amanhã.", preview_url=True),
    Buttons(
        body="Como prefere pagar?",
        buttons=_buttons("Pix", "Boleto", "Falar com atendente"),
        header="Fatura de novembro",
        footer="Conecta Vale",
    ),
    ListMessage(
        body="Escolha uma opção",
        button="Ver opções",
        sections=[
            Section(title="Pagamento", rows=[Row(id="pix", title="Pix", description="Na hora")]),
            Section(title="Ajuda", rows=[Row(id="human", title="Atendente")]),
        ],
    ),
    Template(name="quita_lembrete", parameters=["Maria", "R$ 99,90"], body="Olá, Maria!"),
    Image(filename="pix.png", mime_type="image/png", data=PNG, caption="Pix copia e cola"),
    Document(filename="boleto.pdf", mime_type="application/pdf", data=PDF),
]


@pytest.mark.parametrize("message", MESSAGES, ids=lambda m: m.kind)
def test_every_kind_comes_back_from_the_outbox_as_it_was_queued(
    engine: Engine, message: OutboundMessage
) -> None:
    row_id = queue(engine, f"k:{message.kind}", message)
    assert row_id is not None

    row = outbox_row(engine, row_id)

    assert row.kind == OutboxKind(message.kind)
    assert message_from_row(row) == message


def test_the_payload_follows_the_documented_schema(engine: Engine) -> None:
    buttons_id = queue(engine, "b", MESSAGES[1])
    image_id = queue(engine, "i", MESSAGES[4])
    assert buttons_id is not None
    assert image_id is not None

    buttons = outbox_row(engine, buttons_id)
    image = outbox_row(engine, image_id)

    assert buttons.body == "Como prefere pagar?"
    assert buttons.payload["buttons"][0] == {"id": "b0", "title": "Pix"}
    assert buttons.payload["header"] == "Fatura de novembro"
    assert image.body == "Pix copia e cola"
    assert set(image.payload) == {"filename", "mime_type", "data_base64"}


def test_fallback_parameters_are_checked_and_kept_apart_from_the_message(engine: Engine) -> None:
    row_id = queue(engine, "k", Text(body="Oi"), fallback_parameters=["Maria"])
    assert row_id is not None
    row = outbox_row(engine, row_id)

    assert row.payload["fallback_parameters"] == ["Maria"]
    assert message_from_row(row) == Text(body="Oi")
    with pytest.raises(ValueError, match="newline"):
        queue(engine, "k2", Text(body="Oi"), fallback_parameters=["a\nb"])


def test_template_text_is_rendered_with_its_positional_parameters() -> None:
    text = "Olá, {{1}}! A {{2}} lembra: {{1}}, sua fatura vence. {{3}}"
    assert render_template_text(text, ["Maria", "Conecta"]) == (
        "Olá, Maria! A Conecta lembra: Maria, sua fatura vence. {{3}}"
    )
