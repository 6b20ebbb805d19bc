"""Comparing two reports: which scenarios flipped between them, and how the rates moved."""

from typing import Any


def compare_reports(
    previous: dict[str, Any], current: dict[str, Any], label: str
) -> dict[str, Any]:
    """Scenarios that went from passing to failing (`newly_failing`), the reverse
    (`newly_passing`), and those only one report has; `label` names the previous report."""
    before = {str(item["id"]): bool(item.get("passed")) for item in previous.get("results", [])}
    after = {str(item["id"]): bool(item.get("passed")) for item in current.get("results", [])}
    both = [key for key in after if key in before]
    return {
        "against": label,
        "previous_pass_rate": previous.get("pass_rate"),
        "pass_rate_delta": _delta(current.get("pass_rate"), previous.get("pass_rate")),
        "previous_pass_hat_k": previous.get("pass_hat_k"),
        "pass_hat_k_delta": _delta(current.get("pass_hat_k"), previous.get("pass_hat_k")),
        "newly_failing": sorted(key for key in both if before[key] and not after[key]),
        "newly_passing": sorted(key for key in both if after[key] and not before[key]),
        "added": sorted(key for key in after if key not in before),
        "removed": sorted(key for key in before if key not in after),
    }


def _delta(now: Any, then: Any) -> float | None:
    if isinstance(now, int | float) and isinstance(then, int | float):
        return round(float(now) - float(then), 4)
    return None
