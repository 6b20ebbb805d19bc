"""GET /metrics: queue depths and outcomes in the Prometheus text format, read from the
database so every process reports the same truth."""

from sqlalchemy import Engine, func, select
from sqlmodel import Session, col

from billing.models import OutboxMessage
from conversations.models import Escalation, InboundMessage

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def render(engine: Engine) -> str:
    with Session(engine) as session:
        inbound = _by_status(session, InboundMessage.status)
        outbound = _by_status(session, OutboxMessage.status)
        escalations = _by_status(session, Escalation.status)
    lines = _family("quita_inbound_messages", "Inbound WhatsApp messages by status.", inbound)
    lines += _family("quita_outbound_messages", "Outbox messages by status.", outbound)
    lines += _family("quita_escalations", "Threads handed to staff by status.", escalations)
    return "\n".join(lines) + "\n"


def _by_status(session: Session, column: object) -> dict[str, int]:
    status = col(column)
    rows = session.execute(select(status, func.count()).group_by(status)).all()
    return {str(name): int(count) for name, count in rows}


def _family(name: str, help_text: str, counts: dict[str, int]) -> list[str]:
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
    lines += [f'{name}{{status="{status}"}} {count}' for status, count in sorted(counts.items())]
    return lines
