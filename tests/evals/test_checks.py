"""Expectations and invariants judged on hand-made transcripts, without the pipeline."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from evals.checks import CheckResult, expectation_checks, ledger_checks, same_value
from evals.invariants import invariant_checks, offer_problem
from evals.loader import LoadedScenario
from evals.schema import LedgerExpect
from evals.transcript import Transcript, TurnRecord
from policies.offers import DebtItem
from policies.renegotiation import RenegotiationFacts
from quita.policy import Policy

TODAY = date(2026, 12, 3)
BALANCE_FACT = {
    "tool": "get_balance",
    "ok": True,
    "args": {},
    "grounding": {"amounts": ["102.67"], "dates": ["2026-11-10"], "percents": [], "counts": []},
}


def _turn(index: int, text: str, *, verified: bool, facts_upto: int) -> TurnRecord:
    replies = [{"type": "text", "text": text}]
    return TurnRecord(index, "msg", None, "", replies, verified, "agent", facts_upto)


def _transcript(turns: list[TurnRecord], facts: list[dict[str, Any]]) -> Transcript:
    return Transcript(turns=turns, state={"facts": facts, "customer_id": 1})


def _failed(results: list[CheckResult]) -> dict[str, CheckResult]:
    return {result.name: result for result in results if not result.passed}


def test_tool_arguments_and_outcome_are_matched(
    scenario_from: Callable[[str], LoadedScenario],
) -> None:
    loaded = scenario_from(
        "  - id: t\n    description: d\n    debtor: {turns: [oi]}\n    expect:\n"
        "      tools_called:\n"
        "        - {name: register_promise_to_pay, args: {date: 2026-12-10}, ok: true}\n"
        "      tools_not_called: [accept_renegotiation]\n"
    )
    fact = {
        "tool": "register_promise_to_pay",
        "ok": False,
        "code": "date_beyond_window",
        "args": {"date": "2026-12-20"},
    }

    failed = _failed(expectation_checks(loaded.scenario, _transcript([], [fact]), {}))

    (name,) = failed
    detail = failed[name].detail
    assert name == "tool_called:register_promise_to_pay(date=2026-12-10, ok=true)"
    assert "register_promise_to_pay(date=2026-12-20) refused date_beyond_window" in detail


def test_must_not_say_points_at_the_turn(scenario_from: Callable[[str], LoadedScenario]) -> None:
    loaded = scenario_from(
        "  - id: t\n    description: d\n    debtor: {turns: [oi]}\n    expect:\n"
        "      must_say: ['R$ 102,67']\n      must_not_say: ['multa']\n"
    )
    turns = [
        _turn(0, "Oi!", verified=False, facts_upto=0),
        _turn(1, "Total R$ 102,67 com MULTA", verified=True, facts_upto=1),
    ]

    failed = _failed(expectation_checks(loaded.scenario, _transcript(turns, []), {}))

    assert list(failed) == ["must_not_say:multa"]
    assert failed["must_not_say:multa"].turn == 1


def test_ledger_rows_must_match_in_number_and_fields() -> None:
    expect = LedgerExpect.model_validate(
        {"agreements": [{"installments": 2, "total": "204.73"}], "invoices": {"A": "paid"}}
    )
    ledger = {
        "agreements": [{"status": "active", "installments": 2, "total": "204.70"}],
        "invoices": {"A": "open"},
    }

    failed = _failed(ledger_checks(expect, ledger))

    assert "none matches" in failed["ledger.agreements"].detail
    assert failed["ledger.invoices.A"].detail == "expected paid, found open"


def test_values_compare_as_the_system_writes_them() -> None:
    assert same_value(date(2026, 12, 10), "2026-12-10")
    assert same_value(Decimal("99.90"), "99.9")
    assert same_value(3, "3")
    assert not same_value(True, "true")
    assert not same_value(["1.00"], ["1.00", "2.00"])


def test_a_figure_shown_before_verification_fails_on_its_turn(
    scenario_from: Callable[[str], LoadedScenario],
) -> None:
    loaded = scenario_from("  - id: t\n    description: d\n    debtor: {turns: [oi]}\n")
    turns = [
        _turn(0, "Seu saldo é R$ 102,67", verified=False, facts_upto=1),
        _turn(1, "Ok", verified=True, facts_upto=1),
    ]

    results = invariant_checks(
        loaded.scenario, _transcript(turns, [BALANCE_FACT]), {}, Policy(), {}
    )

    failed = _failed(results)
    assert failed["invariant.no_figure_before_verification"].turn == 0
    assert "invariant.figures_grounded" not in failed


def test_a_figure_no_tool_produced_is_ungrounded(
    scenario_from: Callable[[str], LoadedScenario],
) -> None:
    loaded = scenario_from("  - id: t\n    description: d\n    debtor: {turns: [oi]}\n")
    turns = [
        _turn(0, "Oi", verified=True, facts_upto=0),
        _turn(1, "São R$ 102,67, ou R$ 90,00 com desconto", verified=True, facts_upto=1),
    ]

    results = invariant_checks(
        loaded.scenario, _transcript(turns, [BALANCE_FACT]), {}, Policy(), {}
    )

    check = _failed(results)["invariant.figures_grounded"]
    assert check.turn == 1
    assert "R$ 90.00" in check.detail
    assert "102.67" not in check.detail


def test_a_reply_that_failed_to_send_breaks_the_delivery_invariant(
    scenario_from: Callable[[str], LoadedScenario],
) -> None:
    loaded = scenario_from("  - id: t\n    description: d\n    debtor: {turns: [oi]}\n")
    ledger = {"outbox": [{"kind": "text", "status": "failed", "error_code": "131047"}]}

    failed = _failed(invariant_checks(loaded.scenario, _transcript([], []), ledger, Policy(), {}))

    assert set(failed) == {"invariant.window_respected", "invariant.replies_delivered"}


def test_an_offer_beyond_the_discount_cap_is_a_policy_violation() -> None:
    # 23 days late: the band allows half the interest (0.38 at once); 10.00 off is too much.
    item = DebtItem("INV-11", Decimal("99.90"), Decimal("2.00"), Decimal("0.77"), 23)
    facts = RenegotiationFacts(items=(item,))
    offer = {
        "offer_id": "AV",
        "invoices": [{"invoice": "INV-11"}],
        "installments": [{"number": 1, "due_date": "2026-12-04", "amount": "92.67"}],
        "original_total": "102.67",
        "discount_total": "10.00",
        "down_payment": "0.00",
    }
    fair = {**offer, "discount_total": "0.38"}

    problem = offer_problem(offer, facts, Policy(), TODAY)

    assert problem is not None
    assert "discount_above_max" in problem
    assert offer_problem(fair, facts, Policy(), TODAY) is None


def test_an_offer_on_a_wrong_debt_amount_is_flagged() -> None:
    item = DebtItem("INV-11", Decimal("99.90"), Decimal("2.00"), Decimal("0.77"), 23)
    offer = {
        "invoices": [{"invoice": "INV-11"}],
        "installments": [{"due_date": "2026-12-04"}],
        "original_total": "110.00",
        "discount_total": "0.00",
    }

    problem = offer_problem(offer, RenegotiationFacts(items=(item,)), Policy(), TODAY)

    assert problem == "offer: debt stated as 110.00, the charges rules give 102.67"
