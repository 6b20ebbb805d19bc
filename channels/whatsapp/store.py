"""The sender's reads and writes on the outbox: lease due messages, record what happened.

A claim is one conditional UPDATE (status pending and due, or a lease that has run out), so
any number of senders on one database never lease the same row twice; PostgreSQL also skips
rows another claimer holds. Only the oldest unfinished message of each recipient is claimed,
so a recipient's messages leave in the order they were queued.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Engine, Table, and_, bindparam, func, or_, select, update
from sqlalchemy.engine import Connection
from sqlmodel import col

from billing.errors import InvalidValue
from billing.models import Customer, OutboxMessage, OutboxStatus
from billing.phones import brazilian_variants, wa_id_of
from channels.whatsapp.window import Contact
from conversations.models import Thread
from quita.sqltypes import UTCDateTime

OUTBOX: Table = OutboxMessage.__table__  # type: ignore[attr-defined]
UNFINISHED = (OutboxStatus.PENDING, OutboxStatus.SENDING)
_CLAIMED_COLUMNS = (
    *("id", "customer_id", "to", "purpose", "kind", "body", "payload"),
    *("idempotency_key", "attempts"),
)


@dataclass(frozen=True)
class Claimed:
    """An outbox row leased to this sender until the lease it was claimed with runs out."""

    id: int
    customer_id: int | None
    to: str
    purpose: str
    kind: str
    body: str
    payload: dict[str, Any]
    idempotency_key: str
    attempts: int


@dataclass(frozen=True)
class Outcome:
    """What became of one claimed message; `status` is sent, pending (try again at
    `next_attempt_at`) or failed. `rewrite` replaces kind, body and payload (a message swapped
    for its template, a media id remembered). `counts` is False for a deferral that made no
    attempt (a rate limit reached before sending)."""

    id: int
    status: OutboxStatus
    at: datetime
    wamid: str | None = None
    next_attempt_at: datetime | None = None
    error_code: str | None = None
    error_detail: str | None = None
    rewrite: tuple[str, str, dict[str, Any]] | None = None
    counts: bool = True


@dataclass
class Recipients:
    """Thread facts per outbox `to` (E.164), and names per customer id."""

    contacts: dict[str, Contact] = field(default_factory=dict)
    customer_names: dict[int, str] = field(default_factory=dict)


def claim_due(engine: Engine, *, now: datetime, lease: timedelta, limit: int) -> list[Claimed]:
    """Lease up to `limit` due messages until `now + lease`, each the oldest unfinished one
    of its recipient; the rows leased, oldest first."""
    with engine.begin() as connection:
        candidates = connection.execute(
            select(OUTBOX.c.id, OUTBOX.c.to)
            .where(_claimable(now))
            .order_by(OUTBOX.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        if not candidates:
            return []
        heads = _heads(connection, {row.to for row in candidates})
        ids = [row.id for row in candidates if heads.get(row.to) == row.id]
        if not ids:
            return []
        claimed = connection.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id.in_(ids), _claimable(now))
            .values(status=OutboxStatus.SENDING, locked_until=now + lease)
            .returning(*(OUTBOX.c[name] for name in _CLAIMED_COLUMNS))
        ).all()
    return sorted((Claimed(**row._asdict()) for row in claimed), key=lambda c: c.id)


def record_outcomes(engine: Engine, outcomes: Sequence[Outcome]) -> None:
    """Write every outcome in one transaction.

    A success is recorded over any unfinished state (another sender's lease may have run
    out meanwhile); a retry or failure only over a row still being sent, so it never undoes
    a success recorded by someone else (or by a delivery status) first.
    """
    # Rows in id order, so two writers touching the same rows lock them in the same order.
    outcomes = sorted(outcomes, key=lambda outcome: outcome.id)
    plain = [o for o in outcomes if o.status == OutboxStatus.SENT and o.rewrite is None]
    with engine.begin() as connection:
        if plain:
            # The common case, in one executemany: it is most of a busy sender's database time.
            connection.execute(
                _SENT_STATEMENT,
                [{"row_id": o.id, "new_wamid": o.wamid, "sent": o.at} for o in plain],
            )
        for outcome in outcomes:
            if outcome.status != OutboxStatus.SENT or outcome.rewrite is not None:
                connection.execute(_record_statement(outcome))


def load_recipients(engine: Engine, tos: Iterable[str], customer_ids: Iterable[int]) -> Recipients:
    """The threads of these E.164 numbers (under any of their Brazilian forms) and the
    customers' names."""
    recipients = Recipients()
    wa_ids: dict[str, str] = {}
    for to in set(tos):
        try:
            wa_ids.update({wa_id_of(form): to for form in brazilian_variants(to)})
        except InvalidValue:
            continue
    with engine.connect() as connection:
        if wa_ids:
            threads = connection.execute(
                select(
                    col(Thread.wa_id), col(Thread.last_inbound_at), col(Thread.opted_out_at)
                ).where(col(Thread.wa_id).in_(wa_ids))
            ).all()
            for wa_id, last_inbound_at, opted_out_at in threads:
                to = wa_ids[wa_id]
                found = Contact(last_inbound_at, opted_out_at)
                recipients.contacts[to] = _merge(recipients.contacts.get(to), found)
        ids = set(customer_ids)
        if ids:
            query = select(col(Customer.id), col(Customer.name)).where(col(Customer.id).in_(ids))
            names = connection.execute(query).all()
            recipients.customer_names = {int(key): name for key, name in names if key is not None}
    return recipients


