"""What each cadence message says, in pt-BR, per kind of message and tone.

Every text is respectful and informative: it says what is owed and how to pay or talk, never
threatens, and ends with the ISP's name and CNPJ (CDC art. 42-A), which `render` appends so
that no configured text can leave it out. The suspension notice carries the content the
Anatel RGC requires: the reason, the amount and the bill, the deadlines, the possible
credit-bureau listing after rescission, the restore deadline, and how to dispute.
"""

import string
from collections.abc import Mapping
from enum import StrEnum


class MessageKind(StrEnum):
    REMINDER = "reminder"
    DUE_TODAY = "due_today"
    OVERDUE = "overdue"
    NOTICE = "notice"
    SUSPENSION = "suspension"
    RESCISSION = "rescission"
    LISTING = "listing"
    INSTALLMENT_REMINDER = "installment_reminder"
    INSTALLMENT_OVERDUE = "installment_overdue"


class Tone(StrEnum):
    GENTLE = "gentle"
    NEUTRAL = "neutral"
    SUPPORTIVE = "supportive"
    FIRM = "firm"
    FORMAL = "formal"


# `reference` reads "fatura de novembro de 2026" or "parcela 2 de 6 do seu acordo" (feminine,
# without its article: "a {reference}", "da {reference}"); `deadline` is the kind's next legal
# date (see cadence.messages).
PLACEHOLDERS = frozenset(
    {
        "first_name",
        "reference",
        "amount",
        "due_date",
        "days_late",
        "deadline",
        "rescission_days",
        "restore_hours",
    }
)

_REPLY = "É só responder esta mensagem para receber o Pix ou a segunda via do boleto."
_IGNORE = "Se você já pagou, por favor desconsidere esta mensagem."

