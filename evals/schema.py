"""The scenario format: a debtor's world, who the debtor is, and what must hold at the end.

Every model forbids unknown keys, so a typo in a suite is an error (with its file and line,
see evals.loader) rather than an expectation silently never checked. Money is written as a
string with two decimals ("99.90"), dates as ISO dates, as in the rest of Quita's contract.
"""

import datetime as dt
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from billing.documents import parse_document
from billing.errors import InvalidValue
from billing.phones import normalize_phone

TOOL_NAMES = (
    "get_balance",
    "issue_second_copy_boleto",
    "create_pix_charge",
    "quote_renegotiation",
    "accept_renegotiation",
    "register_promise_to_pay",
    "report_payment",
    "request_trust_unblock",
    "open_dispute",
    "search_knowledge",
    "escalate_to_human",
    "opt_out",
)
ToolName = Literal[
    "get_balance",
    "issue_second_copy_boleto",
    "create_pix_charge",
    "quote_renegotiation",
    "accept_renegotiation",
    "register_promise_to_pay",
    "report_payment",
    "request_trust_unblock",
    "open_dispute",
    "search_knowledge",
    "escalate_to_human",
    "opt_out",
]
Segment = Literal["loyal", "disorganized", "cash_flow_trouble", "chronic", "new_customer"]
DEFAULT_PHONE = "+5511987654321"


def _money(value: Any) -> Decimal:
    """Reais as a string with at most two decimals; floats are refused (they round)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError('money must be a string such as "99.90"')
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"not an amount: {value!r}") from None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"amount {value!r} needs at most two decimals")
    return amount.quantize(Decimal("0.01"))


Money = Annotated[Decimal, BeforeValidator(_money)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# The world -------------------------------------------------------------------------------


class CustomerSpec(Strict):
    """A subscriber; `id` is the external id other rows refer to."""

    id: str = "C1"
    name: str = "MARIA DAS DORES SOUZA"
    document: str = "529.982.247-25"
    phone: str = DEFAULT_PHONE
    email: str | None = None
    state: str = Field("SP", min_length=2, max_length=2)
    segment: Segment | None = None

    @field_validator("document")
    @classmethod
    def _valid_document(cls, value: str) -> str:
        try:
            return parse_document(value).value
        except InvalidValue as error:
            raise ValueError(str(error)) from None

    @field_validator("phone")
    @classmethod
    def _valid_phone(cls, value: str) -> str:
        try:
            return normalize_phone(value)
        except InvalidValue as error:
            raise ValueError(str(error)) from None


class ContractSpec(Strict):
    id: str | None = None
    customer: str | None = None
    plan: str = "Fibra 500 Mega"
    monthly_fee: Money = Decimal("99.90")
    status: Literal["active", "suspended", "rescinded"] = "active"
    activated_on: date = date(2025, 1, 5)
    suspended_on: date | None = None
    rescinded_on: date | None = None


class InvoiceSpec(Strict):
    """An invoice; `month` (YYYY-MM) defaults to the due date's month."""

    id: str
    customer: str | None = None
    contract: str | None = None
    amount: Money
    due: date
    month: str | None = Field(None, pattern=r"^\d{4}-\d{2}$")
    status: Literal["open", "paid", "cancelled"] = "open"
    paid_on: date | None = None


class PaymentSpec(Strict):
    """A payment the ledger already knows of (and, with `invoice`, settled against it)."""

    invoice: str | None = None
    customer: str | None = None
    amount: Money
    paid_on: date
    method: Literal["pix", "boleto", "card", "transfer", "cash"] = "pix"


class AgreementSpec(Strict):
    """An earlier agreement: its invoices are marked renegotiated while it is active; a broken
    one counts against new agreements and trust unblocks."""

    customer: str | None = None
    status: Literal["active", "paid", "broken", "cancelled"] = "broken"
    invoices: list[str] = Field(default_factory=list)
    total: Money
    installments: int = Field(2, ge=1, le=60)
    created_on: date
    closed_on: date | None = None


class PromiseSpec(Strict):
    customer: str | None = None
    date: dt.date
    status: Literal["pending", "kept", "broken"] = "broken"
    amount: Money = Decimal("99.90")
    created_on: dt.date | None = None


class PaymentReportSpec(Strict):
    customer: str | None = None
    reported_on: date
    method: Literal["pix", "boleto", "card", "transfer", "unknown"] = "unknown"
    pause_until: date
    status: Literal["pending", "confirmed", "unconfirmed"] = "unconfirmed"


class TrustUnblockSpec(Strict):
    contract: str | None = None
    granted_on: date
    until: date


