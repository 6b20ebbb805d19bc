"""Brazilian business days: which dates banks settle boletos on, so a due date can move forward."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

import holidays

LOCAL_HOLIDAY_NAME = "Feriado local"

# The `holidays` package files these under OPTIONAL together with days banks work normally.
# FEBRABAN closes branches and runs no compensation on Carnival Monday and Tuesday, Corpus
# Christi and 31 December, and boletos due on them are paid on the next business day without
# charges. Ash Wednesday (banks open at noon), Public Servants' Day and Christmas Eve (short
# hours) are business days, so they are not listed.
BANK_CLOSURE_NAMES = frozenset({"Carnaval", "Corpus Christi", "Véspera de Ano-Novo"})

_LANGUAGE = "pt_BR"
_SATURDAY = 5


@dataclass(frozen=True)
class BusinessCalendar:
    """Business days for one place: Monday to Friday minus holidays.

    `subdiv` is a UF code ("SP", "RJ", ...) adding state holidays; None means national only.
    `extra_holidays` are dates the ISP adds itself, such as municipal holidays.
    `include_bank_closures` adds the days banks close nationally although they are not public
    holidays (see BANK_CLOSURE_NAMES); keep it on for due-date moves.
    Raises ValueError for a subdivision the `holidays` package does not know.
    """

    subdiv: str | None = None
    extra_holidays: frozenset[date] = frozenset()
    include_bank_closures: bool = True
    # A memo, not state: years are expanded once so that lookups are a dict hit.
    _names: dict[date, str] = field(default_factory=dict, init=False, repr=False, compare=False)
    _years: set[int] = field(default_factory=set, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.extra_holidays, frozenset):
            raise TypeError("extra_holidays must be a frozenset of dates")
        try:
            holidays.country_holidays("BR", subdiv=self.subdiv, years=())
        except NotImplementedError as error:
            raise ValueError(f"subdiv: unknown Brazilian subdivision {self.subdiv!r}") from error

    def is_holiday(self, day: date) -> bool:
        """Whether `day` is a holiday or bank closure here, whatever the weekday."""
        return self.holiday_name(day) is not None

    def holiday_name(self, day: date) -> str | None:
        """The holiday's Portuguese name, names joined by "; " when several fall on `day`."""
        if day.year not in self._years:
            self._load_year(day.year)
        return self._names.get(day)

    def is_business_day(self, day: date) -> bool:
        """Monday to Friday and not a holiday or bank closure."""
        return day.weekday() < _SATURDAY and not self.is_holiday(day)

    def next_business_day_on_or_after(self, day: date) -> date:
        """`day` itself when it is a business day, else the first business day after it."""
        while not self.is_business_day(day):
            day += timedelta(days=1)
        return day

    def _load_year(self, year: int) -> None:
        names = dict(_holidays_of_year(year, self.subdiv, self.include_bank_closures))
        for extra in self.extra_holidays:
            if extra.year == year:
                names[extra] = _join(names.get(extra), LOCAL_HOLIDAY_NAME)
        self._names.update(names)
        self._years.add(year)


@cache
def national_calendar() -> BusinessCalendar:
    """The shared calendar of national holidays and bank closures, with no local holidays."""
    return BusinessCalendar()


@cache
def _holidays_of_year(
    year: int, subdiv: str | None, include_bank_closures: bool
) -> tuple[tuple[date, str], ...]:
    # Cached across calendars because building a `holidays` object is the slow part.
    public = holidays.country_holidays("BR", subdiv=subdiv, years=year, language=_LANGUAGE)
    names = {day: "; ".join(public.get_list(day)) for day in public}
    if include_bank_closures:
        for day, name in _bank_closures(year, subdiv):
            names[day] = _join(names.get(day), name)
    return tuple(sorted(names.items()))


def _bank_closures(year: int, subdiv: str | None) -> Iterable[tuple[date, str]]:
    optional = holidays.country_holidays(
        "BR", subdiv=subdiv, years=year, language=_LANGUAGE, categories=(holidays.OPTIONAL,)
    )
    for day in optional:
        for name in optional.get_list(day):
            if name in BANK_CLOSURE_NAMES:
                yield day, name


def _join(existing: str | None, name: str) -> str:
    if existing is None:
        return name
    if name in existing.split("; "):
        return existing
    return f"{existing}; {name}"
