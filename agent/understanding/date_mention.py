"""A date a message names, with how precisely it names it."""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any


class DatePrecision(StrEnum):
    DAY = "day"  # one day: "amanha", "dia 15", "sexta"
    WEEK = "week"  # a week: "semana que vem"
    MONTH = "month"  # part of a month: "fim do mes", "mes que vem"
    UNKNOWN = "unknown"  # a day the debtor cannot name yet: "quando receber"


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date the message names: the range `earliest`..`value` (equal for DAY), or no date
    at all for UNKNOWN (`needs_date`)."""

    value: date | None
    earliest: date | None
    precision: DatePrecision

    @property
    def needs_date(self) -> bool:
        return self.value is None

    @property
    def needs_confirmation(self) -> bool:
        """Whether the dialogue should confirm one exact day before acting on it."""
        return self.precision != DatePrecision.DAY

    def to_json(self) -> dict[str, Any]:
        return {
            "value": self.value.isoformat() if self.value else None,
            "earliest": self.earliest.isoformat() if self.earliest else None,
            "precision": self.precision.value,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "DateMention":
        value, earliest = data.get("value"), data.get("earliest")
        return cls(
            value=date.fromisoformat(value) if value else None,
            earliest=date.fromisoformat(earliest) if earliest else None,
            precision=DatePrecision(data["precision"]),
        )


def day_mention(day: date) -> DateMention:
    return DateMention(day, day, DatePrecision.DAY)
