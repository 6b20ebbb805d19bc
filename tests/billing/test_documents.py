"""CPF and CNPJ: known documents, the errors staff see, and check-digit properties."""

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing.documents import (
    Document,
    cnpj_check_digits,
    cpf_check_digits,
    is_valid_document,
    parse_document,
)
from billing.errors import InvalidValue

# Receita Federal's example of the alphanumeric CNPJ (IN RFB 2.229/2024); the check digits 35
# were also recomputed here with the ord(char) - 48 rule.
ALPHANUMERIC_CNPJ = "12.ABC.345/01DE-35"


def cpfs() -> st.SearchStrategy[str]:
    bases = st.text(alphabet=string.digits, min_size=9, max_size=9)
    valid = bases.map(lambda base: base + cpf_check_digits(base))
    return valid.filter(lambda cpf: len(set(cpf)) > 1)


def cnpjs(alphabet: str = string.digits) -> st.SearchStrategy[str]:
    bases = st.text(alphabet=alphabet, min_size=12, max_size=12)
    valid = bases.map(lambda base: base + cnpj_check_digits(base))
    return valid.filter(lambda cnpj: len(set(cnpj)) > 1)


def replace_at(value: str, position: int, char: str) -> str:
    return value[:position] + char + value[position + 1 :]


@pytest.mark.parametrize("raw", ["123.456.789-09", "12345678909", " 123 456 789 09 "])
def test_a_cpf_is_read_with_any_punctuation(raw: str) -> None:
    assert parse_document(raw) == Document("cpf", "12345678909")


@pytest.mark.parametrize("raw", ["11.222.333/0001-81", "11222333000181", " 11.222.333/0001-81 "])
def test_a_numeric_cnpj_is_read_with_any_punctuation(raw: str) -> None:
    assert parse_document(raw) == Document("cnpj", "11222333000181")


@pytest.mark.parametrize("raw", [ALPHANUMERIC_CNPJ, "12.abc.345/01de-35", "12ABC34501DE35"])
def test_the_published_alphanumeric_cnpj_is_valid_in_any_case(raw: str) -> None:
    assert parse_document(raw) == Document("cnpj", "12ABC34501DE35")


