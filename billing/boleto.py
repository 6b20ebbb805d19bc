"""Boleto bancário (FEBRABAN): the 44-digit barcode, the 47-digit digitable line and the PDF slip.

Amounts are reais as Decimal; the barcode carries them in centavos.
"""

import io
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from reportlab.graphics.barcode.common import I2of5  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

from billing.errors import InvalidValue

CURRENCY_REAL = "9"
FACTOR_BASE = date(1997, 10, 7)
BARCODE_LENGTH = 44
LINE_LENGTH = 47

# Factor 1000 first fell on this day; since 2025-02-22 factors restart at 1000 every 9000 days.
_FIRST_FOUR_DIGIT_DAY = FACTOR_BASE + timedelta(days=1000)
_CYCLE_DAYS = 9000
_MAX_AMOUNT = Decimal("99999999.99")
_UTILITY_SLIP_LENGTH = 48
_DIGITS = "0123456789"
_BARCODE_DV = "general check digit (barcode position 5)"
_MM = 72 / 25.4  # PDF points in a millimetre
_PAGE_WIDTH, _PAGE_HEIGHT = 210 * _MM, 297 * _MM  # A4
# FEBRABAN asks for a 103 mm by 13 mm symbol; 44 digits in 2 of 5 at 1:3 are 405 narrow units.
_NARROW_BAR = 0.254 * _MM
_BAR_HEIGHT = 13 * _MM
_MARGIN = 15 * _MM
_ROW = 11 * _MM

_Box = tuple[str, str]  # a label and its value on the slip


class BoletoError(InvalidValue):
    """A barcode, digitable line or boleto value that is not valid; the message names the field."""


@dataclass(frozen=True)
class Boleto:
    """A boleto whose check digits are valid; `amount` in reais, None when the slip sets none."""

    bank_code: str
    currency_code: str
    due_date: date | None
    amount: Decimal | None
    free_field: str
    barcode: str
    digitable_line: str

    def to_json(self) -> dict[str, object]:
        """JSON-ready fields: the amount as "103.92", the due date in ISO form, or None."""
        return {
            "bank_code": self.bank_code,
            "currency_code": self.currency_code,
            "due_date": None if self.due_date is None else self.due_date.isoformat(),
            "amount": None if self.amount is None else f"{self.amount:.2f}",
            "free_field": self.free_field,
            "barcode": self.barcode,
            "digitable_line": self.digitable_line,
            "formatted_line": format_line(self.digitable_line),
        }


def date_to_factor(due_date: date) -> int:
    """The due-date factor (1000..9999) of `due_date`, in the cycle that contains it."""
    if due_date < _FIRST_FOUR_DIGIT_DAY:
        raise BoletoError(f"due date {due_date} is before {_FIRST_FOUR_DIGIT_DAY}, factor 1000")
    return 1000 + (due_date - _FIRST_FOUR_DIGIT_DAY).days % _CYCLE_DAYS


