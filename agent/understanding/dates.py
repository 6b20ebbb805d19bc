"""Dates as debtors write them, resolved against `today` (the business date in São Paulo).

A mention resolves to a range `earliest`..`value`. `value` is the *last* day the words allow,
because a promise to pay is kept when paid by then ("semana que vem" -> next Friday, "fim do
mes" -> the month's last day); `precision` tells the dialogue whether to confirm a day.

- "hoje", "amanha", "depois de amanha", "ontem": that day.
- weekday ("sexta", "sexta feira", "na segunda", "prox terca", "sexta que vem"): the next
  such day strictly after today; "essa/esta sexta" may be today; with "semana que vem" in the
  message, that weekday of next week. Looking back (`past=True`), the last one before today.
- "dia 15": this month unless already past, else next month (clamped: "dia 31" in February is
  the 28th or 29th); "dia 15 do mes que vem" forces next month.
- "15/12", "15/12/2026", "15 de dezembro": this year unless past, else next year.
- "daqui 3 dias", "em uma semana", "daqui a 2 meses": today plus that.
- "semana que vem" / "proxima semana": WEEK, next Monday..Friday. "fim de semana": WEEK.
- "fim do mes": MONTH, the 25th (or today) .. the last day; "inicio do mes (que vem)": MONTH,
  next month's 1st..10th; "meio do mes": 10th..20th; "mes que vem": all of next month.
- "quando receber", "dia do pagamento", "assim que der": UNKNOWN, no value: ask for a day.

When several are present the most specific wins (explicit date, "dia N", relative day,
weekday, week, month, unknown).
"""

import calendar
import re
from collections.abc import Callable, Sequence
from datetime import date, timedelta

from agent.understanding import lexicon
from agent.understanding.date_mention import DateMention, DatePrecision, day_mention
from agent.understanding.normalize import tokenize
from agent.understanding.numbers import word_number

__all__ = [
    "DateMention",
    "DatePrecision",
    "day_mention",
    "day_of_month",
    "find_date",
    "locate_date",
]

_WEEKDAY_NAMES = "|".join(lexicon.WEEKDAYS)
_MONTH_NAMES = "|".join([*lexicon.MONTHS, *lexicon.MONTH_ABBREVIATIONS])
_DAY = r"(?P<day>\d{1,2}|primeiro|[a-z]+(?: e [a-z]+)?)"
# Words after "segunda", "quarta"... that make it an ordinal ("segunda via"), not a weekday.
_ORDINAL_NOUNS = frozenset(
    {"via", "parcela", "parcelas", "vez", "opcao", "prestacao", "fatura", "conta", "boleto",
     "mensalidade", "proposta", "alternativa", "oferta", "chance", "cobranca"}
)  # fmt: skip
_ORDINAL_ARTICLES = frozenset({"a", "o", "da", "do", "pela", "pelo"})
# A message without any of these words (or a digit) names no date: a cheap early exit.
_DATE_WORDS = frozenset(
    {"hoje", "amanha", "ontem", "anteontem", "dia", "dias", "semana", "semanas", "mes", "meses",
     "pouco", "quando", "assim", "logo", "depois", "apos", "breve", "qualquer", "frente",
     *lexicon.WEEKDAYS, *lexicon.MONTHS}
)  # fmt: skip
_NEXT_WEEK = r"(?:semana que vem|proxima semana|semana seguinte)"


def day_of_month(day: int, today: date, *, past: bool = False) -> date:
    """The day "dia `day`" means: this month unless already past (looking back: unless still
    to come), else the next (previous) month; clamped to the month's length."""
    this_month = _clamped(today.year, today.month, day)
    if past:
        return this_month if this_month <= today else _clamped(*_shift_month(today, -1), day)
    return this_month if this_month >= today else _clamped(*_shift_month(today, 1), day)


def find_date(text: str, *, today: date, past: bool = False) -> DateMention | None:
    """The most specific date mentioned in `text` (see the module docstring), or None."""
    located = locate_date(tokenize(text), today, past=past)
    return located[0] if located is not None else None


def locate_date(
    tokens: Sequence[str], today: date, *, past: bool = False
) -> tuple[DateMention, int, int] | None:
    """The most specific date in `tokens`, with the token span [start, end) it covers."""
    if _DATE_WORDS.isdisjoint(tokens) and not any(token[:1].isdigit() for token in tokens):
        return None
    text = " " + " ".join(tokens) + " "
    for finder in _FINDERS:
        found = finder(text, today, past)
        if found is not None:
            mention, match = found
            start = text.count(" ", 0, match.start() + 1) - 1
            end = text.count(" ", 0, match.end() - 1)
            return mention, start, end
    return None


_Found = tuple[DateMention, re.Match[str]] | None


def _explicit(text: str, today: date, past: bool) -> _Found:
    return _numeric(text, today, past) or _named_month(text, today, past)


