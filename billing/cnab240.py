"""CNAB 240 cobrança retorno (FEBRABAN layout v10.x): the liquidations a bank reports, as payments.

Positions count from 1 and include both ends, as the FEBRABAN manual prints them. Values are 13
digits of reais and 2 implied decimals; dates are DDMMAAAA, and 00000000 means "no date".

    record (position 8)   positions read
    0 header de arquivo   1-3 bank code, 4-7 lote "0000", 143 "2" = retorno ("1" = remessa)
    1 header de lote      4-7 lote number (0001, 0002, ... in order), 10-11 service "01" = cobrança
    3 detalhe, segment T  9-13 sequence in the lote, 14 "T", 16-17 código de movimento retorno,
                          38-57 nosso número, 59-73 seu número, 82-96 valor nominal do título
    3 detalhe, segment U  9-13 sequence (the T's plus 1), 14 "U", 16-17 código de movimento,
                          78-92 valor pago, 138-145 data da ocorrência, 146-153 data do crédito
    5 trailer de lote     18-23 records in the lote, its header and trailer included
    9 trailer de arquivo  18-23 lotes, 24-29 records in the file, its header and trailer included

A file is one 0, then lotes (a 1, T+U pairs, a 5), then one 9; every record is 240 characters,
and detail sequence numbers run 1, 2, 3, ... within each lote, so a U follows its T by one.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple, TypeVar

from billing.csv_rows import DATE_ONLY_PAYMENT_TIME, RowError
from billing.errors import InvalidValue
from billing.money import from_centavos
from billing.notices import IncomingPayment, NoticeSource
from quita.clock import BUSINESS_TZ

RECORD_LENGTH = 240
RETORNO = "2"
COBRANCA = "01"
# FEBRABAN's códigos de movimento retorno in which the payer's money arrived: 06 liquidação and
# 17 liquidação após baixa (or of a título not registered). Every other code is skipped.
LIQUIDATIONS = frozenset({"06", "17"})


class Field(NamedTuple):
    """A fixed-width field: `start` and `end` are positions counted from 1, both included."""

    name: str
    start: int
    end: int

    def of(self, record: str) -> str:
        return record[self.start - 1 : self.end]

    @property
    def label(self) -> str:
        if self.start == self.end:
            return f"{self.name} (position {self.start})"
        return f"{self.name} (positions {self.start}-{self.end})"


BANK = Field("bank code", 1, 3)
LOTE = Field("lote number", 4, 7)
RECORD_TYPE = Field("record type", 8, 8)
SEQUENCE = Field("sequence number", 9, 13)
SEGMENT = Field("segment", 14, 14)
MOVEMENT = Field("código de movimento retorno", 16, 17)
FILE_KIND = Field("remessa/retorno code", 143, 143)
SERVICE = Field("service type", 10, 11)
NOSSO_NUMERO = Field("nosso número", 38, 57)
SEU_NUMERO = Field("seu número", 59, 73)
TITLE_VALUE = Field("valor nominal do título", 82, 96)
PAID_VALUE = Field("valor pago", 78, 92)
OCCURRENCE_DATE = Field("data da ocorrência", 138, 145)
CREDIT_DATE = Field("data do crédito", 146, 153)
LOTE_RECORDS = Field("records in the lote", 18, 23)
FILE_LOTES = Field("lotes in the file", 18, 23)
FILE_RECORDS = Field("records in the file", 24, 29)

# Positions 1-17 say where a record belongs (bank, lote, type, sequence, segment, movement).
_CONTROL_LENGTH = 17

Parsed = TypeVar("Parsed")


@dataclass(frozen=True)
class Cnab240Return:
    """A retorno's liquidations as payments; `skipped` counts the other codes, e.g. {"02": 1}."""

    bank: str
    payments: list[IncomingPayment]
    skipped: dict[str, int]


def parse_cnab240(lines: list[str], path: str, errors: list[RowError]) -> Cnab240Return:
    """Reads the records of a retorno, `lines` being the file's lines without their line ends.

    Every bad record is appended to `errors` as `path:line: message`; when any is, the payments
    returned are incomplete and must not be settled.
    """
    reader = _Reader(path, errors)
    for line, record in enumerate(lines, start=1):
        reader.read(line, record)
    return reader.finish(max(len(lines), 1))


@dataclass(frozen=True)
class _SegmentT:
    movement: str
    nosso_numero: str
    seu_numero: str
    title_value: Decimal


@dataclass(frozen=True)
class _SegmentU:
    movement: str
    paid_value: Decimal
    occurred: date
    credited: date | None


@dataclass
class _Lote:
    number: str
    line: int
    records: int = 1
    sequence: int = 0
    pending_t: tuple[int, str] | None = None


