"""Money in reais: amounts as staff type them, centavos, and the written forms round-tripping."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing.errors import InvalidValue
from billing.money import format_brl, format_json, from_centavos, parse_reais, to_centavos

amounts = st.decimals(min_value=Decimal("0.00"), max_value=Decimal("10000000.00"), places=2)


@pytest.mark.parametrize(
    ("raw", "amount"),
    [
        ("103.92", "103.92"),
        ("103,92", "103.92"),
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("R$ 1.234,56", "1234.56"),
        ("R$1.234,56", "1234.56"),
        ("R$\u00a01.234,56", "1234.56"),
        ("1234", "1234.00"),
        (" 79,9 ", "79.90"),
        ("0,01", "0.01"),
        ("0", "0.00"),
        ("1.234.567", "1234567.00"),
        ("1,234,567.89", "1234567.89"),
        ("12.345.678,90", "12345678.90"),
    ],
)
def test_amounts_as_staff_write_them_are_read(raw: str, amount: str) -> None:
    parsed = parse_reais(raw)

    assert parsed == Decimal(amount)
    assert parsed.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("1.234", "amount '1.234' has more than two decimal places (to write thousands"),
        ("1,234", "amount '1,234' has more than two decimal places"),
        ("0,001", "amount '0,001' has more than two decimal places"),
        ("1.23.456,00", "amount '1.23.456,00' has thousands groups that are not 3 digits"),
        ("1234.567,00", "amount '1234.567,00' has thousands groups that are not 3 digits"),
        ("1.234,56,7", "amount '1.234,56,7' uses the decimal separator ',' twice"),
        ("-5,00", "amount '-5,00' is negative"),
        ("R$ -5,00", "amount 'R$ -5,00' is negative"),
        ("", "amount is empty"),
        ("R$ ", "amount is empty"),
        ("12,", "amount '12,' must start and end with a digit"),
        (",50", "amount ',50' must start and end with a digit"),
        ("dez reais", "amount 'dez reais' contains 'd'"),
        ("NaN", "amount 'NaN' contains 'N'"),
        ("Infinity", "amount 'Infinity' contains 'I'"),
        ("1e3", "amount '1e3' contains 'e'"),
        ("1 234,56", "amount '1 234,56' contains ' '"),
    ],
)
def test_a_malformed_amount_is_rejected_with_a_precise_message(raw: str, message: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        parse_reais(raw)

    assert str(caught.value).startswith(message)


def test_a_float_is_never_accepted_as_money() -> None:
    with pytest.raises(TypeError, match="never a float"):
        parse_reais(10.5)  # type: ignore[arg-type]
    for function in (to_centavos, format_brl, format_json):
        with pytest.raises(TypeError, match="never a float"):
            function(10.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        from_centavos(1050.0)  # type: ignore[arg-type]


def test_centavos_are_exact() -> None:
    assert to_centavos(Decimal("1234.56")) == 123456
    assert to_centavos(Decimal("1.230")) == 123
    assert to_centavos(Decimal("1E+3")) == 100000
    assert to_centavos(Decimal("-0.05")) == -5
    assert from_centavos(123456) == Decimal("1234.56")
    assert str(from_centavos(0)) == "0.00"
    assert str(from_centavos(10**40 + 1)) == "1" + "0" * 37 + "0.01"


@pytest.mark.parametrize("amount", ["1.005", "0.001", "NaN", "Infinity", "-Infinity", "sNaN"])
def test_an_amount_that_is_not_whole_centavos_is_never_rounded(amount: str) -> None:
    for function in (to_centavos, format_brl, format_json):
        with pytest.raises(InvalidValue, match=r"more than two decimal places|not a finite"):
            function(Decimal(amount))


def test_a_bool_is_not_a_number_of_centavos() -> None:
    with pytest.raises(TypeError, match="got bool"):
        from_centavos(True)


@pytest.mark.parametrize(
    ("amount", "brl", "json"),
    [
        ("0", "R$ 0,00", "0.00"),
        ("0.5", "R$ 0,50", "0.50"),
        ("79.9", "R$ 79,90", "79.90"),
        ("999.99", "R$ 999,99", "999.99"),
        ("1234.56", "R$ 1.234,56", "1234.56"),
        ("1234567.8", "R$ 1.234.567,80", "1234567.80"),
        ("-1", "-R$ 1,00", "-1.00"),
    ],
)
def test_amounts_are_written_in_pt_br_and_for_json(amount: str, brl: str, json: str) -> None:
    assert format_brl(Decimal(amount)) == brl
    assert format_json(Decimal(amount)) == json


@given(amounts)
def test_the_pt_br_form_reads_back_as_the_same_amount(amount: Decimal) -> None:
    assert parse_reais(format_brl(amount)) == amount


@given(amounts)
def test_the_json_form_reads_back_as_the_same_amount(amount: Decimal) -> None:
    assert parse_reais(format_json(amount)) == amount


@given(st.integers())
def test_centavos_round_trip_exactly(centavos: int) -> None:
    assert to_centavos(from_centavos(centavos)) == centavos
