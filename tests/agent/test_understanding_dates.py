"""Relative and explicit dates, resolved against a pinned business date.

THURSDAY is 2026-12-03 (the corpus's `today`); the other pins cover month ends, the
December -> January rollover and leap years.
"""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent.understanding.dates import DatePrecision, day_of_month, find_date

THURSDAY = date(2026, 12, 3)
NEW_YEARS_EVE = date(2026, 12, 30)
LEAP_FEBRUARY = date(2028, 2, 10)
COMMON_FEBRUARY = date(2027, 2, 10)


def day(text: str, today: date = THURSDAY, *, past: bool = False) -> date | None:
    mention = find_date(text, today=today, past=past)
    assert mention is None or mention.precision == DatePrecision.DAY, mention
    return mention.value if mention else None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hoje", date(2026, 12, 3)),
        ("hj", date(2026, 12, 3)),
        ("amanha", date(2026, 12, 4)),
        ("amanhã cedo", date(2026, 12, 4)),
        ("amn", date(2026, 12, 4)),
        ("depois de amanha", date(2026, 12, 5)),
        ("daqui a pouco", date(2026, 12, 3)),
        ("ontem", date(2026, 12, 2)),
        ("anteontem", date(2026, 12, 1)),
    ],
)
def test_relative_days(text: str, expected: date) -> None:
    assert day(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sexta", date(2026, 12, 4)),
        ("sexta feira", date(2026, 12, 4)),
        ("sexta-feira", date(2026, 12, 4)),
        ("6a feira", date(2026, 12, 4)),
        ("na segunda", date(2026, 12, 7)),
        ("seg", date(2026, 12, 7)),
        ("prox terca", date(2026, 12, 8)),
        ("proxima terça-feira", date(2026, 12, 8)),
        ("sabado", date(2026, 12, 5)),
        ("domingo", date(2026, 12, 6)),
        ("quinta", date(2026, 12, 10)),  # today's weekday means next week's
        ("essa quinta", date(2026, 12, 3)),
        ("sexta que vem", date(2026, 12, 4)),
        ("sexta da semana que vem", date(2026, 12, 11)),
        ("semana que vem na segunda", date(2026, 12, 7)),
    ],
)
def test_weekdays_are_the_next_such_day(text: str, expected: date) -> None:
    assert day(text) == expected


def test_weekdays_look_back_for_a_payment_already_made() -> None:
    assert day("paguei segunda", past=True) == date(2026, 11, 30)
    assert day("paguei quinta", past=True) == date(2026, 11, 26)


@pytest.mark.parametrize(
    "text",
    [
        "a segunda via",
        "segunda via do boleto",
        "a quarta parcela",
        "a sexta parcela",
        "quinta opcao",
        "em 3 vezes",
        "quero o boleto",
        "",
    ],
)
def test_ordinals_and_other_words_are_not_dates(text: str) -> None:
    assert find_date(text, today=THURSDAY) is None


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("dia 15", THURSDAY, date(2026, 12, 15)),
        ("dia 3", THURSDAY, date(2026, 12, 3)),
        ("dia 2", THURSDAY, date(2027, 1, 2)),  # past this month: next month, next year
        ("dia 31", THURSDAY, date(2026, 12, 31)),
        ("dia quinze", THURSDAY, date(2026, 12, 15)),
        ("dia vinte e cinco", THURSDAY, date(2026, 12, 25)),
        ("dia primeiro", THURSDAY, date(2027, 1, 1)),
        ("dia 1", NEW_YEARS_EVE, date(2027, 1, 1)),
        ("dia 31", date(2026, 11, 15), date(2026, 11, 30)),  # clamped to a 30-day month
        ("dia 31", COMMON_FEBRUARY, date(2027, 2, 28)),
        ("dia 30", LEAP_FEBRUARY, date(2028, 2, 29)),
        ("dia 31", date(2027, 1, 31), date(2027, 1, 31)),
        ("dia 30", date(2027, 1, 31), date(2027, 2, 28)),  # January 31st -> February's end
        ("dia 15 do mes que vem", THURSDAY, date(2027, 1, 15)),
        ("dia 31 do proximo mes", date(2027, 1, 10), date(2027, 2, 28)),
    ],
)
def test_day_of_month_is_this_month_unless_past(text: str, today: date, expected: date) -> None:
    assert day(text, today) == expected


def test_day_of_month_looking_back() -> None:
    assert day_of_month(2, THURSDAY, past=True) == date(2026, 12, 2)
    assert day_of_month(15, THURSDAY, past=True) == date(2026, 11, 15)
    assert day_of_month(31, THURSDAY, past=True) == date(2026, 11, 30)
    assert day_of_month(20, date(2027, 1, 5), past=True) == date(2026, 12, 20)


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("15/12", THURSDAY, date(2026, 12, 15)),
        ("01/12", THURSDAY, date(2027, 12, 1)),  # past this year: next year
        ("5/1", THURSDAY, date(2027, 1, 5)),
        ("15/12/2026", THURSDAY, date(2026, 12, 15)),
        ("15/12/26", THURSDAY, date(2026, 12, 15)),
        ("2027-01-08", THURSDAY, date(2027, 1, 8)),
        ("29/02/2028", THURSDAY, date(2028, 2, 29)),
        ("29/02", THURSDAY, date(2027, 2, 28)),  # no 29th in 2027: clamped
        ("29/02", date(2027, 3, 1), date(2028, 2, 29)),
        ("31/04", THURSDAY, date(2027, 4, 30)),
        ("15 de dezembro", THURSDAY, date(2026, 12, 15)),
        ("5 de janeiro", THURSDAY, date(2027, 1, 5)),
        ("dia 10 de março de 2027", THURSDAY, date(2027, 3, 10)),
        ("primeiro de janeiro", THURSDAY, date(2027, 1, 1)),
        ("20 de dez", THURSDAY, date(2026, 12, 20)),
    ],
)
def test_explicit_dates(text: str, today: date, expected: date) -> None:
    assert day(text, today) == expected


