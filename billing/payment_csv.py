"""The payments CSV: external_id, reference, amount, paid_at; one payment a row, header required."""

import csv
import io
import re
from collections.abc import Iterator
from datetime import date, datetime

from billing.csv_rows import DATE_ONLY_PAYMENT_TIME, RowError
from billing.errors import InvalidValue
from billing.money import parse_reais
from billing.notices import IncomingPayment, NoticeSource
from quita.clock import BUSINESS_TZ

COLUMNS = ("external_id", "reference", "amount", "paid_at")
MAX_ID_LENGTH = 64


def is_payment_csv_header(line: str) -> bool:
    """Whether `line` reads as this file's header: one of its cells, by , or ;, is "amount"."""
    cells = re.split(r"[;,]", line.lower())
    return "amount" in {cell.strip().strip('"').strip() for cell in cells}


def parse_payment_csv(text: str, path: str, errors: list[RowError]) -> list[IncomingPayment]:
    """The payments in `text`, the decoded file; each bad row is appended to `errors`.

    Separated by commas or semicolons (the header decides); amounts in reais as staff type them
    ("1.234,56" or "1234.56"); paid_at an ISO date (taken at noon in São Paulo) or date-time (in
    São Paulo when it names no zone). When any row is bad the list is incomplete.
    """
    payments: list[IncomingPayment] = []
    first_seen: dict[str, int] = {}
    for line, record in _records(text):
        try:
            if isinstance(record, InvalidValue):
                raise record
            payment = _payment(record)
            first = first_seen.setdefault(payment.source_ref, line)
            if first != line:
                duplicate = payment.raw["external_id"]
                raise InvalidValue(f"duplicate external_id {duplicate!r} (first at line {first})")
            payments.append(payment)
        except InvalidValue as error:
            errors.append(RowError(path, line, str(error)))
    return payments


def _records(text: str) -> Iterator[tuple[int, dict[str, str] | InvalidValue]]:
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    names = [name.strip().lower() for name in next(reader, [])]
    try:
        _check_header(names)
    except InvalidValue as error:
        yield 1, error
        return

    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(names):
                found = InvalidValue(f"expected {len(names)} columns, found {len(cells)}")
                yield reader.line_num, found
                continue
            yield reader.line_num, dict(zip(names, cells, strict=True))
    except csv.Error as error:
        # The reader cannot go past a broken quote or a NUL byte, so this ends the file.
        yield reader.line_num, InvalidValue(f"not readable as CSV: {error}")


def _check_header(names: list[str]) -> None:
    missing = [name for name in COLUMNS if name not in names]
    unknown = [name for name in names if name not in COLUMNS]
    if missing or unknown:
        parts = [f"missing column(s): {', '.join(missing)}"] if missing else []
        parts += [f"unknown column(s): {', '.join(unknown)}"] if unknown else []
        raise InvalidValue(f"{'; '.join(parts)} (expected: {','.join(COLUMNS)})")
    if len(set(names)) != len(names):
        raise InvalidValue("a column name appears twice in the header")


def _payment(record: dict[str, str]) -> IncomingPayment:
    external_id = _identifier(record, "external_id")
    amount = parse_reais(_required(record, "amount"))
    if amount <= 0:
        raise InvalidValue(f"amount must be greater than zero, got {record['amount'].strip()!r}")
    return IncomingPayment(
        source=NoticeSource.CSV,
        source_ref=f"csv:{external_id}",
        reference=_identifier(record, "reference"),
        amount=amount,
        paid_at=_paid_at(_required(record, "paid_at")),
        raw={column: record[column].strip() for column in COLUMNS},
    )


def _required(record: dict[str, str], column: str) -> str:
    value = record[column].strip()
    if not value:
        raise InvalidValue(f"{column} is empty")
    return value


def _identifier(record: dict[str, str], column: str) -> str:
    value = _required(record, column)
    if len(value) > MAX_ID_LENGTH:
        raise InvalidValue(f"{column} is longer than {MAX_ID_LENGTH} characters")
    return value


def _paid_at(value: str) -> datetime:
    try:
        return datetime.combine(date.fromisoformat(value), DATE_ONLY_PAYMENT_TIME, BUSINESS_TZ)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidValue(f"paid_at is not an ISO date or date-time: {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=BUSINESS_TZ)
