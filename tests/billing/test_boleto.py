"""Boleto bancário: published lines, factor rollover, check-digit errors, round trips, PDF."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from billing.boleto import (
    Boleto,
    BoletoError,
    barcode_to_line,
    boleto_pdf,
    date_to_factor,
    factor_to_date,
    format_line,
    from_parts,
    line_to_barcode,
    parse,
)
from billing.errors import InvalidValue

# Banco do Brasil lines published with their barcodes, due dates and amounts in public boleto
# libraries' test suites; the last is a real 2026 slip, after the factor restarted at 1000.
BB_2008_LINE = "00190.00009 01238.798779 77700.168188 2 37690000013500"
BB_2008_BARCODE = "00192376900000135000000001238798777770016818"
BB_2022_LINE = "00190.00009 03432.568008 00010.035178 1 91700000014780"
BB_2022_BARCODE = "00191917000000147800000003432568000001003517"
BB_2026_LINE = "00190.00009 02467.742009 00003.599172 6 15300000065161"
BB_2026_BARCODE = "00196153000000651610000002467742000000359917"
PUBLISHED = [
    (BB_2008_LINE, BB_2008_BARCODE, date(2008, 2, 1), Decimal("135.00")),
    (BB_2022_LINE, BB_2022_BARCODE, date(2022, 11, 15), Decimal("147.80")),
    (BB_2026_LINE, BB_2026_BARCODE, date(2026, 8, 6), Decimal("651.61")),
]
DIGITS = "0123456789"


def digits_of(text: str) -> str:
    return "".join(char for char in text if char.isdigit())


def mutations(digits: str) -> list[str]:
    """Every string that differs from `digits` in exactly one digit."""
    return [
        digits[:position] + digit + digits[position + 1 :]
        for position in range(len(digits))
        for digit in DIGITS
        if digit != digits[position]
    ]


boletos = st.builds(
    from_parts,
    bank_code=st.text(DIGITS, min_size=3, max_size=3),
    due_date=st.none() | st.dates(min_value=date(2000, 7, 3), max_value=date(2060, 12, 31)),
    amount=st.none()
    | st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999.99"), places=2),
    free_field=st.text(DIGITS, min_size=25, max_size=25),
)


@pytest.mark.parametrize(("line", "barcode", "due", "amount"), PUBLISHED)
def test_published_lines_and_barcodes_convert_both_ways(
    line: str, barcode: str, due: date, amount: Decimal
) -> None:
    assert line_to_barcode(line) == barcode
    assert format_line(barcode_to_line(barcode)) == line


@pytest.mark.parametrize(("line", "barcode", "due", "amount"), PUBLISHED)
def test_published_lines_parse_to_their_due_date_and_amount(
    line: str, barcode: str, due: date, amount: Decimal
) -> None:
    for text in (line, barcode):
        boleto = parse(text, today=due - timedelta(days=20))

        assert (boleto.due_date, boleto.amount, boleto.bank_code) == (due, amount, "001")
        assert boleto.currency_code == "9"


@pytest.mark.parametrize(("line", "barcode", "due", "amount"), PUBLISHED)
def test_from_parts_rebuilds_the_published_barcodes(
    line: str, barcode: str, due: date, amount: Decimal
) -> None:
    boleto = from_parts("001", due, amount, barcode[19:])

    assert boleto.barcode == barcode
    assert boleto.digitable_line == digits_of(line)


def test_to_json_writes_amount_with_two_decimals_and_iso_dates() -> None:
    data = parse(BB_2026_LINE, today=date(2026, 7, 1)).to_json()

    assert data == {
        "bank_code": "001",
        "currency_code": "9",
        "due_date": "2026-08-06",
        "amount": "651.61",
        "free_field": "0000002467742000000359917",
        "barcode": BB_2026_BARCODE,
        "digitable_line": digits_of(BB_2026_LINE),
        "formatted_line": BB_2026_LINE,
    }


def test_format_line_puts_the_usual_dots_and_spaces() -> None:
    assert format_line(digits_of(BB_2022_LINE)) == BB_2022_LINE


def test_punctuation_and_spaces_in_the_input_are_ignored() -> None:
    messy = " 00190-00009.03432 568008/00010.035178\t1 9170000001478-0 "

    assert parse(messy, today=date(2022, 11, 1)).barcode == BB_2022_BARCODE


def test_the_factor_reached_9999_on_2025_02_21() -> None:
    assert date_to_factor(date(2025, 2, 21)) == 9999


def test_the_factor_restarted_at_1000_on_2025_02_22() -> None:
    assert date_to_factor(date(2025, 2, 22)) == 1000


def test_factor_1000_read_in_2025_is_2025_02_22() -> None:
    assert factor_to_date(1000, today=date(2025, 3, 1)) == date(2025, 2, 22)


def test_factor_1000_read_in_2000_is_2000_07_03() -> None:
    assert factor_to_date(1000, today=date(2000, 7, 3)) == date(2000, 7, 3)


def test_factor_0_means_no_due_date() -> None:
    assert factor_to_date(0, today=date(2025, 3, 1)) is None


def test_the_same_line_reads_as_2001_or_2026_depending_on_today() -> None:
    assert parse(BB_2026_LINE, today=date(2001, 12, 1)).due_date == date(2001, 12, 15)
    assert parse(BB_2026_LINE, today=date(2026, 12, 1)).due_date == date(2026, 8, 6)


def test_a_factor_is_read_in_the_cycle_nearest_today() -> None:
    # 4499 days after the old-cycle date is still nearer to it than to the new-cycle one.
    assert factor_to_date(1530, today=date(2001, 12, 15) + timedelta(4499)) == date(2001, 12, 15)
    assert factor_to_date(1530, today=date(2001, 12, 15) + timedelta(4501)) == date(2026, 8, 6)


def test_a_boleto_without_due_date_or_amount_has_zero_factor_and_amount() -> None:
    boleto = from_parts("341", None, None, "1" * 25)

    assert boleto.barcode[5:19] == "0" * 14
    assert parse(boleto.digitable_line, today=date(2025, 3, 1)) == boleto
    assert (boleto.due_date, boleto.amount) == (None, None)
    assert boleto.to_json()["amount"] is None


@pytest.mark.parametrize(
    ("position", "message"),
    [
        (2, r"^check digit of field 1 is \d, expected \d$"),
        (9, r"^check digit of field 1 is 8, expected 9$"),
        (14, r"^check digit of field 2 is \d, expected \d$"),
        (25, r"^check digit of field 3 is \d, expected \d$"),
        (32, r"^check digit of field 4 \(general, mod 11\) is 7, expected 6$"),
        (40, r"^check digit of field 4 \(general, mod 11\) is 6, expected \d$"),
    ],
)
def test_a_wrong_digit_in_a_line_names_the_field_whose_check_fails(
    position: int, message: str
) -> None:
    line = digits_of(BB_2026_LINE)
    digit = "7" if position == 32 else "8"
    tampered = line[:position] + digit + line[position + 1 :]

    with pytest.raises(BoletoError, match=message):
        parse(tampered, today=date(2026, 7, 1))


def test_a_wrong_digit_in_a_barcode_fails_the_general_check_digit() -> None:
    tampered = BB_2026_BARCODE[:30] + "9" + BB_2026_BARCODE[31:]

    with pytest.raises(BoletoError, match=r"general check digit \(barcode position 5\) is 6"):
        parse(tampered, today=date(2026, 7, 1))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0019O.00009", r"character 'O' at position 4 is not a digit"),
        ("00190.00009 02467", r"expected 47 digits \(digitable line\) or 44 \(barcode\), got 15"),
        ("8" * 48, r"48 digits is a utility or tax slip \(arrecadação\)"),
        ("", "got 0"),
    ],
)
def test_input_that_is_not_a_line_or_barcode_is_refused(text: str, message: str) -> None:
    with pytest.raises(BoletoError, match=message):
        parse(text, today=date(2026, 7, 1))


def test_boleto_errors_are_invalid_values() -> None:
    assert issubclass(BoletoError, InvalidValue)
    assert issubclass(BoletoError, ValueError)


def test_float_amount_is_refused_with_type_error() -> None:
    with pytest.raises(TypeError, match="amount must be a Decimal, not float"):
        from_parts("001", date(2026, 8, 6), 651.61, "0" * 25)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("bank_code", "due", "amount", "free_field", "message"),
    [
        ("001", None, Decimal("1.005"), "0" * 25, "more than two decimal places"),
        ("001", None, Decimal("0"), "0" * 25, r"between 0\.01 and 99999999\.99"),
        ("001", None, Decimal("100000000.00"), "0" * 25, r"between 0\.01 and 99999999\.99"),
        ("01", None, None, "0" * 25, "bank code must be exactly 3 digits"),
        ("001", None, None, "0" * 24, "free field must be exactly 25 digits"),
        ("001", date(2000, 7, 2), None, "0" * 25, "due date 2000-07-02 is before 2000-07-03"),
    ],
)
def test_parts_that_cannot_go_into_a_barcode_are_refused(
    bank_code: str, due: date | None, amount: Decimal | None, free_field: str, message: str
) -> None:
    with pytest.raises(BoletoError, match=message):
        from_parts(bank_code, due, amount, free_field)


@pytest.mark.parametrize("line", [BB_2008_LINE, BB_2026_LINE])
def test_every_single_digit_change_of_a_line_is_rejected(line: str) -> None:
    for tampered in mutations(digits_of(line)):
        with pytest.raises(BoletoError):
            parse(tampered, today=date(2026, 7, 1))


@pytest.mark.parametrize("barcode", [BB_2008_BARCODE, BB_2026_BARCODE])
def test_every_single_digit_change_of_a_barcode_is_rejected(barcode: str) -> None:
    for tampered in mutations(barcode):
        with pytest.raises(BoletoError):
            parse(tampered, today=date(2026, 7, 1))


def test_a_general_check_digit_of_1_cannot_catch_every_change_in_field_5() -> None:
    # FEBRABAN maps remainders 0, 1 and 10 all to 1, so moving between them goes unseen.
    # Fields 1 to 3 keep their own mod 10 check digits, so only fields 4 and 5 are exposed.
    original = digits_of(BB_2022_LINE)
    unseen_positions: set[int] = set()
    for tampered in mutations(original):
        try:
            line_to_barcode(tampered)
        except BoletoError:
            continue
        unseen_positions |= {i for i in range(47) if tampered[i] != original[i]}

    assert unseen_positions
    assert min(unseen_positions) >= 33


@given(boleto=boletos, offset=st.integers(-4499, 4499))
def test_from_parts_then_the_line_parses_back_to_the_same_boleto(
    boleto: Boleto, offset: int
) -> None:
    today = date(2030, 1, 1) if boleto.due_date is None else boleto.due_date + timedelta(offset)

    assert parse(format_line(boleto.digitable_line), today) == boleto
    assert parse(boleto.barcode, today) == boleto
    assert line_to_barcode(barcode_to_line(boleto.barcode)) == boleto.barcode


@given(boleto=boletos, position=st.integers(0, 46), digit=st.sampled_from(DIGITS))
def test_any_single_digit_change_is_rejected_when_the_general_digit_is_not_1(
    boleto: Boleto, position: int, digit: str
) -> None:
    assume(boleto.barcode[4] != "1")
    line = boleto.digitable_line
    tampered_line = line[:position] + digit + line[position + 1 :]
    tampered_barcode = boleto.barcode[: position % 44] + digit + boleto.barcode[position % 44 + 1 :]

    if tampered_line != line:
        with pytest.raises(BoletoError):
            parse(tampered_line, today=date(2026, 7, 1))
    if tampered_barcode != boleto.barcode:
        with pytest.raises(BoletoError):
            parse(tampered_barcode, today=date(2026, 7, 1))


def make_pdf() -> bytes:
    return boleto_pdf(
        parse(BB_2026_LINE, today=date(2026, 7, 1)),
        payer_name="Maria da Conceição",
        payer_document_masked="***.***.***-09",
        beneficiary_name="Conecta Fibra Ltda",
        beneficiary_cnpj="11.222.333/0001-81",
        description="Internet 300 Mega, julho de 2026",
        instructions=["Após o vencimento, multa de 2%.", "Pague também pelo Pix."],
    )


def test_the_pdf_shows_the_beneficiary_cnpj_line_amount_and_due_date() -> None:
    pdf = make_pdf()

    assert pdf.startswith(b"%PDF")
    assert b"(11.222.333/0001-81)" in pdf
    assert f"({BB_2026_LINE})".encode() in pdf
    assert b"(R$ 651,61)" in pdf
    assert b"(06/08/2026)" in pdf
    assert b"(Pague tamb\\351m pelo Pix.)" in pdf


def test_the_pdf_carries_the_pt_br_labels() -> None:
    pdf = make_pdf()

    for label in [
        rb"Benefici\341rio",
        b"(CNPJ)",
        b"(Pagador)",
        b"(Vencimento)",
        b"(Valor do documento)",
        rb"(Linha digit\341vel)",
        rb"(Instru\347\365es)",
    ]:
        assert label in pdf


def test_the_same_boleto_gives_the_same_pdf_bytes() -> None:
    assert make_pdf() == make_pdf()
