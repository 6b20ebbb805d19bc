from datetime import date, timedelta

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policies.calendar import LOCAL_HOLIDAY_NAME, BusinessCalendar, national_calendar

FAST = settings(max_examples=200, deadline=None, database=None)


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 1, 1), "Confraternização Universal"),
        (date(2026, 4, 3), "Sexta-feira Santa"),
        (date(2026, 11, 2), "Finados"),
        (date(2026, 11, 15), "Proclamação da República"),
        (date(2026, 11, 20), "Dia Nacional de Zumbi e da Consciência Negra"),
        (date(2026, 12, 25), "Natal"),
    ],
)
def test_national_holidays_carry_their_portuguese_names(day: date, name: str) -> None:
    assert national_calendar().holiday_name(day) == name
    assert not national_calendar().is_business_day(day)


def test_ordinary_weekday_is_a_business_day_without_a_holiday_name() -> None:
    # 2026-11-10 is a Tuesday with nothing on it.
    assert national_calendar().is_business_day(date(2026, 11, 10))
    assert national_calendar().holiday_name(date(2026, 11, 10)) is None


def test_weekend_is_not_a_business_day_but_is_not_a_holiday() -> None:
    saturday = date(2026, 11, 7)

    assert not national_calendar().is_business_day(saturday)
    assert not national_calendar().is_holiday(saturday)


def test_black_awareness_day_was_not_national_before_2024() -> None:
    # Lei 14.759/2023 made 20 November national from 2024; 2023-11-20 was a Monday.
    assert national_calendar().is_business_day(date(2023, 11, 20))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 10), date(2026, 11, 10)),  # Tuesday, already a business day
        (date(2026, 11, 7), date(2026, 11, 9)),  # Saturday -> Monday
        (date(2026, 11, 2), date(2026, 11, 3)),  # Finados, Monday -> Tuesday
        (date(2026, 11, 15), date(2026, 11, 16)),  # Proclamação falls on a Sunday in 2026
        (date(2026, 11, 20), date(2026, 11, 23)),  # Consciência Negra, Friday -> Monday
        (date(2026, 12, 25), date(2026, 12, 28)),  # Natal, Friday -> Monday
        (date(2027, 1, 1), date(2027, 1, 4)),  # Confraternização, Friday -> Monday
    ],
)
def test_next_business_day_skips_weekends_and_holidays(day: date, expected: date) -> None:
    assert national_calendar().next_business_day_on_or_after(day) == expected


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 2, 16),  # Carnival Monday
        date(2026, 2, 17),  # Carnival Tuesday
        date(2026, 6, 4),  # Corpus Christi
        date(2026, 12, 31),  # no bank business on 31 December
    ],
)
def test_bank_closures_are_not_business_days_by_default(day: date) -> None:
    assert not national_calendar().is_business_day(day)
    assert BusinessCalendar(include_bank_closures=False).is_business_day(day)


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 2, 18),  # Ash Wednesday: banks open at noon
        date(2026, 10, 28),  # Public Servants' Day
        date(2026, 12, 24),  # Christmas Eve: short hours, still open
    ],
)
def test_optional_days_when_banks_open_stay_business_days(day: date) -> None:
    assert national_calendar().is_business_day(day)


def test_rio_keeps_carnival_tuesday_as_a_state_holiday_without_bank_closures() -> None:
    rio = BusinessCalendar(subdiv="RJ", include_bank_closures=False)

    assert rio.is_business_day(date(2026, 2, 16))
    assert not rio.is_business_day(date(2026, 2, 17))


def test_due_date_on_carnival_monday_moves_to_ash_wednesday() -> None:
    assert national_calendar().next_business_day_on_or_after(date(2026, 2, 16)) == date(2026, 2, 18)


def test_new_years_eve_moves_past_new_years_day_and_the_weekend() -> None:
    # 2026-12-31 Thursday (closed), 2027-01-01 Friday (holiday), then Saturday and Sunday.
    assert national_calendar().next_business_day_on_or_after(date(2026, 12, 31)) == date(2027, 1, 4)


def test_state_holiday_counts_only_with_its_subdivision() -> None:
    # Revolução Constitucionalista, 9 July, is a São Paulo state holiday; a Thursday in 2026.
    day = date(2026, 7, 9)

    assert national_calendar().is_business_day(day)
    assert not BusinessCalendar(subdiv="SP").is_business_day(day)
    assert BusinessCalendar(subdiv="SP").holiday_name(day) == "Revolução Constitucionalista"


def test_extra_local_holiday_is_not_a_business_day() -> None:
    local = date(2026, 8, 6)
    calendar = BusinessCalendar(extra_holidays=frozenset({local}))

    assert calendar.holiday_name(local) == LOCAL_HOLIDAY_NAME
    assert calendar.next_business_day_on_or_after(local) == date(2026, 8, 7)
    assert national_calendar().is_business_day(local)


def test_extra_holiday_on_a_national_holiday_keeps_both_names() -> None:
    calendar = BusinessCalendar(extra_holidays=frozenset({date(2026, 11, 2)}))

    assert calendar.holiday_name(date(2026, 11, 2)) == f"Finados; {LOCAL_HOLIDAY_NAME}"


def test_unknown_subdivision_is_refused() -> None:
    with pytest.raises(ValueError, match="subdiv"):
        BusinessCalendar(subdiv="XX")


def test_national_calendar_is_one_shared_instance() -> None:
    assert national_calendar() is national_calendar()


def test_lookups_after_warm_up_do_not_rebuild_holidays(monkeypatch: pytest.MonkeyPatch) -> None:
    calendar = BusinessCalendar(subdiv="MG")
    calendar.is_business_day(date(2029, 1, 2))

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("holidays rebuilt after warm-up")

    monkeypatch.setattr(holidays, "country_holidays", refuse)
    assert calendar.holiday_name(date(2029, 4, 21)) == "Execução de Tiradentes; Tiradentes"
    assert calendar.next_business_day_on_or_after(date(2029, 11, 17)) == date(2029, 11, 19)


@FAST
@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)))
def test_next_business_day_is_the_first_business_day_on_or_after(day: date) -> None:
    calendar = national_calendar()
    found = calendar.next_business_day_on_or_after(day)

    assert found >= day
    assert calendar.is_business_day(found)
    skipped = (day + timedelta(days=offset) for offset in range((found - day).days))
    assert not any(calendar.is_business_day(other) for other in skipped)
