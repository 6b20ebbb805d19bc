"""Phone numbers: Brazilian writings to E.164, wa_ids, variants without the ninth digit, masks."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing.errors import InvalidValue
from billing.phones import (
    brazilian_variants,
    e164_from_wa_id,
    mask_phone,
    normalize_phone,
    wa_id_of,
)

# Every Brazilian area code (DDD) in use.
AREA_CODES = [
    *range(11, 20), 21, 22, 24, 27, 28, *range(31, 36), 37, 38, *range(41, 50), 51, 53, 54, 55,
    *range(61, 70), 71, 73, 74, 75, 77, 79, *range(81, 90), *range(91, 100),
]  # fmt: skip


def brazilian_mobiles() -> st.SearchStrategy[tuple[str, str]]:
    """(area code, 9-digit subscriber number) of mobiles old enough to have had 8 digits."""
    area_codes = st.sampled_from([str(code) for code in AREA_CODES])
    subscribers = st.from_regex(r"9[6-9][0-9]{7}", fullmatch=True)
    return st.tuples(area_codes, subscribers)


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("+5511987654321", "+5511987654321"),
        ("+55 (11) 98765-4321", "+5511987654321"),
        ("(11) 98765-4321", "+5511987654321"),
        ("11 98765-4321", "+5511987654321"),
        ("11987654321", "+5511987654321"),
        ("011 98765-4321", "+5511987654321"),
        ("0 21 11 98765-4321", "+5511987654321"),
        ("015 11 98765-4321", "+5511987654321"),
        ("55 11 98765 4321", "+5511987654321"),
        ("5511987654321", "+5511987654321"),
        ("11.98765.4321", "+5511987654321"),
        ("(11)\t98765-4321\u00a0", "+5511987654321"),
        ("(11) 3456-7890", "+551134567890"),
        ("(55) 98765-4321", "+5555987654321"),
        ("55 55 98765-4321", "+5555987654321"),
        ("+351 912 345 678", "+351912345678"),
        ("+1 650 253 0000", "+16502530000"),
    ],
)
def test_common_writings_become_e164(raw: str, e164: str) -> None:
    assert normalize_phone(raw) == e164


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("(11) 1234-5678", "phone number is not valid for Brazil (no such area code or number"),
        ("11 8765-4321", "phone number is not valid for Brazil (a mobile missing the 9"),
        ("+55 11 98765", "phone number is not valid for Brazil (too short)"),
        ("11 98765-43210000", "phone number is not valid for Brazil (too long)"),
        ("+351 91234567", "phone number is not valid for country code +351 (too short)"),
        ("+999 12345678", "phone number could not be read (unknown country code)"),
        ("11 98765-4321 ramal 2", "phone number contains an invalid character 'r'"),
        ("0xx11 98765-4321", "phone number contains an invalid character 'x'"),
        ("   ", "phone number is empty"),
    ],
)
def test_an_invalid_phone_is_rejected_with_a_precise_message(raw: str, message: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        normalize_phone(raw)

    assert str(caught.value).startswith(message)


@pytest.mark.parametrize("raw", ["(11) 1234-5678", "11 8765-4321", "+55 11 98765-43210"])
def test_a_rejected_phone_is_masked_in_the_message(raw: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        normalize_phone(raw)
    shown = str(caught.value).rsplit(": ", 1)[1]
    digits = "".join(char for char in shown if char.isdigit())

    assert digits[-4:] == "".join(char for char in raw if char.isdigit())[-4:]
    assert len(digits) <= 4


def test_a_phone_that_is_not_a_str_raises_type_error() -> None:
    with pytest.raises(TypeError):
        normalize_phone(11987654321)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("e164", "masked"),
    [
        ("+5511987654321", "+55 11 *****-4321"),
        ("+551187654321", "+55 11 ****-4321"),
        ("+551134567890", "+55 11 ****-7890"),
        ("+351912345678", "+351 *****-5678"),
        ("+16502530000", "+1 650 ***-0000"),
    ],
)
def test_a_mask_keeps_country_area_code_and_last_four_digits(e164: str, masked: str) -> None:
    assert mask_phone(e164) == masked


@pytest.mark.parametrize("value", ["11987654321", "+55 11 98765-4321", "+0123456789", ""])
def test_functions_taking_e164_refuse_anything_else(value: str) -> None:
    for function in (mask_phone, wa_id_of, brazilian_variants):
        with pytest.raises(InvalidValue, match=r"not in E\.164 form"):
            function(value)


def test_a_wa_id_is_the_e164_number_without_plus() -> None:
    assert wa_id_of("+5511987654321") == "5511987654321"
    assert e164_from_wa_id("5511987654321") == "+5511987654321"


@pytest.mark.parametrize("wa_id", ["+5511987654321", "05511987654321", "55 11 98765", "123"])
def test_a_malformed_wa_id_is_rejected(wa_id: str) -> None:
    with pytest.raises(InvalidValue, match="wa_id must be 7 to 15 digits"):
        e164_from_wa_id(wa_id)


def test_a_brazilian_mobile_has_variants_with_and_without_the_ninth_digit() -> None:
    both = ("+5511987654321", "+551187654321")

    assert brazilian_variants("+5511987654321") == both
    assert brazilian_variants(e164_from_wa_id("551187654321")) == both


@pytest.mark.parametrize(
    "e164",
    [
        "+551134567890",  # landline
        "+5511912345678",  # 9 then 1: never had an 8-digit form
        "+551134567",  # too short to be either form
        "+351912345678",  # not Brazilian
    ],
)
def test_other_numbers_have_only_themselves_as_variant(e164: str) -> None:
    assert brazilian_variants(e164) == (e164,)


@given(brazilian_mobiles())
def test_a_brazilian_mobile_is_normalised_from_its_national_writing(
    mobile: tuple[str, str],
) -> None:
    area, subscriber = mobile

    assert (
        normalize_phone(f"({area}) {subscriber[:5]}-{subscriber[5:]}") == f"+55{area}{subscriber}"
    )


@given(brazilian_mobiles())
def test_both_forms_of_a_mobile_have_the_same_variants(mobile: tuple[str, str]) -> None:
    area, subscriber = mobile
    e164 = f"+55{area}{subscriber}"
    variants = brazilian_variants(e164)

    assert variants == (e164, f"+55{area}{subscriber[1:]}")
    assert brazilian_variants(e164_from_wa_id(wa_id_of(variants[1]))) == variants


@given(brazilian_mobiles())
def test_a_masked_phone_never_contains_the_number(mobile: tuple[str, str]) -> None:
    area, subscriber = mobile
    for e164 in brazilian_variants(f"+55{area}{subscriber}"):
        masked = mask_phone(e164)
        visible = "".join(char for char in masked if char.isdigit())

        assert visible == f"55{area}{subscriber[-4:]}"
        assert e164[3:] not in masked
