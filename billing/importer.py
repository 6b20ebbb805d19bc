"""Importing customers and invoices from CSV: all or nothing, idempotent by external id."""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import insert, select, update
from sqlmodel import Session, SQLModel

from billing.audit import audit_row, record
from billing.csv_rows import (
    CustomerRow,
    ImportRejected,
    InvoiceRow,
    RowError,
    read_customers,
    read_invoices,
)
from billing.models import Customer, Invoice, InvoiceStatus, utc_now
from billing.money import format_json

logger = logging.getLogger(__name__)

CHUNK = 1000
CUSTOMER_FIELDS = ("name", "document", "document_kind", "phone", "email", "state", "segment")
INVOICE_FIELDS = ("customer_id", "amount", "due_date", "reference_month", "status", "paid_at")

Progress = Callable[[str, int], None]
Model = TypeVar("Model", bound=SQLModel)


@dataclass
class ImportSummary:
    customers_created: int = 0
    customers_updated: int = 0
    customers_unchanged: int = 0
    invoices_created: int = 0
    invoices_updated: int = 0
    invoices_unchanged: int = 0
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def import_files(
    session: Session,
    customers_path: Path,
    invoices_path: Path,
    *,
    actor: str = "import",
    progress: Progress | None = None,
) -> ImportSummary:
    """Validate both files completely, then write them in the caller's transaction.

    Raises `ImportRejected` listing every bad row as `file:line: message` before anything
    is written. Re-importing the same files changes nothing; changed rows are updated.
    """
    errors: list[RowError] = []
    customers = read_customers(customers_path, errors)
    invoices = read_invoices(invoices_path, errors)
    _tick(progress, "read", len(customers) + len(invoices))
    customer_ids = _existing_ids(session, Customer, (row.external_id for row in invoices))
    customer_ids.update(_existing_ids(session, Customer, (row.external_id for row in customers)))
    known = {row.external_id for row in customers} | set(customer_ids)
    errors += [
        _unknown_customer(invoices_path, row)
        for row in invoices
        if row.customer_external_id not in known
    ]
    if errors:
        # The customers file first, then the invoices file, each in line order.
        order = {str(customers_path): 0, str(invoices_path): 1}
        errors.sort(key=lambda error: (order.get(error.path, 2), error.line))
        raise ImportRejected(errors)

    summary = ImportSummary()
    customer_ids.update(_upsert_customers(session, customers, summary, progress))
    _upsert_invoices(session, invoices, customer_ids, actor, summary, progress)
    logger.info("import finished", extra={"count": len(customers) + len(invoices)})
    return summary


def _tick(progress: Progress | None, stage: str, count: int) -> None:
    if progress is not None:
        progress(stage, count)


def _unknown_customer(path: Path, row: InvoiceRow) -> RowError:
    message = f"customer_external_id {row.customer_external_id!r} is in neither file nor database"
    return RowError(str(path), row.line, message)


def _existing_ids(session: Session, model: Any, external_ids: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(external_ids))
    found: dict[str, int] = {}
    for chunk in _chunks(wanted):
        query = select(model.external_id, model.id).where(model.external_id.in_(chunk))
        found.update(_id_map(session.execute(query)))
    return found


