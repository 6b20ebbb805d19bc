"""What every tool shares: the context it runs in, what it returns, and how it is described.

A tool enforces policy itself. A request outside policy or a debtor not yet verified is not
an exception: the tool *returns* a refusal in pt-BR that the brain can read and relay.
Infrastructure failures raise. Every figure a reply may state (amounts, dates, percentages,
installment counts) is listed in the result's `grounding`, which the outbound guard checks
replies against.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from billing.instruments import PaymentProvider
from policies.base import Decision
from quita.policy import Policy


@dataclass(frozen=True)
class Attachment:
    """A file to send with the reply: the Pix QR code (image) or a boleto (document)."""

    kind: str  # "image" or "document"
    filename: str
    mime_type: str
    data: bytes
    caption: str = ""


@dataclass
class Grounding:
    """Figures a tool produced; a reply may state these and no others."""

    amounts: set[Decimal] = field(default_factory=set)
    dates: set[date] = field(default_factory=set)
    percents: set[Decimal] = field(default_factory=set)
    counts: set[int] = field(default_factory=set)

    def add_amounts(self, values: Iterable[Decimal]) -> None:
        self.amounts.update(values)

    def merge(self, other: "Grounding") -> None:
        self.amounts |= other.amounts
        self.dates |= other.dates
        self.percents |= other.percents
        self.counts |= other.counts

    def to_json(self) -> dict[str, list[Any]]:
        return {
            "amounts": sorted(f"{value:.2f}" for value in self.amounts),
            "dates": sorted(value.isoformat() for value in self.dates),
            "percents": sorted(str(value) for value in self.percents),
            "counts": sorted(self.counts),
        }

    @classmethod
    def from_json(cls, data: dict[str, list[Any]]) -> "Grounding":
        return cls(
            amounts={Decimal(value) for value in data.get("amounts", [])},
            dates={date.fromisoformat(value) for value in data.get("dates", [])},
            percents={Decimal(value) for value in data.get("percents", [])},
            counts={int(value) for value in data.get("counts", [])},
        )


@dataclass
class ToolResult:
    """What a tool did. `data` is JSON-safe (money as "103.92", dates ISO) for the brain;
    `refusal` is a pt-BR sentence for the debtor when the tool declined."""

    name: str
    ok: bool
    data: dict[str, Any] = field(default_factory=dict)
    refusal: str | None = None
    code: str | None = None
    grounding: Grounding = field(default_factory=Grounding)
    attachments: list[Attachment] = field(default_factory=list)

    def to_fact(self) -> dict[str, Any]:
        """The result as the graph state keeps it (no file bytes)."""
        return {
            "tool": self.name,
            "ok": self.ok,
            "data": self.data,
            "refusal": self.refusal,
            "code": self.code,
            "grounding": self.grounding.to_json(),
            "attachments": [item.filename for item in self.attachments],
        }


def refused(name: str, code: str, message: str, **data: Any) -> ToolResult:
    """A refusal: `code` in English for logs and evals, `message` in pt-BR for the debtor."""
    return ToolResult(name=name, ok=False, refusal=message, code=code, data=data)


def refused_by(name: str, decision: Decision) -> ToolResult:
    """The policy's refusal as the tool's, grounding the date the policy named."""
    result = refused(name, decision.code, decision.reason)
    if decision.until is not None:
        result.grounding.dates.add(decision.until)
    return result


@dataclass
class ToolContext:
    """Everything a tool may touch during one turn.

    `idempotency_base` is the inbound message's wamid: a side-effecting tool derives its
    idempotency keys from it, so a turn that runs twice writes once.
    """

    session: Session
    policy: Policy
    provider: PaymentProvider
    today: date
    now: datetime
    wa_id: str
    idempotency_base: str
    customer_id: int | None = None
    verified: bool = False
    extras: dict[str, Any] = field(default_factory=dict)

    def key(self, tool: str, *parts: object) -> str:
        return ":".join([tool, self.idempotency_base, *(str(part) for part in parts)])


ToolFunction = Callable[[ToolContext, dict[str, Any]], ToolResult]


@dataclass(frozen=True)
class ToolSpec:
    """A tool as brains see it. `parameters` is a JSON Schema object (OpenAI tool format)."""

    name: str
    description: str
    parameters: dict[str, Any]
    run: ToolFunction
    needs_verified_debtor: bool = True

    def openai_schema(self) -> dict[str, Any]:
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.parameters,
            },
        }


def no_parameters() -> dict[str, Any]:
    return {"type": "object", "properties": {}, "additionalProperties": False}