def _numeric(text: str, today: date, past: bool) -> _Found:
    for match in _NUMERIC.finditer(text):
        if match.group("iso"):
            day, month, year = (int(match.group(k)) for k in ("iday", "imonth", "iyear"))
        else:
            day, month = int(match.group("day")), int(match.group("month"))
            year = int(match.group("year")) if match.group("year") else 0
            year += 2000 if 0 < year < 100 else 0
        found = _valid(day, month, year or None, today, past)
        if found is not None:
            return day_mention(found), match
    return None


def _named_month(text: str, today: date, past: bool) -> _Found:
    for match in _DAY_OF_MONTH_NAME.finditer(text):
        day = _day_number(match.group("day"))
        name = match.group("month")
        month = lexicon.MONTHS.get(name) or lexicon.MONTH_ABBREVIATIONS[name]
        year = int(match.group("year")) if match.group("year") else None
        found = _valid(day, month, year, today, past) if day else None
        if found is not None:
            return day_mention(found), match
    return None


def _dia(text: str, today: date, past: bool) -> _Found:
    for match in _DIA.finditer(text):
        day = _day_number(match.group("day"))
        if day is None:
            continue
        if match.group("next"):
            year, month = _shift_month(today, 1)
            return day_mention(_clamped(year, month, day)), match
        return day_mention(day_of_month(day, today, past=past)), match
    return None


def _relative_day(text: str, today: date, past: bool) -> _Found:
    match = _RELATIVE.search(text)
    if match is None:
        return None
    return day_mention(today + timedelta(days=_RELATIVE_DAYS[match.group("word")])), match


def _from_now(text: str, today: date, past: bool) -> _Found:
    for match in _FROM_NOW.finditer(text):
        count = _count(match.group("n") or match.group("n2"))
        if count is None:
            continue
        unit = match.group("unit") or match.group("unit2")
        if unit.startswith("mes"):
            year, month = _shift_month(today, count)
            return day_mention(_clamped(year, month, today.day)), match
        days = count * (7 if unit.startswith("semana") else 1)
        return day_mention(today + timedelta(days=days)), match
    return None


def _weekday(text: str, today: date, past: bool) -> _Found:
    for match in _WEEKDAY.finditer(text):
        after = (text[match.end() :].split(maxsplit=1) or [""])[0]
        before = text[: match.start()].rsplit(" ", 1)[-1]
        if not match.group("feira") and (after in _ORDINAL_NOUNS or before in _ORDINAL_ARTICLES):
            continue
        target = lexicon.WEEKDAYS[match.group("name")]
        if re.search(_NEXT_WEEK, text) and not past:
            monday = today + timedelta(days=7 - today.weekday())
            return day_mention(monday + timedelta(days=target)), match
        inclusive = match.group("mod") in {"essa", "esta", "nessa", "nesta"}
        return day_mention(_next_weekday(today, target, inclusive, past)), match
    return None


def _month(text: str, today: date, past: bool) -> _Found:
    match = _MONTH_PART.search(text) or _MONTH_WHOLE.search(text)
    if match is None:
        return None
    groups = match.groupdict()
    part = groups.get("part")
    which = groups.get("which")
    shift = -1 if which == "passado" else int(bool(which or groups["pre"]))
    if part in {"inicio", "comeco"}:
        shift = max(shift, 1)  # "no inicio do mes" said mid-month means the next one
    year, month = _shift_month(today, shift)
    last = calendar.monthrange(year, month)[1]
    first_day, last_day = _MONTH_PARTS.get(part or "", (1, last))
    last_day = min(last_day, last)
    if part == "meio" and shift == 0 and date(year, month, last_day) < today:
        year, month = _shift_month(today, 1)
    earliest = date(year, month, first_day)
    if shift == 0:
        earliest = max(earliest, today)
    return DateMention(date(year, month, last_day), earliest, DatePrecision.MONTH), match


def _unknown(text: str, today: date, past: bool) -> _Found:
    match = _UNKNOWN.search(text)
    if match is None:
        return None
    return DateMention(None, None, DatePrecision.UNKNOWN), match


_NUMERIC = re.compile(
    r" (?:(?P<day>\d{1,2})[/-](?P<month>\d{1,2})(?:[/-](?P<year>\d{4}|\d{2}))?"
    r"|(?P<iso>(?P<iyear>\d{4})-(?P<imonth>\d{2})-(?P<iday>\d{2}))) "
)
_DAY_OF_MONTH_NAME = re.compile(
    rf" (?:dia )?{_DAY} de (?P<month>{_MONTH_NAMES})(?: de (?P<year>\d{{4}}))? "
)
_DIA = re.compile(
    rf" dia {_DAY}(?P<next> (?:do|no|de) (?:mes que vem|proxima mes|proximo mes))?(?= )"
)
_RELATIVE_DAYS = {"hoje": 0, "daqui a pouco": 0, "amanha": 1, "depois de amanha": 2,
                  "ontem": -1, "anteontem": -2, "antes de ontem": -2}  # fmt: skip
