"""Fixtures for conversations with the agent: a small ledger and a debtor's phone."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from tests.agent.harness import Chat, chat_with
from tests.billing.ledger_rows import PHONE, TODAY, Ledger, seed_ledger


@pytest.fixture
def ledger(engine: Engine) -> Ledger:
    return seed_ledger(engine, other_overdue=True)


@pytest.fixture
def chat(engine: Engine, database_url: str, ledger: Ledger) -> Iterator[Chat]:
    with chat_with(engine, database_url, PHONE, TODAY) as conversation:
        yield conversation
