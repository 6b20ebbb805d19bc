"""Reading scenario files: YAML into validated `Scenario`s, with every problem reported as
`file:line: key: message` so a suite author finds the typo at once.

A file holds one scenario (a mapping with `id`), a list of scenarios, or a mapping with
`scenarios` (a list) and optional `defaults` merged under each of them (mappings merge key
by key; any other value in the scenario replaces the default).
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import yaml
from pydantic import ValidationError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from evals.policy_files import check_policy
from evals.schema import Scenario

SUFFIXES = (".yaml", ".yml")
FILE_KEYS = frozenset({"defaults", "scenarios"})
MAX_PROBLEMS_SHOWN = 20

Path_ = tuple[str | int, ...]


class ScenarioError(Exception):
    """One or more scenario files are invalid; `problems` are "file:line: message" strings."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:MAX_PROBLEMS_SHOWN]
        more = len(problems) - len(shown)
        text = "\n".join(shown) + (f"\n... and {more} more" if more else "")
        super().__init__(text)


@dataclass(frozen=True)
class LoadedScenario:
    scenario: Scenario
    file: Path
    line: int

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


def load_scenarios(paths: Iterable[Path]) -> list[LoadedScenario]:
    """Every scenario in `paths` (files, or folders searched recursively for *.yaml), in
    file order. Raises ScenarioError listing every problem found, duplicate ids included."""
    problems: list[str] = []
    loaded: list[LoadedScenario] = []
    for file in scenario_files(paths, problems):
        try:
            loaded += load_file(file)
        except ScenarioError as error:
            problems += error.problems
    problems += _duplicates(loaded)
    if problems:
        raise ScenarioError(problems)
    return loaded


def scenario_files(paths: Iterable[Path], problems: list[str]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
        elif path.is_file():
            yield path
        else:
            problems.append(f"{path}: no such file or folder")


def load_file(file: Path) -> list[LoadedScenario]:
    """The scenarios of one file; raises ScenarioError with file:line for each problem."""
    try:
        root = yaml.compose(file.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError([f"{file}: cannot read: {error}"]) from None
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else 1
        raise ScenarioError([f"{file}:{line}: invalid YAML: {error.problem}"]) from None
    if root is None:
        return []
    try:
        entries = _entries(root)
    except _NodeError as error:
        raise ScenarioError([f"{file}:{error.line}: {error}"]) from None
    problems: list[str] = []
    scenarios = []
    for data, lines, line in entries:
        scenario = _validate(data, lines, file, line, problems)
        if scenario is not None:
            scenarios.append(LoadedScenario(scenario, file, line))
    if problems:
        raise ScenarioError(problems)
    return scenarios


class _NodeError(ValueError):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


Entry = tuple[dict[str, Any], dict[Path_, int], int]


def _entries(root: Node) -> list[Entry]:
    data, lines = _plain(root)
    if isinstance(data, list):
        first = root.start_mark.line + 1
        return [_entry(item, _under(lines, (i,)), first, i) for i, item in enumerate(data)]
    if not isinstance(data, dict):
        raise _NodeError("a scenario file holds a mapping or a list of scenarios", 1)
    if "id" in data or not set(data) & FILE_KEYS:
        return [(data, lines, root.start_mark.line + 1)]
    unknown = sorted(set(data) - FILE_KEYS)
    if unknown:
        line = lines.get((unknown[0],), 1)
        raise _NodeError(f"{unknown[0]}: unknown key (known: defaults, scenarios)", line)
    defaults = data.get("defaults") or {}
    items = data.get("scenarios")
    if not isinstance(defaults, dict):
        raise _NodeError("defaults: expected a mapping", lines.get(("defaults",), 1))
    if not isinstance(items, list):
        raise _NodeError("scenarios: expected a list", lines.get(("scenarios",), 1))
    default_lines = _under(lines, ("defaults",))
    entries = []
    for index, item in enumerate(items):
        item_lines = _under(lines, ("scenarios", index))
        line = lines.get(("scenarios", index), 1)
        data_i, lines_i, _ = _entry(item, item_lines, line, index)
        entries.append((_merge(defaults, data_i), {**default_lines, **lines_i}, line))
    return entries


def _entry(item: Any, lines: dict[Path_, int], line: int, index: int) -> Entry:
    if not isinstance(item, dict):
        raise _NodeError(f"scenario {index + 1}: expected a mapping", lines.get((), line))
    return item, lines, lines.get((), line)


def _under(lines: dict[Path_, int], prefix: Path_) -> dict[Path_, int]:
    size = len(prefix)
    return {path[size:]: line for path, line in lines.items() if path[:size] == prefix}


def _merge(defaults: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    merged = dict(defaults)
    for key, value in data.items():
        base = merged.get(key)
        both = isinstance(base, dict) and isinstance(value, dict)
        merged[key] = _merge(cast(dict[str, Any], base), value) if both else value
    return merged


def _plain(root: Node) -> tuple[Any, dict[Path_, int]]:
    """The node as plain Python values, and the line (1-based) of every key and item."""
    constructor = yaml.SafeLoader("")
    lines: dict[Path_, int] = {}

    def build(node: Node, path: Path_) -> Any:
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, MappingNode):
            constructor.flatten_mapping(node)
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = build_key(key_node)
                if key in result:
                    raise _NodeError(f"{key}: duplicate key", key_node.start_mark.line + 1)
                lines[(*path, key)] = key_node.start_mark.line + 1
                result[key] = build(value_node, (*path, key))
            return result
        if isinstance(node, SequenceNode):
            return [build(item, (*path, index)) for index, item in enumerate(node.value)]
        return constructor.construct_object(node, deep=True)

    def build_key(node: Node) -> str:
        if not isinstance(node, ScalarNode):
            raise _NodeError("keys must be plain words", node.start_mark.line + 1)
        return str(constructor.construct_object(node))

    return build(root, ()), lines


def _validate(
    data: dict[str, Any], lines: dict[Path_, int], file: Path, line: int, problems: list[str]
) -> Scenario | None:
    label = f"scenario {data.get('id')!r}" if isinstance(data.get("id"), str) else "scenario"
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as error:
        for item in error.errors():
            path = _data_path(data, item["loc"])
            where = lines.get(path, line)
            problems.append(f"{file}:{where}: {label}: {_dotted(path)}: {_message(item)}")
        return None
    policy_problem = check_policy(scenario.policy)
    if policy_problem:
        where = lines.get(("policy",), line)
        problems.append(f"{file}:{where}: {label}: policy: {policy_problem}")
        return None
    return scenario


def _data_path(data: Any, loc: tuple[int | str, ...]) -> Path_:
    """The part of pydantic's `loc` that names real keys and items (it also names the union
    member tried, such as `Turn` or `str`, which the file does not contain)."""
    path: list[str | int] = []
    current = data
    for part in loc:
        in_dict = isinstance(current, dict) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        if in_dict or in_list:
            current = current[part]
        else:
            continue
        path.append(part)
    return tuple(path)


def _dotted(path: Path_) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(scenario)"


def _message(item: Any) -> str:
    if item["type"] == "extra_forbidden":
        return "unknown key"
    if item["type"] == "missing":
        return f"{item['loc'][-1]} is required"
    return str(item["msg"]).removeprefix("Value error, ")


def _duplicates(loaded: list[LoadedScenario]) -> list[str]:
    seen: dict[str, LoadedScenario] = {}
    problems = []
    for item in loaded:
        first = seen.setdefault(item.scenario.id, item)
        if first is not item:
            problems.append(
                f"{item.where}: scenario id {item.scenario.id!r} already used at {first.where}"
            )
    return problems