_SENT_STATEMENT = (
    update(OUTBOX)
    # Plain comparisons: an IN list cannot be expanded inside an executemany.
    .where(
        OUTBOX.c.id == bindparam("row_id"),
        or_(OUTBOX.c.status == OutboxStatus.PENDING, OUTBOX.c.status == OutboxStatus.SENDING),
    )
    .values(
        status=OutboxStatus.SENT,
        wamid=bindparam("new_wamid"),
        sent_at=bindparam("sent", type_=UTCDateTime()),
        attempts=OUTBOX.c.attempts + 1,
        locked_until=None,
        next_attempt_at=None,
        error_code=None,
        error_detail=None,
    )
)


def _claimable(now: datetime) -> ColumnElement[bool]:
    due = or_(OUTBOX.c.next_attempt_at.is_(None), OUTBOX.c.next_attempt_at <= now)
    lease_over = or_(OUTBOX.c.locked_until.is_(None), OUTBOX.c.locked_until <= now)
    return or_(
        and_(OUTBOX.c.status == OutboxStatus.PENDING, due),
        and_(OUTBOX.c.status == OutboxStatus.SENDING, lease_over),
    )


def _heads(connection: Connection, tos: set[str]) -> dict[str, int]:
    """The id of each recipient's oldest unfinished message."""
    rows = connection.execute(
        select(OUTBOX.c.to, func.min(OUTBOX.c.id))
        .where(OUTBOX.c.to.in_(tos), OUTBOX.c.status.in_(UNFINISHED))
        .group_by(OUTBOX.c.to)
    ).all()
    return {str(to): int(head) for to, head in rows}


def _record_statement(outcome: Outcome) -> Any:
    values: dict[str, Any] = {
        "status": outcome.status,
        "locked_until": None,
        "error_code": outcome.error_code,
        "error_detail": outcome.error_detail,
        "next_attempt_at": outcome.next_attempt_at,
    }
    if outcome.counts:
        values["attempts"] = OUTBOX.c.attempts + 1
    if outcome.rewrite is not None:
        values["kind"], values["body"], values["payload"] = outcome.rewrite
    if outcome.status == OutboxStatus.SENT:
        values.update(wamid=outcome.wamid, sent_at=outcome.at)
        allowed: tuple[str, ...] = UNFINISHED
    else:
        allowed = (OutboxStatus.SENDING,)
        if outcome.status == OutboxStatus.FAILED:
            values["failed_at"] = outcome.at
    return (
        update(OUTBOX)
        .where(OUTBOX.c.id == outcome.id, OUTBOX.c.status.in_(allowed))
        .values(**values)
    )


def _merge(known: Contact | None, found: Contact) -> Contact:
    if known is None:
        return found
    return Contact(
        _latest(known.last_inbound_at, found.last_inbound_at),
        _latest(known.opted_out_at, found.opted_out_at),
    )


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None or b is None:
        return a or b
    return max(a, b)
