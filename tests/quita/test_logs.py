"""Log lines carry the stable ids passed as `extra`, so operators can grep by them."""

import logging

from quita.logs import ContextFormatter


def _record(**extra: object) -> logging.LogRecord:
    record = logging.LogRecord(
        "quita.test", logging.INFO, __file__, 1, "settled %s", ("once",), None
    )
    for name, value in extra.items():
        setattr(record, name, value)
    return record


def test_known_ids_are_appended_as_key_value_pairs() -> None:
    line = ContextFormatter("%(message)s").format(_record(source_ref="E123", notice_id=7))

    assert line == "settled once source_ref=E123 notice_id=7"


def test_fields_outside_the_known_ids_are_not_printed() -> None:
    line = ContextFormatter("%(message)s").format(_record(phone="+5511987654321"))

    assert line == "settled once"