DEFAULT_TEXTS: Mapping[MessageKind, Mapping[Tone, str]] = {
    MessageKind.REMINDER: {
        Tone.GENTLE: (
            "Oi, {first_name}! Passando para lembrar que a {reference}, no valor de {amount}, "
            f"vence em {{due_date}}. {_REPLY}"
        ),
        Tone.NEUTRAL: (
            "Olá, {first_name}. Lembrete: a {reference}, no valor de {amount}, vence em "
            f"{{due_date}}. {_REPLY}"
        ),
        Tone.FIRM: (
            "Olá, {first_name}. Lembrete: a {reference}, no valor de {amount}, vence em "
            "{due_date}. Pagando até o vencimento, você evita multa e juros. " + _REPLY
        ),
    },
    MessageKind.DUE_TODAY: {
        Tone.GENTLE: (
            "Oi, {first_name}! Hoje vence a {reference}, no valor de {amount}. "
            f"Se facilitar, eu envio o Pix por aqui. {_IGNORE}"
        ),
        Tone.NEUTRAL: (
            "Olá, {first_name}. Hoje vence a {reference}, no valor de {amount}. "
            + f"{_REPLY} {_IGNORE}"
        ),
    },
    MessageKind.OVERDUE: {
        Tone.GENTLE: (
            "Oi, {first_name}, tudo bem? Ainda não identificamos o pagamento da {reference}, "
            "que venceu em {due_date}. Pode ter sido só um esquecimento! O valor atualizado é "
            f"{{amount}}. {_REPLY} {_IGNORE}"
        ),
        Tone.NEUTRAL: (
            "Olá, {first_name}. Consta em aberto a {reference}, vencida em {due_date}. O valor "
            f"atualizado é {{amount}}. {_REPLY} {_IGNORE}"
        ),
        Tone.SUPPORTIVE: (
            "Olá, {first_name}. Sabemos que imprevistos acontecem. Consta em aberto a "
            "{reference}, vencida em {due_date}, no valor atualizado de {amount}. Se estiver "
            "difícil pagar tudo de uma vez, podemos combinar um parcelamento: é só responder "
            "esta mensagem."
        ),
        Tone.FIRM: (
            "Olá, {first_name}. Consta em aberto a {reference}, vencida há {days_late} dias, no "
            "valor atualizado de {amount}. Pedimos que regularize o pagamento assim que "
            "possível. Responda esta mensagem para receber o Pix, a segunda via ou para "
            "negociar."
        ),
    },
    MessageKind.NOTICE: {
        Tone.FORMAL: (
            "Olá, {first_name}. Este é um aviso de débito com possibilidade de suspensão do "
            "serviço.\n\n"
            "Motivo: falta de pagamento da {reference}, vencida em {due_date}. Valor "
            "atualizado: {amount}.\n\n"
            "Prazos: se o débito continuar, o serviço poderá ser suspenso a partir de "
            "{deadline}. Mantido o débito, o contrato poderá ser rescindido {rescission_days} "
            "dias após a suspensão e, depois da rescisão, o débito poderá ser incluído em "
            "cadastros de proteção ao crédito.\n\n"
            "Depois do pagamento, um serviço suspenso volta em até {restore_hours} horas. Se "
            "você não reconhece esta cobrança, pode contestá-la respondendo esta mensagem; "
            "enquanto analisamos, esses prazos ficam parados.\n\n"
            "Para pagar ou negociar, é só responder por aqui."
        ),
    },
    MessageKind.SUSPENSION: {
        Tone.FORMAL: (
            "Olá, {first_name}. Informamos que o serviço foi suspenso por falta de pagamento "
            "da {reference}, no valor atualizado de {amount}, conforme o aviso enviado antes. "
            "Assim que o pagamento for identificado, o serviço volta em até {restore_hours} "
            "horas. Se o débito continuar, o contrato poderá ser rescindido a partir de "
            "{deadline}. Para pagar ou negociar, responda esta mensagem."
        ),
    },
    MessageKind.RESCISSION: {
        Tone.FORMAL: (
            "Olá, {first_name}. Informamos que o contrato foi rescindido por falta de "
            "pagamento da {reference}, no valor atualizado de {amount}. O débito poderá ser "
            "incluído em cadastros de proteção ao crédito a partir de {deadline}. Ainda dá "
            "para regularizar e negociar: é só responder esta mensagem."
        ),
    },
    MessageKind.LISTING: {
        Tone.FORMAL: (
            "Olá, {first_name}. Informamos que o débito da {reference}, no valor atualizado "
            "de {amount}, foi encaminhado para registro em cadastro de proteção ao crédito, "
            "como avisado antes. Depois do pagamento, pedimos a baixa do registro. Para "
            "regularizar, responda esta mensagem."
        ),
    },
    MessageKind.INSTALLMENT_REMINDER: {
        Tone.NEUTRAL: (
            "Olá, {first_name}! Lembrete: a {reference}, no valor de {amount}, vence em "
            "{due_date}. Quer o Pix? É só responder esta mensagem."
        ),
    },
    MessageKind.INSTALLMENT_OVERDUE: {
        Tone.NEUTRAL: (
            "Olá, {first_name}. Ainda não identificamos o pagamento da {reference}, que "
            "venceu em {due_date} (valor {amount}). Para manter o acordo em dia, responda "
            f"esta mensagem e enviamos o Pix. {_IGNORE}"
        ),
    },
}


def text_for(
    kind: MessageKind,
    tone: Tone,
    overrides: Mapping[MessageKind, Mapping[Tone, str]] | None = None,
) -> str:
    """The text of `kind` in `tone`: the ISP's, else the default, else the kind's default in
    the nearest tone it has (neutral, then formal, then any)."""
    for book in (overrides or {}, DEFAULT_TEXTS):
        texts = book.get(kind, {})
        if tone in texts:
            return texts[tone]
    texts = {**DEFAULT_TEXTS[kind], **(overrides or {}).get(kind, {})}
    for fallback in (Tone.NEUTRAL, Tone.FORMAL):
        if fallback in texts:
            return texts[fallback]
    return next(iter(texts.values()))


def render(text: str, values: Mapping[str, str], signature: str) -> str:
    """`text` filled with `values`, then the ISP's signature on its own paragraph.

    Raises KeyError naming a placeholder that has no value.
    """
    return f"{text.format_map(dict(values))}\n\n{signature}"


def placeholders_of(text: str) -> set[str]:
    """The `{name}` fields a text uses. Raises ValueError for a malformed one."""
    names = set()
    for _, field, spec, conversion in string.Formatter().parse(text):
        if field is None:
            continue
        if not field.isidentifier() or spec or conversion:
            raise ValueError(f"placeholder {{{field}}} must be a plain name such as {{amount}}")
        names.add(field)
    return names
