"""May this message go out now, as it is? The 24-hour customer service window and opt-outs.

WhatsApp accepts free-form messages only within 24 hours of the user's last message; outside
it only an approved template. A debtor who opted out gets nothing but the purposes the ISP
marks mandatory, and replies while they themselves are talking to us.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from billing.models import OutboxKind

WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class Contact:
    """What the thread knows about a recipient: when they last wrote, and any opt-out."""

    last_inbound_at: datetime | None = None
    opted_out_at: datetime | None = None

    def window_open(self, now: datetime, window: timedelta = WINDOW) -> bool:
        return self.last_inbound_at is not None and now - self.last_inbound_at < window


@dataclass(frozen=True)
class Rules:
    """`mandatory_purposes` go out even after an opt-out; `reply_purposes` too, but only
    while the debtor's window is open (they wrote to us)."""

    mandatory_purposes: frozenset[str] = frozenset()
    reply_purposes: frozenset[str] = field(
        default_factory=lambda: frozenset({"agent_reply", "staff_reply"})
    )
    window: timedelta = WINDOW


class Verdict(StrEnum):
    SEND = "send"
    USE_TEMPLATE = "use_template"
    REFUSE_OPTED_OUT = "opted_out"
    REFUSE_WINDOW_CLOSED = "window_closed"


def decide(
    kind: str, purpose: str, contact: Contact, now: datetime, rules: Rules, has_template: bool
) -> Verdict:
    """What to do with a message of `kind` and `purpose` to this contact at `now`.

    `has_template` says whether the purpose maps to an approved template.
    """
    window_open = contact.window_open(now, rules.window)
    if contact.opted_out_at is not None and not (
        purpose in rules.mandatory_purposes or (purpose in rules.reply_purposes and window_open)
    ):
        return Verdict.REFUSE_OPTED_OUT
    if kind == OutboxKind.TEMPLATE or window_open:
        return Verdict.SEND
    return Verdict.USE_TEMPLATE if has_template else Verdict.REFUSE_WINDOW_CLOSED


def purposes_from(text: str) -> frozenset[str]:
    """A comma-separated setting ("a, b") as a set of purposes."""
    return frozenset(part.strip() for part in text.split(",") if part.strip())
