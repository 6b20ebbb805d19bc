"""When a debtor may receive a collection message: the hours their state's law allows, in their
own time zone, never on Sundays or holidays (CDC art. 42: no contact that disrupts rest).

A moment outside the hours moves to the next allowed one; nothing is dropped here.
"""

import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from policies.calendar import BusinessCalendar

DEFAULT_KEY = "default"
# Every UF; a customer row with anything else gets the default hours and São Paulo's zone.
STATES = frozenset(
    {"AC", "AL", "AP", "AM", "BA", "CE", "DF", "ES", "GO", "MA", "MT", "MS", "MG", "PA"}
    | {"PB", "PR", "PE", "PI", "RJ", "RN", "RS", "RO", "RR", "SC", "SP", "SE", "TO"}
)
BUSINESS_ZONE = ZoneInfo("America/Sao_Paulo")
# States off Brasília time; the rest keep UTC-3 all year, as São Paulo does.
_ZONES = {
    "AC": ZoneInfo("America/Rio_Branco"),
    "AM": ZoneInfo("America/Manaus"),
    "RR": ZoneInfo("America/Boa_Vista"),
    "RO": ZoneInfo("America/Porto_Velho"),
    "MT": ZoneInfo("America/Cuiaba"),
    "MS": ZoneInfo("America/Campo_Grande"),
}
_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_SATURDAY, _SUNDAY = 5, 6
_SEARCH_DAYS = 40


class HolidayCalendar(Protocol):
    def is_holiday(self, day: date) -> bool: ...


class Window(BaseModel):
    """Local clock times [start, end) of one day; written "08:00-20:00" in the policy file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: time
    end: time

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        match = _SPAN.match(value)
        if match is None:
            raise ValueError(f"expected HH:MM-HH:MM, got {value!r}")
        h1, m1, h2, m2 = (int(part) for part in match.groups())
        if h2 == 24 and m2 == 0:
            h2, m2 = 23, 59
        try:
            return {"start": time(h1, m1), "end": time(h2, m2)}
        except ValueError as error:
            raise ValueError(f"{value!r}: {error}") from None

    @model_validator(mode="after")
    def _ordered(self) -> "Window":
        if self.start >= self.end:
            raise ValueError(f"the window must end after it starts ({self.label})")
        return self

    @property
    def label(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


class ContactHours(BaseModel):
    """Monday-to-Friday hours and Saturday hours (None: no contact that day). Sundays and
    holidays never have hours. `source` says where the hours come from, for staff."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    weekdays: Window
    saturday: Window | None = None
    source: str = ""

    @field_validator("saturday", mode="before")
    @classmethod
    def _none_words(cls, value: Any) -> Any:
        return None if value in ("", "none", "no", False) else value


def _hours(weekdays: str, saturday: str | None, source: str) -> ContactHours:
    return ContactHours.model_validate(
        {"weekdays": weekdays, "saturday": saturday, "source": source}
    )


# Conservative readings of each state's law on collection contact; an ISP that knows better
# overrides them in the policy file (cadence.contact_hours).
PRESETS: Mapping[str, ContactHours] = {
    "SP": _hours("08:00-20:00", "08:00-14:00", "lei estadual de SP"),
    "RJ": _hours("09:00-19:00", None, "lei estadual do RJ"),
    "AL": _hours("08:00-20:00", "08:00-14:00", "lei estadual de AL"),
    "ES": _hours("08:00-19:00", None, "lei estadual do ES"),
    # Sources disagree on whether Saturdays 08-14 are allowed in AM; leave them out.
    "AM": _hours("08:00-18:00", None, "lei estadual do AM"),
    DEFAULT_KEY: _hours("09:00-18:00", None, "padrão (CDC art. 42)"),
}


def zone_for(state: str | None) -> ZoneInfo:
    """The debtor's local time zone by UF (Brasília time when unknown)."""
    return _ZONES.get((state or "").upper(), BUSINESS_ZONE)


def hours_for(
    state: str | None, overrides: Mapping[str, ContactHours] | None = None
) -> ContactHours:
    """The hours for a UF: the ISP's override, else the preset, else the (overridable)
    default."""
    merged = {**PRESETS, **(overrides or {})}
    key = (state or "").upper()
    return merged.get(key) or merged[DEFAULT_KEY]


def window_on(day: date, hours: ContactHours, calendar: HolidayCalendar) -> Window | None:
    """The window of a local date, or None on a Sunday, a holiday or a day without hours."""
    if day.weekday() == _SUNDAY or calendar.is_holiday(day):
        return None
    if day.weekday() == _SATURDAY:
        return hours.saturday
    return hours.weekdays


def is_allowed(
    moment: datetime,
    state: str | None,
    hours: ContactHours,
    calendar: HolidayCalendar,
    margin: timedelta = timedelta(0),
) -> bool:
    """Whether `moment` (aware) falls inside the debtor's window, at least `margin` before
    it closes (so a message queued then still leaves before the end)."""
    local = moment.astimezone(zone_for(state))
    window = window_on(local.date(), hours, calendar)
    if window is None:
        return False
    start, end = _bounds(local.date(), window, local.tzinfo, margin)
    return start <= local < end


def next_allowed(
    moment: datetime,
    state: str | None,
    hours: ContactHours,
    calendar: HolidayCalendar,
    margin: timedelta = timedelta(0),
) -> datetime:
    """The first allowed moment at or after `moment`, in the debtor's zone.

    Raises ValueError when no day of the next weeks has a window (a calendar that is all
    holidays), rather than looping forever.
    """
    zone = zone_for(state)
    local = moment.astimezone(zone)
    for offset in range(_SEARCH_DAYS):
        day = local.date() + timedelta(offset)
        window = window_on(day, hours, calendar)
        if window is None:
            continue
        start, end = _bounds(day, window, zone, margin)
        candidate = max(start, local)
        if candidate < end:
            return candidate
    raise ValueError(f"no contact window in the {_SEARCH_DAYS} days after {moment.isoformat()}")


def contact_calendar(
    state: str | None, extra_holidays: frozenset[date] = frozenset()
) -> BusinessCalendar:
    """National and state holidays of the UF plus the ISP's own, without bank closures
    (Carnival is a working day for contact purposes)."""
    uf = (state or "").upper()
    return BusinessCalendar(
        subdiv=uf if uf in STATES else None,
        extra_holidays=extra_holidays,
        include_bank_closures=False,
    )


def _bounds(day: date, window: Window, zone: Any, margin: timedelta) -> tuple[datetime, datetime]:
    start = datetime.combine(day, window.start, tzinfo=zone)
    end = datetime.combine(day, window.end, tzinfo=zone) - margin
    return start, end
