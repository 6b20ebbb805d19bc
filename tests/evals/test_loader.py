"""Scenario files: strict validation with the file and line of every problem."""

from collections.abc import Callable
from pathlib import Path

import pytest

from evals.loader import ScenarioError, load_file, load_scenarios
from evals.schema import TOOL_NAMES, ToolExpect

SUITES = Path(__file__).resolve().parents[2] / "evals" / "suites"
SEGMENTS = {"loyal", "disorganized", "cash_flow_trouble", "chronic", "new_customer"}

Write = Callable[..., Path]


def _problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenarios([path])
    return caught.value.problems


def test_an_unknown_top_level_key_names_the_file_and_line(write_suite: Write) -> None:
    path = write_suite(
        "id: typo\n"
        "description: d\n"
        "today: 2026-12-03\n"
        "debtor: {turns: [oi]}\n"
        "expct:\n"
        "  must_say: [x]\n"
    )

    (problem,) = _problems(path)

    assert problem.startswith(f"{path}:5:")
    assert "expct: unknown key" in problem


def test_an_unknown_nested_key_names_its_own_line(write_suite: Write) -> None:
    path = write_suite(
        "scenarios:\n"
        "  - id: nested\n"
        "    description: d\n"
        "    today: 2026-12-03\n"
        "    world:\n"
        "      invoices:\n"
        "        - id: INV-1\n"
        '          amont: "99.90"\n'
        "          due: 2026-11-10\n"
        "    debtor: {turns: [oi]}\n"
    )

    problems = _problems(path)

    assert f"{path}:8: scenario 'nested': world.invoices[0].amont: unknown key" in problems
    assert any(p.startswith(f"{path}:7:") and "amount is required" in p for p in problems)


def test_invalid_yaml_reports_the_line(write_suite: Write) -> None:
    path = write_suite("id: x\ndescription: a: b: c\n")

    (problem,) = _problems(path)

    assert problem.startswith(f"{path}:2: invalid YAML")


def test_money_must_be_written_as_a_string(write_suite: Write) -> None:
    path = write_suite(
        "id: float-money\ndescription: d\ntoday: 2026-12-03\n"
        "world:\n  invoices:\n    - {id: A, amount: 99.9, due: 2026-11-10}\n"
        "debtor: {turns: [oi]}\n"
    )

    (problem,) = _problems(path)

    assert problem.startswith(f"{path}:6:")
    assert 'money must be a string such as "99.90"' in problem


def test_a_turn_has_exactly_one_of_text_and_button(write_suite: Write) -> None:
    path = write_suite(
        "id: both\ndescription: d\ntoday: 2026-12-03\n"
        "debtor:\n  turns:\n    - {text: oi, button: Ver meu saldo}\n"
    )

    (problem,) = _problems(path)

    assert problem.startswith(f"{path}:6:")
    assert "exactly one of `text` and `button`" in problem


def test_a_bad_policy_override_names_the_key(write_suite: Write) -> None:
    path = write_suite(
        "id: policy\ndescription: d\ntoday: 2026-12-03\n"
        "policy:\n  promises: {max_days_ahead: 999}\n"
        "debtor: {turns: [oi]}\n"
    )

    (problem,) = _problems(path)

    assert problem.startswith(f"{path}:4:")
    assert "promises.max_days_ahead" in problem


def test_a_reference_to_an_unknown_invoice_is_refused(write_suite: Write) -> None:
    path = write_suite(
        "id: ref\ndescription: d\ntoday: 2026-12-03\n"
        "world:\n  payments:\n    - {invoice: NOPE, amount: '1.00', paid_on: 2026-12-01}\n"
        "debtor: {turns: [oi]}\n"
    )

    (problem,) = _problems(path)

    assert "unknown invoice 'NOPE'" in problem


def test_ids_are_unique_across_files(write_suite: Write) -> None:
    body = "id: same\ndescription: d\ntoday: 2026-12-03\ndebtor: {turns: [oi]}\n"
    first = write_suite(body, "a.yaml")
    write_suite(body, "b.yaml")

    (problem,) = _problems(first.parent)

    assert "scenario id 'same' already used at" in problem
    assert "a.yaml:1" in problem


def test_defaults_merge_under_each_scenario(write_suite: Write) -> None:
    path = write_suite(
        "defaults:\n"
        "  today: 2026-12-03\n"
        "  world:\n"
        "    customers: [{id: C9, name: ANA, document: 123.456.789-09}]\n"
        "    invoices: [{id: A, amount: '10.00', due: 2026-11-10}]\n"
        "scenarios:\n"
        "  - {id: one, description: d, debtor: {turns: [oi]}}\n"
        "  - id: two\n"
        "    description: d\n"
        "    today: 2026-12-04\n"
        "    world: {invoices: [{id: B, amount: '20.00', due: 2026-11-10}]}\n"
        "    debtor: {turns: [oi]}\n"
    )

    one, two = load_file(path)

    assert one.scenario.today.isoformat() == "2026-12-03"
    assert [i.id for i in one.scenario.world.invoices] == ["A"]
    assert two.scenario.today.isoformat() == "2026-12-04"
    assert two.scenario.world.customers[0].id == "C9"
    assert [i.id for i in two.scenario.world.invoices] == ["B"]
    assert (one.line, two.line) == (7, 8)


def test_the_bundled_suites_cover_what_the_issue_asks() -> None:
    loaded = load_scenarios([SUITES])
    scenarios = [item.scenario for item in loaded]
    smoke = [s for s in scenarios if "smoke" in s.tags]
    called = {
        ref.name if isinstance(ref, ToolExpect) else ref
        for s in scenarios
        for ref in s.expect.tools_called
    }
    segments = {c.segment for s in scenarios for c in s.world.customers if c.segment}
    refusals = [s for s in scenarios if "refusal" in s.tags]

    assert len(scenarios) >= 120
    assert 12 <= len(smoke) <= 18
    assert called == set(TOOL_NAMES)
    assert segments == SEGMENTS
    assert len(refusals) >= 15
    assert any(s.debtor.persona is not None for s in scenarios)
