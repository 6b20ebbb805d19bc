"""Figures in pt-BR text: amounts (R$), dates, percentages and installment counts.

The outbound guard compares the figures of a reply with those tools produced; a text a tool
returned (a knowledge passage) is grounded by the figures it contains.
"""

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from tools.base import Grounding

AMOUNT = re.compile(r"R\$\s*(\d{1,3}(?:\.\d{3})*(?:,\d{2})?|\d+(?:,\d{2})?)")
FULL_DATE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})(?![\d/])")
SHORT_DATE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?![\d/])")
PERCENT = re.compile(r"(\d+(?:,\d+)?)\s?%")
INSTALLMENTS = re.compile(r"(?<![\d,.])(\d{1,2})\s?(?:x\b|vezes\b|parcelas?\b|prestaç(?:ão|ões)\b)")


def extract(text: str, today: date) -> Grounding:
    """Every figure stated in `text`; a date without a year is read in `today`'s year and,
    should it not exist there (29/02), the next one."""
    found = Grounding()
    found.amounts = {value for value in map(_amount, AMOUNT.findall(text)) if value}
    found.dates = {value for value in map(_full, FULL_DATE.findall(text)) if value}
    for day, month in SHORT_DATE.findall(FULL_DATE.sub(" ", text)):
        found.dates |= {value for value in _short(day, month, today) if value}
    found.percents = {Decimal(value.replace(",", ".")) for value in PERCENT.findall(text)}
    found.counts = {int(value) for value in INSTALLMENTS.findall(text)}
    return found


def ungrounded(text: str, grounded: Grounding, today: date) -> list[str]:
    """The figures of `text` no tool produced, written for a log line. A date without a year
    counts as grounded when a tool produced that day and month in any year."""
    reply = extract(FULL_DATE.sub(" ", text), today)
    missing = [f"R$ {value}" for value in sorted(reply.amounts - grounded.amounts)]
    missing += [value.isoformat() for value in sorted(_full_dates(text) - grounded.dates - {today})]
    known_days = {(value.day, value.month) for value in grounded.dates | {today}}
    missing += [
        f"{day}/{month}"
        for day, month in sorted({(value.day, value.month) for value in reply.dates})
        if (day, month) not in known_days
    ]
    missing += [f"{value}%" for value in sorted(reply.percents - grounded.percents)]
    missing += [f"{value}x" for value in sorted(reply.counts - grounded.counts - {1})]
    return missing


def _full_dates(text: str) -> set[date]:
    return {value for value in map(_full, FULL_DATE.findall(text)) if value}


def _amount(raw: str) -> Decimal | None:
    try:
        return Decimal(raw.replace(".", "").replace(",", ".")).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None


def _full(match: tuple[str, str, str]) -> date | None:
    day, month, year = match
    full_year = int(year) + 2000 if len(year) == 2 else int(year)
    return _date(full_year, int(month), int(day))


def _short(day: str, month: str, today: date) -> list[date | None]:
    return [_date(today.year, int(month), int(day)), _date(today.year + 1, int(month), int(day))]


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
