"""Importing customers and invoices: happy path, every kind of bad row, re-import."""

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlmodel import Session

from billing.csv_rows import ImportRejected
from billing.importer import import_files
from billing.models import AuditEntry, Customer, Invoice
from quita.db import session_scope

DATA = Path(__file__).parent.parent / "data" / "import"
CUSTOMERS = DATA / "customers.csv"
INVOICES = DATA / "invoices.csv"
CUSTOMER_HEADER = "external_id,name,document,phone,email,state,segment\n"
INVOICE_HEADER = "external_id,customer_external_id,amount,due_date,reference_month,status,paid_at\n"
GOOD_CUSTOMER = "C9,Ana Souza,390.533.447-05,21987654321,,RJ,\n"


def _import(engine: Engine, customers: Path = CUSTOMERS, invoices: Path = INVOICES):  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return import_files(session, customers, invoices)


def _count(engine: Engine, model: type) -> int:
    with Session(engine) as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def _write(tmp_path: Path, name: str, text_: str) -> Path:
    path = tmp_path / name
    path.write_text(text_, encoding="utf-8")
    return path


def test_import_creates_customers_and_invoices_with_normalised_fields(engine: Engine) -> None:
    summary = _import(engine)

    assert (summary.customers_created, summary.invoices_created) == (3, 5)
    with Session(engine) as session:
        maria = session.execute(select(Customer).where(Customer.external_id == "C1")).scalar_one()
        shop = session.execute(select(Customer).where(Customer.external_id == "C3")).scalar_one()
        paid = session.execute(select(Invoice).where(Invoice.external_id == "INV-4")).scalar_one()
    assert (maria.document, maria.document_kind, maria.phone) == (
        "52998224725",
        "cpf",
        "+5531998765432",
    )
    assert (shop.document_kind, shop.state, shop.segment, shop.email) == (
        "cnpj",
        "SP",
        "loyal",
        "contato@bompreco.example",
    )
    assert paid.amount == Decimal("1234.56")
    assert paid.status == "paid"
    assert paid.paid_at is not None
    assert paid.paid_at.tzinfo is not None
    assert paid.paid_at.date().isoformat() == "2026-09-12"


def test_every_created_invoice_leaves_an_audit_entry(engine: Engine) -> None:
    _import(engine)

    with Session(engine) as session:
        actions = session.execute(select(AuditEntry.action, AuditEntry.details)).all()
    assert [action for action, _ in actions].count("invoice.created") == 5
    assert {"amount": "99.90"}.items() <= actions[0][1].items()


def test_reimporting_the_same_files_changes_nothing(engine: Engine) -> None:
    _import(engine)
    summary = _import(engine)

    assert (summary.customers_created, summary.customers_updated, summary.customers_unchanged) == (
        0,
        0,
        3,
    )
    assert (summary.invoices_created, summary.invoices_updated, summary.invoices_unchanged) == (
        0,
        0,
        5,
    )
    assert _count(engine, Customer) == 3
    assert _count(engine, Invoice) == 5
    assert _count(engine, AuditEntry) == 5


def test_reimport_updates_changed_rows_and_audits_the_change(
    engine: Engine, tmp_path: Path
) -> None:
    _import(engine)
    changed = INVOICES.read_text().replace("INV-1,C1,99.90", "INV-1,C1,89.90")
    summary = _import(engine, invoices=_write(tmp_path, "invoices.csv", changed))

    assert (summary.invoices_updated, summary.invoices_unchanged) == (1, 4)
    with Session(engine) as session:
        entry = session.execute(
            select(AuditEntry).where(AuditEntry.action == "invoice.updated")
        ).scalar_one()
        invoice = session.execute(
            select(Invoice).where(Invoice.external_id == "INV-1")
        ).scalar_one()
    assert invoice.amount == Decimal("89.90")
    assert entry.details == {"amount": {"from": "99.90", "to": "89.90"}}


