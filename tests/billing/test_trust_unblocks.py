"""Trust unblocks on the ledger: facts, the grant restoring the contract once, expiry."""

from datetime import UTC, date, datetime

from sqlalchemy import Engine
from sqlmodel import Session

from billing.agreements import break_agreement
from billing.models import AuditEntry, Contract, ErpAction, TrustUnblock
from billing.trust_unblocks import (
    expired_trust_unblocks,
    grant_trust_unblock,
    trust_unblock_facts,
)
from policies.calendar import national_calendar
from policies.trust_unblock import TrustUnblockRules, check_trust_unblock
from quita.db import session_scope
from tests.billing.agreement_rows import accept, quote, seed_two_overdue
from tests.billing.ledger_rows import TODAY, count, seed_ledger

CALENDAR = national_calendar()
RULES = TrustUnblockRules()
GRANTED = datetime(2026, 11, 20, 15, tzinfo=UTC)


def _grant(engine: Engine, contract_id: int, key: str = "wamid.T1"):  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        contract = session.get_one(Contract, contract_id)
        return grant_trust_unblock(
            session, contract, date(2026, 11, 23), key, actor="agent", now=GRANTED
        )


def test_a_suspended_debtor_is_eligible_and_the_grant_restores_the_contract(
    engine: Engine,
) -> None:
    ledger = seed_ledger(engine, suspended=True)
    with Session(engine) as session:
        facts = trust_unblock_facts(
            session, session.get_one(Contract, ledger.contract_id), TODAY, CALENDAR
        )
    assert check_trust_unblock(facts, RULES, TODAY).ok

    grant = _grant(engine, ledger.contract_id)

    assert grant.created
    assert grant.restore is not None
    assert grant.restore.status == "done"
    with Session(engine) as session:
        assert session.get_one(Contract, ledger.contract_id).status == "active"
        action = session.get_one(ErpAction, grant.restore.action_id)
        unblock = session.get_one(TrustUnblock, grant.unblock.id)
    assert action.details["until"] == "2026-11-23"
    assert unblock.erp_action_id == action.id
    assert count(engine, AuditEntry, AuditEntry.action == "trust_unblock.granted") == 1


def test_granting_twice_for_the_same_message_restores_once(engine: Engine) -> None:
    ledger = seed_ledger(engine, suspended=True)
    _grant(engine, ledger.contract_id)

    again = _grant(engine, ledger.contract_id)

    assert not again.created
    assert again.restore is None
    assert count(engine, TrustUnblock) == 1
    assert count(engine, ErpAction) == 1


def test_a_recent_unblock_is_in_the_facts_and_refuses_another(engine: Engine) -> None:
    ledger = seed_ledger(engine, suspended=True)
    _grant(engine, ledger.contract_id)
    with session_scope(engine) as session:
        contract = session.get_one(Contract, ledger.contract_id)
        contract.status = "suspended"

    with Session(engine) as session:
        contract = session.get_one(Contract, ledger.contract_id)
        facts = trust_unblock_facts(session, contract, date(2026, 11, 25), CALENDAR)

    assert facts.last_unblock_on == date(2026, 11, 20)
    assert check_trust_unblock(facts, RULES, date(2026, 11, 25)).code == "used_recently"


def test_a_broken_agreement_is_in_the_facts(engine: Engine) -> None:
    ledger = seed_two_overdue(engine, suspended=True)
    agreement_id = accept(engine, ledger, quote(engine, ledger, "P2"))
    with session_scope(engine) as session:
        break_agreement(session, agreement_id, "cadence", "unpaid", now=GRANTED)

    with Session(engine) as session:
        contract = session.get_one(Contract, ledger.contract_id)
        facts = trust_unblock_facts(session, contract, TODAY, CALENDAR)

    assert facts.last_broken_agreement_on == date(2026, 11, 20)
    assert not facts.overdue_debt  # the installments are not due yet


def test_an_unblock_past_its_date_with_the_debt_unpaid_is_expired(engine: Engine) -> None:
    ledger = seed_ledger(engine, suspended=True)
    _grant(engine, ledger.contract_id)

    with Session(engine) as session:
        on_the_day = expired_trust_unblocks(session, date(2026, 11, 23), CALENDAR)
        after = expired_trust_unblocks(session, date(2026, 11, 24), CALENDAR)

    assert on_the_day == []
    assert [u.contract_id for u in after] == [ledger.contract_id]
