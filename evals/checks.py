"""A scenario's expectations against what happened: tools called, what the debtor read, and
the ledger at the end. Each check passes or fails on its own; the scenario passes only when
every check (and every invariant, evals.invariants) passes."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel

from evals.schema import LedgerExpect, Scenario, ToolExpect, ToolRef
from evals.transcript import Transcript, turn_text


@dataclass(frozen=True)
class CheckResult:
    """`turn` is the index of the turn at fault, when one is; `violations` counts the
    occurrences an invariant found (for the report's metrics)."""

    name: str
    passed: bool
    detail: str = ""
    turn: int | None = None
    violations: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"check": self.name, "detail": self.detail, "turn": self.turn}


def expectation_checks(
    scenario: Scenario, transcript: Transcript, ledger: dict[str, Any]
) -> list[CheckResult]:
    expect = scenario.expect
    facts = transcript.facts
    results = [_script(transcript)] if transcript.ended_by == "script_error" else []
    results += [_called(ref, facts) for ref in expect.tools_called]
    results += [_not_called(ref, facts) for ref in expect.tools_not_called]
    results += [_said(phrase, transcript) for phrase in expect.must_say]
    results += [_not_said(phrase, transcript, None) for phrase in expect.must_not_say]
    results += _turn_checks(transcript)
    if expect.ledger is not None:
        results += ledger_checks(expect.ledger, ledger)
    return results