def test_reimport_never_reopens_a_paid_invoice(engine: Engine, tmp_path: Path) -> None:
    _import(engine)
    stale = INVOICES.read_text().replace("paid,2026-09-12", "open,")
    summary = _import(engine, invoices=_write(tmp_path, "invoices.csv", stale))

    assert summary.warnings == ["invoice INV-4 is paid in Quita; the file says open: kept paid"]
    with Session(engine) as session:
        invoice = session.execute(
            select(Invoice).where(Invoice.external_id == "INV-4")
        ).scalar_one()
    assert invoice.status == "paid"


def test_semicolon_separated_windows_1252_files_are_read(engine: Engine, tmp_path: Path) -> None:
    customers = (
        CUSTOMER_HEADER.replace(",", ";") + "C7;José Conceição;390.533.447-05;21987654321;;RJ;\n"
    )
    invoices = INVOICE_HEADER.replace(",", ";") + "I7;C7;1.079,90;2026-11-10;11/2026;aberto;\n"
    (tmp_path / "c.csv").write_bytes(customers.encode("cp1252"))
    (tmp_path / "i.csv").write_bytes(invoices.encode("cp1252"))

    _import(engine, tmp_path / "c.csv", tmp_path / "i.csv")

    with Session(engine) as session:
        invoice = session.execute(select(Invoice)).scalar_one()
        customer = session.execute(select(Customer)).scalar_one()
    assert (invoice.amount, invoice.reference_month, invoice.status) == (
        Decimal("1079.90"),
        "2026-11",
        "open",
    )
    assert customer.name == "José Conceição"


BAD_CUSTOMER_ROWS = [
    ("C8,Ana,390.533.447-06,21987654321,,RJ,\n", "check digit"),
    ("C8,Ana,390.533.447-05,12345,,RJ,\n", "phone"),
    ("C8,Ana,390.533.447-05,21987654321,,XX,\n", "state must be a Brazilian UF"),
    ("C8,Ana,390.533.447-05,21987654321,not-an-email,RJ,\n", "email is not a valid address"),
    ("C8,Ana,390.533.447-05,21987654321,,RJ,vip\n", "segment 'vip' is not one of"),
    ("C8,,390.533.447-05,21987654321,,RJ,\n", "name is empty"),
    ("C9,Ana,390.533.447-05,21987654321,,RJ,\n", "duplicate external_id 'C9' (first at line 2)"),
    ("C8,Ana,390.533.447-05\n", "expected 7 columns, found 3"),
]


@pytest.mark.parametrize(("row", "message"), BAD_CUSTOMER_ROWS)
def test_a_bad_customer_row_is_reported_with_its_line_and_nothing_is_imported(
    engine: Engine, tmp_path: Path, row: str, message: str
) -> None:
    customers = _write(tmp_path, "customers.csv", CUSTOMER_HEADER + GOOD_CUSTOMER + row)

    with pytest.raises(ImportRejected) as rejected:
        _import(engine, customers, INVOICES)

    errors = [str(error) for error in rejected.value.errors]
    assert any(error.startswith(f"{customers}:3: ") and message in error for error in errors), (
        errors
    )
    assert _count(engine, Customer) == 0
    assert _count(engine, Invoice) == 0