def _existing_rows(session: Session, model: Any, external_ids: list[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for chunk in _chunks(external_ids):
        query = select(model).where(model.external_id.in_(chunk))
        found.update({row.external_id: row for row in session.scalars(query)})
    return found


def _chunks(values: list[str]) -> Iterable[list[str]]:
    # Bounded IN lists keep every database under its bind-parameter limit.
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _upsert_customers(
    session: Session, rows: list[CustomerRow], summary: ImportSummary, progress: Progress | None
) -> dict[str, int]:
    existing = _existing_rows(session, Customer, [row.external_id for row in rows])
    now = utc_now()
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for row in rows:
        values = {name: getattr(row, name) for name in CUSTOMER_FIELDS}
        current = existing.get(row.external_id)
        if current is None:
            new.append(
                {"external_id": row.external_id, **values, "created_at": now, "updated_at": now}
            )
        elif _differs(current, values):
            changed.append({"id": current.id, **values, "updated_at": now})
        else:
            summary.customers_unchanged += 1
    ids = _insert_returning_ids(session, Customer, new)
    _bulk_update(session, Customer, changed)
    summary.customers_created, summary.customers_updated = len(new), len(changed)
    _tick(progress, "customers", len(rows))
    return ids


def _upsert_invoices(
    session: Session,
    rows: list[InvoiceRow],
    customer_ids: dict[str, int],
    actor: str,
    summary: ImportSummary,
    progress: Progress | None,
) -> None:
    existing = _existing_rows(session, Invoice, [row.external_id for row in rows])
    now = utc_now()
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    audits: list[dict[str, Any]] = []
    for row in rows:
        values = _invoice_values(row, customer_ids[row.customer_external_id])
        current = existing.get(row.external_id)
        if current is None:
            new.append(
                {"external_id": row.external_id, **values, "created_at": now, "updated_at": now}
            )
            continue
        values = _keep_settled(current, values, summary)
        if not _differs(current, values):
            summary.invoices_unchanged += 1
            continue
        changed.append({"id": current.id, **values, "updated_at": now})
        audits.append(
            audit_row(actor, "invoice.updated", "invoice", _id(current), _changes(current, values))
        )
    ids = _insert_returning_ids(session, Invoice, new)
    audits += [
        audit_row(actor, "invoice.created", "invoice", ids[item["external_id"]], _snapshot(item))
        for item in new
    ]
    _bulk_update(session, Invoice, changed)
    record(session, audits)
    summary.invoices_created, summary.invoices_updated = len(new), len(changed)
    _tick(progress, "invoices", len(rows))


def _invoice_values(row: InvoiceRow, customer_id: int) -> dict[str, Any]:
    return {
        "customer_id": customer_id,
        "amount": row.amount,
        "due_date": row.due_date,
        "reference_month": row.reference_month,
        "status": row.status,
        "paid_at": row.paid_at,
    }


def _keep_settled(
    current: Invoice, values: dict[str, Any], summary: ImportSummary
) -> dict[str, Any]:
    # A stale ERP export must not undo a payment the ledger already knows about, nor reopen
    # an invoice an agreement replaced (the ERP does not know Quita's agreements).
    kept = (InvoiceStatus.PAID, InvoiceStatus.RENEGOTIATED)
    if current.status not in kept or values["status"] == current.status:
        return values
    said, status = values["status"], current.status
    summary.warnings.append(
        f"invoice {current.external_id} is {status} in Quita; the file says {said}: kept {status}"
    )
    return {**values, "status": current.status, "paid_at": current.paid_at}


def _differs(current: SQLModel, values: dict[str, Any]) -> bool:
    return any(getattr(current, name) != value for name, value in values.items())


def _changes(current: SQLModel, values: dict[str, Any]) -> dict[str, Any]:
    return {
        name: {"from": _jsonable(getattr(current, name)), "to": _jsonable(value)}
        for name, value in values.items()
        if getattr(current, name) != value
    }


def _snapshot(item: dict[str, Any]) -> dict[str, Any]:
    return {name: _jsonable(item[name]) for name in INVOICE_FIELDS}


def _jsonable(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format_json(value)
    return value


def _id(row: SQLModel) -> int:
    row_id = getattr(row, "id", None)
    if row_id is None:
        raise ValueError("row has no primary key yet")
    return int(row_id)


def _insert_returning_ids(
    session: Session, model: type[Model], rows: list[dict[str, Any]]
) -> dict[str, int]:
    if not rows:
        return {}
    # The core table insert sends one multi-row statement; the ORM path returns row by row.
    table: Any = model.__table__  # type: ignore[attr-defined]
    statement = insert(table).returning(table.c.external_id, table.c.id)
    return _id_map(session.execute(statement, rows))


def _id_map(result: Iterable[Any]) -> dict[str, int]:
    return {str(external_id): int(row_id) for external_id, row_id in result}


def _bulk_update(session: Session, model: type[Model], rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(update(model), rows)
