"""The CI gate: the bundled suite's pass rate may not fall below the threshold kept in the
repository (evals/threshold.json). Raise the threshold when the agent improves; lower it only
with a note saying why."""

import json
from dataclasses import dataclass
from pathlib import Path

THRESHOLD_FILE = Path(__file__).with_name("threshold.json")


class GateError(ValueError):
    """The threshold file is missing or malformed."""


@dataclass(frozen=True)
class Threshold:
    min_pass_rate: float
    note: str = ""


def read_threshold(path: Path | None = None) -> Threshold:
    """The threshold in `path` (evals/threshold.json by default)."""
    path = path or THRESHOLD_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        value = float(data["min_pass_rate"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise GateError(f"{path}: cannot read `min_pass_rate`: {error}") from None
    if not 0.0 <= value <= 1.0:
        raise GateError(f"{path}: min_pass_rate must be between 0 and 1, got {value}")
    return Threshold(value, str(data.get("note", "")))


def gate_passes(pass_rate: float, minimum: float) -> bool:
    # Rates are rounded to 4 places in reports; compare at that precision.
    return round(pass_rate, 4) >= round(minimum, 4)
