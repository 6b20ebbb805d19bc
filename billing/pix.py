"""Pix BR Code payloads (EMV QRCPS-MPM, as the Banco Central's Pix manual profiles it).

Encodes static and dynamic payloads, decodes and checks them, and ties txids to our invoices.
"""

import re
import struct
import unicodedata
import zlib
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Literal

import qrcode  # type: ignore[import-untyped]

from billing.documents import CPF_LENGTH, is_valid_document
from billing.errors import InvalidValue

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
QR_BORDER = 4
QR_MODULE_PIXELS = 10
QR_MASK = 2

GUI = "br.gov.bcb.pix"
NO_TXID = "***"
DYNAMIC_INITIATION = "12"

KeyType = Literal["cpf", "cnpj", "email", "phone", "evp"]
TlvTree = dict[str, str | dict[str, str]]

_MAX_NAME = 25
_MAX_CITY = 15
_MAX_AMOUNT_CHARS = 13
_MAX_URL = 77
_MAX_EMAIL = 77
_FIELD_NAMES = {
    "00": "payload format indicator",
    "01": "point of initiation method",
    "26": "merchant account information",
    "26.00": "GUI",
    "26.01": "key",
    "26.02": "description",
    "26.25": "URL",
    "52": "merchant category code",
    "53": "currency",
    "54": "amount",
    "58": "country",
    "59": "merchant name",
    "60": "merchant city",
    "62": "additional data",
    "62.05": "txid",
    "63": "CRC",
}
# EMV defines these ids as templates (their value is itself a TLV list): merchant account
# information of any arrangement, additional data, and the unreserved templates.
_TEMPLATE_IDS = frozenset(f"{n:02d}" for n in (*range(26, 52), 62, *range(80, 100)))
_AMOUNT = re.compile(r"[0-9]+(\.[0-9]{1,2})?")
_TXID = re.compile(r"[A-Za-z0-9]{1,25}")
_CPF = re.compile(r"[0-9]{11}")
_CNPJ = re.compile(r"[0-9A-Z]{12}[0-9]{2}")
_PHONE = re.compile(r"\+55[0-9]{10,11}")
_EVP = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
_TXID_PREFIXES = {"invoice": "QINV", "installment": "QINS"}
_OUR_TXID = re.compile(r"(QINV|QINS)([0-9]{12})([0-9]{2})")


class PixError(InvalidValue):
    """Values that cannot go into a Pix payload; the message names the field."""


class PixDecodeError(PixError):
    """A string that is not a valid Pix payload; the message names the field or position."""


@dataclass(frozen=True)
class PixPayload:
    """A decoded payload; `amount` is in reais, `raw` holds every field, known or not."""

    payload_format_indicator: str
    point_of_initiation_method: str | None
    gui: str
    key: str | None
    url: str | None
    description: str | None
    merchant_category_code: str
    currency: str
    amount: Decimal | None
    country: str
    merchant_name: str
    merchant_city: str
    txid: str
    crc: str
    raw: TlvTree = field(hash=False)

    @property
    def is_dynamic(self) -> bool:
        return self.url is not None

    def to_json(self) -> dict[str, object]:
        """JSON-ready fields; the amount is a string with two decimals ("103.92") or None."""
        data: dict[str, object] = asdict(self)
        data["amount"] = None if self.amount is None else f"{self.amount:.2f}"
        data["kind"] = "dynamic" if self.is_dynamic else "static"
        return data


