"""The JSON and HTML reports, and comparing two reports."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from evals.compare import compare_reports
from evals.loader import LoadedScenario
from evals.report_html import render_html
from evals.report_json import ReportError, build_report, read_report, write_report
from evals.runner import EvalEnvironment, RunConfig, run_suite

Load = Callable[[str], LoadedScenario]

FAILING = """
  - id: failing-balance
    description: expects an amount the agent never says
    tags: [smoke, balance]
    debtor:
      turns:
        - "qto ta minha conta"
        - {text: "529", must_say: ["R$ 999,99"]}
"""


@pytest.fixture(scope="module")
def report(
    environment: EvalEnvironment, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("report")
    path = folder / "suite.yaml"
    path.write_text(
        "defaults:\n  today: 2026-12-03\n  world:\n    customers:\n"
        "      - {id: C1, name: MARIA SOUZA, document: 529.982.247-25, phone: '+5511987654321'}\n"
        "    invoices: [{id: INV-11, amount: '99.90', due: 2026-11-10}]\n"
        "scenarios:\n" + FAILING + "  - {id: greeting, description: d, tags: [smoke],"
        " debtor: {turns: [oi]}}\n",
        encoding="utf-8",
    )
    from evals.loader import load_file

    results = run_suite(load_file(path), environment, RunConfig(workers=2))
    return build_report(results, k=1, brain="offline", paths=[str(path)], duration=1.0)


def test_the_json_report_has_the_contract_fields(report: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "out" / "report.json"
    write_report(report, path)
    written = json.loads(path.read_text(encoding="utf-8"))

    assert written["scenarios"] == 2
    assert written["passed"] == 1
    assert written["pass_rate"] == 0.5
    assert written["pass_hat_k"] == 0.5
    assert written["by_tag"]["smoke"] == {"scenarios": 2, "passed": 1, "pass_rate": 0.5}
    failing = next(item for item in written["results"] if item["id"] == "failing-balance")
    assert failing["failed_checks"] == [
        {"check": "turn[2].must_say:R$ 999,99", "detail": "not said", "turn": 1}
    ]
    assert failing["transcript"][1]["debtor"] == "529"
    assert "R$ 102,67" in json.dumps(failing["transcript"], ensure_ascii=False)
    assert written["metrics"]["grounding_violations"] == 0


def test_the_html_report_highlights_the_failing_turn(report: dict[str, Any]) -> None:
    page = render_html(report)

    assert "<script" not in page
    assert "http://" not in page
    assert "https://" not in page
    assert "qto ta minha conta" in page
    assert "class='turn failing' id='s-failing-balance-t1'" in page
    assert "class='turn' id='s-failing-balance-t0'" in page
    assert "href='#s-failing-balance-t1'>turn 2</a>" in page
    assert page.index("failing-balance") < page.index("greeting")


def test_a_comparison_lists_the_scenarios_that_flipped(report: dict[str, Any]) -> None:
    previous = {
        "pass_rate": 0.5,
        "results": [
            {"id": "failing-balance", "passed": True},
            {"id": "greeting", "passed": False},
            {"id": "gone", "passed": True},
        ],
    }

    comparison = compare_reports(previous, report, "before.json")

    assert comparison["newly_failing"] == ["failing-balance"]
    assert comparison["newly_passing"] == ["greeting"]
    assert comparison["removed"] == ["gone"]
    assert comparison["added"] == []
    assert comparison["pass_rate_delta"] == 0.0
    page = render_html({**report, "comparison": comparison})
    assert "Newly failing (1)" in page
    assert "before.json" in page


def test_a_file_that_is_not_a_report_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"hello": 1}', encoding="utf-8")

    with pytest.raises(ReportError, match="not an eval report"):
        read_report(path)
