"""Each tool and its refusals, through the real pipeline, as a debtor would trigger them."""

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from agent.understanding import CONFIRM_YES, offer_reply_id
from billing.models import (
    Agreement,
    ContractStatus,
    Dispute,
    ErpAction,
    Invoice,
    InvoiceStatus,
    PaymentPromise,
    PaymentReport,
    TrustUnblock,
)
from billing.settlement import settle
from quita.db import session_scope
from quita.policy import Policy
from tests.agent.harness import Chat, chat_with, texts
from tests.billing.ledger_rows import PHONE, TODAY, Ledger, pix_notice, seed_ledger


def _verified(chat: Chat) -> Chat:
    chat.say("qual o valor da minha conta?")
    chat.say("529")
    return chat


def _rows(engine: Engine, model: type) -> list:  # type: ignore[type-arg]
    with Session(engine) as session:
        return list(session.exec(select(model)).all())


def test_an_agreement_needs_an_explicit_yes_to_one_offer(chat: Chat) -> None:
    _verified(chat)

    listing = chat.say("quero parcelar")
    offers = chat.state()["offers"]
    chosen = next(offer for offer in offers if len(offer["installments"]) == 3)
    confirm = chat.tap(offer_reply_id(chosen["id"]))

    assert "Parcelar" not in texts(listing)  # the list offers concrete plans
    assert _rows(chat.engine, Agreement) == []  # choosing is not accepting
    assert "Posso fechar?" in texts(confirm)
    closed = chat.tap(CONFIRM_YES)

    agreements = _rows(chat.engine, Agreement)
    assert len(agreements) == 1
    assert "Acordo fechado" in texts(closed)
    invoices = _rows(chat.engine, Invoice)
    assert {invoice.status for invoice in invoices} == {InvoiceStatus.RENEGOTIATED}


def test_a_yes_without_a_chosen_offer_closes_nothing(chat: Chat) -> None:
    _verified(chat)
    chat.say("quero fazer um acordo")

    chat.say("sim")

    assert _rows(chat.engine, Agreement) == []


def test_more_installments_than_the_policy_allows_are_refused(chat: Chat) -> None:
    _verified(chat)

    replies = chat.say("quero parcelar em 24x")

    said = texts(replies)
    assert "24x" not in said.replace("em 24x", "")
    assert chat.state()["offers"]  # the allowed options are still offered
    facts = [fact for fact in chat.state()["facts"] if fact["tool"] == "quote_renegotiation"]
    assert facts[-1]["data"]["requested_code"]


def test_a_promise_inside_the_window_pauses_reminders(chat: Chat) -> None:
    _verified(chat)

    replies = chat.say("vou pagar dia 25")

    promises = _rows(chat.engine, PaymentPromise)
    assert [promise.promised_date for promise in promises] == [date(2026, 11, 25)]
    assert "25/11" in texts(replies)


def test_a_promise_beyond_the_window_is_refused(chat: Chat) -> None:
    _verified(chat)

    replies = chat.say("so consigo pagar dia 20 do mes que vem")

    assert _rows(chat.engine, PaymentPromise) == []
    assert "Consigo registrar o compromisso para até" in texts(replies)


def test_already_paid_without_a_payment_asks_for_the_receipt(chat: Chat) -> None:
    _verified(chat)

    replies = chat.say("ja paguei ontem pelo pix")

    reports = _rows(chat.engine, PaymentReport)
    assert len(reports) == 1
    assert reports[0].method == "pix"
    assert "comprovante" in texts(replies)


def test_already_paid_with_the_payment_on_the_ledger_is_confirmed(
    chat: Chat, ledger: Ledger
) -> None:
    _verified(chat)
    with session_scope(chat.engine) as session:
        invoice = session.get_one(Invoice, ledger.invoice_id)
        charge = chat.agent._provider.create_pix_charge(session, invoice, TODAY)
    with session_scope(chat.engine) as session:
        settle(session, pix_notice(charge.txid, charge.amount), Policy(), TODAY)

    replies = chat.say("ja paguei")

    assert "Encontrei aqui o seu pagamento de R$ 102,23" in texts(replies)
    assert _rows(chat.engine, PaymentReport) == []


def test_a_dispute_pauses_collection_and_goes_to_staff(chat: Chat) -> None:
    _verified(chat)

    replies = chat.say("nao reconheco essa cobranca, cancelei o plano em setembro")

    disputes = _rows(chat.engine, Dispute)
    assert len(disputes) == 1
    assert "contestação" in texts(replies)
    assert chat.state()["owner"] == "staff"


@pytest.fixture
def suspended_chat(engine: Engine, database_url: str) -> Iterator[Chat]:
    seed_ledger(engine, suspended=True, other_overdue=True)
    with chat_with(engine, database_url, PHONE, TODAY) as conversation:
        yield conversation


def test_a_suspended_debtor_gets_a_trust_unblock_once(suspended_chat: Chat) -> None:
    chat = _verified(suspended_chat)

    first = chat.say("preciso da internet pra trabalhar, libera em confianca?")
    second = chat.say("libera de novo o desbloqueio de confianca")

    assert len(_rows(chat.engine, TrustUnblock)) == 1
    assert "Liberei a sua internet em confiança até 23/11" in texts(first)
    assert "Liberei" not in texts(second)
    assert any(action.action == "restore" for action in _rows(chat.engine, ErpAction))


def test_a_trust_unblock_is_refused_when_nothing_is_suspended(chat: Chat) -> None:
    _verified(chat)

    replies = chat.say("quero o desbloqueio de confianca")

    assert _rows(chat.engine, TrustUnblock) == []
    assert "não está bloqueada" in texts(replies)
    assert ContractStatus.ACTIVE  # the fixture's contract is active
