"""Today's date and the current instant, in São Paulo time, pinnable by QUITA_TODAY."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

BUSINESS_TZ = ZoneInfo("America/Sao_Paulo")


def today(pinned: date | None = None) -> date:
    """The business date in São Paulo; `pinned` (QUITA_TODAY) wins when given."""
    if pinned is not None:
        return pinned
    return datetime.now(BUSINESS_TZ).date()


def now(pinned: date | None = None) -> datetime:
    """The current instant, aware. A pinned day keeps the real time of day on that date."""
    current = datetime.now(BUSINESS_TZ)
    if pinned is None:
        return current
    return datetime.combine(pinned, current.timetz())


def start_of_day(day: date) -> datetime:
    """Midnight of `day` in São Paulo, as an aware datetime."""
    return datetime.combine(day, time(0, 0), tzinfo=BUSINESS_TZ)


def as_utc(moment: datetime) -> datetime:
    """`moment` in UTC; a naive value is refused because its zone would be a guess."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: attach a time zone before storing it")
    return moment.astimezone(UTC)