class _Reader:
    """Walks the records in order, keeping the open lote and the counts the trailers check."""

    def __init__(self, path: str, errors: list[RowError]) -> None:
        self.path = path
        self.errors = errors
        self.bank = ""
        self.lote: _Lote | None = None
        self.lotes = 0
        self.records = 0
        self.trailer_line: int | None = None
        self.payments: list[IncomingPayment] = []
        self.skipped: Counter[str] = Counter()
        self.first_seen: dict[str, int] = {}
        self.handlers: dict[str, Callable[[int, str], None]] = {
            "0": self._file_header,
            "1": self._lote_header,
            "3": self._detail,
            "5": self._lote_trailer,
            "9": self._file_trailer,
        }

    def read(self, line: int, record: str) -> None:
        if not record.strip():
            self.error(line, "blank line; every line of a CNAB 240 file is a record")
            return  # not a record, so the trailers must not count it

        self.records += 1
        if len(record) != RECORD_LENGTH:
            self.error(line, f"record has {len(record)} characters; CNAB 240 records have 240")
            if len(record) < _CONTROL_LENGTH:
                return
        if self.trailer_line is not None:
            self.error(line, f"record after the trailer de arquivo (line {self.trailer_line})")
            return

        kind = RECORD_TYPE.of(record)
        if self.records == 1 and kind != "0":
            self.error(line, "the first record must be the header de arquivo (record type 0)")
        if self.bank and BANK.of(record) != self.bank:
            self.error(line, f"bank code {BANK.of(record)!r} differs from the header's {self.bank}")
        handler = self.handlers.get(kind)
        if handler is None:
            self.error(line, f"record type {kind!r} (position 8) is not one of 0, 1, 3, 5, 9")
            if self.lote is not None:
                self.lote.records += 1  # still a record of the lote, as its trailer counts them
            return
        handler(line, record)

    def finish(self, last_line: int) -> Cnab240Return:
        if self.lote is not None:
            self._unclosed(self.lote, last_line)
        if self.trailer_line is None:
            self.error(last_line, "the file ends without a trailer de arquivo (record type 9)")
        return Cnab240Return(self.bank, self.payments, dict(sorted(self.skipped.items())))

    def error(self, line: int, message: str) -> None:
        self.errors.append(RowError(self.path, line, message))

    def _file_header(self, line: int, record: str) -> None:
        if self.records != 1:
            self.error(line, "a second header de arquivo (record type 0); a file has one, first")
            return

        self.bank = BANK.of(record)
        kind = FILE_KIND.of(record)
        if _whole(record) and kind != RETORNO:
            self.error(
                line,
                f"{FILE_KIND.label} is {kind!r}, expected '2': this is not a retorno"
                " ('1' is a remessa, the file sent to the bank)",
            )

    def _lote_header(self, line: int, record: str) -> None:
        if self.lote is not None:
            self._unclosed(self.lote, line)
        self.lotes += 1
        number = LOTE.of(record)
        if number != f"{self.lotes:04d}":
            self.error(line, f"{LOTE.label} is {number!r}, expected {self.lotes:04d}")
        service = SERVICE.of(record)
        if _whole(record) and service != COBRANCA:
            self.error(line, f"{SERVICE.label} is {service!r}; only cobrança ('01') is read")
        self.lote = _Lote(number, line)

    def _detail(self, line: int, record: str) -> None:
        lote = self._open_lote(line, record, "detail record (type 3)")
        if lote is None:
            return

        self._check_sequence(line, record, lote)
        segment = SEGMENT.of(record)
        if segment == "U" and lote.pending_t is None:
            self.error(line, "segment U without its segment T on the line before")
        elif segment == "U" and lote.pending_t is not None:
            t_line, t_record = lote.pending_t
            lote.pending_t = None
            self._pair(t_line, t_record, line, record)
        else:
            # FEBRABAN lets banks add optional segments (Y and others) after a pair; none of them
            # carries a payment, so only their place in the lote is checked.
            self._drop_pending_t(lote)
            lote.pending_t = (line, record) if segment == "T" else None

    def _lote_trailer(self, line: int, record: str) -> None:
        lote = self._open_lote(line, record, "trailer de lote (type 5)")
        if lote is None:
            return

        self._drop_pending_t(lote)
        self._check_count(line, record, LOTE_RECORDS, lote.records)
        self.lote = None

    def _file_trailer(self, line: int, record: str) -> None:
        if self.lote is not None:
            self._unclosed(self.lote, line)
            self.lote = None
        self._check_count(line, record, FILE_LOTES, self.lotes)
        self._check_count(line, record, FILE_RECORDS, self.records)
        self.trailer_line = line

    def _open_lote(self, line: int, record: str, what: str) -> _Lote | None:
        """The open lote, now counting this record; None (reported) when no lote is open."""
        lote = self.lote
        if lote is None:
            self.error(line, f"{what} outside a lote: no header de lote (type 1) opened one")
            return None

        lote.records += 1
        if LOTE.of(record) != lote.number:
            self.error(line, f"{LOTE.label} is {LOTE.of(record)!r}, but lote {lote.number} is open")
        return lote

    def _unclosed(self, lote: _Lote, line: int) -> None:
        self.error(line, f"lote {lote.number} (opened at line {lote.line}) has no trailer de lote")
        self._drop_pending_t(lote)

    def _drop_pending_t(self, lote: _Lote) -> None:
        if lote.pending_t is not None:
            self.error(lote.pending_t[0], "segment T is not followed by its segment U")
            lote.pending_t = None

    def _check_sequence(self, line: int, record: str, lote: _Lote) -> None:
        expected = lote.sequence + 1
        text = SEQUENCE.of(record)
        found = int(text) if _digits(text) else expected
        if found != expected or not _digits(text):
            self.error(line, f"{SEQUENCE.label} is {text!r}, expected {expected:05d}")
        # Going on from the larger number reports a gap or a repeated number once, not at every
        # later record.
        lote.sequence = max(found, expected)

    def _check_count(self, line: int, record: str, field: Field, counted: int) -> None:
        if not _whole(record):
            return
        stated = self._parsed(line, record, lambda whole: _number(whole, field))
        if stated is not None and stated != counted:
            self.error(line, f"{field.label} says {stated}, but {counted} were read")

    def _pair(self, t_line: int, t_record: str, u_line: int, u_record: str) -> None:
        if not (_whole(t_record) and _whole(u_record)):
            return  # the length is reported; its fields would be read from the wrong places

        t = self._parsed(t_line, t_record, _segment_t)
        u = self._parsed(u_line, u_record, _segment_u)
        if t is None or u is None:
            return
        if u.movement != t.movement:
            self.error(
                u_line,
                f"segment U has {MOVEMENT.name} {u.movement!r},"
                f" but its segment T (line {t_line}) has {t.movement!r}",
            )
        elif t.movement not in LIQUIDATIONS:
            self.skipped[t.movement] += 1
        else:
            self._add_payment(t_line, t, u_line, u)

    def _add_payment(self, t_line: int, t: _SegmentT, u_line: int, u: _SegmentU) -> None:
        if not t.nosso_numero.strip("0"):
            self.error(t_line, f"{NOSSO_NUMERO.label} is blank in a liquidação")
            return
        if u.paid_value <= 0:
            self.error(u_line, f"{PAID_VALUE.label} is zero in a liquidação")
            return

        payment = _payment(self.bank, t, u)
        first = self.first_seen.setdefault(payment.source_ref, t_line)
        if first != t_line:
            self.error(
                t_line,
                f"nosso número {t.nosso_numero} is liquidated twice on {u.occurred.isoformat()}"
                f" (first at line {first})",
            )
            return
        self.payments.append(payment)

    def _parsed(self, line: int, record: str, parse: Callable[[str], Parsed]) -> Parsed | None:
        try:
            return parse(record)
        except InvalidValue as error:
            self.error(line, str(error))
            return None