BAD_INVOICE_ROWS = [
    ("I8,C1,abc,2026-11-10,2026-11,open,\n", "amount"),
    ("I8,C1,0,2026-11-10,2026-11,open,\n", "amount must be greater than zero"),
    ("I8,C1,-5.00,2026-11-10,2026-11,open,\n", "amount"),
    ("I8,C1,10.999,2026-11-10,2026-11,open,\n", "more than two decimal places"),
    ("I8,C1,10.00,10/11/2026,2026-11,open,\n", "due_date is not an ISO date"),
    ("I8,C1,10.00,2026-02-30,2026-02,open,\n", "due_date is not an ISO date"),
    ("I8,C1,10.00,2026-11-10,2026-13,open,\n", "reference_month has no month 13"),
    ("I8,C1,10.00,2026-11-10,nov,open,\n", "reference_month must be YYYY-MM"),
    ("I8,C1,10.00,2026-11-10,2026-11,late,\n", "status must be open, paid or cancelled"),
    ("I8,C1,10.00,2026-11-10,2026-11,paid,\n", "status is paid but paid_at is empty"),
    ("I8,C1,10.00,2026-11-10,2026-11,open,2026-11-12\n", "paid_at is set but status is open"),
    ("I8,C1,10.00,2026-11-10,2026-11,paid,yesterday\n", "paid_at is not an ISO date"),
    ("I8,NOBODY,10.00,2026-11-10,2026-11,open,\n", "'NOBODY' is in neither file nor database"),
    (
        "INV-1,C1,10.00,2026-11-10,2026-11,open,\n",
        "duplicate external_id 'INV-1' (first at line 2)",
    ),
]


@pytest.mark.parametrize(("row", "message"), BAD_INVOICE_ROWS)
def test_a_bad_invoice_row_is_reported_with_its_line_and_nothing_is_imported(
    engine: Engine, tmp_path: Path, row: str, message: str
) -> None:
    first = INVOICES.read_text().splitlines(keepends=True)[1]
    invoices = _write(tmp_path, "invoices.csv", INVOICE_HEADER + first + row)

    with pytest.raises(ImportRejected) as rejected:
        _import(engine, CUSTOMERS, invoices)

    errors = [str(error) for error in rejected.value.errors]
    assert errors == [f"{invoices}:3: {errors[0].split(': ', 1)[1]}"]
    assert message in errors[0]
    assert _count(engine, Customer) == 0
    assert _count(engine, AuditEntry) == 0


def test_a_header_with_missing_or_unknown_columns_is_refused_at_line_one(
    engine: Engine, tmp_path: Path
) -> None:
    invoices = _write(tmp_path, "invoices.csv", "external_id,customer,amount\nI1,C1,10.00\n")

    with pytest.raises(ImportRejected) as rejected:
        _import(engine, CUSTOMERS, invoices)

    message = str(rejected.value.errors[0])
    assert message.startswith(f"{invoices}:1: missing column(s): customer_external_id, due_date")
    assert "unknown column(s): customer" in message


def test_every_bad_row_of_both_files_is_reported_at_once(engine: Engine, tmp_path: Path) -> None:
    # The customers file is named so it sorts after the invoices file: the report still
    # lists it first, whatever the folders are called.
    customers = _write(
        tmp_path, "z.csv", CUSTOMER_HEADER + "C1,A,000.000.000-00,21987654321,,RJ,\n"
    )
    invoices = _write(
        tmp_path,
        "a.csv",
        INVOICE_HEADER + "I1,C1,x,2026-11-10,2026-11,open,\nI2,C1,1,x,2026-11,open,\n",
    )

    with pytest.raises(ImportRejected) as rejected:
        _import(engine, customers, invoices)

    assert [(error.path, error.line) for error in rejected.value.errors] == [
        (str(customers), 2),
        (str(invoices), 2),
        (str(invoices), 3),
    ]


def test_the_audit_log_refuses_updates_and_deletes(engine: Engine) -> None:
    _import(engine)

    for statement in ("UPDATE audit_entry SET actor = 'x'", "DELETE FROM audit_entry"):
        with pytest.raises(Exception, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))
    assert _count(engine, AuditEntry) == 5


def test_a_file_that_is_not_text_is_refused_at_line_one(engine: Engine, tmp_path: Path) -> None:
    binary = tmp_path / "customers.csv"
    binary.write_bytes(b"\x81\x8d\x8f\x90\x9d" * 10)

    with pytest.raises(ImportRejected) as rejected:
        _import(engine, binary, INVOICES)

    assert (
        str(rejected.value.errors[0])
        == f"{binary}:1: the file is not text (neither UTF-8 nor Windows-1252)"
    )
