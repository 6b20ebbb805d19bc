"""Which approved template replaces a message whose 24-hour window has closed, per purpose.

The ISP registers these templates (category utility, pt_BR) in its WhatsApp Business Account;
the policy file's optional `templates` section adds, replaces or (with null) removes entries:

    templates:
      purposes:
        payment_confirmation:
          name: quita_pagamento_recebido
          language: pt_BR
          text: "Olá, {{1}}! A {{2}} confirma o recebimento do seu pagamento. ..."
          parameters: [customer_first_name, isp_name]

`text` is the approved body, kept to show staff what went out; `parameters` name where each
``{{n}}`` comes from (see `PARAMETER_SOURCES`). A message may carry its own values instead
(`fallback_parameters` in the outbox payload).
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from channels.whatsapp.messages import (
    LANGUAGE_CODE,
    TEMPLATE_NAME,
    Template,
    placeholder_count,
    render_template_text,
)

PARAMETER_SOURCES = frozenset(
    {"customer_first_name", "isp_name", "isp_cnpj"}
    # Filled only by the message itself (`fallback_parameters`): the cadence's bill facts.
    | {"reference", "amount", "due_date", "deadline"}
)
_SPEC_KEYS = frozenset({"name", "language", "text", "parameters"})


@dataclass(frozen=True)
class TemplateSpec:
    """An approved template and where its positional parameters come from."""

    name: str
    text: str
    parameters: tuple[str, ...] = ()
    language: str = "pt_BR"

    def __post_init__(self) -> None:
        unknown = sorted(set(self.parameters) - PARAMETER_SOURCES)
        if unknown:
            raise ValueError(
                f"unknown parameter source {unknown[0]!r} (known: {sorted(PARAMETER_SOURCES)})"
            )
        if placeholder_count(self.text) != len(self.parameters):
            raise ValueError(
                f"template {self.name!r}: its text takes {placeholder_count(self.text)} "
                f"parameters but {len(self.parameters)} are named"
            )
        if not re.fullmatch(TEMPLATE_NAME, self.name):
            raise ValueError(f"name {self.name!r}: only lowercase letters, digits and _")
        if not re.fullmatch(LANGUAGE_CODE, self.language):
            raise ValueError(f"language {self.language!r}: expected a code such as pt_BR")

    def message(self, values: Mapping[str, str], own: list[str] | None = None) -> Template:
        """The template message, filled from `own` values when given, else from `values`
        (one entry per parameter source). Raises ValueError if a parameter is unusable."""
        missing = [source for source in self.parameters if source not in values]
        if not own and missing:
            raise ValueError(f"template {self.name!r}: no value for parameter {missing[0]!r}")
        parameters = list(own) if own else [values[source] for source in self.parameters]
        return Template(
            name=self.name,
            language=self.language,
            parameters=parameters,
            body=render_template_text(self.text, parameters),
        )


@dataclass(frozen=True)
class TemplateBook:
    """Templates by message purpose; a purpose without one cannot go out once the window
    has closed."""

    by_purpose: Mapping[str, TemplateSpec] = field(default_factory=dict)

    def for_purpose(self, purpose: str) -> TemplateSpec | None:
        return self.by_purpose.get(purpose)


_REPLY = TemplateSpec(
    name="quita_retomar_conversa",
    text=(
        "Olá, {{1}}! Aqui é a {{2}} (CNPJ {{3}}). Temos uma resposta para a sua mensagem. "
        "Responda por aqui para continuarmos a conversa."
    ),
    parameters=("customer_first_name", "isp_name", "isp_cnpj"),
)
_WHO = ("customer_first_name", "isp_name", "isp_cnpj")
_BILL = (*_WHO, "reference", "amount")
_HELLO = "Olá, {{1}}! Aqui é a {{2}} (CNPJ {{3}})."
# The cadence's messages carry their own values (`fallback_parameters`) for these.
CADENCE_TEMPLATES = {
    "cadence_reminder": TemplateSpec(
        name="quita_lembrete_vencimento",
        text=(
            f"{_HELLO} Lembrete: a {{{{4}}}}, no valor de {{{{5}}}}, vence em {{{{6}}}}. "
            "Responda esta mensagem para receber o Pix ou a segunda via do boleto."
        ),
        parameters=(*_BILL, "due_date"),
    ),
    "cadence_overdue": TemplateSpec(
        name="quita_fatura_em_aberto",
        text=(
            f"{_HELLO} Consta em aberto a {{{{4}}}}, vencida em {{{{5}}}}, no valor atualizado "
            "de {{6}}. Responda esta mensagem para receber o Pix, a segunda via ou para "
            "negociar. Se você já pagou, por favor desconsidere."
        ),
        parameters=(*_WHO, "reference", "due_date", "amount"),
    ),
    "cadence_notice": TemplateSpec(
        name="quita_aviso_suspensao",
        text=(
            "Olá, {{1}}. A {{2}} (CNPJ {{3}}) avisa: a {{4}} está em aberto, no valor "
            "atualizado de {{5}}. Se o débito continuar, o serviço poderá ser suspenso a "
            "partir de {{6}}; mantido o débito, o contrato poderá ser rescindido no mínimo 60 "
            "dias após a suspensão e, depois disso, o débito poderá ser incluído em cadastros "
            "de proteção ao crédito. Após o pagamento, um serviço suspenso volta em até 24 "
            "horas. Para pagar, negociar ou contestar a cobrança, responda esta mensagem."
        ),
        parameters=(*_BILL, "deadline"),
    ),
    "cadence_suspension": TemplateSpec(
        name="quita_servico_suspenso",
        text=(
            "Olá, {{1}}. A {{2}} (CNPJ {{3}}) informa que o serviço foi suspenso por falta de "
            "pagamento da {{4}}, no valor atualizado de {{5}}. Após o pagamento, o serviço "
            "volta em até 24 horas; se o débito continuar, o contrato poderá ser rescindido a "
            "partir de {{6}}. Para pagar ou negociar, responda esta mensagem."
        ),
        parameters=(*_BILL, "deadline"),
    ),
    "cadence_rescission": TemplateSpec(
        name="quita_contrato_rescindido",
        text=(
            "Olá, {{1}}. A {{2}} (CNPJ {{3}}) informa que o contrato foi rescindido por falta "
            "de pagamento da {{4}}, no valor atualizado de {{5}}. O débito poderá ser incluído "
            "em cadastros de proteção ao crédito a partir de {{6}}. Para negociar, responda "
            "esta mensagem."
        ),
        parameters=(*_BILL, "deadline"),
    ),
    "cadence_listing": TemplateSpec(
        name="quita_registro_credito",
        text=(
            "Olá, {{1}}. A {{2}} (CNPJ {{3}}) informa que o débito da {{4}}, no valor "
            "atualizado de {{5}}, foi encaminhado para registro em cadastro de proteção ao "
            "crédito. Para regularizar, responda esta mensagem."
        ),
        parameters=_BILL,
    ),
}
DEFAULT_TEMPLATES = TemplateBook(
    {
        "agent_reply": _REPLY,
        "staff_reply": _REPLY,
        "payment_confirmation": TemplateSpec(
            name="quita_pagamento_recebido",
            text=(
                "Olá, {{1}}! A {{2}} (CNPJ {{3}}) confirma o recebimento do seu pagamento. "
                "Obrigado! Se quiser os detalhes, é só responder esta mensagem."
            ),
            parameters=("customer_first_name", "isp_name", "isp_cnpj"),
        ),
        **CADENCE_TEMPLATES,
    }
)


def templates_from(data: Mapping[str, Any]) -> TemplateBook:
    """The default book updated by the policy file's `templates` section; ValueError names
    the offending key."""
    unknown = sorted(set(data) - {"purposes"})
    if unknown:
        raise ValueError(f"templates.{unknown[0]}: unknown key (known: purposes)")
    purposes = data.get("purposes") or {}
    if not isinstance(purposes, Mapping):
        raise ValueError("templates.purposes: expected a mapping of purpose to template")
    book = dict(DEFAULT_TEMPLATES.by_purpose)
    for purpose, entry in purposes.items():
        if entry is None:
            book.pop(str(purpose), None)
            continue
        try:
            book[str(purpose)] = _spec_from(entry)
        except (TypeError, ValueError) as error:
            raise ValueError(f"templates.purposes.{purpose}: {error}") from None
    return TemplateBook(book)


def _spec_from(entry: Any) -> TemplateSpec:
    if not isinstance(entry, Mapping):
        raise ValueError("expected a mapping with name, text and parameters")
    unknown = sorted(set(entry) - _SPEC_KEYS)
    if unknown:
        raise ValueError(f"{unknown[0]}: unknown key (known: {sorted(_SPEC_KEYS)})")
    if "name" not in entry or "text" not in entry:
        raise ValueError("name and text are required")
    return TemplateSpec(
        name=str(entry["name"]),
        text=str(entry["text"]),
        parameters=tuple(str(p) for p in entry.get("parameters") or ()),
        language=str(entry.get("language", "pt_BR")),
    )
