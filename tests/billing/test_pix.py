"""Pix BR Code: the Banco Central's published examples, error messages and round-trip properties."""

import struct
import zlib
from decimal import Decimal

import pytest
import qrcode  # type: ignore[import-untyped]
from hypothesis import given
from hypothesis import strategies as st

from billing.documents import cpf_check_digits
from billing.errors import InvalidValue
from billing.pix import (
    QR_MASK,
    PixDecodeError,
    PixError,
    crc16_ccitt,
    decode,
    encode_dynamic,
    encode_static,
    key_type,
    parse_txid,
    qr_png,
    txid_for,
)

MANUAL_KEY = "123e4567-e12b-12d1-a456-426655440000"
# "Manual de Padrões para Iniciação do Pix", static example (key only, no amount).
MANUAL_STATIC = (
    "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-426655440000"
    "5204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D"
)
# The same manual's dynamic example: point of initiation 12 and a payload location.
MANUAL_LOCATION = "pix.example.com/8b3da2f39a4140d1a91abd93113bd441"
MANUAL_DYNAMIC = (
    "00020101021226700014br.gov.bcb.pix2548pix.example.com/8b3da2f39a4140d1a91abd93113bd441"
    "5204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***630464E4"
)
# The BR Code manual's example mixing Pix with another arrangement ("BR.COM.OUTRO").
BR_CODE_MANUAL = (
    "00020104141234567890123426580014BR.GOV.BCB.PIX0136123e4567-e12b-12d1-a456-426655440000"
    "27300012BR.COM.OUTRO011001234567895204000053039865406123.455802BR5917NOME DO RECEBEDOR"
    "6008BRASILIA61087007490062190515RP12345678-201980390012BR.COM.OUTRO01190123.ABCD.3456.WXYZ"
    "6304AD38"
)
ACCENTED = "áàâãéêíóôõúüçÁÀÂÃÉÊÍÓÔÕÚÇñÑ"
UNACCENTED = "aaaaeeiooouucAAAAEEIOOOUCnN"
PRINTABLE_ASCII = [chr(code) for code in range(0x20, 0x7F)]


