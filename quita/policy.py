"""The ISP's policy file (QUITA_POLICY_FILE, YAML): who the ISP is, how charges grow, and the
limits the agent's tools enforce."""

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from billing.pix import key_type
from channels.whatsapp.templates import DEFAULT_TEMPLATES, TemplateBook, templates_from
from policies.base import RuleSet
from policies.cadence import CadenceRules
from policies.calendar import BusinessCalendar, national_calendar
from policies.charges import DEFAULT_RULES, ChargeRules
from policies.disputes import DisputeRules
from policies.identity import IdentityRules
from policies.payment_reports import PaymentReportRules
from policies.promises import PromiseRules
from policies.renegotiation import RenegotiationRules
from policies.trust_unblock import TrustUnblockRules

# A fictional ISP with a CNPJ whose check digits are valid, so demo documents look real.
DEMO_ISP_NAME = "Conecta Vale Internet Ltda"
DEMO_ISP_CNPJ = "12345678000195"
DEMO_ISP_CITY = "Taubaté"
# Banco do Brasil; a boleto's first three digits name the bank that collects it.
DEFAULT_BANK_CODE = "001"
_ISP_KEYS = frozenset({"name", "cnpj", "city", "pix_key", "bank_code"})
# Sections read by the rule sets themselves (policies.base.RuleSet), by Policy field name.
_RULE_SECTIONS: dict[str, type[RuleSet]] = {
    "renegotiation": RenegotiationRules,
    "promises": PromiseRules,
    "payment_reports": PaymentReportRules,
    "trust_unblock": TrustUnblockRules,
    "disputes": DisputeRules,
    "identity": IdentityRules,
    "cadence": CadenceRules,
}


class PolicyError(ValueError):
    """The policy file cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class IspProfile:
    """How every collection message identifies the ISP (CDC art. 42-A), and how it is paid.

    `pix_key` is the key static Pix charges pay (the CNPJ by default), `city` goes into the
    Pix payload, `bank_code` heads the boletos. Raises ValueError naming a bad key or code.
    """

    name: str = DEMO_ISP_NAME
    cnpj: str = DEMO_ISP_CNPJ
    city: str = DEMO_ISP_CITY
    pix_key: str = DEMO_ISP_CNPJ
    bank_code: str = DEFAULT_BANK_CODE

    def __post_init__(self) -> None:
        try:
            key_type(self.pix_key)
        except ValueError as error:
            raise ValueError(f"isp.pix_key: {error}") from None
        if len(self.bank_code) != 3 or not self.bank_code.isdigit():
            raise ValueError(f"isp.bank_code: expected 3 digits, got {self.bank_code!r}")


@dataclass(frozen=True)
class Policy:
    isp: IspProfile = field(default_factory=IspProfile)
    charges: ChargeRules = DEFAULT_RULES
    calendar: BusinessCalendar = field(default_factory=national_calendar)
    renegotiation: RenegotiationRules = field(default_factory=RenegotiationRules)
    promises: PromiseRules = field(default_factory=PromiseRules)
    payment_reports: PaymentReportRules = field(default_factory=PaymentReportRules)
    trust_unblock: TrustUnblockRules = field(default_factory=TrustUnblockRules)
    disputes: DisputeRules = field(default_factory=DisputeRules)
    identity: IdentityRules = field(default_factory=IdentityRules)
    cadence: CadenceRules = field(default_factory=CadenceRules)
    templates: TemplateBook = DEFAULT_TEMPLATES


def load_policy(path: Path | None) -> Policy:
    """The policy in `path`, or the defaults when no file is configured."""
    if path is None:
        return Policy()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise PolicyError(f"{path}: cannot read the policy file: {error}") from error
    try:
        return _policy_from(data)
    except (TypeError, ValueError) as error:
        raise PolicyError(f"{path}: {error}") from error


def _policy_from(data: Any) -> Policy:
    if not isinstance(data, dict):
        raise ValueError("the policy file must hold a mapping at the top level")
    known = {"isp", "charges", "holidays", "templates", *_RULE_SECTIONS}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(f"{unknown[0]}: unknown key (known: {', '.join(sorted(known))})")
    holidays = data.get("holidays") or {}
    return Policy(
        isp=_isp_from(data.get("isp") or {}),
        charges=ChargeRules.from_mapping(data.get("charges") or {}),
        calendar=_calendar_from(holidays),
        templates=templates_from(data.get("templates") or {}),
        **_rule_sections_from(data),
    )


def _isp_from(data: dict[str, Any]) -> IspProfile:
    unknown = sorted(set(data) - _ISP_KEYS)
    if unknown:
        raise ValueError(f"isp.{unknown[0]}: unknown key (known: {sorted(_ISP_KEYS)})")
    cnpj = str(data.get("cnpj", DEMO_ISP_CNPJ))
    return IspProfile(
        name=str(data.get("name", DEMO_ISP_NAME)),
        cnpj=cnpj,
        city=str(data.get("city", DEMO_ISP_CITY)),
        pix_key=str(data.get("pix_key", cnpj)),
        bank_code=str(data.get("bank_code", DEFAULT_BANK_CODE)),
    )


def _rule_sections_from(data: dict[str, Any]) -> dict[str, Any]:
    return {
        name: rules.from_mapping(data.get(name) or {}, name)
        for name, rules in _RULE_SECTIONS.items()
    }


def _calendar_from(data: dict[str, Any]) -> BusinessCalendar:
    if not data:
        return national_calendar()
    unknown = sorted(set(data) - {"subdiv", "extra_holidays", "include_bank_closures"})
    if unknown:
        raise ValueError(f"holidays.{unknown[0]}: unknown key")
    extra = data.get("extra_holidays") or []
    if not all(isinstance(day, date) for day in extra):
        raise ValueError("holidays.extra_holidays: expected a list of ISO dates (YYYY-MM-DD)")
    return BusinessCalendar(
        subdiv=data.get("subdiv"),
        extra_holidays=frozenset(extra),
        include_bank_closures=bool(data.get("include_bank_closures", True)),
    )
