"""Figures read from pt-BR replies, and which of them no tool produced."""

from datetime import date
from decimal import Decimal

from tools.base import Grounding
from tools.figures import extract, ungrounded

TODAY = date(2026, 12, 3)


def test_amounts_dates_percents_and_installments_are_read() -> None:
    found = extract(
        "Total R$ 1.234,56 (multa de 2% e juros de 0,5%), vence em 15/12/2026; "
        "ou 3x de R$ 50,00, primeira em 10/01.",
        TODAY,
    )

    assert found.amounts == {Decimal("1234.56"), Decimal("50.00")}
    assert found.percents == {Decimal("2"), Decimal("0.5")}
    assert found.counts == {3}
    assert date(2026, 12, 15) in found.dates
    assert date(2027, 1, 10) in found.dates


def test_a_reply_stating_only_tool_figures_is_grounded() -> None:
    grounded = Grounding(
        amounts={Decimal("103.92")},
        dates={date(2027, 1, 10)},
        counts={3},
        percents={Decimal("2.00")},
    )

    text = "São R$ 103,92, em 3 parcelas, a primeira em 10/01; multa de 2%."
    assert ungrounded(text, grounded, TODAY) == []


def test_an_invented_figure_is_caught() -> None:
    grounded = Grounding(amounts={Decimal("103.92")})

    missing = ungrounded("Consigo por R$ 80,00 em 6x, com 30% de desconto.", grounded, TODAY)

    assert missing == ["R$ 80.00", "30%", "6x"]


def test_today_needs_no_tool_and_a_cnpj_is_not_a_date() -> None:
    text = "Hoje, 03/12/2026, sigo à disposição. Provedor CNPJ 12.345.678/0001-95."

    assert ungrounded(text, Grounding(), TODAY) == []


def test_grounding_survives_its_json_form() -> None:
    grounding = Grounding(
        amounts={Decimal("1.50")}, dates={TODAY}, percents={Decimal("2")}, counts={4}
    )

    assert Grounding.from_json(grounding.to_json()) == grounding
