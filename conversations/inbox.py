"""The durable inbox: inbound WhatsApp messages stored once per `wamid`, their threads opened
or touched, and the optional Redis fast path that spots a known duplicate before the database.

Reading the inbox (what a worker processes next) lives with the worker, not here.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache, lru_cache
from typing import Any, cast

import redis
from sqlalchemy import Table, and_, case, insert, inspect, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from billing.errors import InvalidValue
from billing.models import utc_now
from billing.phones import e164_from_wa_id, mask_phone
from conversations.models import InboundMedia, InboundMessage, InboundStatus, Thread, ThreadOwner

logger = logging.getLogger(__name__)

WAMID_KEY_PREFIX = "quita:wamid:"
# Meta retries an unacknowledged webhook for up to 7 days, but almost every redelivery comes
# within hours; past the TTL the database's unique wamid still answers.
WAMID_TTL = timedelta(days=3)
# System notifications (a changed number) are not the user writing: they open no 24-hour window.
_NO_WINDOW_KINDS = frozenset({"system"})


@dataclass(frozen=True)
class IncomingMedia:
    """A file attached to a message, to be fetched later through the Graph media endpoint."""

    media_id: str
    mime_type: str | None = None
    filename: str | None = None


@dataclass(frozen=True)
class IncomingMessage:
    """One message as read from a webhook, ready for the inbox.

    `sent_at` is WhatsApp's timestamp (aware, UTC); `payload` is the raw message object.
    """

    wamid: str
    wa_id: str
    phone_number_id: str
    kind: str
    sent_at: datetime
    text: str | None = None
    reply_id: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    media: IncomingMedia | None = None


@dataclass(frozen=True)
class StoreResult:
    """What `store_messages` did: the wamids inserted now, those already stored, and the
    wa_ids of the threads that got at least one new message (sorted)."""

    stored: list[str]
    duplicates: list[str]
    wa_ids: list[str]


def store_messages(session: Session, messages: Sequence[IncomingMessage]) -> StoreResult:
    """Insert each message unless its wamid is already stored, with a pending media row for a
    message carrying a file, and create or touch the sender's thread.

    Runs in the caller's transaction: nothing is visible before it commits, and a concurrent
    transaction storing the same wamid makes this one wait and then skip it. A thread's
    `last_inbound_at` only moves forward, to the newest timestamp of a user-written message.
    """
    if not messages:
        return StoreResult(stored=[], duplicates=[], wa_ids=[])
    insert_messages, insert_media, upsert_threads = _statements(session.get_bind().dialect.name)
    # One multi-row statement: RETURNING names the rows inserted, so the rest were stored before.
    inserted = session.execute(insert_messages, [_message_values(m) for m in messages]).all()
    new_ids: dict[str, int] = {wamid: message_id for message_id, wamid in inserted}

    stored: list[str] = []
    duplicates: list[str] = []
    media: list[dict[str, Any]] = []
    newest: dict[str, datetime | None] = {}
    for message in messages:
        message_id = new_ids.pop(message.wamid, None)
        if message_id is None:
            duplicates.append(message.wamid)
            continue
        stored.append(message.wamid)
        _log_stored(message)
        if message.media is not None:
            media.append(_media_values(message_id, message.media))
        newest[message.wa_id] = _later(newest.get(message.wa_id), _window_instant(message))
    if media:
        session.execute(insert_media, media)
    if newest:
        # Sorted, so that two transactions touching the same threads lock them in one order.
        rows = [_thread_values(wa_id, newest[wa_id]) for wa_id in sorted(newest)]
        session.execute(upsert_threads, rows)
    return StoreResult(stored=stored, duplicates=duplicates, wa_ids=sorted(newest))


@lru_cache(maxsize=4096)
def mask_wa_id(wa_id: str) -> str:
    """A wa_id as logs may show it ("+55 11 *****-4321"); never raises. Cached: the same
    debtors write again and again, and parsing the number is the costly part."""
    try:
        return mask_phone(e164_from_wa_id(wa_id))
    except InvalidValue:
        return "+***"


class WamidCache:
    """Redis fast path for duplicate deliveries; the database's unique wamid stays the truth.

    `known` is asked before the database and `remember` only after the transaction that stored
    the messages committed: a key written earlier would make a crash between the two lose the
    message for good, since Meta's redelivery would then be skipped. Every Redis error is
    swallowed (the database decides instead), logged at WARNING once per outage.
    """

    def __init__(
        self,
        client: "redis.Redis | None",
        prefix: str = WAMID_KEY_PREFIX,
        ttl: timedelta = WAMID_TTL,
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.ttl = ttl
        self._failing = False

    def known(self, wamids: Sequence[str]) -> set[str]:
        """The wamids Redis has seen stored; empty without Redis or when it fails."""
        if self.client is None or not wamids:
            return set()
        try:
            with self.client.pipeline(transaction=False) as pipe:
                for wamid in wamids:
                    pipe.exists(self.prefix + wamid)
                answers = pipe.execute()
        except redis.RedisError as error:
            self._failed("check", error)
            return set()
        self._failing = False
        return {wamid for wamid, exists in zip(wamids, answers, strict=True) if exists}

    def remember(self, wamids: Sequence[str]) -> None:
        """Mark wamids as stored; call only after the storing transaction committed."""
        if self.client is None or not wamids:
            return
        try:
            with self.client.pipeline(transaction=False) as pipe:
                for wamid in wamids:
                    pipe.set(self.prefix + wamid, b"1", nx=True, ex=self.ttl)
                pipe.execute()
        except redis.RedisError as error:
            self._failed("record", error)
            return
        self._failing = False

    def _failed(self, action: str, error: redis.RedisError) -> None:
        level = logging.DEBUG if self._failing else logging.WARNING
        self._failing = True
        logger.log(
            level,
            "wamid cache could not %s (%s); the database deduplicates alone",
            action,
            type(error).__name__,
        )


@cache
def _statements(dialect: str) -> tuple[Any, Any, Any]:
    """The statements of `store_messages`, built once per dialect: the webhook's hot path.

    The message insert is `billing.claims.insert_once`'s INSERT ... ON CONFLICT DO NOTHING,
    for many rows at once, returning the id and wamid of each row actually inserted.
    """
    messages = cast(Table, inspect(InboundMessage).local_table)
    insert_messages = (
        _dialect_insert(dialect, messages)
        .on_conflict_do_nothing(index_elements=["wamid"])
        .returning(messages.c.id, messages.c.wamid)
    )
    insert_media = insert(cast(Table, inspect(InboundMedia).local_table))
    threads = cast(Table, inspect(Thread).local_table)
    upsert = _dialect_insert(dialect, threads)
    current, incoming = threads.c.last_inbound_at, upsert.excluded.last_inbound_at
    moves_forward = and_(incoming.is_not(None), or_(current.is_(None), incoming > current))
    upsert_threads = upsert.on_conflict_do_update(
        index_elements=["wa_id"],
        set_={"last_inbound_at": case((moves_forward, incoming), else_=current)},
    )
    return insert_messages, insert_media, upsert_threads


def _message_values(message: IncomingMessage) -> dict[str, Any]:
    return {
        "wamid": message.wamid,
        "wa_id": message.wa_id,
        "phone_number_id": message.phone_number_id,
        "kind": message.kind,
        "text": message.text,
        "reply_id": message.reply_id,
        "payload": message.payload,
        "sent_at": message.sent_at,
        "received_at": utc_now(),
        "status": InboundStatus.PENDING,
        "attempts": 0,
    }


def _thread_values(wa_id: str, inbound_at: datetime | None) -> dict[str, Any]:
    """A new thread's columns; on conflict only `last_inbound_at` is considered."""
    return {
        "wa_id": wa_id,
        "owner": ThreadOwner.AGENT,
        "last_inbound_at": inbound_at,
        "created_at": utc_now(),
    }


def _media_values(message_id: int, media: IncomingMedia) -> dict[str, Any]:
    return {
        "message_id": message_id,
        "media_id": media.media_id,
        "mime_type": media.mime_type,
        "filename": media.filename,
    }


def _log_stored(message: IncomingMessage) -> None:
    logger.info(
        "inbound %s message stored from %s",
        message.kind,
        mask_wa_id(message.wa_id),
        extra={"wamid": message.wamid},
    )


def _window_instant(message: IncomingMessage) -> datetime | None:
    return None if message.kind in _NO_WINDOW_KINDS else message.sent_at


def _later(first: datetime | None, second: datetime | None) -> datetime | None:
    if first is None or second is None:
        return first or second
    return max(first, second)


def _dialect_insert(dialect: str, table: Table) -> Any:
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise RuntimeError(f"the inbox supports PostgreSQL and SQLite, not {dialect}")