def crc16_ccitt(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: polynomial 0x1021, initial 0xFFFF, no reflection, no final XOR."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = (crc << 1) ^ 0x1021 if crc & 0x8000 else crc << 1
        crc &= 0xFFFF
    return crc


def key_type(key: str) -> KeyType:
    """The DICT type of a Pix key written in its canonical form; raises PixError otherwise."""
    kind, problem = _classify_key(key)
    if kind is None:
        raise PixError(str(problem))
    return kind


def plain_text(text: str, limit: int) -> str:
    """`text` in printable ASCII without accents, spaces collapsed, cut to `limit` characters."""
    decomposed = unicodedata.normalize("NFKD", " ".join(text.split()))
    kept = "".join(char for char in decomposed if " " <= char <= "~")
    return " ".join(kept.split())[:limit].rstrip()


def encode_static(
    key: str,
    merchant_name: str,
    merchant_city: str,
    amount: Decimal | None = None,
    txid: str = NO_TXID,
    description: str | None = None,
) -> str:
    """A reusable payload paying `key`; `amount` in reais, or None to let the payer type it.

    Name and city are made plain ASCII and cut to 25 and 15 characters, as banks' apps do.
    Raises PixError naming the offending field, TypeError if `amount` is not a Decimal.
    """
    _raise_if(_classify_key(key)[1])
    _raise_if(_txid_problem(txid))
    account = _tlv("00", GUI) + _tlv("01", key)
    if description is not None:
        account += _tlv("02", _required_text(description, 99, "26.02"))
    return _assemble(None, account, amount, merchant_name, merchant_city, txid)


def encode_dynamic(
    location_url: str, merchant_name: str, merchant_city: str, amount: Decimal | None = None
) -> str:
    """A one-time payload pointing at the PSP's payload location (`location_url`, no scheme)."""
    _raise_if(_url_problem(location_url))
    account = _tlv("00", GUI) + _tlv("25", location_url)
    return _assemble(DYNAMIC_INITIATION, account, amount, merchant_name, merchant_city, NO_TXID)


def decode(payload: str) -> PixPayload:
    """Check the CRC, then the structure, of a payload; raises PixDecodeError with the problem.

    Surrounding whitespace (as pasted from "Pix copia e cola") is ignored.
    """
    text = payload.strip()
    _check_characters(text)
    _check_crc(text)
    tree: TlvTree = {
        tag: _parse_tlv(value, tag) if tag in _TEMPLATE_IDS else value
        for tag, value in _parse_tlv(text, None).items()
    }
    return _read_tree(tree)


def txid_for(kind: str, ref: int) -> str:
    """An 18-character txid naming an "invoice" or "installment" by id, with check digits.

    Layout: QINV or QINS, the id in 12 digits, then ISO 7064 MOD 97-10 check digits.
    """
    prefix = _TXID_PREFIXES.get(kind)
    if prefix is None:
        raise PixError(f"txid kind {kind!r} is unknown; expected one of {sorted(_TXID_PREFIXES)}")
    if isinstance(ref, bool) or not isinstance(ref, int):
        raise TypeError(f"txid reference must be an int, not {type(ref).__name__}")
    if not 0 < ref < 10**12:
        raise PixError(f"txid reference {ref} is outside 1..999999999999")
    body = f"{prefix}{ref:012d}"
    return f"{body}{98 - _mod97(body + '00'):02d}"


def parse_txid(txid: str) -> tuple[str, int] | None:
    """The (kind, id) a txid from `txid_for` names, or None for any other or corrupted txid."""
    match = _OUR_TXID.fullmatch(txid)
    if match is None or _mod97(txid) != 1:
        return None
    kinds = {prefix: kind for kind, prefix in _TXID_PREFIXES.items()}
    return kinds[match[1]], int(match[2])


def qr_png(payload: str) -> bytes:
    """The payload as a QR code (error correction M, 10 pixels a module, a 4-module quiet
    zone) in 8-bit grayscale PNG bytes, drawn without PIL.

    The mask pattern is fixed: any mask is valid for readers, and scoring all eight in pure
    Python costs more than the rest of a debtor's turn.
    """
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=1,
        border=QR_BORDER,
        mask_pattern=QR_MASK,
    )
    code.add_data(payload)
    code.make(fit=True)
    return _grayscale_png(code.get_matrix(), QR_MODULE_PIXELS)


def _grayscale_png(matrix: list[list[bool]], scale: int) -> bytes:
    dark, light = b"\x00" * scale, b"\xff" * scale
    rows = []
    for row in matrix:
        line = b"\x00" + b"".join(dark if module else light for module in row)  # filter: none
        rows.extend([line] * scale)
    size = len(matrix) * scale
    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)  # 8-bit grayscale
    pixels = zlib.compress(b"".join(rows), 6)
    return PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", pixels) + _chunk(b"IEND", b"")


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def _assemble(
    initiation: str | None, account: str, amount: Decimal | None, name: str, city: str, txid: str
) -> str:
    fields = [_tlv("00", "01")]
    if initiation is not None:
        fields.append(_tlv("01", initiation))
    fields += [_tlv("26", account), _tlv("52", "0000"), _tlv("53", "986")]
    if amount is not None:
        fields.append(_tlv("54", _amount_text(amount)))
    fields += [
        _tlv("58", "BR"),
        _tlv("59", _required_text(name, _MAX_NAME, "59")),
        _tlv("60", _required_text(city, _MAX_CITY, "60")),
        _tlv("62", _tlv("05", txid)),
    ]

    body = "".join(fields) + "6304"
    return f"{body}{crc16_ccitt(body.encode('ascii')):04X}"


