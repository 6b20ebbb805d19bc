"""Planning a day: which step each bill gets, when it goes out, and what stops it."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Engine, func, select
from sqlmodel import Session

from billing.disputes import open_dispute
from billing.models import (
    Agreement,
    AgreementInstallment,
    ContractStatus,
    Invoice,
    InvoiceStatus,
    OutboxMessage,
)
from billing.promises import register_promise
from cadence.holds import hold_customer, release_customer
from cadence.models import CadenceStep, CustomerSegment
from cadence.segments import NEVER
from conversations.models import Thread
from policies.segments import Segment
from quita.db import session_scope
from tests.cadence.ledger import TODAY, add_debtor, add_invoice, at, outbox, run, steps

SP_OFFSET = "-03:00"


def test_a_bill_three_days_from_due_gets_a_reminder_at_the_opening_of_contact_hours(
    engine: Engine,
) -> None:
    debtor = add_debtor(engine)
    add_invoice(engine, debtor, date(2026, 12, 7))  # Monday

    early = run(engine, at(date(2026, 12, 4), 6, 30))

    [view] = early.steps
    assert view.step == "reminder_d-3"
    assert view.status == "planned"
    assert view.send_at.isoformat() == f"2026-12-04T08:00:00{SP_OFFSET}"
    assert outbox(engine) == []

    run(engine, at(date(2026, 12, 4), 8, 15))

    [message] = outbox(engine)
    assert message.purpose == "cadence_reminder"
    assert "vence em 07/12/2026" in message.body
    assert "CNPJ 12.345.678/0001-95" in message.body


def test_a_bill_found_late_gets_only_its_latest_step(engine: Engine) -> None:
    debtor = add_debtor(engine)
    add_invoice(engine, debtor, date(2026, 11, 26))  # D+7 today

    result = run(engine, at(TODAY))

    assert [view.step for view in result.steps] == ["overdue_d+5"]
    [message] = outbox(engine)
    assert "R$ 102," in message.body  # late fee and a week of interest on R$ 99,90


def test_running_again_writes_nothing_twice(engine: Engine) -> None:
    debtor = add_debtor(engine)
    add_invoice(engine, debtor, date(2026, 11, 26))

    first = run(engine, at(TODAY))
    second = run(engine, at(TODAY, 11))

    assert first.plan is not None
    assert first.plan.written == 1
    assert second.plan is not None
    assert second.plan.written == 0
    assert len(steps(engine)) == 1
    assert len(outbox(engine)) == 1


def test_loyal_debtors_get_no_pre_due_reminder(engine: Engine) -> None:
    loyal = add_debtor(engine, 1, segment=Segment.LOYAL)
    chronic = add_debtor(engine, 2, segment=Segment.CHRONIC)
    add_invoice(engine, loyal, date(2026, 12, 7))
    add_invoice(engine, chronic, date(2026, 12, 7))

    result = run(engine, at(date(2026, 12, 4)))

    assert [(view.customer, view.step, view.tone) for view in result.steps] == [
        ("C2", "reminder_d-3", "firm")
    ]


def test_paid_and_renegotiated_bills_are_not_dunned(engine: Engine) -> None:
    debtor = add_debtor(engine)
    add_invoice(engine, debtor, date(2026, 11, 26), status=InvoiceStatus.PAID)
    add_invoice(engine, debtor, date(2026, 10, 26), status=InvoiceStatus.RENEGOTIATED)

    result = run(engine, at(TODAY))

    assert result.steps == []


def test_a_pending_promise_pauses_the_debtor_until_it_runs_out(engine: Engine) -> None:
    debtor = add_debtor(engine)
    add_invoice(engine, debtor, date(2026, 11, 26))
    with session_scope(engine) as session:
        register_promise(
            session, debtor.customer_id, TODAY, date(2026, 12, 4), Decimal("103.00"), "p1"
        )

    assert run(engine, at(TODAY)).steps == []
    assert run(engine, at(date(2026, 12, 4))).steps == []

    resumed = run(engine, at(date(2026, 12, 7)))
    assert [view.step for view in resumed.steps] == ["suspension_notice"]


def test_an_open_dispute_stops_everything(engine: Engine) -> None:
    debtor = add_debtor(engine)
    invoice_id = add_invoice(engine, debtor, date(2026, 11, 10))
    with session_scope(engine) as session:
        open_dispute(
            session,
            debtor.customer_id,
            "valor errado",
            date(2027, 1, 2),
            "d1",
            invoice_id=invoice_id,
        )

    assert run(engine, at(TODAY)).steps == []


def test_a_staff_hold_pauses_the_cadence_until_released(engine: Engine) -> None:
    debtor = add_debtor(engine)
    add_invoice(engine, debtor, date(2026, 11, 26))
    with session_scope(engine) as session:
        hold = hold_customer(session, debtor.customer_id, staff="ana", reason="negociando")

    assert run(engine, at(TODAY)).steps == []

    with session_scope(engine) as session:
        release_customer(session, hold, staff="ana")
    assert [view.step for view in run(engine, at(TODAY, 11)).steps] == ["overdue_d+5"]


def test_a_kept_agreement_pauses_bills_and_reminds_its_installments(engine: Engine) -> None:
    debtor = add_debtor(engine)
    add_invoice(engine, debtor, date(2026, 11, 26))
    with session_scope(engine) as session:
        agreement = Agreement(
            customer_id=debtor.customer_id,
            offer_id="o1",
            original_total=Decimal("200.00"),
            discount_interest=Decimal("0.00"),
            discount_late_fee=Decimal("0.00"),
            discount_principal=Decimal("0.00"),
            total=Decimal("200.00"),
            idempotency_key="a1",
        )
        session.add(agreement)
        session.flush()
        assert agreement.id is not None
        session.add(
            AgreementInstallment(
                agreement_id=agreement.id,
                number=1,
                due_date=date(2026, 12, 4),
                amount=Decimal("100.00"),
            )
        )

    result = run(engine, at(TODAY))

    [view] = result.steps
    assert view.step == "installment_d-2"
    assert view.invoice is None
    assert view.to_json()["installment"].endswith("/1")
    [message] = outbox(engine)
    assert "parcela 1 de 1 do seu acordo" in message.body


def test_an_opted_out_debtor_gets_no_reminder_and_the_notice_only_if_mandatory(
    engine: Engine,
) -> None:
    first = add_debtor(engine, 1)
    second = add_debtor(engine, 2)
    add_invoice(engine, first, date(2026, 11, 10))
    add_invoice(engine, second, date(2026, 11, 26))
    with session_scope(engine) as session:
        for debtor in (first, second):
            session.add(
                Thread(wa_id=debtor.phone[1:], opted_out_at=datetime(2026, 11, 1, tzinfo=UTC))
            )

    result = run(engine, at(TODAY), mandatory_purposes=frozenset({"cadence_notice"}))

    by_customer = {view.customer: view for view in result.steps}
    assert (by_customer["C2"].status, by_customer["C2"].reason) == ("skipped", "opted_out")
    assert by_customer["C1"].step == "suspension_notice"
    assert by_customer["C1"].status == "sent"
    assert [m.purpose for m in outbox(engine)] == ["cadence_notice"]


def test_without_a_mandatory_channel_the_notice_is_not_sent_to_an_opted_out_debtor(
    engine: Engine,
) -> None:
    debtor = add_debtor(engine)
    add_invoice(engine, debtor, date(2026, 11, 10))
    with session_scope(engine) as session:
        session.add(
            Thread(
                customer_id=debtor.customer_id,
                wa_id="5511900000000",
                opted_out_at=datetime(2026, 11, 1, tzinfo=UTC),
            )
        )

    [view] = run(engine, at(TODAY)).steps

    assert (view.step, view.status, view.reason) == ("suspension_notice", "skipped", "opted_out")
    assert outbox(engine) == []


def test_the_weekly_cap_skips_what_exceeds_it_and_says_so(engine: Engine) -> None:
    debtor = add_debtor(engine)
    for day in (24, 25, 26, 27):
        add_invoice(engine, debtor, date(2026, 11, day))

    result = run(engine, at(date(2026, 11, 30)))

    statuses = sorted((view.status, view.reason) for view in result.steps)
    assert statuses == [("sent", None)] * 3 + [("skipped", "weekly_cap")]


def test_one_notice_per_contract_at_a_time(engine: Engine) -> None:
    debtor = add_debtor(engine)
    older = add_invoice(engine, debtor, date(2026, 10, 10))
    add_invoice(engine, debtor, date(2026, 11, 10))

    first = run(engine, at(TODAY))

    notices = [view for view in first.steps if view.step == "suspension_notice"]
    assert [view.invoice for view in notices] == ["INV-C1-2026-10-10"]
    with session_scope(engine) as session:
        invoice = session.get_one(Invoice, older)
        invoice.status = InvoiceStatus.PAID
        session.add(invoice)
    later = run(engine, at(date(2026, 12, 4)))
    assert [view.invoice for view in later.steps] == ["INV-C1-2026-11-10"]


def test_a_suspended_contract_is_rescinded_60_days_on_then_listed(engine: Engine) -> None:
    debtor = add_debtor(
        engine,
        segment=Segment.CHRONIC,
        status=ContractStatus.SUSPENDED,
        suspended_on=date(2026, 10, 5),
    )
    add_invoice(engine, debtor, date(2026, 8, 10))
    add_invoice(engine, debtor, date(2026, 9, 10))

    assert run(engine, at(date(2026, 12, 3))).steps == []  # day 59
    rescinded = run(engine, at(date(2026, 12, 4)))
    assert [(v.step, v.invoice, v.status) for v in rescinded.steps] == [
        ("rescission", "INV-C1-2026-08-10", "sent")
    ]

    assert run(engine, at(date(2026, 12, 11))).steps == []  # rescission + 7
    listed = run(engine, at(date(2026, 12, 14)))
    assert [(v.step, v.status) for v in listed.steps] == [("credit_listing", "sent")]


def test_segments_are_recomputed_once_a_day_and_pins_survive(engine: Engine) -> None:
    pinned = add_debtor(engine, 1, segment=Segment.LOYAL)
    computed = add_debtor(engine, 2, segment=None)
    for debtor in (pinned, computed):
        add_invoice(engine, debtor, date(2026, 11, 26))

    run(engine, at(TODAY))

    with Session(engine) as session:
        rows = {row.customer_id: row for row in session.exec(select(CustomerSegment)).scalars()}
    assert rows[pinned.customer_id].pinned_segment == "loyal"
    assert rows[computed.customer_id].computed_on == TODAY
    assert rows[computed.customer_id].segment == "new_customer"  # one bill so far


def test_a_dry_run_writes_nothing(engine: Engine) -> None:
    debtor = add_debtor(engine)
    add_invoice(engine, debtor, date(2026, 11, 26))

    result = run(engine, at(TODAY), dry_run=True)

    assert [view.step for view in result.steps] == ["overdue_d+5"]
    with Session(engine) as session:
        for table in (CadenceStep, OutboxMessage):
            assert session.execute(select(func.count()).select_from(table)).scalar_one() == 0
        segment = session.get_one(CustomerSegment, debtor.customer_id)
        assert segment.computed_on == NEVER  # as pinned, not recomputed


def test_send_times_follow_each_debtors_state(engine: Engine) -> None:
    rio = add_debtor(engine, 1, state="RJ")
    manaus = add_debtor(engine, 2, state="AM")
    for debtor in (rio, manaus):
        add_invoice(engine, debtor, date(2026, 11, 26))

    result = run(engine, at(TODAY, 6), dispatch=False)

    times = {view.customer: view.send_at for view in result.steps}
    assert times["C1"].isoformat() == "2026-12-03T09:00:00-03:00"
    assert times["C2"].isoformat() == "2026-12-03T08:00:00-04:00"
    assert times["C2"] - times["C1"] == timedelta(0)
