"""Reading a bank return file, a CNAB 240 retorno or the payments CSV, into incoming payments."""

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from billing.cnab240 import parse_cnab240
from billing.csv_rows import ImportRejected, RowError, decode_text
from billing.errors import InvalidValue
from billing.notices import IncomingPayment
from billing.payment_csv import COLUMNS, is_payment_csv_header, parse_payment_csv

logger = logging.getLogger(__name__)

CNAB240 = "cnab240"
CSV = "csv"
# Bank code (positions 1-3), lote "0000" (4-7) and record type "0" (8): a CNAB 240 file header.
_CNAB240_FILE_HEADER = re.compile(r"[0-9]{3}00000")
# Limitation: CNAB 400 retornos, still sent by some banks, are recognised only to be refused
# with a clear message; the ISP has to ask its bank for CNAB 240 or hand in the payments CSV.
_CNAB400_FILE_HEADER = "02RETORNO"
_CNAB400_LENGTH = 400
_EXPECTED = (
    "expected a CNAB 240 retorno (240-character lines, the first a header de arquivo: a 3-digit"
    f" bank code, lote 0000, record type 0) or a CSV with the header {','.join(COLUMNS)}"
)


class ReturnFileRejected(ImportRejected):
    """The file is not readable or at least one line is bad, so no payment is returned.

    `errors` lists every bad line, each shown as `file:line: message`.
    """


@dataclass(frozen=True)
class ReturnFile:
    """What a return file holds: its payments and, for CNAB 240, the occurrences skipped.

    `format` is CNAB240 or CSV; `skipped` counts the códigos de movimento that are not a
    liquidação, e.g. {"02": 1} for an "entrada confirmada".
    """

    format: str
    payments: list[IncomingPayment]
    skipped: dict[str, int]


def read_payments(path: Path) -> list[IncomingPayment]:
    """The payments in the return file at `path`, whose format is detected from its first line.

    Amounts are reais with two places; `paid_at` is aware, a date alone taken at noon in São
    Paulo. Raises ReturnFileRejected listing every bad line, and OSError if the file is unreadable.
    """
    return read_return_file(path).payments


def read_return_file(path: Path) -> ReturnFile:
    """Like `read_payments`, also saying which format was read and what was skipped."""
    name = str(path)
    try:
        text = _decode(path.read_bytes())
        file_format = _detect(text)
    except InvalidValue as error:
        raise ReturnFileRejected([RowError(name, 1, str(error))]) from None

    errors: list[RowError] = []
    if file_format == CNAB240:
        cnab = parse_cnab240(_lines(text), name, errors)
        result = ReturnFile(CNAB240, cnab.payments, cnab.skipped)
    else:
        result = ReturnFile(CSV, parse_payment_csv(text, name, errors), {})
    if errors:
        raise ReturnFileRejected(errors)

    logger.info(
        "read %d payment(s) from the %s return file %s, skipping %s",
        len(result.payments),
        result.format,
        path.name,
        result.skipped or "nothing",
    )
    return result


def _decode(raw: bytes) -> str:
    try:
        return decode_text(raw)
    except InvalidValue:
        raise InvalidValue(f"the file is not text; {_EXPECTED}") from None


def _detect(text: str) -> str:
    first = text.split("\n", 1)[0].rstrip("\r")
    if not text.strip():
        raise InvalidValue(f"the file is empty; {_EXPECTED}")
    # The header alone decides, so a record of the wrong length is reported by line, not here.
    if _CNAB240_FILE_HEADER.match(first):
        return CNAB240
    if first.startswith(_CNAB400_FILE_HEADER) or len(first) == _CNAB400_LENGTH:
        raise InvalidValue(f"this looks like a CNAB 400 retorno, which is not read; {_EXPECTED}")
    if is_payment_csv_header(first):
        return CSV
    raise InvalidValue(f"not a bank return file: {_EXPECTED}")


def _lines(text: str) -> list[str]:
    # Banks end lines with CR LF, and some still close the file with a DOS end-of-file mark.
    return [line.removesuffix("\r") for line in text.rstrip("\r\n\x1a").split("\n")]
