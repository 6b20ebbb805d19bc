"""Benchmark: import a generated portfolio of N invoices into a fresh database.

Usage: .venv/bin/python bench/import_bench.py [--invoices 100000] [--database URL]
Prints rows per second for the first import and for an unchanged re-import.
"""

import argparse
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from rich.console import Console

from billing.documents import cpf_check_digits
from billing.importer import import_files
from quita import db

console = Console()
INVOICES_PER_CUSTOMER = 4


def write_files(folder: Path, invoices: int, seed: int = 1) -> tuple[Path, Path]:
    rng = random.Random(seed)
    customers = max(1, invoices // INVOICES_PER_CUSTOMER)
    customers_path, invoices_path = folder / "customers.csv", folder / "invoices.csv"
    with customers_path.open("w", encoding="utf-8") as out:
        out.write("external_id,name,document,phone,email,state,segment\n")
        for number in range(customers):
            base = f"{rng.randrange(10**8, 10**9)}"
            phone = f"+5531{rng.randint(96, 99)}{rng.randrange(10**7):07d}"
            out.write(f"C{number},Cliente {number},{base}{cpf_check_digits(base)},{phone},,MG,\n")
    with invoices_path.open("w", encoding="utf-8") as out:
        out.write(
            "external_id,customer_external_id,amount,due_date,reference_month,status,paid_at\n"
        )
        for number in range(invoices):
            due = date(2026, 1, 10) + timedelta(days=30 * (number % 12))
            amount = rng.choice(('"79,90"', "99.90", "129.90", '"199,90"'))
            out.write(f"I{number},C{number % customers},{amount},{due},{due:%Y-%m},open,\n")
    return customers_path, invoices_path


def timed_import(url: str, customers: Path, invoices: Path) -> float:
    engine = db.make_engine(url)
    try:
        started = time.perf_counter()
        with db.session_scope(engine) as session:
            import_files(session, customers, invoices)
        return time.perf_counter() - started
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--database", help="URL of an EMPTY database (default: temp SQLite)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite:///{folder}/bench.db"
        with console.status("writing CSV files"):
            customers, invoices = write_files(Path(folder), args.invoices)
        engine = db.make_engine(url)
        db.upgrade(engine)
        engine.dispose()
        with console.status(f"importing {args.invoices:,} invoices"):
            first = timed_import(url, customers, invoices)
        with console.status("re-importing the same files"):
            again = timed_import(url, customers, invoices)
    backend = url.split(":", 1)[0]
    console.print(
        f"{backend}: first import {first:.1f} s ({args.invoices / first:,.0f} invoices/s)"
    )
    console.print(
        f"{backend}: unchanged re-import {again:.1f} s ({args.invoices / again:,.0f} invoices/s)"
    )


if __name__ == "__main__":
    main()
