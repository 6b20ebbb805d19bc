"""`quita eval run` as CI calls it: exit codes, reports, the gate."""

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import evals.gate
from quita import cli

SUITE = """
defaults:
  today: 2026-12-03
  world:
    customers:
      - {id: C1, name: MARIA SOUZA, document: 529.982.247-25, phone: "+5511987654321"}
    invoices: [{id: INV-11, amount: "99.90", due: 2026-11-10}]
scenarios:
  - id: balance
    description: the balance
    debtor: {turns: ["qto ta minha conta", "529"]}
    expect: {must_say: ["%s"]}
"""

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def quita(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, eval_env: Path
) -> Run:
    def run(*args: str) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["quita", "eval", "run", *args])
        try:
            cli.main()
            code = 0
        except SystemExit as exit_:
            code = int(exit_.code or 0)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def _suite(tmp_path: Path, amount: str) -> Path:
    path = tmp_path / f"suite-{amount.replace(' ', '')}.yaml"
    path.write_text(SUITE % amount, encoding="utf-8")
    return path


def test_an_invalid_scenario_file_exits_2_naming_file_and_line(quita: Run, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("id: x\ndescription: d\ntoday: 2026-12-03\ndebtor: {turns: [oi]}\nexpect: 3\n")

    code, _, err = quita(str(path))

    assert code == 2
    assert f"{path}:5: scenario 'x': expect:" in err


def test_a_passing_run_writes_both_reports_and_exits_0(quita: Run, tmp_path: Path) -> None:
    report, html = tmp_path / "r.json", tmp_path / "r.html"

    code, out, _ = quita(
        str(_suite(tmp_path, "R$ 102,67")),
        "--report", str(report), "--html", str(html), "--min-pass-rate", "1",
    )  # fmt: skip

    assert code == 0
    assert "Gate passed: 100.00% >= 100.00%" in out
    data = json.loads(report.read_text(encoding="utf-8"))
    assert (data["scenarios"], data["passed"], data["pass_rate"], data["pass_hat_k"]) == (
        1,
        1,
        1.0,
        1.0,
    )
    assert "qto ta minha conta" in html.read_text(encoding="utf-8")


def test_a_pass_rate_below_the_threshold_exits_1(quita: Run, tmp_path: Path) -> None:
    code, out, err = quita(str(_suite(tmp_path, "R$ 1,00")), "--min-pass-rate", "0.5")

    assert code == 1
    assert "pass rate 0.00% is below the threshold 50.00%" in err
    assert "must_say:R$ 1,00" in out


def test_without_a_threshold_failures_are_reported_but_exit_0(quita: Run, tmp_path: Path) -> None:
    code, out, _ = quita(str(_suite(tmp_path, "R$ 1,00")))

    assert code == 0
    assert "1 failing scenario(s)" in out


def test_the_gate_reads_the_threshold_kept_in_the_repository(
    quita: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    threshold = tmp_path / "threshold.json"
    threshold.write_text('{"min_pass_rate": 0.9, "note": "test"}', encoding="utf-8")
    monkeypatch.setattr(evals.gate, "THRESHOLD_FILE", threshold)

    failing, _, _ = quita(str(_suite(tmp_path, "R$ 1,00")), "--gate")
    passing, _, _ = quita(str(_suite(tmp_path, "R$ 102,67")), "--gate")

    assert (failing, passing) == (1, 0)


def test_compare_shows_the_scenarios_that_flipped(quita: Run, tmp_path: Path) -> None:
    before = tmp_path / "before.json"
    quita(str(_suite(tmp_path, "R$ 102,67")), "--report", str(before))

    code, out, _ = quita(str(_suite(tmp_path, "R$ 1,00")), "--compare", str(before))

    assert code == 0
    assert f"Compared with {before}" in out
    assert "newly failing: balance" in out


def test_the_repository_threshold_is_a_valid_rate() -> None:
    threshold = evals.gate.read_threshold()

    assert 0.0 < threshold.min_pass_rate <= 1.0
    assert threshold.note
