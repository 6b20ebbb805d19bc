"""Disputes: the 30-day answer deadline and the Anatel clocks they stop."""

from datetime import date

from policies.disputes import DisputeFacts, DisputeRules, answer_due, check_dispute, clock_deadline

TODAY = date(2026, 12, 3)
RULES = DisputeRules()


def test_a_dispute_is_answered_within_thirty_days() -> None:
    decision = check_dispute(
        "cobraram um mês que eu já tinha cancelado", DisputeFacts(), RULES, TODAY
    )

    assert (decision.ok, decision.until) == (True, date(2027, 1, 2))
    assert answer_due(TODAY, RULES) == date(2027, 1, 2)
    assert "02/01/2027" in decision.reason


def test_a_dispute_without_a_reason_asks_for_one() -> None:
    decision = check_dispute(" ", DisputeFacts(), RULES, TODAY)

    assert (decision.ok, decision.code) == (False, "reason_missing")


def test_a_second_dispute_of_the_same_bill_points_to_the_first() -> None:
    facts = DisputeFacts(open_dispute_answer_due=date(2026, 12, 20))

    decision = check_dispute("valor errado", facts, RULES, TODAY)

    assert (decision.ok, decision.code, decision.until) == (
        False,
        "dispute_already_open",
        date(2026, 12, 20),
    )


def test_a_clock_without_disputes_runs_its_days() -> None:
    assert clock_deadline(date(2026, 11, 1), 15, []) == date(2026, 11, 16)


def test_a_closed_dispute_pushes_the_clock_back_by_its_length() -> None:
    pauses = [(date(2026, 11, 5), date(2026, 11, 12))]

    assert clock_deadline(date(2026, 11, 1), 15, pauses) == date(2026, 11, 23)


def test_an_open_dispute_stops_the_clock() -> None:
    assert clock_deadline(date(2026, 11, 1), 15, [(date(2026, 11, 5), None)]) is None


def test_a_dispute_after_the_deadline_changes_nothing() -> None:
    pauses = [(date(2026, 12, 1), None)]

    assert clock_deadline(date(2026, 11, 1), 15, pauses) == date(2026, 11, 16)


def test_a_dispute_opened_before_the_clock_counts_only_from_its_start() -> None:
    pauses = [(date(2026, 10, 20), date(2026, 11, 4))]

    assert clock_deadline(date(2026, 11, 1), 15, pauses) == date(2026, 11, 19)