def tlv(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


def with_crc(body: str) -> str:
    """`body` (everything before field 63) closed with a correct CRC."""
    return f"{body}6304{crc16_ccitt((body + '6304').encode()):04X}"


def static_body(*, amount: str | None = None, account: str | None = None) -> str:
    """The manual's static example before field 63, with an amount or another account field."""
    fields = [
        tlv("00", "01"),
        tlv("26", account or tlv("00", "br.gov.bcb.pix") + tlv("01", MANUAL_KEY)),
        tlv("52", "0000"),
        tlv("53", "986"),
        "" if amount is None else tlv("54", amount),
        tlv("58", "BR"),
        tlv("59", "Fulano de Tal"),
        tlv("60", "BRASILIA"),
        tlv("62", tlv("05", "***")),
    ]
    return "".join(fields)


def cpfs() -> st.SearchStrategy[str]:
    bases = st.text(alphabet="0123456789", min_size=9, max_size=9)
    return bases.map(lambda base: base + cpf_check_digits(base)).filter(lambda c: len(set(c)) > 1)


def pix_keys() -> st.SearchStrategy[str]:
    emails = st.from_regex(r"[a-z0-9._-]{1,20}@[a-z0-9-]{1,15}\.com\.br", fullmatch=True)
    phones = st.from_regex(r"\+55[1-9][0-9]{9,10}", fullmatch=True)
    evps = st.uuids(version=4).map(str)
    return st.one_of(cpfs(), emails, phones, evps)


names = st.text(
    alphabet=st.sampled_from(
        list("abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ&'.-0123456789" + ACCENTED)
    ),
    min_size=1,
    max_size=40,
).filter(lambda name: name.strip() != "")
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999.99"), places=2)


def without_accents(text: str, limit: int) -> str:
    plain = " ".join(text.translate(str.maketrans(ACCENTED, UNACCENTED)).split())
    return plain[:limit].rstrip()


def test_crc16_of_the_standard_check_string_is_29B1() -> None:
    assert crc16_ccitt(b"123456789") == 0x29B1


def test_static_example_of_the_pix_manual_is_reproduced_exactly() -> None:
    assert encode_static(MANUAL_KEY, "Fulano de Tal", "BRASILIA") == MANUAL_STATIC


def test_dynamic_example_of_the_pix_manual_is_reproduced_exactly() -> None:
    assert encode_dynamic(MANUAL_LOCATION, "Fulano de Tal", "BRASILIA") == MANUAL_DYNAMIC


def test_static_example_decodes_to_its_fields() -> None:
    payload = decode(MANUAL_STATIC)

    assert (payload.key, payload.url, payload.txid, payload.crc) == (
        MANUAL_KEY,
        None,
        "***",
        "1D3D",
    )
    assert (payload.merchant_name, payload.merchant_city) == ("Fulano de Tal", "BRASILIA")
    assert (payload.point_of_initiation_method, payload.amount) == (None, None)
    assert not payload.is_dynamic


def test_dynamic_example_decodes_to_its_location() -> None:
    payload = decode(MANUAL_DYNAMIC)

    assert payload.url == MANUAL_LOCATION
    assert payload.key is None
    assert payload.point_of_initiation_method == "12"
    assert payload.is_dynamic


def test_br_code_manual_example_is_refused_for_the_hyphen_in_its_txid() -> None:
    with pytest.raises(PixDecodeError, match=r"field 62\.05 \(txid\) must be \*\*\* or 1 to 25"):
        decode(BR_CODE_MANUAL)


def test_fields_of_other_arrangements_are_kept_in_the_raw_tree() -> None:
    body = BR_CODE_MANUAL[:-8].replace("0515RP12345678-2019", "0514RP123456782019")
    payload = decode(with_crc(body.replace("62190514", "62180514")))

    assert payload.raw["27"] == {"00": "BR.COM.OUTRO", "01": "0123456789"}
    assert payload.raw["80"] == {"00": "BR.COM.OUTRO", "01": "0123.ABCD.3456.WXYZ"}
    assert (payload.raw["04"], payload.raw["61"]) == ("12345678901234", "70074900")
    assert (payload.gui, payload.amount) == ("BR.GOV.BCB.PIX", Decimal("123.45"))


def test_one_changed_character_is_reported_as_a_crc_mismatch() -> None:
    tampered = MANUAL_STATIC.replace("Fulano", "Fulana")

    with pytest.raises(
        PixDecodeError, match=r"^CRC mismatch: payload says 1D3D, computed [0-9A-F]{4}$"
    ):
        decode(tampered)


def test_a_crc_written_in_lower_case_is_a_mismatch() -> None:
    with pytest.raises(PixDecodeError, match="payload says 1d3d, computed 1D3D"):
        decode(MANUAL_STATIC[:-4] + "1d3d")


def test_pasted_whitespace_around_the_payload_is_ignored() -> None:
    assert decode(f"  {MANUAL_STATIC}\n").crc == "1D3D"


def test_a_payload_without_field_63_at_the_end_is_refused() -> None:
    with pytest.raises(PixDecodeError, match=r"does not end with field 63 \(CRC\)"):
        decode(MANUAL_STATIC[:-8])


def test_a_non_ascii_character_is_reported_with_its_position() -> None:
    with pytest.raises(PixDecodeError, match="character 'ã' at position 99"):
        decode(MANUAL_STATIC[:99] + "ã" + MANUAL_STATIC[100:])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (static_body(amount="1,00"), r"field 54 \(amount\) is not a decimal amount: '1,00'"),
        (static_body(amount="0.00"), r"field 54 \(amount\) is zero"),
        (static_body(amount="10000000000.00"), r"field 54 \(amount\) is longer than 13"),
        (static_body().replace("5913Fulano de Tal", ""), r"field 59 \(merchant name\) is missing"),
        (static_body().replace("5802BR", "5802US"), r"field 58 \(country\) is 'US', expected 'BR'"),
        (static_body().replace("5303986", "5303840"), r"field 53 \(currency\) is '840'"),
        (static_body().replace("62070503***", ""), r"field 62 \(additional data\) is missing"),
        (
            static_body().replace("6008BRASILIA", "6099BRASILIA"),
            r"field 60 \(merchant city\) declares 99",
        ),
        (
            static_body(
                account=tlv("00", "br.gov.bcb.pix") + tlv("01", MANUAL_KEY) + tlv("25", "a.b/c")
            ),
            r"field 26 must hold exactly one of 01 \(key\) and 25 \(URL\)",
        ),
        (
            static_body(account=tlv("00", "br.gov.bcb.xyz") + tlv("01", MANUAL_KEY)),
            r"field 26\.00 \(GUI\) is 'br\.gov\.bcb\.xyz'",
        ),
        (
            static_body().replace("000201", "000202", 1),
            r"field 00 \(payload format indicator\) is '02'",
        ),
    ],
)
def test_a_structural_problem_names_the_field(body: str, message: str) -> None:
    with pytest.raises(PixDecodeError, match=message):
        decode(with_crc(body))


