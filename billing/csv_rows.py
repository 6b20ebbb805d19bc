"""Reading the customers and invoices CSV files into validated rows, reporting every bad line."""

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from billing.documents import parse_document
from billing.errors import InvalidValue, LedgerError
from billing.models import InvoiceStatus, Segment
from billing.money import parse_reais
from billing.phones import normalize_phone
from quita.clock import BUSINESS_TZ

CUSTOMER_COLUMNS = ("external_id", "name", "document", "phone", "email", "state", "segment")
INVOICE_COLUMNS = (
    "external_id",
    "customer_external_id",
    "amount",
    "due_date",
    "reference_month",
    "status",
    "paid_at",
)
OPTIONAL_COLUMNS = frozenset({"email", "segment", "paid_at"})
STATES = frozenset(
    "AC AL AP AM BA CE DF ES GO MA MT MS MG PA PB PR PE PI RJ RN RS RO RR SC SP SE TO".split()  # noqa: SIM905
)
STATUS_WORDS = {
    "open": InvoiceStatus.OPEN,
    "aberto": InvoiceStatus.OPEN,
    "aberta": InvoiceStatus.OPEN,
    "paid": InvoiceStatus.PAID,
    "pago": InvoiceStatus.PAID,
    "paga": InvoiceStatus.PAID,
    "cancelled": InvoiceStatus.CANCELLED,
    "canceled": InvoiceStatus.CANCELLED,
    "cancelado": InvoiceStatus.CANCELLED,
    "cancelada": InvoiceStatus.CANCELLED,
}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# A paid date without a time is stored at noon in São Paulo so no zone shift moves its day.
DATE_ONLY_PAYMENT_TIME = time(12, 0)

Row = TypeVar("Row")


@dataclass(frozen=True)
class RowError:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ImportRejected(LedgerError):
    """At least one row is bad; nothing was written. `errors` lists every bad row."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        shown = "\n".join(str(error) for error in errors[:50])
        more = f"\n... and {len(errors) - 50} more" if len(errors) > 50 else ""
        super().__init__(f"{len(errors)} bad row(s); nothing was imported\n{shown}{more}")


@dataclass(frozen=True)
class CustomerRow:
    line: int
    external_id: str
    name: str
    document: str
    document_kind: str
    phone: str
    email: str | None
    state: str
    segment: str | None


@dataclass(frozen=True)
class InvoiceRow:
    line: int
    external_id: str
    customer_external_id: str
    amount: Decimal
    due_date: date
    reference_month: str
    status: str
    paid_at: datetime | None


def read_customers(path: Path, errors: list[RowError]) -> list[CustomerRow]:
    """Valid rows of a customers file; each bad row is appended to `errors`."""
    return _read(path, CUSTOMER_COLUMNS, _customer, errors)


def read_invoices(path: Path, errors: list[RowError]) -> list[InvoiceRow]:
    """Valid rows of an invoices file; each bad row is appended to `errors`."""
    return _read(path, INVOICE_COLUMNS, _invoice, errors)


def _read(
    path: Path,
    columns: tuple[str, ...],
    build: Callable[[int, dict[str, str]], Row],
    errors: list[RowError],
) -> list[Row]:
    rows: list[Row] = []
    seen: dict[str, int] = {}
    try:
        records = list(_records(path, columns))
    except InvalidValue as error:
        errors.append(RowError(str(path), 1, str(error)))
        return rows
    for line, record in records:
        try:
            if isinstance(record, InvalidValue):
                raise record
            _check_unique(record["external_id"].strip(), line, seen)
            rows.append(build(line, record))
        except InvalidValue as error:
            errors.append(RowError(str(path), line, str(error)))
    return rows


def _records(
    path: Path, columns: tuple[str, ...]
) -> Iterator[tuple[int, dict[str, str] | InvalidValue]]:
    text = decode_text(path.read_bytes())
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    names = [name.strip().lower() for name in next(reader, [])]
    _check_header(names, columns)
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(names):
            yield (
                reader.line_num,
                InvalidValue(f"expected {len(names)} columns, found {len(cells)}"),
            )
            continue
        yield reader.line_num, dict(zip(names, cells, strict=True))


def decode_text(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252; InvalidValue when it is neither."""
    # Spreadsheets in Brazil often save CSV as Windows-1252, and banks' files come back so
    # after an edit on Windows.
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        raise InvalidValue("the file is not text (neither UTF-8 nor Windows-1252)") from None


