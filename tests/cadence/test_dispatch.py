"""Carrying out steps: the Anatel clocks from a delivered notice, payment stopping everything
and restoring the service, the debtor's thread, contact hours at send time."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from agent.history import pushed_lines
from billing.disputes import answer_dispute, open_dispute
from billing.instruments import outstanding
from billing.models import ContractStatus, ErpAction, Invoice, OutboxMessage
from billing.notices import IncomingPayment, NoticeSource
from billing.phones import wa_id_of
from billing.settlement import settle
from cadence.models import CadenceStep
from channels.whatsapp.templates import DEFAULT_TEMPLATES
from conversations.models import Thread
from quita.db import session_scope
from tests.cadence.ledger import (
    POLICY,
    TODAY,
    add_debtor,
    add_invoice,
    at,
    contract_of,
    deliver_all,
    outbox,
    run,
    steps,
)

DUE = date(2026, 11, 10)  # D+10 was 2026-11-20; the notice goes out on the first run


def _actions(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return [row.action for row in session.exec(select(ErpAction).order_by(col(ErpAction.id)))]


def test_no_suspension_while_the_notice_is_undelivered(engine: Engine) -> None:
    debtor = add_debtor(engine)
    add_invoice(engine, debtor, DUE)
    run(engine, at(TODAY))

    run(engine, at(date(2027, 1, 20)))

    assert contract_of(engine, debtor).status == ContractStatus.ACTIVE
    assert _actions(engine) == ["notice"]


def test_suspension_comes_15_days_after_delivery_inside_contact_hours(engine: Engine) -> None:
    debtor = add_debtor(engine)
    add_invoice(engine, debtor, DUE)
    run(engine, at(TODAY))
    deliver_all(engine, at(date(2026, 12, 5), 11))  # a Saturday

    run(engine, at(date(2026, 12, 19)))  # day 14
    assert contract_of(engine, debtor).status == ContractStatus.ACTIVE

    sunday = run(engine, at(date(2026, 12, 20)))  # day 15, but a Sunday
    [planned] = [view for view in sunday.steps if view.step == "suspension"]
    assert planned.status == "planned"
    assert planned.send_at.isoformat() == "2026-12-21T08:00:00-03:00"
    assert contract_of(engine, debtor).status == ContractStatus.ACTIVE

    run(engine, at(date(2026, 12, 21), 9))
    contract = contract_of(engine, debtor)
    assert contract.status == ContractStatus.SUSPENDED
    assert contract.suspended_on == date(2026, 12, 21)
    assert _actions(engine) == ["notice", "suspend"]
    assert [m.purpose for m in outbox(engine)] == ["cadence_notice", "cadence_suspension"]


def test_a_dispute_pushes_the_suspension_back_by_its_length(engine: Engine) -> None:
    debtor = add_debtor(engine)
    invoice_id = add_invoice(engine, debtor, DUE)
    run(engine, at(TODAY))
    deliver_all(engine, at(TODAY, 10, 5))
    with session_scope(engine) as session:
        dispute, _ = open_dispute(
            session,
            debtor.customer_id,
            "não reconheço",
            date(2027, 1, 5),
            "d1",
            invoice_id=invoice_id,
            now=at(date(2026, 12, 8)),
        )
        assert dispute.id is not None
        answer_dispute(session, dispute.id, "valor correto", "staff", now=at(date(2026, 12, 12)))

    run(engine, at(date(2026, 12, 18)))  # 15 days, but 4 of them in dispute
    assert contract_of(engine, debtor).status == ContractStatus.ACTIVE
    run(engine, at(date(2026, 12, 22)))
    assert contract_of(engine, debtor).status == ContractStatus.SUSPENDED


def test_payment_stops_the_cadence_and_restores_within_a_day(engine: Engine) -> None:
    debtor = add_debtor(engine)
    invoice_id = add_invoice(engine, debtor, DUE)
    run(engine, at(TODAY))
    deliver_all(engine, at(TODAY, 10, 5))
    run(engine, at(date(2026, 12, 18)))
    assert contract_of(engine, debtor).status == ContractStatus.SUSPENDED

    paid_at = at(date(2026, 12, 18), 21)
    with session_scope(engine) as session:
        invoice = session.get_one(Invoice, invoice_id)
        amount = outstanding(session, invoice, date(2026, 12, 18), POLICY)
        notice = IncomingPayment(
            NoticeSource.PIX_WEBHOOK, "E1", invoice.external_id, amount, paid_at.astimezone(UTC)
        )
        result = settle(session, notice, POLICY, date(2026, 12, 18), now=paid_at)

    assert result.restore is not None
    assert result.restore.deadline - paid_at == timedelta(days=1)
    assert contract_of(engine, debtor).status == ContractStatus.ACTIVE
    assert outbox(engine)[-1].purpose == "payment_confirmation"
    before = len(outbox(engine))
    for day in (date(2026, 12, 21), date(2027, 2, 20)):
        assert run(engine, at(day)).steps == []
    assert len(outbox(engine)) == before
    assert _actions(engine) == ["notice", "suspend", "restore"]


def test_a_step_planned_before_a_payment_is_withdrawn_not_sent(engine: Engine) -> None:
    debtor = add_debtor(engine)
    invoice_id = add_invoice(engine, debtor, date(2026, 11, 26))
    run(engine, at(TODAY, 6), dispatch=False)  # planned for 08:00
    with session_scope(engine) as session:
        session.execute(update(Invoice).where(col(Invoice.id) == invoice_id).values(status="paid"))

    run(engine, at(TODAY, 9))

    [step] = steps(engine)
    assert (step.status, step.reason) == ("withdrawn", "bill_closed")
    assert step.revision == step.id
    assert outbox(engine) == []


def test_a_late_scheduler_waits_for_the_next_contact_window(engine: Engine) -> None:
    debtor = add_debtor(engine)
    add_invoice(engine, debtor, date(2026, 11, 26))
    run(engine, at(TODAY, 6), dispatch=False)

    run(engine, at(TODAY, 21), plan=False)  # after 20:00 in São Paulo

    [step] = steps(engine)
    assert step.status == "planned"
    assert step.send_at == datetime(2026, 12, 4, 11, 0, tzinfo=UTC)  # 08:00 in São Paulo
    assert outbox(engine) == []


def test_the_step_lands_in_the_debtors_thread_for_the_agent(engine: Engine) -> None:
    debtor = add_debtor(engine)
    add_invoice(engine, debtor, date(2026, 11, 26))

    run(engine, at(TODAY))

    with Session(engine) as session:
        lines, last_id = pushed_lines(session, wa_id_of(debtor.phone), 0)
    [line] = lines
    assert line["role"] == "cadence_overdue"
    assert "Consta em aberto a fatura de novembro de 2026" in line["text"]
    assert last_id > 0


def test_the_template_for_a_closed_window_carries_the_bill(engine: Engine) -> None:
    debtor = add_debtor(engine)
    add_invoice(engine, debtor, DUE)

    run(engine, at(TODAY))

    [message] = outbox(engine)
    spec = DEFAULT_TEMPLATES.for_purpose(message.purpose)
    assert spec is not None
    template = spec.message({}, message.payload["fallback_parameters"])
    assert "fatura de novembro de 2026" in template.body
    assert "R$ " in template.body
    assert "18/12/2026" in template.body  # earliest suspension: today + 15


def test_a_suspension_goes_ahead_without_a_message_after_an_opt_out(engine: Engine) -> None:
    debtor = add_debtor(engine)
    add_invoice(engine, debtor, DUE)
    run(engine, at(TODAY))
    deliver_all(engine, at(TODAY, 10, 5))
    with session_scope(engine) as session:
        session.add(Thread(wa_id=debtor.phone[1:], opted_out_at=at(date(2026, 12, 10))))

    run(engine, at(date(2026, 12, 18)))

    assert contract_of(engine, debtor).status == ContractStatus.SUSPENDED
    suspension = steps(engine, step="suspension")[0]
    assert (suspension.status, suspension.reason) == ("done", "opted_out")
    assert [m.purpose for m in outbox(engine)] == ["cadence_notice"]


def test_every_sent_step_has_exactly_one_message(engine: Engine) -> None:
    for number in range(1, 4):
        debtor = add_debtor(engine, number)
        add_invoice(engine, debtor, date(2026, 11, 26))
        add_invoice(engine, debtor, DUE)

    run(engine, at(TODAY))
    run(engine, at(TODAY, 12))

    with Session(engine) as session:
        sent = session.exec(select(CadenceStep).where(col(CadenceStep.status) == "sent")).all()
        messages = session.exec(select(OutboxMessage)).all()
    assert len(sent) == len(messages)
    assert {s.outbox_message_id for s in sent} == {m.id for m in messages}
