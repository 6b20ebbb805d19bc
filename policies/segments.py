"""Debtor segments from payment history: ordered rules over a few facts, the first that holds
wins, and the facts that made it hold are the reason staff read. Staff may pin a segment.

The rules are data (a fact, a comparison, a threshold), so the same rules classify one
debtor here and every debtor at once in SQL (cadence.segments); the two cannot drift apart.
"""

from collections.abc import Mapping
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Literal

from pydantic import Field

from policies.base import RuleSet


class Segment(StrEnum):
    """The cadence's debtor profiles (the same values as billing.models.Segment)."""

    LOYAL = "loyal"
    DISORGANIZED = "disorganized"
    CASH_FLOW_TROUBLE = "cash_flow_trouble"
    CHRONIC = "chronic"
    NEW_CUSTOMER = "new_customer"


ALL_SEGMENTS = frozenset(Segment)
PINNED_RULE = "pinned"
FALLBACK_RULE = "fallback"

Comparison = Literal[">=", "<", "<=", ">"]


class SegmentRules(RuleSet):
    """Section `cadence.segments` of the policy file: the thresholds of the rules.

    A debtor is a new customer with less than `new_customer_days` of tenure or fewer than
    `min_invoices` bills in the last 12 months; chronic with `chronic_late_invoices` late
    bills, an average delay of `chronic_avg_days_late` days, an open bill
    `chronic_open_days_late` days late or `chronic_broken_agreements` broken agreements;
    in cash-flow trouble with an open bill `cash_flow_open_days_late` days late after paying
    the rest of the year late at most `cash_flow_max_paid_late` times; disorganized with
    `disorganized_late_invoices` late bills or an average delay of
    `disorganized_avg_days_late` days; loyal otherwise. A bill is late when paid (or still
    open) more than `grace_days` after its due date, which absorbs weekend due dates.
    """

    grace_days: int = Field(default=2, ge=0, le=10)
    new_customer_days: int = Field(default=90, ge=0)
    min_invoices: int = Field(default=3, ge=0, le=12)
    chronic_late_invoices: int = Field(default=9, ge=1, le=12)
    chronic_avg_days_late: int = Field(default=15, ge=1)
    chronic_open_days_late: int = Field(default=90, ge=1)
    chronic_broken_agreements: int = Field(default=1, ge=1)
    cash_flow_open_days_late: int = Field(default=10, ge=1)
    cash_flow_max_paid_late: int = Field(default=2, ge=0)
    disorganized_late_invoices: int = Field(default=3, ge=1, le=12)
    disorganized_avg_days_late: int = Field(default=5, ge=1)


@dataclass(frozen=True)
class SegmentFacts:
    """One debtor's payment history over the last 12 months (365 days) to the day judged.

    `late_12m` counts bills paid late or still open past their due date (beyond the grace),
    `paid_late_12m` only those paid late; `avg_days_late` averages the delay (0 when early)
    of bills paid in the window; `max_open_days_late` is the oldest open bill's delay.
    """

    tenure_days: int = 0
    billed_12m: int = 0
    late_12m: int = 0
    paid_late_12m: int = 0
    avg_days_late: float = 0.0
    max_open_days_late: int = 0
    broken_agreements_12m: int = 0


FACT_NAMES = frozenset(item.name for item in fields(SegmentFacts))


@dataclass(frozen=True)
class Clause:
    """`fact` compared with `threshold`, e.g. late_12m >= 6."""

    fact: str
    comparison: Comparison
    threshold: float

    def holds(self, facts: SegmentFacts) -> bool:
        value = float(getattr(facts, self.fact))
        return _COMPARE[self.comparison](value, self.threshold)


@dataclass(frozen=True)
class SegmentRule:
    """The segment given when `any` (or `all`) of the clauses hold; `code` names the rule."""

    code: str
    segment: Segment
    clauses: tuple[Clause, ...]
    match: Literal["any", "all"] = "any"

    def holds(self, facts: SegmentFacts) -> bool:
        results = (clause.holds(facts) for clause in self.clauses)
        return any(results) if self.match == "any" else all(results)


@dataclass(frozen=True)
class SegmentAssignment:
    """The segment, the rule that chose it, and a pt-BR sentence saying why."""

    segment: Segment
    rule: str
    reason: str


