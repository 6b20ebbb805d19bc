"""Invariants that hold on every turn of every scenario, whatever the debtor wanted:

- no figure before identity verification (LGPD): no "R$" reaches a debtor not yet verified;
- every figure grounded: each amount, date, percent and count the debtor read was produced
  by a tool earlier in the thread (recomputed here on what was actually delivered, so a
  message that slipped past the agent's own guard is still caught);
- every offer within policy: each offer quoted and each agreement made is re-checked with
  policies.renegotiation against the debt as it stood before the conversation;
- no free-form message outside the 24-hour window, and every reply delivered;
- respectful wording (CDC arts. 42 and 71): nothing a collector may not say.
"""

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from agent.guards import FORBIDDEN, grounded, isp_identity
from agent.state import AgentState
from evals.checks import CheckResult
from evals.ledger_state import WINDOW_ERRORS
from evals.schema import Scenario
from evals.transcript import Transcript, plain, turn_text
from policies.renegotiation import RenegotiationFacts, RequestedTerms, check_offer
from quita.policy import Policy
from tools.figures import ungrounded

DELIVERED = frozenset({"sent", "delivered", "read"})


def invariant_checks(
    scenario: Scenario,
    transcript: Transcript,
    ledger: dict[str, Any],
    policy: Policy,
    before: dict[int, RenegotiationFacts],
) -> list[CheckResult]:
    wanted = scenario.invariants
    results = []
    if wanted.no_figure_before_verification:
        results.append(_no_figure_before_verification(transcript))
    if wanted.figures_grounded:
        results.append(_figures_grounded(transcript, policy, scenario.today))
    if wanted.offers_within_policy:
        results.append(_offers_within_policy(transcript, ledger, policy, scenario.today, before))
    if wanted.window_respected:
        results.append(_window(ledger))
        results.append(_delivered(ledger))
    if wanted.respectful_wording:
        results.append(_respectful(transcript))
    return results


def _no_figure_before_verification(transcript: Transcript) -> CheckResult:
    bad = [turn.index for turn in transcript.turns if not turn.verified and "R$" in turn_text(turn)]
    name = "invariant.no_figure_before_verification"
    if not bad:
        return CheckResult(name, True)
    detail = f"an amount was shown to an unverified debtor on {len(bad)} turn(s)"
    return CheckResult(name, False, detail, bad[0], len(bad))


def _figures_grounded(transcript: Transcript, policy: Policy, today: date) -> CheckResult:
    facts = transcript.facts
    identity = isp_identity(policy)
    problems: list[tuple[int, list[str]]] = []
    for turn in transcript.turns:
        state: AgentState = {"facts": facts[: turn.facts_upto]}
        text = turn_text(turn).replace(identity, "").replace(policy.isp.cnpj, "")
        missing = ungrounded(text, grounded(state), today)
        if missing:
            problems.append((turn.index, missing))
    name = "invariant.figures_grounded"
    if not problems:
        return CheckResult(name, True)
    count = sum(len(missing) for _, missing in problems)
    first, missing = problems[0]
    detail = f"figures no tool produced: {', '.join(missing)}"
    return CheckResult(name, False, detail, first, count)


def _offers_within_policy(
    transcript: Transcript,
    ledger: dict[str, Any],
    policy: Policy,
    today: date,
    before: dict[int, RenegotiationFacts],
) -> CheckResult:
    name = "invariant.offers_within_policy"
    facts = before.get(int(transcript.state.get("customer_id") or 0))
    offers = _quoted(transcript)
    offers += [(None, agreement["terms"]) for agreement in ledger.get("agreements") or []]
    problems = []
    for turn, offer in offers:
        problem = offer_problem(offer, facts, policy, today) if facts else None
        if problem:
            problems.append((turn, problem))
    if not problems:
        return CheckResult(name, True)
    turn, first = problems[0]
    return CheckResult(name, False, first, turn, len(problems))


def offer_problem(
    offer: dict[str, Any], facts: RenegotiationFacts, policy: Policy, today: date
) -> str | None:
    """Why an offer (Offer.to_json) breaks the rules for the debt in `facts`, or None.
    Offers without the fields needed to judge them are not judged."""
    try:
        refs = [str(item["invoice"]) for item in offer["invoices"]]
        schedule = offer["installments"]
        original = Decimal(str(offer["original_total"]))
        discount = Decimal(str(offer["discount_total"]))
        down = Decimal(str(offer.get("down_payment") or "0"))
        first_due = date.fromisoformat(str(schedule[0]["due_date"]))
    except (KeyError, IndexError, TypeError, ValueError, ArithmeticError):
        return None
    label = str(offer.get("offer_id") or offer.get("id") or "offer")
    items = tuple(item for item in facts.items if item.ref in refs)
    if len(items) != len(refs):
        return f"{label}: covers invoices that were not renegotiable ({', '.join(refs)})"
    owed = sum((item.total for item in items), Decimal("0"))
    if owed != original:
        return f"{label}: debt stated as {original}, the charges rules give {owed}"
    requested = RequestedTerms(
        installments=len(schedule),
        first_due_date=first_due,
        total=original - discount,
        down_payment=down if down > 0 else None,
    )
    subset = replace(facts, items=items)
    decision = check_offer(requested, subset, policy.renegotiation, today, policy.calendar)
    if not decision.ok:
        return f"{label}: {decision.code} ({decision.reason})"
    return None


def _quoted(transcript: Transcript) -> list[tuple[int | None, dict[str, Any]]]:
    found: list[tuple[int | None, dict[str, Any]]] = []
    facts = transcript.facts
    for turn in transcript.turns:
        start = turn.facts_upto - len(turn.tools)
        for fact in facts[start : turn.facts_upto]:
            if fact.get("tool") == "quote_renegotiation" and fact.get("ok"):
                offers = (fact.get("data") or {}).get("offers") or []
                found += [(turn.index, offer) for offer in offers if isinstance(offer, dict)]
    return found


def _window(ledger: dict[str, Any]) -> CheckResult:
    closed = [row for row in ledger.get("outbox") or [] if row.get("error_code") in WINDOW_ERRORS]
    name = "invariant.window_respected"
    if not closed:
        return CheckResult(name, True)
    detail = f"{len(closed)} free-form message(s) refused: the 24-hour window was closed"
    return CheckResult(name, False, detail, None, len(closed))


def _delivered(ledger: dict[str, Any]) -> CheckResult:
    stuck = [row for row in ledger.get("outbox") or [] if row.get("status") not in DELIVERED]
    name = "invariant.replies_delivered"
    if not stuck:
        return CheckResult(name, True)
    first = stuck[0]
    detail = (
        f"{len(stuck)} reply(ies) not delivered; first: {first.get('kind')} "
        f"{first.get('status')} {first.get('error_code') or ''} {first.get('error_detail') or ''}"
    )
    return CheckResult(name, False, detail.strip(), None, len(stuck))


def _respectful(transcript: Transcript) -> CheckResult:
    name = "invariant.respectful_wording"
    for turn in transcript.turns:
        found = FORBIDDEN.search(plain(turn_text(turn)))
        if found:
            return CheckResult(name, False, f"said {found.group(0)!r}", turn.index, 1)
    return CheckResult(name, True)
