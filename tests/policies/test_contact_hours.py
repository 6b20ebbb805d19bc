"""Contact hours by state: the presets, the debtor's own time zone, Sundays and holidays, and
the next allowed moment."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policies.contact_hours import (
    DEFAULT_KEY,
    PRESETS,
    STATES,
    ContactHours,
    contact_calendar,
    hours_for,
    is_allowed,
    next_allowed,
    window_on,
    zone_for,
)

SP = ZoneInfo("America/Sao_Paulo")
MANAUS = ZoneInfo("America/Manaus")


def _allowed(state: str, moment: datetime, margin: timedelta = timedelta(0)) -> bool:
    return is_allowed(moment, state, hours_for(state), contact_calendar(state), margin)


def _next(state: str, moment: datetime) -> datetime:
    return next_allowed(moment, state, hours_for(state), contact_calendar(state))


@pytest.mark.parametrize(
    ("state", "moment", "allowed"),
    [
        ("SP", datetime(2026, 12, 3, 8, 0, tzinfo=SP), True),
        ("SP", datetime(2026, 12, 3, 19, 59, tzinfo=SP), True),
        ("SP", datetime(2026, 12, 3, 20, 0, tzinfo=SP), False),
        ("SP", datetime(2026, 12, 5, 13, 30, tzinfo=SP), True),  # Saturday
        ("SP", datetime(2026, 12, 5, 14, 30, tzinfo=SP), False),
        ("RJ", datetime(2026, 12, 3, 8, 30, tzinfo=SP), False),
        ("RJ", datetime(2026, 12, 3, 18, 59, tzinfo=SP), True),
        ("RJ", datetime(2026, 12, 5, 10, 0, tzinfo=SP), False),  # no Saturdays
        ("AL", datetime(2026, 12, 5, 9, 0, tzinfo=SP), True),
        ("ES", datetime(2026, 12, 3, 19, 30, tzinfo=SP), False),
        ("ES", datetime(2026, 12, 5, 9, 0, tzinfo=SP), False),
        ("AM", datetime(2026, 12, 3, 17, 30, tzinfo=MANAUS), True),
        ("AM", datetime(2026, 12, 3, 18, 30, tzinfo=MANAUS), False),
        ("MG", datetime(2026, 12, 3, 9, 0, tzinfo=SP), True),
        ("MG", datetime(2026, 12, 3, 18, 0, tzinfo=SP), False),
        ("MG", datetime(2026, 12, 5, 10, 0, tzinfo=SP), False),
    ],
)
def test_each_preset_allows_only_its_hours(state: str, moment: datetime, allowed: bool) -> None:
    assert _allowed(state, moment) is allowed


def test_hours_are_the_debtors_local_time() -> None:
    # 08:30 in São Paulo is 07:30 in Manaus: too early there.
    assert zone_for("AM") == MANAUS
    assert not _allowed("AM", datetime(2026, 12, 3, 8, 30, tzinfo=SP))
    assert _allowed("AM", datetime(2026, 12, 3, 9, 30, tzinfo=SP))


def test_no_contact_on_sundays_or_national_holidays_whatever_the_state() -> None:
    sunday = datetime(2026, 12, 6, 11, 0, tzinfo=SP)
    christmas = datetime(2026, 12, 25, 11, 0, tzinfo=SP)

    for state in sorted(STATES):
        assert not _allowed(state, sunday)
        assert not _allowed(state, christmas)


def test_a_state_holiday_closes_that_state_only() -> None:
    revolution_day = datetime(2026, 7, 9, 11, 0, tzinfo=SP)  # SP only

    assert not _allowed("SP", revolution_day)
    assert _allowed("RJ", revolution_day)


def test_a_moment_outside_hours_moves_to_the_next_window() -> None:
    friday_evening = datetime(2026, 12, 4, 18, 30, tzinfo=SP)

    assert _next("MG", friday_evening) == datetime(2026, 12, 7, 9, 0, tzinfo=SP)
    assert _next("SP", friday_evening) == datetime(2026, 12, 4, 18, 30, tzinfo=SP)
    assert _next("SP", datetime(2026, 12, 5, 15, 0, tzinfo=SP)) == datetime(
        2026, 12, 7, 8, 0, tzinfo=SP
    )
    # Christmas Eve is a working day, Christmas is not.
    assert _next("MG", datetime(2026, 12, 24, 19, 0, tzinfo=SP)) == datetime(
        2026, 12, 28, 9, 0, tzinfo=SP
    )


def test_the_closing_margin_ends_the_window_earlier() -> None:
    late = datetime(2026, 12, 3, 17, 45, tzinfo=SP)

    assert _allowed("MG", late)
    assert not _allowed("MG", late, margin=timedelta(minutes=30))


def test_policy_hours_parse_and_name_the_bad_value() -> None:
    hours = ContactHours.model_validate({"weekdays": "07:30-21:00", "saturday": "none"})

    assert hours.weekdays.start == time(7, 30)
    assert hours.saturday is None
    with pytest.raises(ValueError, match="expected HH:MM-HH:MM"):
        ContactHours.model_validate({"weekdays": "7h-21h"})
    with pytest.raises(ValueError, match="must end after it starts"):
        ContactHours.model_validate({"weekdays": "20:00-08:00"})


def test_an_override_replaces_a_preset_and_unknown_states_get_the_default() -> None:
    override = ContactHours.model_validate({"weekdays": "10:00-16:00"})

    assert hours_for("SP", {"SP": override}) == override
    assert hours_for("XX") == PRESETS[DEFAULT_KEY]
    assert hours_for(None) == PRESETS[DEFAULT_KEY]


moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)


@settings(max_examples=300)
@given(moment=moments, state=st.sampled_from(sorted(STATES)))
def test_the_next_allowed_moment_is_allowed_and_nothing_earlier_is(
    moment: datetime, state: str
) -> None:
    found = _next(state, moment)

    assert found >= moment
    assert _allowed(state, found)
    local = found.astimezone(zone_for(state))
    window = window_on(local.date(), hours_for(state), contact_calendar(state))
    assert window is not None
    # Either the moment itself, or the opening of the first window after it.
    assert found == moment or local.time() == window.start
    assert found.astimezone(zone_for(state)).weekday() != 6
    assert not contact_calendar(state).is_holiday(local.date())


def test_window_on_a_weekday_holiday_is_none() -> None:
    assert window_on(date(2026, 11, 20), hours_for("SP"), contact_calendar("SP")) is None