def test_explicit_dates_look_back_for_a_payment_already_made() -> None:
    assert day("paguei 10/12", past=True) == date(2025, 12, 10)
    assert day("paguei 01/12", past=True) == date(2026, 12, 1)


@pytest.mark.parametrize("text", ["13/13", "0/5", "32/01", "00/00/0000"])
def test_impossible_dates_are_no_dates(text: str) -> None:
    assert find_date(text, today=THURSDAY) is None


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("daqui 3 dias", THURSDAY, date(2026, 12, 6)),
        ("em 3 dias", NEW_YEARS_EVE, date(2027, 1, 2)),
        ("em uma semana", THURSDAY, date(2026, 12, 10)),
        ("daqui a 2 semanas", THURSDAY, date(2026, 12, 17)),
        ("daqui um mes", THURSDAY, date(2027, 1, 3)),
        ("daqui a um mes", date(2027, 1, 31), date(2027, 2, 28)),
        ("dentro de dez dias", THURSDAY, date(2026, 12, 13)),
    ],
)
def test_spans_from_today(text: str, today: date, expected: date) -> None:
    assert day(text, today) == expected


@pytest.mark.parametrize(
    ("text", "today", "earliest", "latest", "precision"),
    [
        ("semana que vem", THURSDAY, date(2026, 12, 7), date(2026, 12, 11), DatePrecision.WEEK),
        ("proxima semana", THURSDAY, date(2026, 12, 7), date(2026, 12, 11), DatePrecision.WEEK),
        ("prox semana", NEW_YEARS_EVE, date(2027, 1, 4), date(2027, 1, 8), DatePrecision.WEEK),
        ("essa semana", THURSDAY, date(2026, 12, 3), date(2026, 12, 4), DatePrecision.WEEK),
        ("fim de semana", THURSDAY, date(2026, 12, 5), date(2026, 12, 6), DatePrecision.WEEK),
        ("fim do mes", THURSDAY, date(2026, 12, 25), date(2026, 12, 31), DatePrecision.MONTH),
        ("final do mes", date(2026, 12, 28), date(2026, 12, 28), date(2026, 12, 31),
         DatePrecision.MONTH),
        ("fim do mes", LEAP_FEBRUARY, date(2028, 2, 25), date(2028, 2, 29), DatePrecision.MONTH),
        ("fim do mes que vem", THURSDAY, date(2027, 1, 25), date(2027, 1, 31),
         DatePrecision.MONTH),
        ("inicio do mes que vem", THURSDAY, date(2027, 1, 1), date(2027, 1, 10),
         DatePrecision.MONTH),
        ("começo do mês", THURSDAY, date(2027, 1, 1), date(2027, 1, 10), DatePrecision.MONTH),
        ("meio do mes", THURSDAY, date(2026, 12, 10), date(2026, 12, 20), DatePrecision.MONTH),
        ("mes que vem", THURSDAY, date(2027, 1, 1), date(2027, 1, 31), DatePrecision.MONTH),
        ("proximo mes", date(2027, 1, 20), date(2027, 2, 1), date(2027, 2, 28),
         DatePrecision.MONTH),
    ],
)  # fmt: skip
def test_vague_periods_are_ranges_to_confirm(
    text: str, today: date, earliest: date, latest: date, precision: DatePrecision
) -> None:
    mention = find_date(text, today=today)

    assert mention is not None
    assert (mention.earliest, mention.value, mention.precision) == (earliest, latest, precision)
    assert mention.needs_confirmation
    assert not mention.needs_date


@pytest.mark.parametrize(
    "text",
    [
        "quando receber",
        "vou pagar quando eu receber",
        "assim que der eu pago",
        "dia do pagamento",
        "quando o salario cair",
        "em breve",
        "daqui uns dias",
    ],
)
def test_a_day_the_debtor_cannot_name_needs_a_date(text: str) -> None:
    mention = find_date(text, today=THURSDAY)

    assert mention is not None
    assert mention.precision == DatePrecision.UNKNOWN
    assert mention.needs_date
    assert mention.value is None


def test_the_most_specific_mention_wins() -> None:
    assert day("quando receber, dia 10") == date(2026, 12, 10)
    assert day("semana que vem, sexta") == date(2026, 12, 11)


def test_a_mention_round_trips_through_json() -> None:
    mention = find_date("semana que vem", today=THURSDAY)

    assert mention is not None
    assert type(mention).from_json(mention.to_json()) == mention


@given(
    st.text(max_size=80),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    st.booleans(),
)
def test_any_text_on_any_day_resolves_or_not_without_raising(
    text: str, today: date, past: bool
) -> None:
    mention = find_date(text, today=today, past=past)

    if mention is not None and mention.value is not None:
        assert mention.earliest is not None
        assert mention.earliest <= mention.value


@given(
    st.integers(min_value=1, max_value=31),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
)
def test_dia_n_is_never_past_and_at_most_two_months_ahead(n: int, today: date) -> None:
    found = day_of_month(n, today)

    assert today <= found <= today + timedelta(days=62)
    assert found.day == n or found.day < n  # clamped only downwards