def test_check_digit_helpers_reproduce_known_documents() -> None:
    assert cpf_check_digits("123456789") == "09"
    assert cnpj_check_digits("112223330001") == "81"
    assert cnpj_check_digits("12abc34501de") == "35"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("123.456.789-00", "CPF check digits do not match"),
        ("11.222.333/0001-82", "CNPJ check digits do not match"),
        ("12.ABC.345/01DE-36", "CNPJ check digits do not match"),
        ("111.111.111-11", "CPF has all digits equal"),
        ("00000000000000", "CNPJ has all digits equal"),
        ("11.222.333/0001-8", "CNPJ must have 14 characters, got 13"),
        ("12.ABC.345/01DE", "CNPJ must have 14 characters, got 12"),
        ("112223330001811", "CNPJ must have 14 characters, got 15"),
        ("1234567890", "CPF must have 11 digits, got 10"),
        ("123456789012", "document must have 11 digits (CPF) or 14 characters (CNPJ), got 12"),
        ("12.ABC.345/01DE-3A", "CNPJ check digits (last 2 characters) must be digits"),
        ("", "document is empty"),
        (" ./- ", "document is empty"),
        ("123.456.789-0é", "document contains an invalid character 'é'"),
        ("12.ABC.345/01Dß-35", "document contains an invalid character 'ß'"),
    ],
)
def test_an_invalid_document_is_rejected_with_a_precise_message(raw: str, message: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        parse_document(raw)

    assert str(caught.value).startswith(message)
    assert not is_valid_document(raw)


def test_a_document_that_is_not_a_str_raises_type_error() -> None:
    with pytest.raises(TypeError):
        parse_document(12345678909)  # type: ignore[arg-type]


def test_building_a_document_directly_validates_it() -> None:
    with pytest.raises(InvalidValue, match="CPF check digits do not match"):
        Document("cpf", "12345678900")
    with pytest.raises(InvalidValue, match="CNPJ must have 14 characters, got 11"):
        Document("cnpj", "12345678909")
    with pytest.raises(InvalidValue, match="kind must be 'cpf' or 'cnpj'"):
        Document("rg", "12345678909")  # type: ignore[arg-type]


def test_documents_are_formatted_the_usual_way() -> None:
    assert parse_document("12345678909").formatted == "123.456.789-09"
    assert parse_document("11222333000181").formatted == "11.222.333/0001-81"
    assert parse_document("12abc34501de35").formatted == ALPHANUMERIC_CNPJ


def test_masks_keep_only_the_last_two_characters() -> None:
    assert parse_document("12345678909").masked == "***.***.***-09"
    assert parse_document("11222333000181").masked == "**.***.***/****-81"


def test_the_repr_shows_the_mask_and_not_the_document() -> None:
    document = parse_document("123.456.789-09")

    assert "12345678909" not in repr(document)
    assert "123" not in repr(document)
    assert "***.***.***-09" in repr(document)


def test_prefix_gives_the_first_digits_for_the_identity_check() -> None:
    document = parse_document("123.456.789-09")

    assert document.prefix() == "123"
    assert document.prefix(5) == "12345"
    with pytest.raises(ValueError, match="between 1 and 11"):
        document.prefix(0)


def test_check_digit_helpers_reject_a_base_of_the_wrong_shape() -> None:
    with pytest.raises(InvalidValue, match="CPF base must be 9 digits, got 8"):
        cpf_check_digits("12345678")
    with pytest.raises(InvalidValue, match="CNPJ base must be 12 characters"):
        cnpj_check_digits("11222333000-")


def test_mod_11_cannot_catch_every_single_digit_change_in_a_cpf() -> None:
    # Both remainders 0 and 1 give check digit 0, so some typos keep the document valid.
    assert is_valid_document("704.999.622-06")
    assert is_valid_document("804.999.622-06")


def test_alphanumeric_cnpj_cannot_tell_apart_characters_eleven_apart() -> None:
    # "A" is worth 17 and "6" is worth 6; a difference of 11 vanishes modulo 11.
    assert is_valid_document("12.ABC.345/01DE-35")
    assert is_valid_document("12.6BC.345/01DE-35")


@given(cpfs())
def test_a_generated_cpf_is_valid_in_any_writing(cpf: str) -> None:
    document = parse_document(cpf)

    assert document == Document("cpf", cpf)
    assert parse_document(document.formatted) == document


@given(cnpjs(string.digits + string.ascii_uppercase))
def test_a_generated_cnpj_is_valid_in_any_writing(cnpj: str) -> None:
    document = parse_document(cnpj.lower())

    assert document == Document("cnpj", cnpj)
    assert parse_document(document.formatted) == document


@given(cpfs(), st.integers(0, 10), st.sampled_from(string.digits))
def test_a_single_digit_change_to_a_cpf_is_rejected(cpf: str, position: int, digit: str) -> None:
    # With a first check digit other than 0 its remainder cannot fold (see the test above),
    # so every change reaches a check digit.
    if cpf[9] == "0" or cpf[position] == digit:
        return
    assert not is_valid_document(replace_at(cpf, position, digit))


@given(cnpjs(), st.integers(0, 13), st.sampled_from(string.digits))
def test_a_single_digit_change_to_a_cnpj_is_rejected(cnpj: str, position: int, digit: str) -> None:
    # A change is missed only if both check digits fold from remainder 0 or 1 at once.
    if cnpj[12:] == "00" or cnpj[position] == digit:
        return
    assert not is_valid_document(replace_at(cnpj, position, digit))


@given(
    cnpjs(string.digits + string.ascii_uppercase),
    st.integers(0, 11),
    st.sampled_from(string.digits + string.ascii_uppercase),
)
def test_a_single_character_change_to_an_alphanumeric_cnpj_is_rejected(
    cnpj: str, position: int, char: str
) -> None:
    difference = ord(cnpj[position]) - ord(char)
    if cnpj[12:] == "00" or difference % 11 == 0:
        return
    assert not is_valid_document(replace_at(cnpj, position, char))


@given(st.one_of(cpfs(), cnpjs(string.digits + string.ascii_uppercase)))
def test_a_mask_never_contains_the_document(value: str) -> None:
    document = parse_document(value)
    visible = "".join(char for char in document.masked if char.isalnum())

    assert visible == value[-2:]
    assert value not in repr(document)