def factor_to_date(factor: int, today: date) -> date | None:
    """The due date a factor stands for: of all cycles, the one nearest `today`.

    Factor 0 means "no due date" and gives None. A tie goes to the later date.
    """
    if not 0 <= factor <= 9999:
        raise BoletoError(f"due-date factor {factor} is outside 0000..9999")
    if factor == 0:
        return None
    if factor < 1000:
        return FACTOR_BASE + timedelta(days=factor)

    offset = factor - 1000
    elapsed = (today - _FIRST_FOUR_DIGIT_DAY).days - offset
    cycle = max(0, (elapsed + _CYCLE_DAYS // 2) // _CYCLE_DAYS)
    return _FIRST_FOUR_DIGIT_DAY + timedelta(days=offset + cycle * _CYCLE_DAYS)


def from_parts(
    bank_code: str, due_date: date | None, amount: Decimal | None, free_field: str
) -> Boleto:
    """A boleto in reais; `amount` None leaves it to the payer, `due_date` None sets no due date.

    `free_field` is the bank's 25 digits (agreement, our number, ...). Raises BoletoError.
    """
    _require_digits(bank_code, 3, "bank code")
    _require_digits(free_field, 25, "free field")
    factor = 0 if due_date is None else date_to_factor(due_date)
    cents = 0 if amount is None else _cents(amount)

    body = f"{bank_code}{CURRENCY_REAL}{factor:04d}{cents:010d}{free_field}"
    barcode = f"{body[:4]}{_mod11(body)}{body[4:]}"
    return _from_barcode(barcode, due_date)


def parse(digits: str, today: date) -> Boleto:
    """Read a digitable line (47 digits) or barcode (44), ignoring spaces and punctuation.

    Checks every check digit; the due date is resolved nearest `today`. Raises BoletoError.
    """
    cleaned = _only_digits(digits)
    if len(cleaned) == LINE_LENGTH:
        barcode = line_to_barcode(cleaned)
    elif len(cleaned) == BARCODE_LENGTH:
        barcode = _checked_barcode(cleaned, _BARCODE_DV)
    elif len(cleaned) == _UTILITY_SLIP_LENGTH:
        raise BoletoError("48 digits is a utility or tax slip (arrecadação), not a boleto bancário")
    else:
        raise BoletoError(
            f"expected 47 digits (digitable line) or 44 (barcode), got {len(cleaned)}"
        )
    return _from_barcode(barcode, factor_to_date(int(barcode[5:9]), today))


def line_to_barcode(line: str) -> str:
    """The barcode of a digitable line, after checking the line's four check digits."""
    line = _sized(line, LINE_LENGTH, "digitable line")
    for number, (start, end) in enumerate(((0, 10), (10, 21), (21, 32)), start=1):
        field, expected = line[start:end], _mod10(line[start : end - 1])
        if int(field[-1]) != expected:
            raise BoletoError(f"check digit of field {number} is {field[-1]}, expected {expected}")

    barcode = line[0:4] + line[32:47] + line[4:9] + line[10:20] + line[21:31]
    return _checked_barcode(barcode, "check digit of field 4 (general, mod 11)")


def barcode_to_line(barcode: str) -> str:
    """The digitable line of a barcode, after checking its general check digit."""
    barcode = _checked_barcode(_sized(barcode, BARCODE_LENGTH, "barcode"), _BARCODE_DV)
    free = barcode[19:]
    fields = (barcode[0:4] + free[0:5], free[5:15], free[15:25])
    return "".join(f"{field}{_mod10(field)}" for field in fields) + barcode[4:19]


def format_line(line: str) -> str:
    """The digitable line as printed: "00190.00009 01234.567004 00000.000109 1 96200000012345"."""
    d = _sized(line, LINE_LENGTH, "digitable line")
    return f"{d[0:5]}.{d[5:10]} {d[10:15]}.{d[15:21]} {d[21:26]}.{d[26:32]} {d[32]} {d[33:]}"


def boleto_pdf(
    boleto: Boleto,
    *,
    payer_name: str,
    payer_document_masked: str,
    beneficiary_name: str,
    beneficiary_cnpj: str,
    description: str,
    instructions: list[str],
) -> bytes:
    """A one-page A4 "ficha de compensação" in pt-BR with the line and the barcode.

    The PDF is uncompressed and free of timestamps, so equal inputs give equal bytes.
    """
    rows = [
        (
            ("Local de pagamento", "Pagável em qualquer banco ou aplicativo"),
            ("Vencimento", _due(boleto)),
        ),
        (("Beneficiário", beneficiary_name), ("CNPJ", beneficiary_cnpj)),
        (("Descrição", description), ("Valor do documento", _brl(boleto.amount))),
        (("Pagador", payer_name), ("CPF/CNPJ", payer_document_masked)),
    ]
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(_PAGE_WIDTH, _PAGE_HEIGHT), invariant=1, pageCompression=0)
    canvas.setTitle(f"Boleto {boleto.digitable_line}")

    bottom = _draw_fields(canvas, boleto, rows)
    bottom = _draw_instructions(canvas, bottom, _PAGE_WIDTH - 2 * _MARGIN, instructions)
    _draw_barcode(canvas, bottom - 8 * _MM - _BAR_HEIGHT, boleto.barcode)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _from_barcode(barcode: str, due_date: date | None) -> Boleto:
    cents = int(barcode[9:19])
    return Boleto(
        bank_code=barcode[0:3],
        currency_code=barcode[3],
        due_date=due_date,
        amount=None if cents == 0 else Decimal(cents).scaleb(-2),
        free_field=barcode[19:],
        barcode=barcode,
        digitable_line=barcode_to_line(barcode),
    )


def _checked_barcode(barcode: str, what: str) -> str:
    expected = _mod11(barcode[:4] + barcode[5:])
    if int(barcode[4]) != expected:
        raise BoletoError(f"{what} is {barcode[4]}, expected {expected}")
    return barcode


def _mod10(digits: str) -> int:
    """FEBRABAN's module 10: weights 2, 1, ... from the right, digits of each product summed."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        product = int(char) * (2 - index % 2)
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10


def _mod11(digits: str) -> int:
    """FEBRABAN's module 11: weights 2..9 cycling from the right; 0, 10 and 11 become 1."""
    # Limitation: as remainders 0, 1 and 10 all give 1, a barcode whose general digit is 1 lets
    # some single wrong digits through; in a line only fields 4 and 5 lack another check.
    total = sum(int(char) * (2 + index % 8) for index, char in enumerate(reversed(digits)))
    check = 11 - total % 11
    return 1 if check > 9 else check


def _cents(amount: Decimal) -> int:
    if not isinstance(amount, Decimal):
        raise TypeError(f"amount must be a Decimal, not {type(amount).__name__}")
    if not amount.is_finite() or not 0 < amount <= _MAX_AMOUNT:
        raise BoletoError(f"amount must be between 0.01 and {_MAX_AMOUNT} (None for no amount)")
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise BoletoError(f"amount has more than two decimal places: {amount}")
    return int(cents)


def _only_digits(raw: str) -> str:
    for position, char in enumerate(raw):
        if char.isalnum() and char not in _DIGITS:
            raise BoletoError(f"character {char!r} at position {position} is not a digit")
    return "".join(char for char in raw if char in _DIGITS)


def _sized(raw: str, length: int, what: str) -> str:
    digits = _only_digits(raw)
    if len(digits) != length:
        raise BoletoError(f"{what} must have {length} digits, got {len(digits)}")
    return digits


def _require_digits(value: str, length: int, what: str) -> None:
    if len(value) != length or any(char not in _DIGITS for char in value):
        raise BoletoError(f"{what} must be exactly {length} digits, got {value!r}")


def _brl(amount: Decimal | None) -> str:
    if amount is None:
        return "a informar"
    # Python groups with "," and separates decimals with "."; pt-BR swaps them.
    grouped = f"{amount:,.2f}"
    return "R$ " + grouped.replace(",", "_").replace(".", ",").replace("_", ".")


def _due(boleto: Boleto) -> str:
    return "Contra apresentação" if boleto.due_date is None else f"{boleto.due_date:%d/%m/%Y}"


def _draw_fields(canvas: Canvas, boleto: Boleto, rows: list[tuple[_Box, _Box]]) -> float:
    """Draws the bank and line header, then two boxes a row; returns the bottom edge."""
    width = _PAGE_WIDTH - 2 * _MARGIN
    top = _PAGE_HEIGHT - _MARGIN - _ROW
    _draw_box(canvas, _MARGIN, top, 35 * _MM, "Banco", boleto.bank_code)
    _draw_line_box(canvas, _MARGIN + 35 * _MM, top, width - 35 * _MM, boleto.digitable_line)
    for index, (left, right) in enumerate(rows, start=1):
        y = top - index * _ROW
        _draw_box(canvas, _MARGIN, y, width * 0.7, *left)
        _draw_box(canvas, _MARGIN + width * 0.7, y, width * 0.3, *right)
    return top - len(rows) * _ROW


def _draw_box(canvas: Canvas, x: float, y: float, width: float, label: str, value: str) -> None:
    canvas.rect(x, y, width, _ROW)
    canvas.setFont("Helvetica", 6.5)
    canvas.drawString(x + 1.5 * _MM, y + _ROW - 3 * _MM, label)
    canvas.setFont("Helvetica", 10)
    canvas.drawString(x + 1.5 * _MM, y + 2.5 * _MM, _fit(canvas, value, width - 3 * _MM, 10))


def _draw_line_box(canvas: Canvas, x: float, y: float, width: float, line: str) -> None:
    _draw_box(canvas, x, y, width, "Linha digitável", "")
    canvas.setFont("Courier-Bold", 11.5)
    canvas.drawRightString(x + width - 2 * _MM, y + 2.5 * _MM, format_line(line))


def _draw_instructions(canvas: Canvas, top: float, width: float, lines: list[str]) -> float:
    """Draws the instructions box below `top` and returns the box's bottom edge."""
    height = max(_ROW, (len(lines) + 1) * 4.5 * _MM + 2 * _MM)
    canvas.rect(_MARGIN, top - height, width, height)
    canvas.setFont("Helvetica", 6.5)
    canvas.drawString(_MARGIN + 1.5 * _MM, top - 3 * _MM, "Instruções")
    canvas.setFont("Helvetica", 9)
    for index, line in enumerate(lines, start=1):
        text = _fit(canvas, line, width - 3 * _MM, 9)
        canvas.drawString(_MARGIN + 1.5 * _MM, top - 3 * _MM - index * 4.5 * _MM, text)
    return top - height


def _draw_barcode(canvas: Canvas, y: float, digits: str) -> None:
    # No check digit and no bearer bars: the 44 digits carry their own and FEBRABAN has none.
    symbol = I2of5(
        digits, checksum=0, bearers=0, ratio=3, barWidth=_NARROW_BAR, barHeight=_BAR_HEIGHT, quiet=1
    )
    symbol.drawOn(canvas, _MARGIN, y)
    canvas.setFont("Helvetica", 6.5)
    canvas.drawRightString(_PAGE_WIDTH - _MARGIN, y - 4 * _MM, "Ficha de Compensação")


def _fit(canvas: Canvas, text: str, width: float, size: float) -> str:
    """`text` cut, with an ellipsis, to fit `width` points in Helvetica at `size`."""
    if canvas.stringWidth(text, "Helvetica", size) <= width:
        return text
    while text and canvas.stringWidth(text + "…", "Helvetica", size) > width:
        text = text[:-1]
    return text.rstrip() + "…"
