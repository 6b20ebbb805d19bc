"""The cadence section of the policy file: the default régua, what an ISP may change, and
errors that name the key; due-date arithmetic; the pt-BR texts and their templates."""

import re
from datetime import date
from pathlib import Path

import pytest

from channels.whatsapp.templates import DEFAULT_TEMPLATES
from policies.cadence import (
    DEFAULT_STEPS,
    Action,
    Anchor,
    CadenceRules,
    Subject,
    due_threshold,
    latest_due_step,
)
from policies.cadence_texts import DEFAULT_TEXTS, PLACEHOLDERS, MessageKind, Tone, render, text_for
from policies.calendar import national_calendar
from policies.segments import Segment
from quita.policy import PolicyError, load_policy

CALENDAR = national_calendar()
VALUES = {
    "first_name": "Maria",
    "reference": "fatura de novembro de 2026",
    "amount": "R$ 102,23",
    "due_date": "10/11/2026",
    "days_late": "12",
    "deadline": "18/12/2026",
    "rescission_days": "60",
    "restore_hours": "24",
}
SIGNATURE = "Conecta Vale Internet Ltda · CNPJ 12.345.678/0001-95"


def _load(tmp_path: Path, text: str) -> CadenceRules:
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    return load_policy(path).cadence


def test_the_default_regua_runs_from_reminder_to_credit_listing() -> None:
    rules = CadenceRules()

    names = [step.name for step in rules.steps]
    assert names[:5] == [
        "reminder_d-3",
        "due_today",
        "overdue_d+1",
        "overdue_d+5",
        "suspension_notice",
    ]
    legal = {step.action: step for step in rules.steps if step.action}
    days = {action: (step.days, step.anchor) for action, step in legal.items()}
    assert days[Action.NOTICE] == (10, Anchor.DUE)
    assert days[Action.SUSPEND] == (15, Anchor.NOTICE)
    assert days[Action.RESCIND] == (60, Anchor.SUSPENSION)
    assert legal[Action.LIST].anchor == Anchor.RESCISSION
    assert all(step.mandatory for step in legal.values())
    assert rules.steps_for(Subject.INSTALLMENT, Anchor.DUE)


def test_each_segment_gets_its_own_tone() -> None:
    overdue = CadenceRules().step_named("overdue_d+5")
    assert overdue is not None

    assert overdue.tone_for(Segment.LOYAL) == Tone.GENTLE
    assert overdue.tone_for(Segment.CASH_FLOW_TROUBLE) == Tone.SUPPORTIVE
    assert overdue.tone_for(Segment.CHRONIC) == Tone.FIRM
    assert overdue.tone_for(Segment.DISORGANIZED) == Tone.NEUTRAL


