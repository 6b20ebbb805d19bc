"""Tables of the conversation layer: one thread per WhatsApp user, every inbound message
(deduplicated by `wamid`) and the media a debtor sent (receipts)."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlmodel import Field, SQLModel

from billing.models import utc_now
from quita.sqltypes import UTCDateTime


class ThreadOwner(StrEnum):
    AGENT = "agent"
    STAFF = "staff"


class InboundStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class Thread(SQLModel, table=True):
    """A conversation with one WhatsApp user (`wa_id`, digits only), whoever they turn out to be.

    `last_inbound_at` opens the 24-hour window for free-form replies. `locked_by` and
    `locked_until` are the per-thread lease used when no Redis coordinates the workers.
    """

    __tablename__ = "wa_thread"

    id: int | None = Field(default=None, primary_key=True)
    wa_id: str = Field(sa_type=String(20), unique=True)
    customer_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("customer.id"), nullable=True, index=True),
    )
    owner: str = Field(default=ThreadOwner.AGENT, sa_type=String(8))
    last_inbound_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    opted_out_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    locked_by: str | None = Field(default=None, sa_type=String(64))
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime, nullable=False)


class InboundMessage(SQLModel, table=True):
    """One message a WhatsApp user sent, stored before the webhook answers 200.

    `kind` is WhatsApp's message type ("unsupported" for any type Quita does not know);
    `text` is what the agent reads (the body, a caption, the chosen button's title);
    `reply_id` is the id of the chosen button or list row. `sent_at` is WhatsApp's timestamp,
    which orders the thread.
    """

    __tablename__ = "inbound_message"
    __table_args__ = (Index("ix_inbound_message_thread_order", "wa_id", "status", "sent_at"),)

    id: int | None = Field(default=None, primary_key=True)
    wamid: str = Field(sa_type=String(128), unique=True)
    wa_id: str = Field(sa_type=String(20))
    phone_number_id: str = Field(sa_type=String(32))
    kind: str = Field(sa_type=String(16))
    text: str | None = Field(default=None, sa_type=Text)
    reply_id: str | None = Field(default=None, sa_type=String(256))
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    sent_at: datetime = Field(sa_type=UTCDateTime)
    received_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime, nullable=False)
    status: str = Field(default=InboundStatus.PENDING, sa_type=String(16))
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_type=Text)
    processed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class InboundMedia(SQLModel, table=True):
    """A file a debtor sent (a receipt photo or PDF), fetched through the Graph media endpoint."""

    __tablename__ = "inbound_media"

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(
        sa_column=Column(Integer, ForeignKey("inbound_message.id"), nullable=False, unique=True)
    )
    media_id: str = Field(sa_type=String(128))
    mime_type: str | None = Field(default=None, sa_type=String(128))
    filename: str | None = Field(default=None, sa_type=String(255))
    sha256: str | None = Field(default=None, sa_type=String(64))
    size: int | None = None
    content: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    fetch_error: str | None = Field(default=None, sa_type=Text)
    fetched_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class EscalationStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class Escalation(SQLModel, table=True):
    """A thread handed to staff: why, a summary for them, and who handed it back."""

    __tablename__ = "escalation"
    __table_args__ = (Index("ix_escalation_status_created_at", "status", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    wa_id: str = Field(sa_type=String(20), index=True)
    customer_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("customer.id"), nullable=True, index=True),
    )
    reason: str = Field(sa_type=String(32))
    summary: str = Field(default="", sa_type=Text)
    status: str = Field(default=EscalationStatus.OPEN, sa_type=String(16))
    idempotency_key: str = Field(sa_type=String(255), unique=True)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime, nullable=False)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolved_by: str | None = Field(default=None, sa_type=String(128))
    note: str | None = Field(default=None, sa_type=Text)
