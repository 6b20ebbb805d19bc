"""What the offline brain and the guards say, in warm Brazilian Portuguese.

Every figure in these texts comes from a tool result passed in; nothing here computes money.
Tone follows the debtor's segment: light for the loyal, practical for the disorganized,
empathetic (installments first) for cash-flow trouble, firm and factual for the chronic —
never threatening.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from agent.history import AGENT_PURPOSE
from agent.state import Outgoing
from agent.understanding import (
    CONFIRM_NO,
    CONFIRM_YES,
    MENU_ALREADY_PAID,
    MENU_BALANCE,
    MENU_BOLETO,
    MENU_HUMAN,
    MENU_PIX,
    MENU_RENEGOTIATE,
    OFFER_PREFIX,
)
from billing.money import format_brl
from quita.policy import Policy

MENU_ROWS = [
    {"id": MENU_BALANCE, "title": "Ver meu saldo", "description": "Valor atualizado de hoje"},
    {"id": MENU_PIX, "title": "Pagar com Pix", "description": "Código copia e cola e QR"},
    {"id": MENU_BOLETO, "title": "2ª via do boleto", "description": "Boleto em PDF"},
    {"id": MENU_RENEGOTIATE, "title": "Parcelar", "description": "Ver opções de acordo"},
    {"id": MENU_ALREADY_PAID, "title": "Já paguei", "description": "Informar um pagamento"},
    {"id": MENU_HUMAN, "title": "Falar com atendente", "description": "Uma pessoa da equipe"},
]
PAY_BUTTONS = [
    {"id": MENU_PIX, "title": "Pagar com Pix"},
    {"id": MENU_BOLETO, "title": "2ª via do boleto"},
    {"id": MENU_RENEGOTIATE, "title": "Parcelar"},
]
TONE_AFTER_BALANCE = {
    "loyal": "Imagino que tenha passado batido — acontece! 🙂",
    "disorganized": "Dica: pelo Pix o pagamento cai na hora e leva menos de um minuto.",
    "cash_flow_trouble": (
        "Sei que o momento pode estar apertado. Se ajudar, dá para parcelar — é só tocar em "
        "*Parcelar*."
    ),
    "chronic": "Para manter sua conexão ativa, o ideal é regularizar o quanto antes.",
    "new_customer": "Qualquer dúvida sobre a fatura, é só me perguntar por aqui.",
}


def text(body: str, purpose: str = AGENT_PURPOSE) -> Outgoing:
    return {"kind": "text", "body": body, "purpose": purpose}


def brl(amount: str | Decimal) -> str:
    return format_brl(Decimal(amount))


def day(value: str | date) -> str:
    moment = date.fromisoformat(value) if isinstance(value, str) else value
    return moment.strftime("%d/%m/%Y")


def month(reference_month: str) -> str:
    """ "2026-11" → "11/2026"."""
    year, _, number = reference_month.partition("-")
    return f"{number}/{year}" if number else reference_month


def menu(first_name: str | None, policy: Policy) -> Outgoing:
    hello = f"Oi, {first_name}! " if first_name else "Oi! "
    body = (
        f"{hello}Aqui é o assistente virtual da {policy.isp.name}. "
        "Posso te ajudar com o seu saldo, Pix, segunda via ou um acordo. O que você precisa?"
    )
    return {"kind": "list", "body": body, "button": "Ver opções", "rows": MENU_ROWS}


def not_understood(policy: Policy) -> Outgoing:
    body = (
        "Desculpe, não entendi direito. 😅 Você pode escolher uma opção abaixo ou escrever "
        "com outras palavras."
    )
    return {"kind": "list", "body": body, "button": "Ver opções", "rows": MENU_ROWS}


def ask_document_prefix(first_name: str | None, kind: str, digits: int) -> Outgoing:
    label = "CNPJ" if kind == "cnpj" else "CPF"
    hello = f"Oi, {first_name}! " if first_name else "Oi! "
    return text(
        f"{hello}Para proteger seus dados, antes de falar de valores preciso confirmar que "
        f"estou falando com o titular. Pode me dizer os {digits} primeiros dígitos do {label}?"
    )


def ask_full_document() -> Outgoing:
    return text(
        "Para localizar seu cadastro com segurança, pode me informar o CPF ou CNPJ do "
        "titular da conta?"
    )


def identity_mismatch(attempts_left: int) -> Outgoing:
    again = "Pode conferir e me mandar de novo?" if attempts_left > 0 else ""
    return text(f"Hmm, isso não confere com o nosso cadastro. {again}".strip())


def identity_confirmed(first_name: str | None) -> str:
    return f"Obrigado{', ' + first_name if first_name else ''}! Cadastro confirmado. ✅"


def balance(data: dict[str, Any], segment: str) -> list[Outgoing]:
    invoices = data.get("invoices") or []
    if not invoices:
        return [text("Boa notícia: não encontrei nenhuma fatura em aberto no seu cadastro. 🎉")]
    lines = [_invoice_line(item) for item in invoices]
    body = "Aqui está o seu saldo atualizado para hoje:\n\n" + "\n".join(lines)
    if len(invoices) > 1:
        body += f"\n\n*Total hoje: {brl(data['total'])}*"
    body += "\n\n" + TONE_AFTER_BALANCE.get(segment, TONE_AFTER_BALANCE["new_customer"])
    return [
        text(body),
        {"kind": "buttons", "body": "Como prefere pagar?", "buttons": PAY_BUTTONS},
    ]


def _invoice_line(item: dict[str, Any]) -> str:
    head = f"• Fatura {month(item['reference_month'])}, vencida em {day(item['due_date'])}"
    if int(item.get("days_late") or 0) == 0:
        return f"{head.replace('vencida em', 'vence em')}: {brl(item['outstanding'])}"
    extras = f"{brl(item['principal'])} + multa {brl(item['late_fee'])}"
    extras += f" + juros {brl(item['interest'])}"
    return f"{head}: *{brl(item['outstanding'])}* ({extras})"


def pix(data: dict[str, Any]) -> list[Outgoing]:
    out: list[Outgoing] = []
    for charge in data.get("charges") or []:
        out.append(
            text(
                f"Pix da fatura {month(charge['reference_month'])}: *{brl(charge['amount'])}*, "
                f"para pagar hoje, {day(charge['valid_on'])}. Copie o código abaixo e cole na "
                "opção *Pix copia e cola* do seu banco:"
            )
        )
        out.append(text(charge["copy_paste"]))
        out.append({"kind": "image", "body": "QR Code do Pix", "attachment": charge["qr_image"]})
    out.append(text("Assim que o pagamento cair, eu te aviso por aqui. 😉"))
    return out


def boleto(data: dict[str, Any]) -> list[Outgoing]:
    body = (
        f"Pronto! Segunda via da fatura {month(data['reference_month'])}: "
        f"*{brl(data['amount'])}*, vencimento {day(data['due_date'])}.\n\n"
        f"Linha digitável:\n{data['digitable_line']}\n\n"
        "O boleto pode levar até 3 dias úteis para ser compensado; pelo Pix cai na hora."
    )
    return [
        text(body),
        {"kind": "document", "body": "Boleto em PDF", "attachment": data["pdf"]},
    ]


def refusal(message: str) -> Outgoing:
    return text(message)


def knowledge(data: dict[str, Any]) -> list[Outgoing]:
    passages = data.get("passages") or []
    if not data.get("relevant") or not passages:
        return [dont_know()]
    best = passages[0]
    excerpt = _excerpt(best["text"])
    source = best.get("citation") or best.get("title") or best.get("document")
    return [text(f"{excerpt}\n\n_Fonte: {source}_")]


def _excerpt(passage: str, limit: int = 700) -> str:
    body = "\n".join(line for line in passage.splitlines() if not line.startswith("#")).strip()
    if len(body) <= limit:
        return body
    cut = body[:limit]
    return cut[: cut.rfind(".") + 1] or cut


def dont_know() -> Outgoing:
    return {
        "kind": "buttons",
        "body": (
            "Essa eu não sei responder com segurança, e prefiro não te passar informação "
            "errada. Quer que eu chame uma pessoa da equipe?"
        ),
        "buttons": [
            {"id": MENU_HUMAN, "title": "Falar com atendente"},
            {"id": MENU_BALANCE, "title": "Ver meu saldo"},
        ],
    }


def handed_to_person(policy: Policy) -> Outgoing:
    return text(
        "Certo! Vou passar a conversa para uma pessoa da nossa equipe, que continua com você "
        "por aqui mesmo. Pode deixar sua mensagem que ela vai ver tudo o que conversamos."
    )


def opted_out(policy: Policy) -> Outgoing:
    return text(
        f"Tudo bem. A {policy.isp.name} não vai mais te enviar mensagens de cobrança por "
        "aqui. Se precisar de algo, é só escrever. 🙏"
    )


def calm_after_abuse(policy: Policy) -> Outgoing:
    return text(
        "Entendo que a situação é chata, e quero te ajudar a resolver do jeito mais fácil. "
        "Posso te mostrar o saldo, as formas de pagamento ou chamar uma pessoa da equipe."
    )


def injection_ignored() -> Outgoing:
    return text(
        "Não consigo mudar as regras por aqui, mas posso te mostrar as opções que existem "
        "para o seu caso. Quer ver?"
    )


def safe_fallback(policy: Policy) -> Outgoing:
    return {
        "kind": "buttons",
        "body": (
            "Desculpe, não consegui montar essa resposta agora. Posso te mostrar o saldo "
            "atualizado ou chamar uma pessoa da equipe?"
        ),
        "buttons": [
            {"id": MENU_BALANCE, "title": "Ver meu saldo"},
            {"id": MENU_HUMAN, "title": "Falar com atendente"},
        ],
    }


def thanks() -> Outgoing:
    return text("Eu que agradeço! Se precisar de algo, é só chamar. 😊")


def offers(data: dict[str, Any], segment: str) -> list[Outgoing]:
    """The renegotiation options as a list the debtor picks from."""
    options = data.get("offers") or []
    if not options:
        return [text("No momento não consegui montar uma proposta de acordo para você.")]
    intro = "Separei estas opções para você (valores válidos para hoje):"
    if segment == "cash_flow_trouble":
        intro = "Vamos achar um jeito que caiba no seu bolso. " + intro
    rows = [_offer_row(offer) for offer in options]
    body = f"{intro}\n\nDívida hoje: {brl(data['original_total'])}."
    return [{"kind": "list", "body": body, "button": "Ver opções", "rows": rows}]


def _offer_row(offer: dict[str, Any]) -> dict[str, str]:
    installments = offer["installments"]
    count = len(installments)
    discount = Decimal(offer["discount_total"])
    if count == 1:
        title = f"À vista {brl(offer['total'])}"
        description = f"Pague até {day(installments[0]['due_date'])}"
    else:
        title = f"{count}x de {brl(installments[-1]['amount'])}"
        description = f"Total {brl(offer['total'])}; 1ª de {brl(installments[0]['amount'])}"
        description += f" em {day(installments[0]['due_date'])}"
    if discount > 0:
        description += f"; desconto {brl(discount)}"
    return {"id": OFFER_PREFIX + str(offer["id"]), "title": title, "description": description}


def confirm_offer(offer: dict[str, Any]) -> Outgoing:
    lines = [
        f"{item['number']}ª: {brl(item['amount'])} em {day(item['due_date'])}"
        for item in offer["installments"]
    ]
    discount = Decimal(offer["discount_total"])
    saving = f" Você economiza {brl(discount)}." if discount > 0 else ""
    body = (
        f"Confira o acordo: total de {brl(offer['total'])}.{saving}\n\n"
        + "\n".join(lines)
        + "\n\nAo confirmar, este acordo substitui as faturas em aberto. Posso fechar?"
    )
    buttons = [
        {"id": CONFIRM_YES, "title": "Sim, fechar acordo"},
        {"id": CONFIRM_NO, "title": "Não, agora não"},
    ]
    return {"kind": "buttons", "body": body, "buttons": buttons}


def offer_declined() -> Outgoing:
    return text("Tudo bem, nada foi fechado. Se quiser ver as opções de novo, é só pedir. 🙂")


def offer_expired() -> Outgoing:
    return {
        "kind": "buttons",
        "body": "Essa opção não está mais valendo (os valores mudam a cada dia). Calculo de novo?",
        "buttons": [{"id": MENU_RENEGOTIATE, "title": "Ver opções"}],
    }


def agreement_closed(data: dict[str, Any]) -> list[Outgoing]:
    offer = data["offer"]
    pix = data["first_installment_pix"]
    count = len(offer["installments"])
    plan = "à vista" if count == 1 else f"em {count}x"
    body = (
        f"Acordo fechado! ✅ Total de {brl(offer['total'])}, {plan}. As faturas em aberto "
        "foram substituídas por este acordo.\n\n"
        f"O primeiro pagamento é de *{brl(pix['amount'])}*, até {day(pix['due_date'])}. "
        "Segue o Pix para pagar agora, se preferir:"
    )
    return [
        text(body),
        text(pix["copy_paste"]),
        {"kind": "image", "body": "QR Code do Pix", "attachment": pix["qr_image"]},
    ]


def promise_registered(data: dict[str, Any]) -> list[Outgoing]:
    owed = Decimal(data["amount"])
    amount = f" Valor em aberto hoje: {brl(owed)}." if owed > 0 else ""
    body = (
        f"{data['message']}{amount} Até lá não vou te mandar lembretes. Se quiser adiantar, "
        "é só pedir o Pix. 😉"
    )
    return [text(body)]


def payment_reported(data: dict[str, Any]) -> list[Outgoing]:
    if data.get("found"):
        return [
            text(
                f"Encontrei aqui o seu pagamento de {brl(data['amount'])}, feito em "
                f"{day(data['paid_on'])}. Obrigado! 🙌"
            )
        ]
    if data.get("receipt_received"):
        until = day(data["reminders_paused_until"])
        return [
            text(
                "Recebi o seu comprovante, obrigado! Vou conferir com a compensação e, até "
                f"{until}, você não recebe lembretes."
            )
        ]
    return [text(data["message"])]


def dispute_opened(data: dict[str, Any], policy: Policy) -> list[Outgoing]:
    return [
        text(f"{data['message']} Protocolo: {data['dispute_id']}."),
        handed_to_person(policy),
    ]
