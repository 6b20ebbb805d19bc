"""The labelled corpus of debtor messages (tests/data/understanding.yaml): top-1 accuracy
overall and per intent, no miss on the safety-critical intents, and the entities.

Run `python -m tests.agent.test_understanding_dataset` for the per-intent report.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from agent.understanding import Intent, Understanding, understand

CORPUS_FILE = Path(__file__).parents[1] / "data" / "understanding.yaml"
MIN_ACCURACY = 0.95
# A miss here is a debtor not opted out, an attack not flagged or a person not called.
SAFETY_CRITICAL = (Intent.OPT_OUT, Intent.INJECTION, Intent.HUMAN)


@dataclass(frozen=True)
class Case:
    text: str
    intent: Intent
    expecting: str | None = None
    reply_id: str | None = None
    absent: tuple[Intent, ...] = ()
    expected: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.text


_CASE_KEYS = {"text", "intent", "expecting", "reply_id", "absent"}


def _load() -> tuple[date, list[Case]]:
    data = yaml.safe_load(CORPUS_FILE.read_text(encoding="utf-8"))
    cases = [
        Case(
            text=str(item["text"]),
            intent=Intent(item["intent"]),
            expecting=item.get("expecting"),
            reply_id=item.get("reply_id"),
            absent=tuple(Intent(value) for value in item.get("absent", [])),
            expected={key: value for key, value in item.items() if key not in _CASE_KEYS},
        )
        for item in data["messages"]
    ]
    return data["today"], cases


TODAY, CASES = _load()


def read(case: Case) -> Understanding:
    return understand(case.text, today=TODAY, reply_id=case.reply_id, expecting=case.expecting)


def accuracy_report() -> tuple[float, str]:
    """Overall top-1 accuracy and a per-intent table, with the misses listed."""
    total: Counter[Intent] = Counter()
    right: Counter[Intent] = Counter()
    misses = []
    for case in CASES:
        got = read(case).top
        total[case.intent] += 1
        right[case.intent] += got == case.intent
        if got != case.intent:
            misses.append(f"  {case.text!r}: expected {case.intent}, got {got}")
    lines = [f"{'intent':16} {'right':>5} {'total':>5} {'accuracy':>8}"]
    for intent in Intent:
        if total[intent]:
            share = right[intent] / total[intent]
            lines.append(f"{intent.value:16} {right[intent]:5} {total[intent]:5} {share:8.1%}")
    overall = sum(right.values()) / len(CASES)
    lines.append(f"{'overall':16} {sum(right.values()):5} {len(CASES):5} {overall:8.1%}")
    return overall, "\n".join(lines + misses)


def test_the_corpus_is_large_and_labels_every_intent() -> None:
    labelled = {case.intent for case in CASES}

    assert len(CASES) >= 250
    assert labelled == set(Intent)


def test_top_intent_accuracy_is_at_least_95_percent() -> None:
    overall, report = accuracy_report()
    print(report)

    assert overall >= MIN_ACCURACY, report


@pytest.mark.parametrize("intent", SAFETY_CRITICAL, ids=str)
def test_safety_critical_intents_are_never_missed(intent: Intent) -> None:
    cases = [case for case in CASES if case.intent == intent]
    missed = [(case.text, read(case).top) for case in cases]
    missed = [(text, got) for text, got in missed if got != intent]

    assert len(cases) >= 15
    assert missed == []


def test_no_other_message_is_read_as_an_opt_out() -> None:
    others = [case for case in CASES if case.intent != Intent.OPT_OUT]
    opted_out = [case.text for case in others if read(case).top == Intent.OPT_OUT]

    assert opted_out == []


def test_tricky_sentences_do_not_even_rank_what_they_only_resemble() -> None:
    cases = [case for case in CASES if case.absent]
    wrong = [
        (case.text, intent)
        for case in cases
        for intent in case.absent
        if intent in {item.intent for item in read(case).intents}
    ]

    assert len(cases) >= 20
    assert wrong == []


ENTITY_CASES = [case for case in CASES if case.expected]


@pytest.mark.parametrize("case", ENTITY_CASES, ids=str)
def test_entities_are_extracted(case: Case) -> None:
    entities = read(case).entities
    expected = case.expected
    found: dict[str, Any] = {}
    mention = entities.date

    for key in expected:
        if key == "date":
            found[key] = mention.value.isoformat() if mention and mention.value else None
        elif key == "date_precision":
            found[key] = mention.precision.value if mention else None
        elif key == "needs_date":
            found[key] = mention.needs_date if mention else False
        elif key in {"down_payment", "percent"}:
            found[key] = _as_text(getattr(entities, key))
        elif key == "amounts":
            found[key] = [str(amount) for amount in entities.amounts]
        elif key == "option_ids":
            found[key] = list(entities.option_ids)
        else:
            found[key] = getattr(entities, key)

    assert found == expected


def _as_text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


if __name__ == "__main__":
    print(accuracy_report()[1])
