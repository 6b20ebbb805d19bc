"""Reading recorded-shape WhatsApp webhook bodies into inbox messages and delivery statuses."""

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from channels.whatsapp.statuses import DeliveryStatus
from conversations.inbox import IncomingMedia
from webhooks.whatsapp_payload import NotWhatsAppPayload, parse_notification

DATA = Path(__file__).parents[1] / "data" / "whatsapp"
MARIA = "5511987654321"
PHONE_NUMBER_ID = "112233445566778"
SENT = datetime(2026, 12, 3, 13, 2, 11, tzinfo=UTC)  # the fixtures' "1796302931"

# fixture file -> (kind, text, reply_id, media), for fixtures holding one message from Maria
ONE_MESSAGE = {
    "text.json": ("text", "qto ta minha conta? manda o pix ai", None, None),
    "interactive_button_reply.json": ("interactive", "Pagar com Pix", "pay_pix", None),
    "interactive_list_reply.json": ("interactive", "3x de R$ 43,30", "plan_3x", None),
    "button.json": ("button", "Quero negociar", "cadence:invoice-118:talk", None),
    "image.json": (
        "image",
        "comprovante do pix",
        None,
        IncomingMedia("1184736629051247", "image/jpeg", None),
    ),
    "document.json": (
        "document",
        "segue o comprovante",
        None,
        IncomingMedia("1029384756473829", "application/pdf", "comprovante_novembro.pdf"),
    ),
    "audio.json": (
        "audio",
        None,
        None,
        IncomingMedia("2093847561029384", "audio/ogg; codecs=opus", None),
    ),
    "video.json": (
        "video",
        "olha o roteador piscando",
        None,
        IncomingMedia("3748291056473821", "video/mp4", None),
    ),
    "sticker.json": ("sticker", None, None, IncomingMedia("4857392016482937", "image/webp", None)),
    "location.json": (
        "location",
        "Localização: Casa, Rua das Flores, 123 - Centro, Belo Horizonte - MG "
        "(-19.919052, -43.938669)",
        None,
        None,
    ),
    "reaction.json": ("reaction", "\U0001f44d", None, None),
    "unsupported.json": ("unsupported", None, None, None),
    "contacts_message.json": ("unsupported", None, None, None),
}
STATUSES = {
    "status_sent.json": ("sent", None, None, "outbox:481"),
    "status_delivered.json": ("delivered", None, None, None),
    "status_read.json": ("read", None, None, None),
    "status_failed.json": ("failed", "131047", "Re-engagement message", None),
}
OTHERS = {
    "text_without_user_id.json",
    "text_username_only.json",
    "system_user_changed_number.json",
    "multi_entry.json",
}


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return data


def raw_message(data: dict[str, Any]) -> dict[str, Any]:
    message: dict[str, Any] = data["entry"][0]["changes"][0]["value"]["messages"][0]
    return message


def test_every_fixture_file_is_read_by_a_test() -> None:
    on_disk = {path.name for path in DATA.glob("*.json")}

    assert on_disk == set(ONE_MESSAGE) | set(STATUSES) | OTHERS


@pytest.mark.parametrize("name", sorted(ONE_MESSAGE))
def test_each_message_type_is_read_into_the_inbox_fields(name: str) -> None:
    kind, text, reply_id, media = ONE_MESSAGE[name]
    data = load(name)

    parsed = parse_notification(data)

    (message,) = parsed.messages
    assert (message.kind, message.text, message.reply_id, message.media) == (
        kind,
        text,
        reply_id,
        media,
    )
    assert (message.wa_id, message.phone_number_id) == (MARIA, PHONE_NUMBER_ID)
    assert message.wamid == raw_message(data)["id"]
    assert message.sent_at.tzinfo is UTC
    assert message.sent_at >= SENT
    assert message.payload == raw_message(data)
    assert (parsed.statuses, parsed.skipped, parsed.ignored) == ([], 0, 0)


def test_the_timestamp_is_read_as_an_aware_utc_instant() -> None:
    (message,) = parse_notification(load("text.json")).messages

    assert message.sent_at == SENT


def test_a_contact_without_user_id_is_read_as_before_bsuids() -> None:
    (message,) = parse_notification(load("text_without_user_id.json")).messages

    assert (message.wa_id, message.text) == (MARIA, "boa tarde")


def test_a_user_known_only_by_bsuid_is_skipped_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        parsed = parse_notification(load("text_username_only.json"))

    assert (parsed.messages, parsed.skipped) == ([], 1)
    assert "BSUID only" in caplog.text


