"""X-Hub-Signature-256: HMAC-SHA256 of the exact body bytes, keyed with the app secret."""

import pytest

from webhooks.signature import SignatureCheck, check_signature, sign

SECRET = "meta-app-secret"
BODY = b'{"object":"whatsapp_business_account","entry":[]}'
# Computed independently: printf '<BODY>' | openssl dgst -sha256 -hmac meta-app-secret
HEADER = "sha256=ee9f05f989bc0aa2693d85691a477f8b8403933cde7959a1c5c6be7ea85e8d3d"


def test_sign_matches_an_independently_computed_hmac() -> None:
    assert sign(BODY, SECRET) == HEADER


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (HEADER, SignatureCheck.VALID),
        (HEADER.upper().replace("SHA256=", "sha256="), SignatureCheck.VALID),
        (f"  {HEADER} ", SignatureCheck.VALID),
        (None, SignatureCheck.MISSING),
        ("   ", SignatureCheck.MISSING),
        (HEADER[:-1], SignatureCheck.MALFORMED),
        ("sha1=" + HEADER[7:], SignatureCheck.MALFORMED),
        (HEADER[7:], SignatureCheck.MALFORMED),
        (HEADER[:-1] + "0", SignatureCheck.MISMATCH),
    ],
    ids=["exact", "upper-hex", "padded", "none", "blank", "short", "sha1", "bare", "one-off"],
)
def test_check_signature(header: str | None, expected: SignatureCheck) -> None:
    assert check_signature(BODY, header, SECRET) is expected


def test_re_serialised_json_does_not_match() -> None:
    spaced = b'{"object": "whatsapp_business_account", "entry": []}'

    assert check_signature(spaced, HEADER, SECRET) is SignatureCheck.MISMATCH


def test_another_secret_does_not_match() -> None:
    assert check_signature(BODY, HEADER, "another-secret") is SignatureCheck.MISMATCH
