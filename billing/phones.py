"""Phone numbers: any common Brazilian writing to E.164, WhatsApp wa_ids, and masking for logs."""

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumber, PhoneNumberFormat, ValidationResult

from billing.errors import InvalidValue

_REGION = "BR"
_BRAZIL = "55"
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
_WA_ID = re.compile(r"[1-9][0-9]{6,14}")
_ACCEPTED_CHARS = frozenset("0123456789+()-./")
_VISIBLE_DIGITS = 4
# Limitation: only subscriber numbers starting 6-9 were mobiles before the ninth digit was
# added (2012-2016), so only those get a second variant; an old mobile outside that range is
# matched by its exact form only.
_OLD_MOBILE_FIRST_DIGITS = frozenset("6789")
_PARSE_PROBLEMS = {
    NumberParseException.INVALID_COUNTRY_CODE: "unknown country code",
    NumberParseException.NOT_A_NUMBER: "not a phone number",
    NumberParseException.TOO_SHORT_AFTER_IDD: "too short after the international prefix",
    NumberParseException.TOO_SHORT_NSN: "too short",
    NumberParseException.TOO_LONG: "too long",
}
_LENGTH_PROBLEMS = {
    ValidationResult.TOO_SHORT: "too short",
    ValidationResult.TOO_LONG: "too long",
    ValidationResult.INVALID_LENGTH: "wrong number of digits",
}


def normalize_phone(raw: str) -> str:
    """The E.164 form ("+5511987654321") of a phone number as people write it.

    Accepts E.164 of any country and Brazilian national forms: with or without the area code
    in parentheses, the trunk prefix 0, a carrier selection code ("0 21 11 ..."), or the
    country code 55 without "+". Letters (extensions, "ramal") are refused rather than
    dropped. Raises InvalidValue with the number masked, and TypeError if `raw` is not a str.
    """
    if not isinstance(raw, str):
        raise TypeError(f"phone number must be a str, got {type(raw).__name__}")
    for char in raw:
        if not (char in _ACCEPTED_CHARS or char.isspace()):
            raise InvalidValue(f"phone number contains an invalid character {char!r}")
    if not raw.strip():
        raise InvalidValue("phone number is empty")

    try:
        # phonenumbers reads spaces but not tabs or non-breaking spaces pasted from spreadsheets.
        number = phonenumbers.parse(" ".join(raw.split()), _REGION)
    except NumberParseException as error:
        problem = _PARSE_PROBLEMS.get(error.error_type, "unreadable")
        raise InvalidValue(
            f"phone number could not be read ({problem}): {_mask_raw(raw)}"
        ) from None

    if not phonenumbers.is_valid_number(number):
        raise InvalidValue(_invalid_number_message(raw, number))
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def mask_phone(e164: str) -> str:
    """A form safe for logs: country code, area code and last four digits ("+55 11 *****-4321").

    Works on numbers that are E.164-shaped but not valid, such as a Brazilian mobile without
    its ninth digit. Raises InvalidValue if `e164` is not E.164 or its country code is unknown.
    """
    _require_e164(e164)
    try:
        number = phonenumbers.parse(e164)
    except NumberParseException:
        raise InvalidValue("phone number has an unknown country code") from None

    country_code = str(number.country_code)
    national = e164[1 + len(country_code) :]
    visible = min(_VISIBLE_DIGITS, len(national) // 2)
    area_length = _area_code_length(number)
    # Showing the area code must still leave a good part of the number hidden.
    if len(national) - area_length - visible < _VISIBLE_DIGITS - 1:
        area_length = 0

    hidden = "*" * (len(national) - area_length - visible)
    parts = [f"+{country_code}", national[:area_length], f"{hidden}-{national[-visible:]}"]
    return " ".join(part for part in parts if part)


def wa_id_of(e164: str) -> str:
    """The WhatsApp wa_id of an E.164 number: its digits without "+"."""
    _require_e164(e164)
    return e164[1:]


def e164_from_wa_id(wa_id: str) -> str:
    """The E.164 form of a wa_id.

    Checks the shape only: WhatsApp may report a Brazilian mobile without its ninth digit,
    which phonenumbers calls invalid; see `brazilian_variants`.
    """
    if not isinstance(wa_id, str) or not _WA_ID.fullmatch(wa_id):
        raise InvalidValue("wa_id must be 7 to 15 digits, not starting with 0")
    return f"+{wa_id}"


def brazilian_variants(e164: str) -> tuple[str, ...]:
    """Every form under which a number may be stored or reported, the canonical one first.

    WhatsApp reports some Brazilian mobiles without the ninth digit (wa_id "551187654321"
    for "+5511987654321"), so a Brazilian mobile, given in either form, yields both:
    ("+5511987654321", "+551187654321"). Other numbers yield only themselves. In rare cases
    the two forms belong to different people, so match the exact form first.
    """
    _require_e164(e164)
    if not e164.startswith(f"+{_BRAZIL}"):
        return (e164,)

    area, subscriber = e164[3:5], e164[5:]
    if len(subscriber) == 9 and subscriber[0] == "9" and subscriber[1] in _OLD_MOBILE_FIRST_DIGITS:
        return (e164, f"+{_BRAZIL}{area}{subscriber[1:]}")
    if len(subscriber) == 8 and subscriber[0] in _OLD_MOBILE_FIRST_DIGITS:
        return (f"+{_BRAZIL}{area}9{subscriber}", e164)
    return (e164,)


def _require_e164(e164: str) -> None:
    if not isinstance(e164, str) or not _E164.fullmatch(e164):
        raise InvalidValue("phone number is not in E.164 form (+ and 7 to 15 digits)")


def _invalid_number_message(raw: str, number: PhoneNumber) -> str:
    national = phonenumbers.national_significant_number(number)
    if number.country_code == int(_BRAZIL):
        where = "Brazil"
        if len(national) == 10 and national[2] in _OLD_MOBILE_FIRST_DIGITS:
            return (
                f"phone number is not valid for Brazil (a mobile missing the 9 after the area"
                f" code?): {_mask_raw(raw)}"
            )
    else:
        where = f"country code +{number.country_code}"
    reason = phonenumbers.is_possible_number_with_reason(number)
    problem = _LENGTH_PROBLEMS.get(reason, "no such area code or number range")
    return f"phone number is not valid for {where} ({problem}): {_mask_raw(raw)}"


def _area_code_length(number: PhoneNumber) -> int:
    # Brazilian area codes (DDD) always have two digits; phonenumbers reports 0 for numbers
    # it considers invalid, such as mobiles without the ninth digit.
    if str(number.country_code) == _BRAZIL:
        return 2
    return phonenumbers.length_of_geographical_area_code(number)


def _mask_raw(raw: str) -> str:
    """`raw` with every digit but the last few replaced by "*", punctuation kept."""
    digit_count = sum(char.isdigit() for char in raw)
    to_hide = digit_count - min(_VISIBLE_DIGITS, digit_count // 2)
    masked = []
    for char in raw.strip():
        if char.isdigit() and to_hide > 0:
            masked.append("*")
            to_hide -= 1
        else:
            masked.append(char)
    return "".join(masked)
