"""Process logging: one line per event, with stable ids appended as key=value."""

import logging
import sys

# Fields that code passes in `extra`; personal data never goes in here unmasked.
CONTEXT_FIELDS = (
    "revision",
    "thread_id",
    "wamid",
    "customer_id",
    "invoice_id",
    "contract_id",
    "source_ref",
    "notice_id",
    "status",
    "purpose",
    "outbox_message_id",
    "erp_action_id",
    "count",
    "path",
    "client",
)


class ContextFormatter(logging.Formatter):
    """Appends the known `extra` fields of a record, so operators can grep by id."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        pairs = [
            f"{name}={getattr(record, name)}" for name in CONTEXT_FIELDS if hasattr(record, name)
        ]
        return f"{line} {' '.join(pairs)}" if pairs else line


def configure_logging(level: str = "INFO") -> None:
    """Send logs to stderr; called by entry points, never at import time."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(ContextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