def test_decode_errors_are_invalid_values() -> None:
    assert issubclass(PixDecodeError, PixError)
    assert issubclass(PixError, InvalidValue)
    assert issubclass(PixError, ValueError)


def test_amount_is_written_with_two_decimals() -> None:
    payload = encode_static(MANUAL_KEY, "Fulano de Tal", "BRASILIA", Decimal("103.9"))

    assert "5406103.90" in payload
    assert decode(payload).to_json()["amount"] == "103.90"


def test_to_json_is_ready_for_the_cli() -> None:
    payload = encode_static(
        "12345678909", "Provedor", "Recife", Decimal("103.92"), "QINV1", description="Fatura"
    )
    data = decode(payload).to_json()

    assert data["amount"] == "103.92"
    assert (data["key"], data["description"], data["txid"]) == ("12345678909", "Fatura", "QINV1")
    assert (data["kind"], data["point_of_initiation_method"]) == ("static", None)
    assert data["raw"] == decode(payload).raw


def test_float_amount_is_refused_with_type_error() -> None:
    with pytest.raises(TypeError, match="amount must be a Decimal, not float"):
        encode_static(MANUAL_KEY, "Fulano", "BRASILIA", 10.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (Decimal("0"), "must be a positive amount"),
        (Decimal("-1.00"), "must be a positive amount"),
        (Decimal("NaN"), "must be a positive amount"),
        (Decimal("1.005"), "more than two decimal places"),
        (Decimal("10000000000.00"), "longer than 13 characters"),
    ],
)
def test_an_amount_that_cannot_be_written_is_refused(amount: Decimal, message: str) -> None:
    with pytest.raises(PixError, match=rf"field 54 \(amount\) .*{message}"):
        encode_static(MANUAL_KEY, "Fulano", "BRASILIA", amount)


def test_names_lose_their_accents_and_are_cut_to_the_field_limits() -> None:
    payload = decode(
        encode_static(MANUAL_KEY, "Conexão Nordeste Telecomunicações Ltda", "São José dos Campos")
    )

    assert payload.merchant_name == "Conexao Nordeste Telecomu"
    assert payload.merchant_city == "Sao Jose dos Ca"