def matching_facts(ref: ToolRef, facts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    wanted = ref if isinstance(ref, ToolExpect) else ToolExpect(name=ref)
    return [fact for fact in facts if _fact_matches(wanted, fact)]


def describe_tool(ref: ToolRef) -> str:
    if isinstance(ref, str):
        return ref
    parts = [f"{key}={_plain(value)}" for key, value in ref.args.items()]
    if ref.ok is not None:
        parts.append(f"ok={str(ref.ok).lower()}")
    if ref.code is not None:
        parts.append(f"code={ref.code}")
    return f"{ref.name}({', '.join(parts)})" if parts else ref.name


def _script(transcript: Transcript) -> CheckResult:
    turn = len(transcript.turns) - 1 if transcript.turns else None
    return CheckResult("script", False, "; ".join(transcript.notes), turn)


def _called(ref: ToolRef, facts: list[dict[str, Any]]) -> CheckResult:
    found = matching_facts(ref, facts)
    times = ref.times if isinstance(ref, ToolExpect) else None
    passed = len(found) == times if times is not None else bool(found)
    detail = "" if passed else _calls_seen(ref, facts, len(found), times)
    return CheckResult(f"tool_called:{describe_tool(ref)}", passed, detail)


def _not_called(ref: ToolRef, facts: list[dict[str, Any]]) -> CheckResult:
    found = matching_facts(ref, facts)
    detail = f"called {len(found)}x: {_summaries(found)}" if found else ""
    return CheckResult(f"tool_not_called:{describe_tool(ref)}", not found, detail)


def _calls_seen(ref: ToolRef, facts: list[dict[str, Any]], count: int, times: int | None) -> str:
    name = ref if isinstance(ref, str) else ref.name
    same_tool = [fact for fact in facts if fact.get("tool") == name]
    wanted = f"{times}x" if times is not None else "at least once"
    seen = _summaries(same_tool) if same_tool else "never called"
    return f"expected {wanted}, matched {count}x; calls: {seen}"


def _summaries(facts: list[dict[str, Any]]) -> str:
    parts = []
    for fact in facts:
        args = ", ".join(f"{k}={_plain(v)}" for k, v in (fact.get("args") or {}).items())
        outcome = "ok" if fact.get("ok") else f"refused {fact.get('code')}"
        parts.append(f"{fact.get('tool')}({args}) {outcome}")
    return "; ".join(parts)


def _fact_matches(wanted: ToolExpect, fact: dict[str, Any]) -> bool:
    if fact.get("tool") != wanted.name:
        return False
    if wanted.ok is not None and bool(fact.get("ok")) != wanted.ok:
        return False
    if wanted.code is not None and fact.get("code") != wanted.code:
        return False
    args = fact.get("args") or {}
    return all(key in args and same_value(value, args[key]) for key, value in wanted.args.items())


def _said(phrase: str, transcript: Transcript) -> CheckResult:
    said = any(phrase in turn_text(turn) for turn in transcript.turns)
    return CheckResult(f"must_say:{phrase}", said, "" if said else "never said")


def _not_said(phrase: str, transcript: Transcript, only: int | None) -> CheckResult:
    wanted = phrase.casefold()
    for turn in transcript.turns:
        if only is not None and turn.index != only:
            continue
        if wanted in turn_text(turn).casefold():
            return CheckResult(f"must_not_say:{phrase}", False, "said", turn.index)
    return CheckResult(f"must_not_say:{phrase}", True)


def _turn_checks(transcript: Transcript) -> list[CheckResult]:
    results = []
    for turn in transcript.turns:
        if turn.turn is None:
            continue
        text = turn_text(turn)
        for phrase in turn.turn.must_say:
            said = phrase in text
            name = f"turn[{turn.index + 1}].must_say:{phrase}"
            results.append(CheckResult(name, said, "" if said else "not said", turn.index))
        for phrase in turn.turn.must_not_say:
            said = phrase.casefold() in text.casefold()
            name = f"turn[{turn.index + 1}].must_not_say:{phrase}"
            results.append(CheckResult(name, not said, "said" if said else "", turn.index))
    return results


# The ledger ------------------------------------------------------------------------------

ROW_KINDS = (
    "agreements",
    "promises",
    "disputes",
    "payment_reports",
    "trust_unblocks",
    "escalations",
    "payments",
)


def ledger_checks(expect: LedgerExpect, ledger: dict[str, Any]) -> list[CheckResult]:
    results = []
    for name in ROW_KINDS:
        wanted = getattr(expect, name)
        if wanted is not None:
            results.append(_rows(name, wanted, ledger.get(name) or []))
    for ref, status in (expect.invoices or {}).items():
        actual = (ledger.get("invoices") or {}).get(ref)
        detail = "" if actual == status else f"expected {status}, found {actual}"
        results.append(CheckResult(f"ledger.invoices.{ref}", actual == status, detail))
    if expect.charges is not None:
        results.append(_fields("ledger.charges", expect.charges, ledger.get("charges") or {}))
    for name in ("opted_out", "thread_owner"):
        wanted = getattr(expect, name)
        if wanted is not None:
            actual = ledger.get(name)
            detail = "" if actual == wanted else f"expected {wanted}, found {actual}"
            results.append(CheckResult(f"ledger.{name}", actual == wanted, detail))
    return results


def _rows(name: str, expected: list[Any], actual: list[dict[str, Any]]) -> CheckResult:
    check = f"ledger.{name}"
    if len(expected) != len(actual):
        found = _rows_text(actual)
        return CheckResult(
            check, False, f"expected {len(expected)} new, found {len(actual)}{found}"
        )
    remaining = list(actual)
    for item in expected:
        wanted = _wanted_fields(item)
        match = next((row for row in remaining if _row_matches(wanted, row)), None)
        if match is None:
            shown = ", ".join(f"{k}={_plain(v)}" for k, v in wanted.items())
            return CheckResult(check, False, f"none matches {shown}{_rows_text(actual)}")
        remaining.remove(match)
    return CheckResult(check, True)


def _fields(name: str, expected: BaseModel, actual: dict[str, Any]) -> CheckResult:
    wanted = _wanted_fields(expected)
    passed = _row_matches(wanted, actual)
    detail = "" if passed else f"expected {wanted}, found {actual}"
    return CheckResult(name, passed, detail)


def _wanted_fields(item: BaseModel) -> dict[str, Any]:
    values = item.model_dump()
    return {
        key: value
        for key, value in values.items()
        if value is not None or key in item.model_fields_set
    }


def _row_matches(wanted: dict[str, Any], row: dict[str, Any]) -> bool:
    return all(key in row and same_value(value, row[key]) for key, value in wanted.items())


def _rows_text(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return ""
    shown = [
        "{" + ", ".join(f"{k}={_plain(v)}" for k, v in row.items() if k != "terms") + "}"
        for row in rows
    ]
    return ": " + "; ".join(shown)


# Values ----------------------------------------------------------------------------------


def same_value(expected: Any, actual: Any) -> bool:
    """Whether a value written in YAML means the value the system produced: dates compare as
    ISO text, numbers by value ("99.9" is 99.90), lists item by item."""
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(
            same_value(e, a) for e, a in zip(expected, actual, strict=True)
        )
    if isinstance(expected, bool) or isinstance(actual, bool) or expected is None:
        return bool(expected == actual)
    left, right = _number(expected), _number(actual)
    if left is not None and right is not None:
        return left == right
    return _plain(expected) == _plain(actual)


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal | float):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _plain(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, list):
        return "[" + ", ".join(_plain(item) for item in value) + "]"
    return str(value)
