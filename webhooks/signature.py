"""Meta's webhook signature: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`,
keyed with the app secret."""

import hashlib
import hmac
from enum import StrEnum

SIGNATURE_HEADER = "X-Hub-Signature-256"
_PREFIX = "sha256="


class SignatureCheck(StrEnum):
    VALID = "valid"
    MISSING = "missing"
    MALFORMED = "malformed"
    MISMATCH = "mismatch"


def sign(body: bytes, app_secret: str) -> str:
    """The header value Meta would send for `body` ("sha256=" and 64 lowercase hex digits)."""
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return _PREFIX + digest


def check_signature(body: bytes, header: str | None, app_secret: str) -> SignatureCheck:
    """Whether `header` signs exactly these bytes; never raises.

    The body must be the bytes as received: re-serialised JSON would not match. The digest is
    compared in constant time, so response times do not reveal how much of a forgery was right.
    """
    if header is None or not header.strip():
        return SignatureCheck.MISSING
    given = header.strip()
    if not given.startswith(_PREFIX) or len(given) != len(_PREFIX) + 64:
        return SignatureCheck.MALFORMED
    expected = sign(body, app_secret)
    # Hex case carries no meaning; compare_digest needs ASCII, which `lower()` keeps if given.
    if not given.isascii():
        return SignatureCheck.MALFORMED
    if hmac.compare_digest(given.lower().encode(), expected.encode()):
        return SignatureCheck.VALID
    return SignatureCheck.MISMATCH
