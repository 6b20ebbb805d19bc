"""The 24-hour window and opt-outs decide whether a message goes out as it is."""

from datetime import UTC, datetime, timedelta

import pytest

from channels.whatsapp.ratelimit import Limits
from channels.whatsapp.sender import SenderConfig
from channels.whatsapp.window import Contact, Rules, Verdict, decide
from quita.settings import Settings

NOW = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
RULES = Rules(mandatory_purposes=frozenset({"suspension_notice"}))


@pytest.mark.parametrize(
    ("since_last_message", "verdict"),
    [
        (timedelta(hours=23, minutes=59, seconds=59), Verdict.SEND),
        (timedelta(hours=24), Verdict.USE_TEMPLATE),
        (timedelta(days=30), Verdict.USE_TEMPLATE),
    ],
)
def test_free_form_goes_out_only_within_24_hours_of_the_debtors_last_message(
    since_last_message: timedelta, verdict: Verdict
) -> None:
    contact = Contact(last_inbound_at=NOW - since_last_message)
    assert decide("text", "agent_reply", contact, NOW, RULES, has_template=True) == verdict


def test_a_template_goes_out_whatever_the_window() -> None:
    assert decide("template", "cadence", Contact(), NOW, RULES, has_template=False) == Verdict.SEND


def test_without_a_template_a_closed_window_refuses() -> None:
    verdict = decide("buttons", "cadence", Contact(), NOW, RULES, has_template=False)
    assert verdict == Verdict.REFUSE_WINDOW_CLOSED


@pytest.mark.parametrize(
    ("purpose", "last_message_ago", "verdict"),
    [
        ("cadence_reminder", timedelta(minutes=1), Verdict.REFUSE_OPTED_OUT),
        ("suspension_notice", timedelta(days=3), Verdict.USE_TEMPLATE),
        ("agent_reply", timedelta(minutes=1), Verdict.SEND),
        ("agent_reply", timedelta(days=2), Verdict.REFUSE_OPTED_OUT),
    ],
)
def test_after_an_opt_out_only_mandatory_purposes_and_live_replies_pass(
    purpose: str, last_message_ago: timedelta, verdict: Verdict
) -> None:
    contact = Contact(last_inbound_at=NOW - last_message_ago, opted_out_at=NOW - timedelta(days=1))
    assert decide("text", purpose, contact, NOW, RULES, has_template=True) == verdict


def test_limits_and_purposes_come_from_the_settings() -> None:
    settings = Settings(
        QUITA_WHATSAPP_MPS=250,
        QUITA_WHATSAPP_RECIPIENT_GAP=0,
        QUITA_WHATSAPP_MANDATORY_PURPOSES=" suspension_notice, rescission_notice ,",
        QUITA_WHATSAPP_REPLY_PURPOSES="",
    )

    rules = SenderConfig.from_settings(settings).rules

    assert Limits.from_settings(settings) == Limits(per_second=250, recipient_gap=0)
    assert rules.mandatory_purposes == {"suspension_notice", "rescission_notice"}
    assert rules.reply_purposes == frozenset()


def test_the_shipped_defaults_follow_meta() -> None:
    limits = Limits.from_settings(Settings())
    assert (limits.per_second, limits.recipient_gap) == (80, 6)
    assert SenderConfig.from_settings(Settings()).rules == Rules()
