"""What every rule set shares: a configurable pydantic base and the decision a check returns."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Self

from pydantic import BaseModel, ConfigDict, ValidationError

OK = "ok"


class RuleSet(BaseModel):
    """A frozen rule set read from one section of the ISP's policy file; unknown keys fail."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def __hash__(self) -> int:
        # Policy, which holds every rule set, is hashable; a dict field would break pydantic's
        # field-by-field hash, so the canonical JSON stands in for the fields.
        return hash(self.model_dump_json())

    @classmethod
    def from_mapping(cls, data: Mapping[str, object] | None, section: str) -> Self:
        """Rules from a plain mapping (YAML); absent keys keep their defaults.

        Raises ValueError whose message starts with the dotted key at fault, e.g.
        "renegotiation.max_installments: Input should be greater than or equal to 1".
        """
        if data is not None and not isinstance(data, Mapping):
            raise ValueError(f"{section}: expected a mapping, got {type(data).__name__}")
        try:
            return cls.model_validate(dict(data or {}))
        except ValidationError as error:
            raise ValueError(describe_error(section, error)) from None


@dataclass(frozen=True)
class Decision:
    """The answer of a policy check.

    `code` is a stable English identifier ("ok" when allowed) for tools, logs and evals;
    `reason` is one or two pt-BR sentences a debtor can read as they are; `until` is the date
    the decision runs to, when it has one (a pause, a grant, a deadline), inclusive.
    """

    ok: bool
    code: str
    reason: str
    until: date | None = None


def allow(reason: str, until: date | None = None) -> Decision:
    return Decision(True, OK, reason, until)


def refuse(code: str, reason: str, until: date | None = None) -> Decision:
    return Decision(False, code, reason, until)


def describe_error(section: str, error: ValidationError) -> str:
    """The first validation error as "section.key.path: message"."""
    first = error.errors()[0]
    path = ".".join(str(part) for part in (section, *first["loc"]))
    if first["type"] == "extra_forbidden":
        return f"{path}: unknown key"
    if first["type"] != "value_error":
        return f"{path}: {first['msg']}"
    # Our own validators word their errors as "key.path: problem"; extend the path with it.
    message = str(first.get("ctx", {}).get("error", first["msg"]))
    head, colon, rest = message.partition(": ")
    if colon and " " not in head:
        return f"{path}.{head}: {rest}"
    return f"{path}: {message}"


def brl(amount: Decimal) -> str:
    """An amount in reais written the Brazilian way: "R$ 1.234,56"."""
    text = f"{amount:,.2f}"
    return "R$ " + text.replace(",", "_").replace(".", ",").replace("_", ".")


def day_month(day: date) -> str:
    """A date as a debtor reads it: "10/12/2026"."""
    return day.strftime("%d/%m/%Y")
