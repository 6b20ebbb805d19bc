"""The `quita` command line as a user calls it: exit codes, stdout JSON, stderr errors."""

import json
import sys
from pathlib import Path

import pytest

from quita import cli

DATA = Path(__file__).parent.parent / "data" / "import"


def run(
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
def cli_run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, quita_env: dict[str, str]
):  # type: ignore[no-untyped-def]
    return lambda *args: run(capsys, monkeypatch, *args)


def test_import_then_balance_json_agrees_with_hand_computation(cli_run) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli_run("import", str(DATA / "customers.csv"), str(DATA / "invoices.csv"))
    assert code == 0
    assert "customers: 3 created" in out
    assert "invoices: 5 created" in out

    code, out, _ = cli_run("balance", "--customer", "C1", "--today", "2026-11-20", "--json")

    assert code == 0
    payload = json.loads(out)
    assert [invoice["total"] for invoice in payload["invoices"]] == ["103.17", "102.23"]
    assert payload["total"] == "205.40"


def test_balance_table_shows_amounts_in_reais(cli_run) -> None:  # type: ignore[no-untyped-def]
    cli_run("import", str(DATA / "customers.csv"), str(DATA / "invoices.csv"))

    code, out, _ = cli_run("balance", "--customer", "C1", "--today", "2026-11-20")

    assert code == 0
    assert "R$ 103,17" in out
    assert "R$ 205,40" in out


def test_balance_reads_the_pinned_day_from_quita_today(
    cli_run, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    cli_run("import", str(DATA / "customers.csv"), str(DATA / "invoices.csv"))
    monkeypatch.setenv("QUITA_TODAY", "2026-12-29")
    from quita.settings import get_settings

    get_settings.cache_clear()

    code, out, _ = cli_run("balance", "--customer", "C2", "--json")

    assert code == 0
    assert json.loads(out)["today"] == "2026-12-29"
    assert json.loads(out)["total"] == "153.05"


def test_a_bad_import_exits_non_zero_with_file_and_line_on_stderr(cli_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    invoices = tmp_path / "invoices.csv"
    invoices.write_text(
        (DATA / "invoices.csv").read_text().replace("99.90,2026-11-10", "abc,2026-11-10")
    )

    code, _, err = cli_run("import", str(DATA / "customers.csv"), str(invoices))

    assert code == 1
    assert f"{invoices}:2: " in err
    assert "nothing was imported" in err
    code, _, err = cli_run("balance", "--customer", "C1", "--json")
    assert code == 1
    assert "no customer with external id 'C1'" in err


def test_balance_on_an_unmigrated_database_says_what_to_run(cli_run) -> None:  # type: ignore[no-untyped-def]
    code, _, err = cli_run("balance", "--customer", "C1")

    assert code == 1
    assert "quita db upgrade" in err


def test_db_upgrade_migrates_and_reports_the_revision(cli_run) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli_run("db", "upgrade")
    assert (code, "migrated to revision" in out) == (0, True)

    code, out, _ = cli_run("db", "upgrade")
    assert (code, "already at revision" in out) == (0, True)


def test_a_bad_today_is_a_usage_error(cli_run) -> None:  # type: ignore[no-untyped-def]
    code, _, err = cli_run("balance", "--customer", "C1", "--today", "20/11/2026")

    assert code == 2
    assert "not an ISO date" in err


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["db"],
        ["db", "upgrade"],
        ["demo"],
        ["serve"],
        ["import"],
        ["balance"],
        ["pix", "decode"],
        ["boleto", "parse"],
        ["payments", "import"],
    ],
)
def test_every_command_has_help(cli_run, command: list[str]) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli_run(*command, "--help")

    assert code == 0
    assert "Usage" in out


STATIC_PIX = (
    "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR"
    "5913Fulano de Tal6008BRASILIA62070503***63041D3D"
)
BB_LINE = "00190.00009 02467.742009 00003.599172 6 15300000065161"


def test_pix_decode_prints_the_fields_as_json(cli_run) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli_run("pix", "decode", STATIC_PIX)

    assert code == 0
    assert json.loads(out)["key"] == "123e4567-e12b-12d1-a456-426655440000"
    assert json.loads(out)["crc"] == "1D3D"


def test_pix_decode_of_a_corrupted_code_names_the_crc(cli_run) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli_run("pix", "decode", STATIC_PIX.replace("BRASILIA", "BRASILIO"))

    assert (code, out) == (1, "")
    assert "CRC mismatch" in err


def test_boleto_parse_prints_due_date_and_amount(cli_run) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli_run("boleto", "parse", BB_LINE, "--today", "2026-12-03")

    assert code == 0
    assert (json.loads(out)["due_date"], json.loads(out)["amount"]) == ("2026-08-06", "651.61")


def test_boleto_parse_of_a_wrong_digit_names_the_field(cli_run) -> None:  # type: ignore[no-untyped-def]
    code, _, err = cli_run("boleto", "parse", BB_LINE.replace("599172", "599173"))

    assert code == 1
    assert "check digit of field 3" in err


def test_demo_seeds_once_and_names_late_customers_to_try(cli_run) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli_run("demo", "--customers", "80", "--seed", "3", "--no-serve")

    assert code == 0
    assert "Demo ISP seeded" in out
    suggested = [line.split()[-1] for line in out.splitlines() if line.startswith("try: ")]
    assert suggested
    code, out, _ = cli_run("balance", "--customer", suggested[0], "--json")
    assert code == 0
    assert any(invoice["days_late"] > 0 for invoice in json.loads(out)["invoices"])

    code, out, _ = cli_run("demo", "--customers", "80", "--seed", "3", "--no-serve")
    assert code == 0
    assert "already holds 80 customers: seeding skipped" in out


def test_serve_refuses_an_unmigrated_database_before_listening(cli_run) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli_run("serve", "--port", "1")

    assert code == 1
    assert "Quita listening" not in out
    assert "run `quita db upgrade` first" in err


def test_payments_import_settles_once_and_balance_follows(cli_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli_run("import", str(DATA / "customers.csv"), str(DATA / "invoices.csv"))
    payments = tmp_path / "payments.csv"
    payments.write_text(
        "external_id,reference,amount,paid_at\n"
        "p1,INV-1,99.90,2026-11-10\n"
        'p2,INV-2,"50,00",2026-11-20\n'
        "p3,NOT-OURS,10.00,2026-11-20\n",
        encoding="utf-8",
    )

    code, out, _ = cli_run("payments", "import", str(payments))

    assert code == 0
    assert "settled: 1" in out
    assert "underpaid: 1" in out
    assert "unmatched: 1" in out
    code, out, _ = cli_run("payments", "import", str(payments))
    assert "duplicate: 3" in out
    code, out, _ = cli_run("balance", "--customer", "C1", "--today", "2026-11-20", "--json")
    balance = json.loads(out)
    assert [(item["invoice"], item["paid"]) for item in balance["invoices"]] == [("INV-2", "50.00")]
    assert balance["total"] == "53.17"


def test_payments_import_of_a_bad_file_settles_nothing(cli_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli_run("import", str(DATA / "customers.csv"), str(DATA / "invoices.csv"))
    payments = tmp_path / "payments.csv"
    payments.write_text(
        "external_id,reference,amount,paid_at\np1,INV-1,99.90,2026-11-10\np2,INV-2,abc,2026-11-20\n"
    )

    code, _, err = cli_run("payments", "import", str(payments))

    assert code == 1
    assert f"{payments}:3: " in err
    _, out, _ = cli_run("balance", "--customer", "C1", "--today", "2026-11-20", "--json")
    assert len(json.loads(out)["invoices"]) == 2