def segment_rules(rules: SegmentRules) -> tuple[SegmentRule, ...]:
    """The ordered rules; a debtor none of them matches is loyal."""
    return (
        SegmentRule(
            "new_customer",
            Segment.NEW_CUSTOMER,
            (
                Clause("tenure_days", "<", rules.new_customer_days),
                Clause("billed_12m", "<", rules.min_invoices),
            ),
        ),
        SegmentRule(
            "chronic",
            Segment.CHRONIC,
            (
                Clause("late_12m", ">=", rules.chronic_late_invoices),
                Clause("avg_days_late", ">=", rules.chronic_avg_days_late),
                Clause("max_open_days_late", ">=", rules.chronic_open_days_late),
                Clause("broken_agreements_12m", ">=", rules.chronic_broken_agreements),
            ),
        ),
        SegmentRule(
            "cash_flow_trouble",
            Segment.CASH_FLOW_TROUBLE,
            (
                Clause("max_open_days_late", ">=", rules.cash_flow_open_days_late),
                Clause("paid_late_12m", "<=", rules.cash_flow_max_paid_late),
            ),
            match="all",
        ),
        SegmentRule(
            "disorganized",
            Segment.DISORGANIZED,
            (
                Clause("late_12m", ">=", rules.disorganized_late_invoices),
                Clause("avg_days_late", ">=", rules.disorganized_avg_days_late),
            ),
        ),
    )


def assign_segment(
    facts: SegmentFacts, rules: SegmentRules, pinned: Segment | None = None
) -> SegmentAssignment:
    """The debtor's segment: the pinned one if staff pinned it, else the first rule that
    holds, else loyal; with the reason."""
    if pinned is not None:
        return SegmentAssignment(pinned, PINNED_RULE, reason_text(PINNED_RULE, facts, rules))
    for rule in segment_rules(rules):
        if rule.holds(facts):
            return SegmentAssignment(rule.segment, rule.code, reason_text(rule.code, facts, rules))
    return SegmentAssignment(Segment.LOYAL, FALLBACK_RULE, reason_text(FALLBACK_RULE, facts, rules))


def reason_text(rule_code: str, facts: SegmentFacts, rules: SegmentRules) -> str:
    """Why `rule_code` chose its segment for these facts, in pt-BR, naming each fact that
    met its threshold (all the facts for the fallback and a pin)."""
    if rule_code == PINNED_RULE:
        return "Segmento fixado pela equipe."
    matching = {rule.code: rule for rule in segment_rules(rules)}.get(rule_code)
    if matching is None:
        summary = "; ".join(_describe(name, facts) for name in _SUMMARY)
        return f"{_LABELS[Segment.LOYAL]}: {summary}."
    held = [c for c in matching.clauses if c.holds(facts)] or list(matching.clauses)
    parts = [f"{_describe(c.fact, facts)} (limite: {_threshold(c)})" for c in held]
    return f"{_LABELS[matching.segment]}: " + "; ".join(parts) + "."


def facts_from(row: Mapping[str, object]) -> SegmentFacts:
    """SegmentFacts from a database row or mapping with the same names (missing ones are 0)."""
    values: dict[str, object] = {}
    for name in FACT_NAMES:
        raw = row.get(name)
        values[name] = _number(raw, float if name == "avg_days_late" else int)
    return SegmentFacts(**values)  # type: ignore[arg-type]


_COMPARE = {
    ">=": float.__ge__,
    ">": float.__gt__,
    "<=": float.__le__,
    "<": float.__lt__,
}
_LABELS = {
    Segment.NEW_CUSTOMER: "Cliente novo",
    Segment.CHRONIC: "Inadimplência recorrente",
    Segment.CASH_FLOW_TROUBLE: "Dificuldade recente de pagamento",
    Segment.DISORGANIZED: "Paga, mas costuma atrasar",
    Segment.LOYAL: "Bom pagador",
}
_SUMMARY = ("late_12m", "avg_days_late", "tenure_days")


def _describe(fact: str, facts: SegmentFacts) -> str:
    value = getattr(facts, fact)
    if fact == "avg_days_late":
        return f"atraso médio de {value:.1f} dias".replace(".", ",")
    return _FACT_WORDS[fact].format(value=value)


def _threshold(clause: Clause) -> str:
    words = {">=": "a partir de", ">": "acima de", "<=": "até", "<": "abaixo de"}
    number = f"{clause.threshold:g}".replace(".", ",")
    return f"{words[clause.comparison]} {number}"


_FACT_WORDS = {
    "tenure_days": "cliente há {value} dias",
    "billed_12m": "{value} faturas nos últimos 12 meses",
    "late_12m": "{value} faturas com atraso nos últimos 12 meses",
    "paid_late_12m": "{value} faturas pagas com atraso nos últimos 12 meses",
    "max_open_days_late": "fatura em aberto há {value} dias",
    "broken_agreements_12m": "{value} acordos quebrados nos últimos 12 meses",
}


def _number(raw: object, kind: type[int] | type[float]) -> int | float:
    # Databases hand back ints, floats or Decimals (PostgreSQL's AVG); str() reads them all.
    return kind(0) if raw is None else kind(float(str(raw)))