def _tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise PixError(f"{_label(tag)} would be {len(value)} characters long; the limit is 99")
    return f"{tag}{len(value):02d}{value}"


def _required_text(text: str, limit: int, tag: str) -> str:
    plain = plain_text(text, limit)
    if not plain:
        raise PixError(f"{_label(tag)} is empty once reduced to plain ASCII: {text!r}")
    return plain


def _amount_text(amount: Decimal) -> str:
    if not isinstance(amount, Decimal):
        raise TypeError(f"amount must be a Decimal, not {type(amount).__name__}")
    if not amount.is_finite() or amount <= 0:
        raise PixError(f"field 54 (amount) must be a positive amount, got {amount}")

    text = f"{amount:.2f}"
    if len(text) > _MAX_AMOUNT_CHARS:
        raise PixError(f"field 54 (amount) {text} is longer than {_MAX_AMOUNT_CHARS} characters")
    if Decimal(text) != amount:
        raise PixError(f"field 54 (amount) has more than two decimal places: {amount}")
    return text


def _classify_key(key: str) -> tuple[KeyType | None, str | None]:
    """The key's type and None, or None and why the key is not valid (without echoing it)."""
    if _CPF.fullmatch(key) or _CNPJ.fullmatch(key):
        kind: KeyType = "cpf" if len(key) == CPF_LENGTH else "cnpj"
        if is_valid_document(key):
            return kind, None
        return None, f"field 26.01 (key) is not a valid {kind.upper()}: check digits do not match"
    if _PHONE.fullmatch(key):
        return "phone", None
    # The manual's own example key is not a version-4 UUID, so only the shape is checked.
    if _EVP.fullmatch(key):
        return "evp", None
    if _EMAIL.fullmatch(key) and len(key) <= _MAX_EMAIL:
        return "email", None
    return None, (
        f"field 26.01 (key) of {len(key)} characters is not a CPF, CNPJ, e-mail,"
        " +55 phone number or lower-case random key"
    )


def _url_problem(url: str) -> str | None:
    if "://" in url:
        return f"field 26.25 (URL) must not include a scheme: {url!r}"
    if not url or len(url) > _MAX_URL:
        return f"field 26.25 (URL) must have 1 to {_MAX_URL} characters, has {len(url)}"
    if any(not "!" <= char <= "~" for char in url):
        return f"field 26.25 (URL) has a space or a non-ASCII character: {url!r}"
    if "." not in url.split("/", 1)[0]:
        return f"field 26.25 (URL) does not start with a host name: {url!r}"
    return None


def _txid_problem(txid: str) -> str | None:
    if txid == NO_TXID or _TXID.fullmatch(txid):
        return None
    return f"field 62.05 (txid) must be *** or 1 to 25 letters and digits, got {txid!r}"


def _raise_if(problem: str | None) -> None:
    if problem is not None:
        raise PixError(problem)


def _check_characters(text: str) -> None:
    if not text:
        raise PixDecodeError("payload is empty")
    for position, char in enumerate(text):
        if not " " <= char <= "~":
            raise PixDecodeError(
                f"character {char!r} at position {position} is not printable ASCII"
            )


def _check_crc(text: str) -> None:
    if len(text) < 8 or text[-8:-4] != "6304":
        raise PixDecodeError("payload does not end with field 63 (CRC): '6304' and 4 hex digits")
    claimed = text[-4:]
    computed = f"{crc16_ccitt(text[:-4].encode('ascii')):04X}"
    if claimed != computed:
        raise PixDecodeError(f"CRC mismatch: payload says {claimed}, computed {computed}")


def _parse_tlv(text: str, parent: str | None) -> dict[str, str]:
    fields: dict[str, str] = {}
    position = 0
    while position < len(text):
        head = text[position : position + 4]
        tag = head[:2] if parent is None else f"{parent}.{head[:2]}"
        if not re.fullmatch(r"[0-9]{4}", head):
            where = "payload" if parent is None else _label(parent)
            raise PixDecodeError(f"{where}: no id and length at position {position} ({head!r})")
        size = int(head[2:])
        value = text[position + 4 : position + 4 + size]
        if len(value) < size:
            raise PixDecodeError(f"{_label(tag)} declares {size} characters, {len(value)} remain")
        if head[:2] in fields:
            raise PixDecodeError(f"{_label(tag)} appears twice")
        fields[head[:2]] = value
        position += 4 + size
    return fields


