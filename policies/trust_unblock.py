"""Trust unblock (desbloqueio de confiança): a service suspended for non-payment comes back for
a few days on the debtor's word, at most once per period."""

from dataclasses import dataclass
from datetime import date, timedelta

from pydantic import Field

from policies.base import Decision, RuleSet, allow, day_month, refuse

SUSPENDED = "suspended"
RESCINDED = "rescinded"


class TrustUnblockRules(RuleSet):
    """Section `trust_unblock` of the policy file.

    Grants service until `days` days after today (inclusive), at most once per
    `period_days` per debtor, and never to a debtor who broke an agreement within
    `broken_agreement_lookback_days` or whose contract is rescinded or being rescinded.
    """

    enabled: bool = True
    days: int = Field(default=3, ge=1, le=15)
    period_days: int = Field(default=30, ge=1)
    broken_agreement_lookback_days: int = Field(default=90, ge=0)


@dataclass(frozen=True)
class TrustUnblockFacts:
    """The contract and the debtor's history, as plain values.

    `contract_status` is "active", "suspended" or "rescinded"; `overdue_debt` says whether
    something overdue explains the suspension; `in_rescission` is true once rescission is
    scheduled; the dates are the last trust unblock and the last broken agreement.
    """

    contract_status: str
    overdue_debt: bool
    in_rescission: bool = False
    last_unblock_on: date | None = None
    last_broken_agreement_on: date | None = None


def check_trust_unblock(
    facts: TrustUnblockFacts, rules: TrustUnblockRules, today: date
) -> Decision:
    """Grant or refuse a trust unblock requested `today`; `until` is the last day of service
    it grants (São Paulo date, inclusive)."""
    refusal = _status_problem(facts, rules) or _history_problem(facts, rules, today)
    if refusal is not None:
        return refusal
    until = today + timedelta(rules.days)
    return allow(
        f"Pronto! Liberei a sua internet em confiança até {day_month(until)}. "
        "Para não ser bloqueada de novo, o pagamento precisa ser feito até essa data.",
        until,
    )


def next_eligible_on(last_unblock_on: date, rules: TrustUnblockRules) -> date:
    """The first day a new trust unblock may be granted after one on `last_unblock_on`."""
    return last_unblock_on + timedelta(rules.period_days)


def _status_problem(facts: TrustUnblockFacts, rules: TrustUnblockRules) -> Decision | None:
    if not rules.enabled:
        return refuse("disabled", "O desbloqueio em confiança não está disponível.")
    if facts.contract_status == RESCINDED or facts.in_rescission:
        return refuse(
            "in_rescission",
            "O seu contrato está em cancelamento; vou chamar alguém da equipe para te ajudar.",
        )
    if facts.contract_status != SUSPENDED:
        return refuse("not_suspended", "A sua internet não está bloqueada.")
    if not facts.overdue_debt:
        return refuse(
            "not_suspended_for_non_payment",
            "O bloqueio não é por falta de pagamento; vou chamar alguém da equipe.",
        )
    return None


def _history_problem(
    facts: TrustUnblockFacts, rules: TrustUnblockRules, today: date
) -> Decision | None:
    if facts.last_unblock_on is not None:
        eligible = next_eligible_on(facts.last_unblock_on, rules)
        if today < eligible:
            return refuse(
                "used_recently",
                "O desbloqueio em confiança já foi usado recentemente; ele pode ser pedido de "
                f"novo a partir de {day_month(eligible)}. Com o pagamento, a internet volta "
                "em até 24 horas.",
                eligible,
            )
    broken = facts.last_broken_agreement_on
    if broken is not None and (today - broken).days < rules.broken_agreement_lookback_days:
        return refuse(
            "broken_agreement_recent",
            "Não consigo liberar em confiança agora. Com o pagamento, a internet volta em até "
            "24 horas; posso te mandar o Pix?",
        )
    return None