class DisputeSpec(Strict):
    customer: str | None = None
    invoice: str | None = None
    reason: str = "cobrança indevida"
    status: Literal["open", "answered", "closed"] = "open"
    opened_on: date
    answer_due: date | None = None


class ThreadSpec(Strict):
    """The debtor's WhatsApp thread as it stands before the conversation."""

    owner: Literal["agent", "staff"] = "agent"
    opted_out_on: date | None = None


class World(Strict):
    customers: list[CustomerSpec] = Field(default_factory=lambda: [CustomerSpec()])
    contracts: list[ContractSpec] | None = None
    invoices: list[InvoiceSpec] = Field(default_factory=list)
    payments: list[PaymentSpec] = Field(default_factory=list)
    agreements: list[AgreementSpec] = Field(default_factory=list)
    promises: list[PromiseSpec] = Field(default_factory=list)
    payment_reports: list[PaymentReportSpec] = Field(default_factory=list)
    trust_unblocks: list[TrustUnblockSpec] = Field(default_factory=list)
    disputes: list[DisputeSpec] = Field(default_factory=list)
    thread: ThreadSpec | None = None

    @model_validator(mode="after")
    def _unique_ids(self) -> Self:
        for kind, ids in (
            ("customer", [c.id for c in self.customers]),
            ("invoice", [i.id for i in self.invoices]),
            ("contract", [c.id for c in self.contracts or [] if c.id]),
        ):
            repeated = sorted({value for value in ids if ids.count(value) > 1})
            if repeated:
                raise ValueError(f"{kind} id {repeated[0]!r} appears more than once")
        return self


# The debtor ------------------------------------------------------------------------------


class Turn(Strict):
    """One debtor message: a `text`, or a tap on the `button` (or list row) the agent's last
    messages offered, named by title, id or position (1-based). `must_say` and
    `must_not_say` apply to the agent's replies to this very message."""

    text: str | None = None
    button: str | None = None
    must_say: list[str] = Field(default_factory=list)
    must_not_say: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_message(self) -> Self:
        if (self.text is None) == (self.button is None):
            raise ValueError("a turn has exactly one of `text` and `button`")
        return self