def test_a_name_with_nothing_left_in_ascii_is_refused() -> None:
    with pytest.raises(PixError, match=r"field 59 \(merchant name\) is empty once reduced"):
        encode_static(MANUAL_KEY, "★★★", "BRASILIA")


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("12345678909", "cpf"),
        ("11222333000181", "cnpj"),
        ("cobranca@provedor.com.br", "email"),
        ("+5561912345678", "phone"),
        ("+556132345678", "phone"),
        ("7f6844d0-de89-47e5-9ef7-e0a35a681615", "evp"),
        (MANUAL_KEY, "evp"),
    ],
)
def test_keys_in_their_canonical_form_are_recognised(key: str, kind: str) -> None:
    assert key_type(key) == kind


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("12345678900", "is not a valid CPF: check digits do not match"),
        ("11222333000180", "is not a valid CNPJ: check digits do not match"),
        ("123.456.789-09", "of 14 characters is not a CPF, CNPJ"),
        ("7F6844D0-DE89-47E5-9EF7-E0A35A681615", "of 36 characters is not a CPF"),
        ("+1415555123", "of 11 characters is not a CPF"),
        ("no-at-sign.com.br", "of 17 characters is not a CPF"),
    ],
)
def test_a_malformed_key_is_refused_without_echoing_it(key: str, message: str) -> None:
    with pytest.raises(PixError, match=rf"field 26\.01 \(key\) {message}") as caught:
        encode_static(key, "Fulano", "BRASILIA")

    assert key not in str(caught.value)


def test_a_description_goes_into_field_26_02() -> None:
    payload = encode_static(MANUAL_KEY, "Fulano", "BRASILIA", description="Fatura março")

    assert "0212Fatura marco" in payload
    assert decode(payload).description == "Fatura marco"


def test_a_description_too_long_for_field_26_is_refused() -> None:
    with pytest.raises(PixError, match=r"field 26 \(merchant account information\) would be"):
        encode_static(MANUAL_KEY, "Fulano", "BRASILIA", description="x" * 60)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://pix.example.com/qr/1", "must not include a scheme"),
        ("pix example.com/qr/1", "has a space"),
        ("localhost/qr/1", "does not start with a host name"),
        ("pix.example.com/" + "a" * 62, "must have 1 to 77 characters"),
    ],
)
def test_a_bad_payload_location_is_refused(url: str, message: str) -> None:
    with pytest.raises(PixError, match=rf"field 26\.25 \(URL\) {message}"):
        encode_dynamic(url, "Fulano", "BRASILIA")


@pytest.mark.parametrize("txid", ["", "QINV-1", "A" * 26, "****"])
def test_a_txid_that_is_not_alphanumeric_or_too_long_is_refused(txid: str) -> None:
    with pytest.raises(PixError, match=r"field 62\.05 \(txid\)"):
        encode_static(MANUAL_KEY, "Fulano", "BRASILIA", txid=txid)


def test_txid_for_an_invoice_ties_back_to_it() -> None:
    txid = txid_for("invoice", 1234)

    assert txid.startswith("QINV000000001234")
    assert len(txid) == 18
    assert parse_txid(txid) == ("invoice", 1234)


@given(kind=st.sampled_from(["invoice", "installment"]), ref=st.integers(1, 10**12 - 1))
def test_txids_round_trip_and_fit_field_62_05(kind: str, ref: int) -> None:
    txid = txid_for(kind, ref)

    assert parse_txid(txid) == (kind, ref)
    assert len(txid) <= 25
    assert txid.isalnum()
    assert txid.isascii()


@given(ref=st.integers(1, 10**12 - 1), position=st.integers(4, 17), digit=st.integers(0, 9))
def test_a_txid_with_one_wrong_digit_is_not_ours(ref: int, position: int, digit: int) -> None:
    txid = txid_for("installment", ref)
    tampered = txid[:position] + str(digit) + txid[position + 1 :]

    if tampered != txid:
        assert parse_txid(tampered) is None


@pytest.mark.parametrize("txid", ["***", "ABC123", "QINV0000000012349", "QXXX00000000123412"])
def test_txids_we_did_not_make_parse_to_none(txid: str) -> None:
    assert parse_txid(txid) is None