def test_an_isp_writes_its_own_regua_hours_and_cap(tmp_path: Path) -> None:
    rules = _load(
        tmp_path,
        """\
cadence:
  weekly_cap: 2
  contact_hours:
    MG: {weekdays: "08:00-19:00", saturday: "09:00-13:00"}
  steps:
    - {name: lembrete, days: -2, purpose: cadence_reminder, message: reminder, segments: [chronic]}
    - {name: aviso, days: 12, purpose: cadence_notice, message: notice, action: notice,
       mandatory: true, tone: formal}
    - {name: corte, days: 20, anchor: notice, purpose: cadence_suspension,
       message: suspension, action: suspend, mandatory: true}
""",
    )

    assert rules.weekly_cap == 2
    assert [s.name for s in rules.steps] == ["lembrete", "aviso", "corte"]
    assert rules.steps[0].segments == frozenset({Segment.CHRONIC})
    assert rules.hours_for("MG").saturday is not None


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        (
            "cadence:\n  steps:\n    - {name: corte, days: 10, anchor: notice, purpose: p,"
            " message: suspension, action: suspend}\n",
            r"cadence\.steps\.0\.days: a suspend step needs at least 15 days",
        ),
        (
            "cadence:\n  steps:\n    - {name: corte, days: 20, purpose: p, message: suspension,"
            " action: suspend}\n",
            r"cadence\.steps\.0\.anchor: a suspend step counts from notice",
        ),
        (
            "cadence:\n  steps:\n    - {name: a, days: 1, purpose: p, message: overdue}\n"
            "    - {name: a, days: 2, purpose: p, message: overdue}\n",
            r"cadence\.steps: step name 'a' is used twice",
        ),
        ("cadence:\n  weekly_cap: 0\n", r"cadence\.weekly_cap"),
        (
            "cadence:\n  contact_hours:\n    XX: {weekdays: '09:00-18:00'}\n",
            r"cadence\.contact_hours\.XX",
        ),
        ("cadence:\n  colour: blue\n", r"cadence\.colour: unknown key"),
        (
            "cadence:\n  texts:\n    overdue:\n      gentle: 'Oi {nome}'\n",
            r"cadence\.texts\.overdue\.gentle: unknown placeholder \{nome\}",
        ),
        (
            "cadence:\n  texts:\n    notice:\n      formal: 'Pague {amount} de {reference}'\n",
            r"cadence\.texts\.notice\.formal: a suspension notice must state \{deadline\}",
        ),
        (
            "cadence:\n  closing_margin_minutes: 60\n  contact_hours:\n"
            "    MG: {weekdays: '09:00-10:00'}\n",
            r"cadence\.closing_margin_minutes: 60 minutes leaves no time",
        ),
        (
            "cadence:\n  steps:\n    - {name: x, days: 1, purpose: p, message: overdue,"
            " channel: fax}\n",
            r"cadence\.steps\.0\.channel",
        ),
    ],
)
def test_a_bad_cadence_names_the_key(tmp_path: Path, yaml_text: str, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        _load(tmp_path, yaml_text)


def test_a_due_date_on_a_weekend_starts_its_clock_on_monday() -> None:
    # Saturday 2026-12-05 is due on Monday the 7th: D+1 is Tuesday the 8th.
    saturday = date(2026, 12, 5)

    assert saturday > due_threshold(1, date(2026, 12, 7), CALENDAR)
    assert saturday <= due_threshold(1, date(2026, 12, 8), CALENDAR)
    assert date(2026, 12, 4) <= due_threshold(1, date(2026, 12, 5), CALENDAR)


def test_only_the_latest_due_step_counts() -> None:
    due = date(2026, 11, 20)  # a holiday: the clock starts on Monday the 23rd

    step = latest_due_step(DEFAULT_STEPS, Segment.DISORGANIZED, due, date(2026, 11, 30), CALENDAR)
    assert step is not None
    assert step.name == "overdue_d+5"
    loyal = latest_due_step(DEFAULT_STEPS, Segment.LOYAL, due, date(2026, 11, 23), CALENDAR)
    assert loyal is None
    early = latest_due_step(DEFAULT_STEPS, Segment.CHRONIC, due, date(2026, 11, 20), CALENDAR)
    assert early is not None
    assert early.name == "reminder_d-3"


@pytest.mark.parametrize("kind", list(MessageKind))
def test_every_text_renders_with_the_isp_signature_and_no_threat(kind: MessageKind) -> None:
    for tone in Tone:
        body = render(text_for(kind, tone), VALUES, SIGNATURE)

        assert body.endswith(SIGNATURE)
        assert not set("{}") & set(body)
        assert re.search(r"\b(a|da) fatura de novembro", body)
        assert not re.search(r"process|justiça|polícia|ameaç|vergonha", body, re.IGNORECASE)


def test_the_suspension_notice_states_what_anatel_requires() -> None:
    body = render(text_for(MessageKind.NOTICE, Tone.FORMAL), VALUES, SIGNATURE)

    for required in ("R$ 102,23", "novembro de 2026", "18/12/2026", "60 dias", "24 horas"):
        assert required in body
    assert "proteção ao crédito" in body
    assert "contestá-la" in body


def test_an_isp_text_replaces_the_default_for_its_tone_only(tmp_path: Path) -> None:
    rules = _load(tmp_path, "cadence:\n  texts:\n    overdue:\n      gentle: 'Oi {first_name}!'\n")

    assert text_for(MessageKind.OVERDUE, Tone.GENTLE, rules.texts) == "Oi {first_name}!"
    assert (
        text_for(MessageKind.OVERDUE, Tone.FIRM, rules.texts)
        == DEFAULT_TEXTS[MessageKind.OVERDUE][Tone.FIRM]
    )


def test_every_cadence_purpose_has_an_approved_template_carrying_the_bill() -> None:
    purposes = {step.purpose for step in DEFAULT_STEPS}

    for purpose in purposes:
        spec = DEFAULT_TEMPLATES.for_purpose(purpose)
        assert spec is not None, purpose
        assert {"isp_name", "isp_cnpj", "reference", "amount"} <= set(spec.parameters)
    notice = DEFAULT_TEMPLATES.for_purpose("cadence_notice")
    assert notice is not None
    assert "deadline" in notice.parameters
    assert "proteção ao crédito" in notice.text
    assert "24 horas" in notice.text


def test_placeholders_are_a_closed_set() -> None:
    assert {"first_name", "amount", "deadline"} <= PLACEHOLDERS
