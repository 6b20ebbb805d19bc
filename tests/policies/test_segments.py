"""Segments from payment history: each rule, its reason in pt-BR, the order of the rules, and
a staff pin."""

import pytest

from policies.segments import (
    PINNED_RULE,
    Segment,
    SegmentFacts,
    SegmentRules,
    assign_segment,
    facts_from,
)

RULES = SegmentRules()
SETTLED = SegmentFacts(tenure_days=800, billed_12m=12)


@pytest.mark.parametrize(
    ("facts", "segment", "rule", "reason_part"),
    [
        (SETTLED, Segment.LOYAL, "fallback", "Bom pagador"),
        (
            SegmentFacts(tenure_days=40, billed_12m=1),
            Segment.NEW_CUSTOMER,
            "new_customer",
            "cliente há 40 dias",
        ),
        (
            SegmentFacts(tenure_days=800, billed_12m=12, late_12m=10, avg_days_late=22.0),
            Segment.CHRONIC,
            "chronic",
            "10 faturas com atraso",
        ),
        (
            SegmentFacts(tenure_days=800, billed_12m=12, max_open_days_late=35, paid_late_12m=1),
            Segment.CASH_FLOW_TROUBLE,
            "cash_flow_trouble",
            "fatura em aberto há 35 dias",
        ),
        (
            SegmentFacts(
                tenure_days=800, billed_12m=12, late_12m=5, paid_late_12m=5, avg_days_late=6.5
            ),
            Segment.DISORGANIZED,
            "disorganized",
            "atraso médio de 6,5 dias",
        ),
        (
            SegmentFacts(tenure_days=800, billed_12m=12, broken_agreements_12m=1),
            Segment.CHRONIC,
            "chronic",
            "1 acordos quebrados",
        ),
    ],
)
def test_each_rule_gives_its_segment_with_the_facts_as_reason(
    facts: SegmentFacts, segment: Segment, rule: str, reason_part: str
) -> None:
    assignment = assign_segment(facts, RULES)

    assert assignment.segment == segment
    assert assignment.rule == rule
    assert reason_part in assignment.reason


def test_a_late_payer_with_an_open_bill_is_disorganized_not_in_cash_flow_trouble() -> None:
    # Cash-flow trouble is a good payer who suddenly stopped, not a habitual late payer.
    facts = SegmentFacts(
        tenure_days=800, billed_12m=12, late_12m=5, paid_late_12m=4, max_open_days_late=20
    )

    assert assign_segment(facts, RULES).segment == Segment.DISORGANIZED


def test_thresholds_come_from_the_policy() -> None:
    strict = SegmentRules.from_mapping({"disorganized_late_invoices": 1}, "cadence.segments")
    facts = SegmentFacts(tenure_days=800, billed_12m=12, late_12m=1, paid_late_12m=1)

    assert assign_segment(facts, RULES).segment == Segment.LOYAL
    assert assign_segment(facts, strict).segment == Segment.DISORGANIZED


def test_a_pinned_segment_wins_over_the_rules() -> None:
    chronic = SegmentFacts(tenure_days=800, billed_12m=12, late_12m=11)

    assignment = assign_segment(chronic, RULES, pinned=Segment.LOYAL)

    assert assignment.segment == Segment.LOYAL
    assert assignment.rule == PINNED_RULE
    assert "fixado pela equipe" in assignment.reason


def test_facts_read_from_a_row_accept_database_numbers() -> None:
    from decimal import Decimal

    facts = facts_from({"late_12m": 3, "avg_days_late": Decimal("4.25"), "tenure_days": None})

    assert facts.late_12m == 3
    assert facts.avg_days_late == 4.25
    assert facts.tenure_days == 0


def test_a_bad_threshold_names_its_key() -> None:
    with pytest.raises(ValueError, match=r"cadence\.segments\.grace_days"):
        SegmentRules.from_mapping({"grace_days": -1}, "cadence.segments")