def _check_header(names: list[str], columns: tuple[str, ...]) -> None:
    missing = [name for name in columns if name not in names and name not in OPTIONAL_COLUMNS]
    unknown = [name for name in names if name not in columns]
    if missing or unknown:
        parts = [f"missing column(s): {', '.join(missing)}"] if missing else []
        parts += [f"unknown column(s): {', '.join(unknown)}"] if unknown else []
        raise InvalidValue(f"{'; '.join(parts)} (expected: {','.join(columns)})")
    if len(set(names)) != len(names):
        raise InvalidValue("a column name appears twice in the header")


def _check_unique(external_id: str, line: int, seen: dict[str, int]) -> None:
    if external_id in seen:
        raise InvalidValue(
            f"duplicate external_id {external_id!r} (first at line {seen[external_id]})"
        )
    if external_id:
        seen[external_id] = line


def _customer(line: int, record: dict[str, str]) -> CustomerRow:
    document = parse_document(_required(record, "document"))
    return CustomerRow(
        line=line,
        external_id=_identifier(record, "external_id"),
        name=_text(record, "name", 200),
        document=document.value,
        document_kind=document.kind,
        phone=normalize_phone(_required(record, "phone")),
        email=_email(record.get("email", "")),
        state=_state(_required(record, "state")),
        segment=_segment(record.get("segment", "")),
    )


def _invoice(line: int, record: dict[str, str]) -> InvoiceRow:
    status = _status(_required(record, "status"))
    paid_at = _paid_at(record.get("paid_at", ""))
    if status == InvoiceStatus.PAID and paid_at is None:
        raise InvalidValue("status is paid but paid_at is empty")
    if status != InvoiceStatus.PAID and paid_at is not None:
        raise InvalidValue(f"paid_at is set but status is {status}")
    return InvoiceRow(
        line=line,
        external_id=_identifier(record, "external_id"),
        customer_external_id=_identifier(record, "customer_external_id"),
        amount=_amount(_required(record, "amount")),
        due_date=_iso_date(_required(record, "due_date"), "due_date"),
        reference_month=_reference_month(_required(record, "reference_month")),
        status=status,
        paid_at=paid_at,
    )


def _required(record: dict[str, str], column: str) -> str:
    value = record.get(column, "").strip()
    if not value:
        raise InvalidValue(f"{column} is empty")
    return value


def _identifier(record: dict[str, str], column: str) -> str:
    return _text(record, column, 64)


def _text(record: dict[str, str], column: str, limit: int) -> str:
    value = " ".join(_required(record, column).split())
    if len(value) > limit:
        raise InvalidValue(f"{column} is longer than {limit} characters")
    return value


def _email(raw: str) -> str | None:
    value = raw.strip().lower()
    if not value:
        return None
    if len(value) > 254 or not EMAIL.match(value):
        raise InvalidValue(f"email is not a valid address: {value!r}")
    return value


def _state(raw: str) -> str:
    value = raw.upper()
    if value not in STATES:
        raise InvalidValue(f"state must be a Brazilian UF such as SP or MG, got {raw!r}")
    return value


def _segment(raw: str) -> str | None:
    value = re.sub(r"[\s-]+", "_", raw.strip().lower())
    if not value:
        return None
    if value not in {segment.value for segment in Segment}:
        valid = ", ".join(segment.value for segment in Segment)
        raise InvalidValue(f"segment {raw!r} is not one of: {valid}")
    return value


def _status(raw: str) -> str:
    status = STATUS_WORDS.get(raw.lower())
    if status is None:
        raise InvalidValue(f"status must be open, paid or cancelled, got {raw!r}")
    return status.value


def _amount(raw: str) -> Decimal:
    amount = parse_reais(raw)
    if amount <= 0:
        raise InvalidValue(f"amount must be greater than zero, got {raw!r}")
    return amount


def _iso_date(raw: str, column: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidValue(f"{column} is not an ISO date (YYYY-MM-DD): {raw!r}") from None


def _reference_month(raw: str) -> str:
    match = re.fullmatch(r"(\d{4})-(\d{2})|(\d{2})/(\d{4})", raw)
    if match is None:
        raise InvalidValue(f"reference_month must be YYYY-MM, got {raw!r}")
    year, month = (match[1], match[2]) if match[1] else (match[4], match[3])
    if not 1 <= int(month) <= 12:
        raise InvalidValue(f"reference_month has no month {month}: {raw!r}")
    return f"{year}-{month}"


def _paid_at(raw: str) -> datetime | None:
    value = raw.strip()
    if not value:
        return None
    if len(value) == 10:
        return datetime.combine(_iso_date(value, "paid_at"), DATE_ONLY_PAYMENT_TIME, BUSINESS_TZ)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidValue(f"paid_at is not an ISO date or date-time: {raw!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=BUSINESS_TZ)