def _segment_t(record: str) -> _SegmentT:
    return _SegmentT(
        movement=f"{_number(record, MOVEMENT):02d}",
        nosso_numero=NOSSO_NUMERO.of(record).strip(),
        seu_numero=SEU_NUMERO.of(record).strip(),
        title_value=_amount(record, TITLE_VALUE),
    )


def _segment_u(record: str) -> _SegmentU:
    return _SegmentU(
        movement=f"{_number(record, MOVEMENT):02d}",
        paid_value=_amount(record, PAID_VALUE),
        occurred=_date(record, OCCURRENCE_DATE),
        credited=_optional_date(record, CREDIT_DATE),
    )


def _payment(bank: str, t: _SegmentT, u: _SegmentU) -> IncomingPayment:
    occurred = u.occurred.isoformat()
    return IncomingPayment(
        source=NoticeSource.BANK_RETURN,
        # Only what the bank keeps for the title goes in, so a re-delivered file gives the same id.
        source_ref=f"cnab240:{bank}:{t.nosso_numero}:{occurred}",
        reference=t.nosso_numero,
        amount=u.paid_value,
        paid_at=datetime.combine(u.occurred, DATE_ONLY_PAYMENT_TIME, BUSINESS_TZ),
        raw={
            "bank": bank,
            "movement": t.movement,
            "nosso_numero": t.nosso_numero,
            "seu_numero": t.seu_numero,
            "title_value": str(t.title_value),
            "paid_value": str(u.paid_value),
            "occurrence_date": occurred,
            "credit_date": "" if u.credited is None else u.credited.isoformat(),
        },
    )


def _amount(record: str, field: Field) -> Decimal:
    """The field's 13 + 2 digits as reais with exactly two places."""
    return from_centavos(_number(record, field))


def _number(record: str, field: Field) -> int:
    text = field.of(record)
    if not _digits(text):
        raise InvalidValue(f"{field.label} is not numeric: {text!r}")
    return int(text)


def _date(record: str, field: Field) -> date:
    text = field.of(record)
    try:
        if _digits(text):
            return date(int(text[4:8]), int(text[2:4]), int(text[0:2]))
    except ValueError:
        pass
    raise InvalidValue(f"{field.label} is not a valid DDMMAAAA date: {text!r}")


def _optional_date(record: str, field: Field) -> date | None:
    """The date, or None when the bank leaves the field zeroed or blank."""
    if not field.of(record).strip(" 0"):
        return None
    return _date(record, field)


def _digits(text: str) -> bool:
    # str.isdigit alone would take other scripts' digits, such as "٣".
    return text.isascii() and text.isdigit()


def _whole(record: str) -> bool:
    return len(record) == RECORD_LENGTH
