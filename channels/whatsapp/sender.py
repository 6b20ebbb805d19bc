"""The sender: drains the outbox through the Graph API, within rate limits, the 24-hour window
and opt-outs, retrying what may succeed later and recording the rest where staff see it.

Delivery is at least once, with one narrow gap. A message is leased before it is sent and
its result is committed right after the Graph API answers (a group commit shared by the
messages in flight); a sender that dies in between leaves the row leased, and once the lease
runs out another sender sends it again. So a crash before the call sends once, a crash after
the commit never resends, and only a crash in the milliseconds between Meta accepting the
message and our commit can send it twice. Even then, the `sent` status webhook carries the
message's idempotency key (`biz_opaque_callback_data`) and records the send if it arrives
before the lease runs out. A request that times out (Meta may or may not have taken it) is
retried after a backoff of a second or more, time in which that status usually arrives and
cancels the retry.
"""

import asyncio
import logging
import random
import threading
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Engine

from billing.confirmations import first_name
from billing.documents import Document as TaxDocument
from billing.errors import InvalidValue
from billing.models import OutboxKind, OutboxStatus
from billing.phones import mask_phone, wa_id_of
from channels.whatsapp.client import ClientFactory, WhatsAppClient, client_factory
from channels.whatsapp.errors import GraphError, graph_error
from channels.whatsapp.messages import (
    ROW_KEYS,
    Document,
    Image,
    OutboundMessage,
    message_from_fields,
    outbox_fields,
)
from channels.whatsapp.ratelimit import RateLimiter, make_limiter
from channels.whatsapp.recorder import Recorder
from channels.whatsapp.store import (
    Claimed,
    Outcome,
    Recipients,
    claim_due,
    load_recipients,
)
from channels.whatsapp.templates import TemplateBook, TemplateSpec
from channels.whatsapp.window import Contact, Rules, Verdict, decide, purposes_from
from conversations.wakeup import Wakeup
from quita import clock
from quita.policy import IspProfile, Policy
from quita.settings import Settings

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[None]]
_UNKNOWN_NAME = "cliente"
_T = TypeVar("_T")
Rewrite = tuple[str, str, dict[str, Any]]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class SenderConfig:
    """`batch_size` rows per claim, `concurrency` requests in flight, `lease` how long a
    claimed row is ours; a transient failure waits `backoff_base` * 2^(attempt-1) seconds
    (at most `backoff_cap`, with jitter) and the message fails after `max_attempts`. A rate
    limit that would hold a message longer than `max_wait` seconds defers it instead."""

    batch_size: int = 200
    concurrency: int = 64
    lease: timedelta = timedelta(seconds=60)
    max_attempts: int = 10
    backoff_base: float = 2.0
    backoff_cap: float = 600.0
    max_wait: float = 2.0
    poll_interval: float = 1.0
    rules: Rules = field(default_factory=Rules)

    def __post_init__(self) -> None:
        if self.max_wait >= self.lease.total_seconds():
            raise ValueError("max_wait must be shorter than the lease a send may wait within")

    @classmethod
    def from_settings(cls, settings: Settings) -> "SenderConfig":
        rules = Rules(
            mandatory_purposes=purposes_from(settings.whatsapp_mandatory_purposes),
            reply_purposes=purposes_from(settings.whatsapp_reply_purposes),
        )
        return cls(rules=rules)