class PersonaRule(Strict):
    """When the agent's last replies contain any `when` phrase (accents and case ignored) and
    offer the `offered` choice (if given), the debtor `say`s a text, `pick`s a choice, or
    `end`s the chat. A rule fires at most `times` times."""

    when: list[str] = Field(default_factory=list)
    offered: str | None = None
    say: str | None = None
    pick: str | None = None
    end: bool = False
    times: int = Field(1, ge=1, le=20)

    @field_validator("when", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _one_action(self) -> Self:
        actions = [self.say is not None, self.pick is not None, self.end]
        if sum(actions) != 1:
            raise ValueError("a persona rule has exactly one of `say`, `pick` and `end: true`")
        if not self.when and self.offered is None:
            raise ValueError("a persona rule needs `when` or `offered`")
        return self


class Persona(Strict):
    """A simulated debtor. Offline it follows `rules` (after answering identity questions
    with `document_prefix`, the customer's own by default); an LLM plays it from `goal`."""

    goal: str
    opening: str
    style: str = "escreve em minúsculas, sem acentos, frases curtas, às vezes com erros"
    document_prefix: str | None = None
    answer_identity: bool = True
    rules: list[PersonaRule] = Field(default_factory=list)
    done_when: list[str] = Field(default_factory=list)
    max_turns: int = Field(8, ge=1, le=30)


class Debtor(Strict):
    """Who writes: the phone (the first customer's by default) and either scripted `turns`
    or a `persona`."""

    phone: str | None = None
    name: str | None = None
    turns: list[Turn] | None = None
    persona: Persona | None = None

    @field_validator("turns", mode="before")
    @classmethod
    def _plain_texts(cls, value: Any) -> Any:
        # A bare string is a text turn: "oi" means {text: "oi"}.
        if isinstance(value, list):
            return [{"text": item} if isinstance(item, str) else item for item in value]
        return value

    @model_validator(mode="after")
    def _turns_or_persona(self) -> Self:
        if (self.turns is None) == (self.persona is None):
            raise ValueError("the debtor has exactly one of `turns` and `persona`")
        if self.turns is not None and not self.turns:
            raise ValueError("`turns` needs at least one message")
        return self

    @field_validator("phone")
    @classmethod
    def _valid_phone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return normalize_phone(value)
        except InvalidValue as error:
            raise ValueError(str(error)) from None

    def scripted(self) -> list[Turn]:
        return list(self.turns or [])


# Expectations ----------------------------------------------------------------------------


class ToolExpect(Strict):
    """A tool call: `args` must equal the given values (other arguments are free); `ok` and
    `code` constrain the result; `times` the exact number of matching calls."""

    name: ToolName
    args: dict[str, Any] = Field(default_factory=dict)
    ok: bool | None = None
    code: str | None = None
    times: int | None = Field(None, ge=0)


ToolRef = ToolName | ToolExpect


class AgreementExpect(Strict):
    status: Literal["active", "paid", "broken", "cancelled"] = "active"
    installments: int | None = None
    total: Money | None = None
    discount: Money | None = None
    first_due: date | None = None
    amounts: list[Money] | None = None
    offer_id: str | None = None
    invoices: list[str] | None = None


class PromiseExpect(Strict):
    date: date
    status: Literal["pending", "kept", "broken"] = "pending"
    amount: Money | None = None


class DisputeExpect(Strict):
    status: Literal["open", "answered", "closed"] = "open"
    invoice: str | None = None
    answer_due: date | None = None


class PaymentReportExpect(Strict):
    method: Literal["pix", "boleto", "card", "transfer", "unknown"] | None = None
    pause_until: date | None = None
    status: Literal["pending", "confirmed", "unconfirmed"] = "pending"


class TrustUnblockExpect(Strict):
    until: date


class EscalationExpect(Strict):
    reason: str | None = None


class PaymentExpect(Strict):
    amount: Money | None = None
    invoice: str | None = None


class ChargesExpect(Strict):
    pix: int | None = Field(None, ge=0)
    boleto: int | None = Field(None, ge=0)


class LedgerExpect(Strict):
    """The ledger at the end. Lists describe every row of that kind the conversation created
    (an empty list: none); `invoices` maps external ids to their final status."""

    invoices: dict[str, Literal["open", "paid", "cancelled", "renegotiated"]] | None = None
    agreements: list[AgreementExpect] | None = None
    promises: list[PromiseExpect] | None = None
    disputes: list[DisputeExpect] | None = None
    payment_reports: list[PaymentReportExpect] | None = None
    trust_unblocks: list[TrustUnblockExpect] | None = None
    escalations: list[EscalationExpect] | None = None
    payments: list[PaymentExpect] | None = None
    charges: ChargesExpect | None = None
    opted_out: bool | None = None
    thread_owner: Literal["agent", "staff"] | None = None


class Expect(Strict):
    tools_called: list[ToolRef] = Field(default_factory=list)
    tools_not_called: list[ToolRef] = Field(default_factory=list)
    must_say: list[str] = Field(default_factory=list)
    must_not_say: list[str] = Field(default_factory=list)
    ledger: LedgerExpect | None = None


class Invariants(Strict):
    """Checks on every turn; all on unless a scenario turns one off on purpose."""

    no_figure_before_verification: bool = True
    figures_grounded: bool = True
    offers_within_policy: bool = True
    window_respected: bool = True
    respectful_wording: bool = True


class Scenario(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.\-]*$", max_length=80)
    description: str
    tags: list[str] = Field(default_factory=list)
    today: date
    policy: dict[str, Any] = Field(default_factory=dict)
    world: World = Field(default_factory=World)
    debtor: Debtor
    expect: Expect = Field(default_factory=Expect)
    invariants: Invariants = Field(default_factory=Invariants)

    @field_validator("today", mode="before")
    @classmethod
    def _plain_date(cls, value: Any) -> Any:
        if isinstance(value, datetime):
            raise ValueError("`today` is a date (YYYY-MM-DD), not a date and time")
        return value

    @model_validator(mode="after")
    def _references(self) -> Self:
        customers = {customer.id for customer in self.world.customers}
        invoices = {invoice.id for invoice in self.world.invoices}
        for row in self.world.invoices:
            _known("customer", row.customer, customers)
        for payment in self.world.payments:
            _known("invoice", payment.invoice, invoices)
        for dispute in self.world.disputes:
            _known("invoice", dispute.invoice, invoices)
        for agreement in self.world.agreements:
            for invoice in agreement.invoices:
                _known("invoice", invoice, invoices)
        if self.debtor.phone is None and not self.world.customers:
            raise ValueError("debtor.phone is required when the world has no customer")
        return self

    @property
    def phone(self) -> str:
        return self.debtor.phone or self.world.customers[0].phone


def _known(kind: str, value: str | None, known: set[str]) -> None:
    if value is not None and value not in known:
        raise ValueError(f"unknown {kind} {value!r} (known: {', '.join(sorted(known))})")