_RELATIVE = re.compile(rf" (?P<word>{'|'.join(sorted(_RELATIVE_DAYS, key=len, reverse=True))}) ")
# "em 3 dias", "daqui a 2 semanas", "daqui a um mes"; "em 18 meses" is an installment plan.
_FROM_NOW = re.compile(
    r" (?:(?:daqui|dentro de|apos|depois de)(?: a)? (?P<n>\d+|[a-z]+(?: e [a-z]+)?) "
    r"(?P<unit>dias?|semanas?|mes|meses)"
    r"|em (?P<n2>\d+|[a-z]+(?: e [a-z]+)?) (?P<unit2>dias?|semanas?|mes)) "
)
_WEEKDAY = re.compile(
    rf"(?: (?P<mod>proxima|essa|esta|nessa|nesta))? (?P<name>{_WEEKDAY_NAMES})"
    r"(?P<feira> feira)?(?= )"
)
_WEEK = re.compile(
    rf" (?:(?P<which>essa|esta|nessa|nesta) semana|{_NEXT_WEEK}|semana (?P<which2>passada)"
    r"|(?:no |num )?(?P<weekend>fim|final) de semana) "
)
_MONTH_PART = re.compile(
    r" (?P<part>fim|final|inicio|comeco|meio) (?:do|deste|desse|de|no) (?P<pre>proxim[oa] )?"
    r"mes(?: (?P<which>que vem|passado))? "
)
_MONTH_WHOLE = re.compile(r" (?:(?P<pre>proxim[oa]) mes|mes (?P<which>que vem|passado)) ")
_MONTH_PARTS = {"fim": (25, 31), "final": (25, 31), "inicio": (1, 10), "comeco": (1, 10),
                "meio": (10, 20)}  # fmt: skip
_UNKNOWN = re.compile(
    r" (?:(?:quando|assim que|logo que|depois que|so quando|apos) (?:eu |a gente |nos )?"
    r"(?:receber|recebo|receba|tiver|der|puder|conseguir|cair|sair|entrar|pingar|arrumar)"
    r"|(?:quando|assim que) (?:o |meu |a )?(?:salario|pagamento|dinheiro|beneficio|auxilio"
    r"|bolsa) (?:cair|sair|entrar|vier|chegar)"
    r"|dia do (?:meu )?(?:pagamento|salario|beneficio)|em breve|uns dias|alguns dias"
    r"|mais para frente|qualquer dia) "
)


def _week(text: str, today: date, past: bool) -> _Found:
    match = _WEEK.search(text)
    if match is None:
        return None
    if match.group("weekend"):
        which = "fim"
    elif match.group("which2"):
        which = "passada"
    elif match.group("which"):
        which = "essa"
    else:
        which = "que vem"
    return _week_of(which, today), match


def _week_of(which: str, today: date) -> DateMention:
    monday = today - timedelta(days=today.weekday())
    if which == "passada":
        start = monday - timedelta(days=7)
        return DateMention(start + timedelta(days=4), start, DatePrecision.WEEK)
    if which == "fim":
        saturday = monday + timedelta(days=5)
        return DateMention(saturday + timedelta(days=1), max(today, saturday), DatePrecision.WEEK)
    if which == "essa":
        return DateMention(max(monday + timedelta(days=4), today), today, DatePrecision.WEEK)
    start = monday + timedelta(days=7)
    return DateMention(start + timedelta(days=4), start, DatePrecision.WEEK)


_FINDERS: tuple[Callable[[str, date, bool], _Found], ...] = (
    _explicit,
    _dia,
    _relative_day,
    _from_now,
    _weekday,
    _week,
    _month,
    _unknown,
)


def _valid(day: int, month: int, year: int | None, today: date, past: bool) -> date | None:
    """An explicit day and month; without a year, this year unless past (looking back: unless
    still to come). A day past the month's end is clamped ("31/02" is the 28th or 29th); a
    month or day out of range is no date."""
    if not (1 <= month <= 12 and 1 <= day <= 31) or (year is not None and year < 1):
        return None
    if year is not None:
        return _clamped(year, month, day)
    found = _clamped(today.year, month, day)
    if past and found > today:
        return _clamped(today.year - 1, month, day)
    if not past and found < today:
        return _clamped(today.year + 1, month, day)
    return found


def _day_number(raw: str) -> int | None:
    if raw == "primeiro":
        return 1
    value = _count(raw)
    return value if value is not None and 1 <= value <= 31 else None


def _count(raw: str) -> int | None:
    if raw.isdigit():
        return int(raw)
    words = raw.split()
    found = word_number(words, 0)
    return found[0] if found is not None and found[1] == len(words) else None


def _clamped(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _shift_month(today: date, months: int) -> tuple[int, int]:
    index = today.year * 12 + today.month - 1 + months
    return index // 12, index % 12 + 1


def _next_weekday(today: date, target: int, inclusive: bool, past: bool) -> date:
    if past:
        back = (today.weekday() - target) % 7 or 7
        return today - timedelta(days=back)
    ahead = (target - today.weekday()) % 7
    if ahead == 0 and not inclusive:
        ahead = 7
    return today + timedelta(days=ahead)