def test_a_missing_from_is_found_through_the_contact_with_the_same_user_id() -> None:
    data = load("text.json")
    del raw_message(data)["from"]

    (message,) = parse_notification(data).messages

    assert message.wa_id == MARIA


def test_a_changed_number_notification_is_kept_in_the_old_numbers_thread() -> None:
    (message,) = parse_notification(load("system_user_changed_number.json")).messages

    assert (message.kind, message.wa_id) == ("system", "553198765432")
    assert message.text == "User João Batista changed from 553198765432 to 5531991234567"
    assert message.payload["system"]["wa_id"] == "5531991234567"


@pytest.mark.parametrize("name", sorted(STATUSES))
def test_each_status_is_read_into_a_delivery_status(name: str) -> None:
    status, error_code, error_title, callback = STATUSES[name]
    data = load(name)
    raw = data["entry"][0]["changes"][0]["value"]["statuses"][0]

    parsed = parse_notification(data)

    assert parsed.messages == []
    assert parsed.statuses == [
        DeliveryStatus(
            wamid=raw["id"],
            status=status,
            timestamp=datetime.fromtimestamp(int(raw["timestamp"]), UTC),
            recipient_id=MARIA,
            error_code=error_code,
            error_title=error_title,
            biz_opaque_callback_data=callback,
        )
    ]


def test_a_status_without_recipient_id_falls_back_to_the_bsuid() -> None:
    data = load("status_read.json")
    del data["entry"][0]["changes"][0]["value"]["statuses"][0]["recipient_id"]

    (status,) = parse_notification(data).statuses

    assert status.recipient_id == "BR.1340583213487765124"


def test_several_entries_and_changes_are_all_read_and_other_fields_ignored() -> None:
    parsed = parse_notification(load("multi_entry.json"))

    assert [(m.wa_id, m.phone_number_id, m.text) for m in parsed.messages] == [
        (MARIA, PHONE_NUMBER_ID, "bom dia"),
        (MARIA, PHONE_NUMBER_ID, "da pra parcelar em 3x?"),
        ("553198765432", "998877665544332", "ja paguei ontem"),
    ]
    assert [status.status for status in parsed.statuses] == ["delivered"]
    assert (parsed.skipped, parsed.ignored) == (0, 1)


def test_unknown_fields_and_types_are_tolerated() -> None:
    data = load("text.json")
    message = raw_message(data)
    message.update({"type": "poll_vote", "poll_vote": {"option": 2}, "brand_new_field": [1]})
    data["entry"][0]["changes"][0]["value"]["something_else"] = {"x": 1}

    (read,) = parse_notification(data).messages

    assert (read.kind, read.text) == ("unsupported", None)
    assert read.payload["poll_vote"] == {"option": 2}


def test_a_message_with_malformed_content_is_kept_as_unsupported() -> None:
    data = load("text.json")
    raw_message(data)["text"] = "not an object"

    (read,) = parse_notification(data).messages

    assert (read.kind, read.text) == ("unsupported", None)
    assert read.payload["text"] == "not an object"


def test_unreadable_items_are_skipped_without_losing_the_others() -> None:
    data = load("multi_entry.json")
    maria = data["entry"][0]["changes"][0]["value"]["messages"]
    maria[0]["timestamp"] = "yesterday"
    maria.append("not an object")
    data["entry"][0]["changes"][1]["value"]["statuses"][0].pop("status")

    parsed = parse_notification(data)

    assert [m.text for m in parsed.messages] == ["da pra parcelar em 3x?", "ja paguei ontem"]
    assert (parsed.statuses, parsed.skipped) == ([], 3)


def test_a_change_without_metadata_skips_its_messages() -> None:
    data = load("text.json")
    del data["entry"][0]["changes"][0]["value"]["metadata"]

    parsed = parse_notification(data)

    assert (parsed.messages, parsed.skipped) == ([], 1)


def test_group_messages_are_ignored() -> None:
    data = load("text.json")
    raw_message(data)["group_id"] = "120363041234567890"

    parsed = parse_notification(data)

    assert (parsed.messages, parsed.ignored) == ([], 1)


@pytest.mark.parametrize(
    "body",
    [[], "text", {"object": "page", "entry": []}, {"entry": []}],
    ids=["list", "string", "page", "no-object"],
)
def test_a_body_that_is_not_a_whatsapp_notification_is_refused(body: Any) -> None:
    with pytest.raises(NotWhatsAppPayload):
        parse_notification(body)