@pytest.mark.parametrize(("kind", "ref"), [("boleto", 1), ("invoice", 0), ("invoice", 10**12)])
def test_txid_for_refuses_unknown_kinds_and_out_of_range_ids(kind: str, ref: int) -> None:
    with pytest.raises(PixError, match="txid"):
        txid_for(kind, ref)


def test_qr_png_is_a_png_image() -> None:
    image = qr_png(MANUAL_STATIC)
    width, height = struct.unpack(">II", image[16:24])

    assert image.startswith(b"\x89PNG\r\n\x1a\n")
    assert width == height
    # 10 pixels a module and a 4-module border on each side.
    assert width % 10 == 0
    assert width >= (25 + 8) * 10


@given(key=pix_keys(), name=names, city=names, amount=st.none() | amounts, txid=st.just("***"))
def test_static_payloads_round_trip(
    key: str, name: str, city: str, amount: Decimal | None, txid: str
) -> None:
    payload = decode(encode_static(key, name, city, amount, txid))

    assert (payload.key, payload.amount, payload.txid) == (key, amount, txid)
    assert payload.merchant_name == without_accents(name, 25)
    assert payload.merchant_city == without_accents(city, 15)


@given(key=cpfs(), ref=st.integers(1, 10**12 - 1), description=names)
def test_static_payloads_carry_our_txid_and_description(
    key: str, ref: int, description: str
) -> None:
    txid = txid_for("invoice", ref)
    payload = decode(encode_static(key, "Provedor", "Natal", None, txid, description))

    assert parse_txid(payload.txid) == ("invoice", ref)
    assert payload.description == without_accents(description, 99)


@given(path=st.from_regex(r"[a-z0-9/]{1,40}", fullmatch=True), amount=st.none() | amounts)
def test_dynamic_payloads_round_trip(path: str, amount: Decimal | None) -> None:
    url = f"pix.example.com/{path}"
    payload = decode(encode_dynamic(url, "Fulano de Tal", "Brasília", amount))

    assert (payload.url, payload.amount, payload.txid) == (url, amount, "***")
    assert payload.merchant_city == "Brasilia"


@given(
    key=pix_keys(),
    amount=amounts,
    position=st.integers(min_value=0),
    replacement=st.sampled_from([*PRINTABLE_ASCII, "é", "\n", "\u00a0"]),
)
def test_any_single_character_change_is_detected(
    key: str, amount: Decimal, position: int, replacement: str
) -> None:
    payload = encode_static(key, "Fulano de Tal", "BRASILIA", amount)
    position %= len(payload)
    tampered = payload[:position] + replacement + payload[position + 1 :]

    if tampered != payload:
        with pytest.raises(PixDecodeError):
            decode(tampered)


def test_every_single_character_change_of_the_manual_example_is_detected() -> None:
    for position, original in enumerate(MANUAL_DYNAMIC):
        for replacement in PRINTABLE_ASCII:
            if replacement == original:
                continue
            tampered = MANUAL_DYNAMIC[:position] + replacement + MANUAL_DYNAMIC[position + 1 :]
            with pytest.raises(PixDecodeError):
                decode(tampered)


def test_qr_png_pixels_are_the_qr_modules() -> None:
    image = qr_png(MANUAL_STATIC)
    width = struct.unpack(">I", image[16:20])[0]
    idat_length = struct.unpack(">I", image[33:37])[0]
    pixels = zlib.decompress(image[41 : 41 + idat_length])
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, mask_pattern=QR_MASK
    )
    code.add_data(MANUAL_STATIC)
    code.make(fit=True)
    row_bytes = width + 1  # a filter byte, then one byte a pixel

    # The centre pixel of every 10 x 10 cell is dark exactly where the module is.
    sampled = [
        [pixels[(y * 10 + 5) * row_bytes + 1 + x * 10 + 5] == 0 for x in range(width // 10)]
        for y in range(width // 10)
    ]
    assert sampled == code.get_matrix()
