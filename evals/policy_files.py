"""A scenario's policy overrides as the ISP's policy file (QUITA_POLICY_FILE), so the agent
reads them exactly as it reads a real ISP's."""

import tempfile
from pathlib import Path
from typing import Any

import yaml

from quita.policy import Policy, PolicyError, load_policy

POLICY_FILE_NAME = "policy.yaml"


def write_policy(overrides: dict[str, Any], folder: Path) -> Path | None:
    """Write `overrides` as a policy file in `folder`; None when there are none (defaults)."""
    if not overrides:
        return None
    path = folder / POLICY_FILE_NAME
    path.write_text(yaml.safe_dump(overrides, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def policy_of(path: Path | None) -> Policy:
    return load_policy(path)


def check_policy(overrides: dict[str, Any]) -> str | None:
    """Why these overrides are not a valid policy file (the key at fault), or None."""
    if not overrides:
        return None
    with tempfile.TemporaryDirectory(prefix="quita-eval-policy-") as folder:
        path = write_policy(overrides, Path(folder))
        try:
            load_policy(path)
        except PolicyError as error:
            return str(error).split(": ", 1)[-1]
        except yaml.YAMLError as error:
            return f"cannot be written as YAML: {error}"
    return None
