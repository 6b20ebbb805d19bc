"""The HTML report, rendered from the JSON report: one self-contained page (no scripts, no
fonts or styles from elsewhere) a person reads. Failing scenarios come first, open, with the
failing turn of each transcript highlighted and linked from the check that failed."""

from html import escape
from typing import Any

STYLE = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2733;
background:#f4f6f8}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 10px}
.meta{color:#5b6773}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin-top:16px}
.card{background:#fff;border:1px solid #dde3e9;border-radius:8px;padding:10px 14px;min-width:120px}
.card b{display:block;font-size:20px}
table{border-collapse:collapse;background:#fff;width:100%}
td,th{border:1px solid #dde3e9;padding:5px 8px;text-align:left;vertical-align:top}
.bar{background:#e6ebef;border-radius:4px;height:10px;width:160px}
.bar span{display:block;height:10px;border-radius:4px;background:#2e9d5b}
details.scenario{background:#fff;border:1px solid #dde3e9;border-radius:8px;margin:8px 0}
details.scenario>summary{cursor:pointer;padding:8px 12px}
details.fail>summary{border-left:5px solid #c93a3a}
details.pass>summary{border-left:5px solid #2e9d5b}
.body{padding:4px 14px 14px}
.badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;margin-right:6px;
color:#fff}
.badge.fail{background:#c93a3a}.badge.pass{background:#2e9d5b}
.tag{display:inline-block;background:#e6ebef;border-radius:10px;padding:0 7px;font-size:12px;
margin-left:4px}
.checks li{color:#a12a2a}
.turn{border:1px solid #e2e7ec;border-radius:8px;margin:8px 0;padding:8px 10px}
.turn.failing{border:2px solid #c93a3a;background:#fff3f3}
.debtor{background:#dcf8c6;border-radius:8px;padding:6px 9px;display:inline-block;
white-space:pre-wrap}
.agent{background:#f0f2f5;border-radius:8px;padding:6px 9px;margin:5px 0 0 28px;
white-space:pre-wrap}
.choices{margin-left:28px;color:#35618f;font-size:13px}
.tools{color:#5b6773;font-size:12px;margin-top:4px}
.flip-fail{color:#a12a2a}.flip-pass{color:#1f7a45}
"""


def render_html(report: dict[str, Any]) -> str:
    results = list(report.get("results") or [])
    ordered = sorted(results, key=lambda item: (bool(item.get("passed")), str(item["id"])))
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<title>Quita eval report</title>",
        f"<style>{STYLE}</style></head><body><main>",
        _header(report),
        _comparison(report.get("comparison")),
        _tags(report.get("by_tag") or {}),
        "<h2>Scenarios</h2>",
        *(_scenario(item) for item in ordered),
        "</main></body></html>",
    ]
    return "\n".join(part for part in parts if part)


def _header(report: dict[str, Any]) -> str:
    metrics = report.get("metrics") or {}
    cards = [
        ("scenarios", report.get("scenarios")),
        ("passed", report.get("passed")),
        ("pass rate", _percent(report.get("pass_rate"))),
        (f"pass^{report.get('k', 1)}", _percent(report.get("pass_hat_k"))),
        ("containment", _percent(metrics.get("containment"))),
        ("grounding violations", metrics.get("grounding_violations")),
        ("policy violations", metrics.get("policy_violations")),
        ("turns to resolution", metrics.get("turns_to_resolution")),
        ("LLM calls / conversation", metrics.get("llm_calls_per_conversation")),
        ("tokens / conversation", metrics.get("tokens_per_conversation")),
    ]
    shown = "".join(
        f"<div class='card'><b>{escape(str(value))}</b>{escape(label)}</div>"
        for label, value in cards
        if value is not None
    )
    meta = (
        f"{escape(str(report.get('created_at', '')))} · brain {escape(str(report.get('brain')))}"
        f" · k={escape(str(report.get('k')))} · {escape(str(report.get('duration_seconds')))} s"
    )
    return (
        f"<h1>Quita eval report</h1><div class='meta'>{meta}</div><div class='cards'>{shown}</div>"
    )


def _comparison(comparison: dict[str, Any] | None) -> str:
    if not comparison:
        return ""
    delta = comparison.get("pass_rate_delta")
    rows = [
        ("Newly failing", comparison.get("newly_failing") or [], "flip-fail"),
        ("Newly passing", comparison.get("newly_passing") or [], "flip-pass"),
        ("Added", comparison.get("added") or [], ""),
        ("Removed", comparison.get("removed") or [], ""),
    ]
    body = "".join(
        f"<tr><th>{label} ({len(ids)})</th><td class='{css}'>"
        + ", ".join(f"<a href='#s-{escape(i)}'>{escape(i)}</a>" for i in ids)
        + "</td></tr>"
        for label, ids, css in rows
    )
    against = escape(str(comparison.get("against", "")))
    change = "" if delta is None else f" · pass rate change {delta:+.2%}"
    return f"<h2>Compared with {against}{change}</h2><table>{body}</table>"


def _tags(by_tag: dict[str, Any]) -> str:
    if not by_tag:
        return ""
    rows = "".join(
        f"<tr><td>{escape(tag)}</td><td>{row['passed']}/{row['scenarios']}</td>"
        f"<td>{_percent(row['pass_rate'])}</td><td><div class='bar'>"
        f"<span style='width:{round(float(row['pass_rate']) * 100)}%'></span></div></td></tr>"
        for tag, row in by_tag.items()
    )
    head = "<tr><th>tag</th><th>passed</th><th>rate</th><th></th></tr>"
    return f"<h2>Pass rate by tag</h2><table>{head}{rows}</table>"


def _scenario(item: dict[str, Any]) -> str:
    passed = bool(item.get("passed"))
    status = "pass" if passed else "fail"
    anchor = f"s-{item['id']}"
    failing_turns = {
        c.get("turn") for c in item.get("failed_checks") or [] if c.get("turn") is not None
    }
    tags = "".join(f"<span class='tag'>{escape(str(tag))}</span>" for tag in item.get("tags") or [])
    runs = (
        f" · {item.get('runs_passed')}/{item.get('runs')} runs" if item.get("runs", 1) > 1 else ""
    )
    summary = (
        f"<span class='badge {status}'>{'PASS' if passed else 'FAIL'}</span>"
        f"<b>{escape(str(item['id']))}</b> — {escape(str(item.get('description', '')))}{tags}"
        f"<span class='meta'> · {escape(str(item.get('file', '')))}{runs}</span>"
    )
    body = [_checks(item, anchor), _error(item.get("error"))]
    body += [
        _turn(turn, anchor, turn.get("index") in failing_turns)
        for turn in item.get("transcript") or []
    ]
    opened = "" if passed else " open"
    return (
        f"<details class='scenario {status}' id='{escape(anchor)}'{opened}>"
        f"<summary>{summary}</summary><div class='body'>{''.join(body)}</div></details>"
    )


def _checks(item: dict[str, Any], anchor: str) -> str:
    failed = item.get("failed_checks") or []
    if not failed:
        return f"<p class='meta'>All {item.get('checks', 0)} checks passed.</p>"
    rows = []
    for check in failed:
        turn = check.get("turn")
        where = (
            f" (<a href='#{escape(anchor)}-t{turn}'>turn {turn + 1}</a>)"
            if turn is not None
            else ""
        )
        detail = f": {escape(str(check.get('detail')))}" if check.get("detail") else ""
        rows.append(f"<li><b>{escape(str(check.get('check')))}</b>{where}{detail}</li>")
    return f"<ul class='checks'>{''.join(rows)}</ul>"


def _error(error: str | None) -> str:
    return f"<pre>{escape(error)}</pre>" if error else ""


def _turn(turn: dict[str, Any], anchor: str, failing: bool) -> str:
    index = int(turn.get("index", 0))
    css = "turn failing" if failing else "turn"
    verified = "verified" if turn.get("verified") else "not verified"
    lines = [
        f"<div class='{css}' id='{escape(anchor)}-t{index}'>",
        f"<div class='meta'>turn {index + 1} · {verified} · "
        f"owner {escape(str(turn.get('owner')))}</div>",
        f"<div class='debtor'>{escape(str(turn.get('debtor', '')))}</div>",
    ]
    for reply in turn.get("replies") or []:
        lines.append(_reply(reply))
    if not turn.get("replies"):
        lines.append("<div class='agent meta'>(no reply)</div>")
    tools = turn.get("tools") or []
    if tools:
        shown = "; ".join(_tool(tool) for tool in tools)
        lines.append(f"<div class='tools'>tools: {escape(shown)}</div>")
    lines.append("</div>")
    return "".join(lines)


def _reply(reply: dict[str, Any]) -> str:
    kind = str(reply.get("type", "text"))
    text = str(reply.get("text") or "")
    if kind in ("image", "document") or reply.get("media"):
        text = f"[{kind}] {text}"
    if kind == "template":
        text = f"[template {reply.get('template')}] {text}"
    html = f"<div class='agent'>{escape(text)}</div>"
    choices = [str(b.get("title")) for b in reply.get("buttons") or []]
    choices += [str(r.get("title")) for r in reply.get("rows") or []]
    if choices:
        html += "<div class='choices'>" + " · ".join(f"[{escape(c)}]" for c in choices) + "</div>"
    return html


def _tool(tool: dict[str, Any]) -> str:
    args = ", ".join(f"{key}={value}" for key, value in (tool.get("args") or {}).items())
    outcome = "ok" if tool.get("ok") else f"refused {tool.get('code')}"
    return f"{tool.get('tool')}({args}) {outcome}"


def _percent(value: Any) -> str | None:
    if not isinstance(value, int | float):
        return None
    return f"{value:.1%}"
