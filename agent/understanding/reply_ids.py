"""Ids of interactive replies (buttons and list rows) and what each one means.

The dialogue puts these ids on the buttons and rows it sends; when the debtor taps one,
WhatsApp sends the id back and it maps straight to an intent with full confidence. Ids are
at most 256 characters (WhatsApp's limit) and never shown to the debtor.
"""

from datetime import date

from agent.understanding.date_mention import day_mention
from agent.understanding.intent import Intent
from agent.understanding.numbers import MAX_INSTALLMENTS
from agent.understanding.schema import Entities, ScoredIntent, Understanding

MENU_BALANCE = "menu:saldo"
MENU_PIX = "menu:pix"
MENU_BOLETO = "menu:boleto"
MENU_RENEGOTIATE = "menu:parcelar"
MENU_PROMISE = "menu:prometer"
MENU_ALREADY_PAID = "menu:paguei"
MENU_TRUST_UNBLOCK = "menu:desbloqueio"
MENU_DISPUTE = "menu:contestar"
MENU_HUMAN = "menu:atendente"
MENU_QUESTION = "menu:duvida"
MENU_OPT_OUT = "menu:sair"
CONFIRM_YES = "confirm:yes"
CONFIRM_NO = "confirm:no"
OFFER_PREFIX = "offer:"  # + the offer id quote_renegotiation returned
DATE_PREFIX = "date:"  # + an ISO date, for "which day will you pay?" choices
INSTALLMENTS_PREFIX = "installments:"  # + a count, for "in how many installments?" choices

MENU_INTENTS: dict[str, Intent] = {
    MENU_BALANCE: Intent.BALANCE,
    MENU_PIX: Intent.PIX,
    MENU_BOLETO: Intent.BOLETO,
    MENU_RENEGOTIATE: Intent.RENEGOTIATE,
    MENU_PROMISE: Intent.PROMISE,
    MENU_ALREADY_PAID: Intent.ALREADY_PAID,
    MENU_TRUST_UNBLOCK: Intent.TRUST_UNBLOCK,
    MENU_DISPUTE: Intent.DISPUTE,
    MENU_HUMAN: Intent.HUMAN,
    MENU_QUESTION: Intent.QUESTION,
    MENU_OPT_OUT: Intent.OPT_OUT,
    CONFIRM_YES: Intent.AFFIRM,
    CONFIRM_NO: Intent.DENY,
}


def offer_reply_id(offer_id: str) -> str:
    return OFFER_PREFIX + offer_id


def date_reply_id(day: date) -> str:
    return DATE_PREFIX + day.isoformat()


def installments_reply_id(count: int) -> str:
    return INSTALLMENTS_PREFIX + str(count)


def understand_reply(reply_id: str) -> Understanding | None:
    """What tapping `reply_id` means, or None for an id this vocabulary does not know.

    "offer:<id>" is AFFIRM with `option_ids` = (id,); "date:<iso>" is PROMISE on that day;
    "installments:<n>" is RENEGOTIATE with that count.
    """
    if reply_id in MENU_INTENTS:
        return _certain(MENU_INTENTS[reply_id], Entities())
    prefix, _, rest = reply_id.partition(":")
    if not rest:
        return None
    if prefix + ":" == OFFER_PREFIX:
        return _certain(Intent.AFFIRM, Entities(option_ids=(rest,)))
    if prefix + ":" == DATE_PREFIX:
        try:
            day = date.fromisoformat(rest)
        except ValueError:
            return None
        return _certain(Intent.PROMISE, Entities(date=day_mention(day)))
    if prefix + ":" == INSTALLMENTS_PREFIX:
        count = _count(rest)
        return None if count is None else _certain(Intent.RENEGOTIATE, Entities(installments=count))
    return None


def _count(raw: str) -> int | None:
    if not (raw.isascii() and raw.isdigit() and len(raw) <= len(str(MAX_INSTALLMENTS))):
        return None
    count = int(raw)
    return count if 1 <= count <= MAX_INSTALLMENTS else None


def _certain(intent: Intent, entities: Entities) -> Understanding:
    return Understanding((ScoredIntent(intent, 1.0),), entities, from_reply=True)