def _read_tree(tree: TlvTree) -> PixPayload:
    if next(iter(tree)) != "00":
        raise PixDecodeError("field 00 (payload format indicator) must come first")
    _expect(tree, "00", "01")
    initiation = tree.get("01")
    if initiation not in (None, "11", DYNAMIC_INITIATION):
        raise PixDecodeError(f"field 01 (point of initiation method) is {initiation!r}")
    account = _template(tree, "26")
    extra = _template(tree, "62")
    if _primitive(account, "26.00").lower() != GUI:
        raise PixDecodeError(f"field 26.00 (GUI) is {account['00']!r}, expected {GUI!r}")

    return PixPayload(
        payload_format_indicator="01",
        point_of_initiation_method=initiation,
        gui=account["00"],
        key=_read_key(account),
        url=account.get("25"),
        description=account.get("02"),
        merchant_category_code=_read_mcc(tree),
        currency=_expect(tree, "53", "986"),
        amount=_read_amount(tree),
        country=_expect(tree, "58", "BR"),
        merchant_name=_read_text(tree, "59", _MAX_NAME),
        merchant_city=_read_text(tree, "60", _MAX_CITY),
        txid=_read_txid(extra),
        crc=_primitive(tree, "63"),
        raw=tree,
    )


def _read_key(account: dict[str, str]) -> str | None:
    key, url = account.get("01"), account.get("25")
    if (key is None) == (url is None):
        raise PixDecodeError("field 26 must hold exactly one of 01 (key) and 25 (URL)")
    problem = _classify_key(key)[1] if key is not None else _url_problem(str(url))
    if problem is not None:
        raise PixDecodeError(problem)
    return key


def _read_mcc(tree: TlvTree) -> str:
    mcc = _primitive(tree, "52")
    if not re.fullmatch(r"[0-9]{4}", mcc):
        raise PixDecodeError(f"field 52 (merchant category code) is not 4 digits: {mcc!r}")
    return mcc


def _read_amount(tree: TlvTree) -> Decimal | None:
    if "54" not in tree:
        return None
    text = _primitive(tree, "54")
    if not _AMOUNT.fullmatch(text):
        raise PixDecodeError(f"field 54 (amount) is not a decimal amount: {text!r}")
    if len(text) > _MAX_AMOUNT_CHARS:
        raise PixDecodeError(f"field 54 (amount) is longer than {_MAX_AMOUNT_CHARS} characters")
    if Decimal(text) == 0:
        raise PixDecodeError("field 54 (amount) is zero")
    return Decimal(text).quantize(Decimal("0.01"))


def _read_text(tree: TlvTree, tag: str, limit: int) -> str:
    text = _primitive(tree, tag)
    if not 0 < len(text) <= limit:
        raise PixDecodeError(f"{_label(tag)} must have 1 to {limit} characters, has {len(text)}")
    return text


def _read_txid(extra: dict[str, str]) -> str:
    txid = _primitive(extra, "62.05")
    problem = _txid_problem(txid)
    if problem is not None:
        raise PixDecodeError(problem)
    return txid


def _expect(tree: TlvTree, tag: str, expected: str) -> str:
    value = _primitive(tree, tag)
    if value != expected:
        raise PixDecodeError(f"{_label(tag)} is {value!r}, expected {expected!r}")
    return value


def _primitive(tree: TlvTree | dict[str, str], tag: str) -> str:
    value = tree.get(tag.rsplit(".", 1)[-1])
    if value is None:
        raise PixDecodeError(f"{_label(tag)} is missing")
    if not isinstance(value, str):
        raise PixDecodeError(f"{_label(tag)} is a template, expected a plain value")
    return value


def _template(tree: TlvTree, tag: str) -> dict[str, str]:
    value = tree.get(tag)
    if value is None:
        raise PixDecodeError(f"{_label(tag)} is missing")
    if isinstance(value, str):
        raise PixDecodeError(f"{_label(tag)} is a plain value, expected a template")
    return value


def _label(tag: str) -> str:
    name = _FIELD_NAMES.get(tag)
    return f"field {tag}" if name is None else f"field {tag} ({name})"


def _mod97(text: str) -> int:
    # Letters count as 10..35, the way IBAN check digits read them.
    return int("".join(str(int(char, 36)) for char in text)) % 97
