"""A payment notice as it arrives from any source, before it is matched and settled."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any


class NoticeSource(StrEnum):
    PIX_WEBHOOK = "pix_webhook"
    BANK_RETURN = "bank_return"
    CSV = "csv"


@dataclass(frozen=True)
class IncomingPayment:
    """Money a payer sent, as the bank or PSP reports it.

    `source_ref` identifies the payment itself (a Pix endToEndId, a bank's own record id) and
    settles at most once; `reference` ties it to what was charged (a Pix txid, a boleto's
    barcode or "nosso número"); `paid_at` is aware; `amount` is in reais.
    """

    source: NoticeSource
    source_ref: str
    reference: str | None
    amount: Decimal
    paid_at: datetime
    raw: dict[str, Any] = field(default_factory=dict)