class Sender:
    """Sends due outbox messages; any number of senders may share one database."""

    def __init__(
        self,
        engine: Engine,
        client_factory: ClientFactory,
        limiter: RateLimiter,
        *,
        templates: TemplateBook,
        isp: IspProfile,
        config: SenderConfig | None = None,
        now: Clock = utc_now,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self._engine = engine
        self._client_factory = client_factory
        self._limiter = limiter
        self._templates = templates
        self._isp = isp
        self._config = config or SenderConfig()
        self._now = now
        self._sleep = sleep
        self._rng = rng or random.Random()

    def run_once(self) -> int:
        """Send everything due now, in a private event loop; the number of messages sent.
        Call it from a thread without a running event loop (inside one, await `send_due`)."""
        return asyncio.run(self._with_client(self.send_due))

    def run_forever(self, stop: threading.Event, wakeup: Wakeup | None = None) -> None:
        """Send what is due, then wait for `wakeup` (or the poll interval), until `stop`."""
        asyncio.run(self._with_client(lambda client: self._serve(client, stop, wakeup)))

    async def send_due(self, client: WhatsAppClient, stop: threading.Event | None = None) -> int:
        """Claim and send due messages until none is left (or `stop` is set); the number sent.

        Each round claims at most one message per recipient (the oldest), so a recipient's
        next message is claimed in the following round, after this one is recorded.
        """
        sent = 0
        while stop is None or not stop.is_set():
            claimed = await asyncio.to_thread(
                claim_due,
                self._engine,
                now=self._now(),
                lease=self._config.lease,
                limit=self._config.batch_size,
            )
            if not claimed:
                return sent
            sent += await self._send_batch(client, claimed)
        return sent

    async def _with_client(self, work: Callable[[WhatsAppClient], Awaitable[_T]]) -> _T:
        client = self._client_factory()
        try:
            return await work(client)
        finally:
            await client.aclose()

    async def _serve(
        self, client: WhatsAppClient, stop: threading.Event, wakeup: Wakeup | None
    ) -> None:
        while not stop.is_set():
            try:
                await self.send_due(client, stop)
            except Exception as error:  # a database or network outage must not end the loop
                # The text of a database error can quote phone numbers: DEBUG only.
                logger.error("sender round failed (%s); retrying", type(error).__name__)
                logger.debug("sender round failed", exc_info=True)
            interval = self._config.poll_interval
            await asyncio.to_thread(wakeup.wait if wakeup else stop.wait, interval)

    async def _send_batch(self, client: WhatsAppClient, claimed: Sequence[Claimed]) -> int:
        recipients = await asyncio.to_thread(
            load_recipients,
            self._engine,
            [c.to for c in claimed],
            [c.customer_id for c in claimed if c.customer_id is not None],
        )
        recorder = Recorder(self._engine)
        gate = asyncio.Semaphore(self._config.concurrency)

        async def deliver(message: Claimed) -> None:
            async with gate:
                recorder.add(await self._deliver_safely(client, message, recipients))

        await asyncio.gather(*(deliver(message) for message in claimed))
        outcomes = await recorder.close()
        _log_round(outcomes)
        return sum(outcome.status == OutboxStatus.SENT for outcome in outcomes)

    async def _deliver_safely(
        self, client: WhatsAppClient, claimed: Claimed, recipients: Recipients
    ) -> Outcome:
        try:
            return await self._deliver(client, claimed, recipients)
        except Exception as error:  # a bug with one message must not strand the others
            logger.error(
                "unexpected %s sending outbox message %s; retrying later",
                type(error).__name__,
                claimed.id,
                extra={"outbox_message_id": claimed.id},
            )
            logger.debug("unexpected error sending outbox message", exc_info=True)
            failure = graph_error("internal", type(error).__name__, detail=str(error))
            return self._after_error(claimed, failure, None, recipients)

    async def _deliver(
        self, client: WhatsAppClient, claimed: Claimed, recipients: Recipients
    ) -> Outcome:
        planned = self._plan(claimed, recipients, self._now())
        if isinstance(planned, Outcome):
            return planned
        message, rewrite = planned
        if isinstance(message, Image | Document) and message.media_id is None:
            try:
                media_id = await client.upload_media(
                    message.data, message.mime_type, message.filename
                )
            except GraphError as error:
                return self._after_error(claimed, error, rewrite, recipients)
            message = message.model_copy(update={"media_id": media_id})
            rewrite = _fields_keeping_extras(message, claimed.payload)

        permit = self._limiter.acquire(wa_id_of(claimed.to), self._config.max_wait)
        if not permit.granted:
            later = self._now() + timedelta(seconds=permit.wait)
            return Outcome(
                claimed.id,
                OutboxStatus.PENDING,
                self._now(),
                next_attempt_at=later,
                rewrite=rewrite,
                counts=False,
            )
        if permit.wait > 0:
            await self._sleep(permit.wait)

        try:
            result = await client.send(
                message, wa_id_of(claimed.to), tracker=claimed.idempotency_key
            )
        except GraphError as error:
            return self._after_error(claimed, error, rewrite, recipients)
        return Outcome(
            claimed.id, OutboxStatus.SENT, self._now(), wamid=result.wamid, rewrite=rewrite
        )

    def _plan(
        self, claimed: Claimed, recipients: Recipients, now: datetime
    ) -> Outcome | tuple[OutboundMessage, Rewrite | None]:
        """The message to send and any rewrite of its row, or the outcome that stops it."""
        try:
            wa_id_of(claimed.to)
        except InvalidValue as error:
            return self._failed(claimed, "bad_phone", str(error))
        contact = recipients.contacts.get(claimed.to, Contact())
        if claimed.payload.get("force_template"):
            # WhatsApp refused this message as outside the window: believe it over the thread.
            contact = Contact(None, contact.opted_out_at)
        spec = self._templates.for_purpose(claimed.purpose)
        verdict = decide(
            claimed.kind, claimed.purpose, contact, now, self._config.rules, spec is not None
        )
        if verdict == Verdict.REFUSE_OPTED_OUT:
            return self._failed(claimed, "opted_out", "the debtor opted out of WhatsApp messages")
        if verdict == Verdict.REFUSE_WINDOW_CLOSED:
            return self._failed(claimed, "window_closed", _no_template(claimed.purpose))
        try:
            if verdict == Verdict.USE_TEMPLATE and spec is not None:
                return self._as_template(claimed, spec, recipients)
            return message_from_fields(claimed.kind, claimed.body, claimed.payload), None
        except ValueError as error:
            return self._failed(claimed, "invalid", str(error))

    def _as_template(
        self, claimed: Claimed, spec: TemplateSpec, recipients: Recipients
    ) -> tuple[OutboundMessage, Rewrite]:
        """The purpose's template in place of a free-form message, and the row rewrite that
        keeps the original under `payload["original"]`."""
        name = recipients.customer_names.get(claimed.customer_id or 0)
        values = {
            "customer_first_name": first_name(name) if name else _UNKNOWN_NAME,
            "isp_name": self._isp.name,
            "isp_cnpj": TaxDocument("cnpj", self._isp.cnpj).formatted,
        }
        template = spec.message(values, claimed.payload.get("fallback_parameters"))
        kind, body, payload = outbox_fields(template)
        payload["original"] = {
            "kind": claimed.kind,
            "body": claimed.body,
            "payload": {k: v for k, v in claimed.payload.items() if k not in ROW_KEYS},
        }
        payload.update({k: claimed.payload[k] for k in ("replaces",) if k in claimed.payload})
        logger.info(
            "24-hour window closed: outbox message %s goes out as template %s",
            claimed.id,
            spec.name,
            extra={"outbox_message_id": claimed.id, "purpose": claimed.purpose},
        )
        return template, (kind, body, payload)

    def _after_error(
        self,
        claimed: Claimed,
        error: GraphError,
        rewrite: Rewrite | None,
        recipients: Recipients,
    ) -> Outcome:
        now = self._now()
        kind = rewrite[0] if rewrite else claimed.kind
        spec = self._templates.for_purpose(claimed.purpose)
        if error.window_closed and kind != OutboxKind.TEMPLATE and spec is not None:
            # Meta knows better than our thread: send the template on the next round.
            try:
                _, template_rewrite = self._as_template(claimed, spec, recipients)
            except ValueError as unusable:
                return self._failed(claimed, error.code, f"{error}; {unusable}", rewrite)
            return Outcome(
                claimed.id,
                OutboxStatus.PENDING,
                now,
                next_attempt_at=now,
                error_code=error.code,
                error_detail=str(error),
                rewrite=template_rewrite,
            )
        attempt = claimed.attempts + 1
        if error.transient and attempt < self._config.max_attempts:
            later = now + timedelta(seconds=self._backoff(attempt))
            return Outcome(
                claimed.id,
                OutboxStatus.PENDING,
                now,
                next_attempt_at=later,
                error_code=error.code,
                error_detail=str(error),
                rewrite=rewrite,
            )
        detail = str(error) if not error.transient else f"gave up after {attempt} attempts: {error}"
        return self._failed(claimed, error.code, detail, rewrite)

    def _failed(
        self,
        claimed: Claimed,
        code: str,
        detail: str,
        rewrite: Rewrite | None = None,
    ) -> Outcome:
        logger.warning(
            "outbox message %s to %s failed: %s",
            claimed.id,
            _masked(claimed.to),
            code,
            extra={"outbox_message_id": claimed.id, "error_code": code},
        )
        return Outcome(
            claimed.id,
            OutboxStatus.FAILED,
            self._now(),
            error_code=code[:16],
            error_detail=detail,
            rewrite=rewrite,
        )

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with "equal jitter": half fixed, half random."""
        delay = min(self._config.backoff_cap, self._config.backoff_base * 2.0 ** (attempt - 1))
        return delay / 2 + self._rng.uniform(0, delay / 2)


def build_sender(
    settings: Settings, engine: Engine, policy: Policy, redis_client: Any = None
) -> Sender:
    """A sender wired from settings and the ISP's policy; rate limits shared through
    `redis_client` (from `quita.coordination.redis_client`) when there is one. Its clock
    follows QUITA_TODAY, like the rest of the process, so a pinned demo day judges the
    24-hour window against the same day the simulator writes."""
    return Sender(
        engine,
        client_factory(settings),
        make_limiter(settings, redis_client),
        templates=policy.templates,
        isp=policy.isp,
        config=SenderConfig.from_settings(settings),
        now=lambda: clock.now(settings.today).astimezone(UTC),
    )


def _fields_keeping_extras(message: OutboundMessage, old_payload: dict[str, Any]) -> Rewrite:
    kind, body, payload = outbox_fields(message)
    payload.update({key: old_payload[key] for key in ROW_KEYS if key in old_payload})
    return kind, body, payload


def _no_template(purpose: str) -> str:
    return (
        f"the 24-hour window is closed and purpose {purpose!r} maps to no approved template "
        "(policy file, templates.purposes)"
    )


def _masked(phone: str) -> str:
    try:
        return mask_phone(phone)
    except InvalidValue:
        return "(invalid number)"


def _log_round(outcomes: Sequence[Outcome]) -> None:
    counts = Counter(outcome.status for outcome in outcomes)
    logger.info(
        "outbox round: %d sent, %d to retry later, %d failed",
        counts[OutboxStatus.SENT],
        counts[OutboxStatus.PENDING],
        counts[OutboxStatus.FAILED],
    )
