"""`quita cadence run` and `quita cadence simulate` as a user calls them."""

import json
import sys
from datetime import date, datetime

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from billing.demo import generate_portfolio, seed_portfolio
from billing.models import OutboxMessage
from cadence.models import CadenceStep
from quita import cli, db

DAY = date(2026, 12, 3)


def _cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["quita", *args])
    try:
        cli.main()
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def demo_env(quita_env: dict[str, str]) -> dict[str, str]:
    engine = db.make_engine(quita_env["QUITA_DATABASE_URL"])
    try:
        db.upgrade(engine)
        with db.session_scope(engine) as session:
            seed_portfolio(session, generate_portfolio(80, 5, DAY))
    finally:
        engine.dispose()
    return quita_env


def _count(url: str, table: type) -> int:
    engine = db.make_engine(url)
    try:
        with Session(engine) as session:
            return int(session.execute(select(func.count()).select_from(table)).scalar_one())
    finally:
        engine.dispose()


def test_run_json_lists_the_days_steps_in_the_contract_shape(
    demo_env: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = _cli(capsys, monkeypatch, "cadence", "run", "--date", "2026-12-04", "--json")

    assert code == 0, err
    payload = json.loads(out)
    assert payload["date"] == "2026-12-04"
    assert payload["steps"]
    for step in payload["steps"]:
        assert {"customer", "invoice", "step", "channel", "send_at", "action"} <= set(step)
        assert step["customer"].startswith("CUST-")
        assert step["invoice"].startswith("INV-")
        assert step["channel"] == "whatsapp"
        sent_at = datetime.fromisoformat(step["send_at"])
        assert sent_at.utcoffset() is not None
        assert step["action"] in (None, "notice", "suspend", "rescind", "list")
    assert _count(demo_env["QUITA_DATABASE_URL"], CadenceStep) == len(payload["steps"])


def test_a_dry_run_shows_the_steps_and_writes_nothing(
    demo_env: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = _cli(
        capsys, monkeypatch, "cadence", "run", "--date", "2026-12-04", "--dry-run", "--json"
    )

    assert code == 0, err
    assert json.loads(out)["steps"]
    url = demo_env["QUITA_DATABASE_URL"]
    assert _count(url, CadenceStep) == 0
    assert _count(url, OutboxMessage) == 0

    code, out, _ = _cli(capsys, monkeypatch, "cadence", "run", "--date", "2026-12-04", "--dry-run")
    assert code == 0
    assert "dry run: nothing written" in out


def test_run_refuses_a_bad_date(
    demo_env: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = _cli(capsys, monkeypatch, "cadence", "run", "--date", "04/12/2026")

    assert code != 0
    assert "YYYY-MM-DD" in err


def test_simulate_prints_a_day_by_day_timeline(
    quita_env: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = _cli(
        capsys,
        monkeypatch,
        "cadence",
        "simulate",
        "--days",
        "4",
        "--customers",
        "40",
        "--start",
        "2026-12-03",
    )

    assert code == 0, err
    assert "qui 03/12/2026" in out
    assert "sex 04/12/2026" in out
    assert "régua:" in out
    assert "Resumo" in out
