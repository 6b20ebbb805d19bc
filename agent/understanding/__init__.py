"""Offline understanding of debtors' WhatsApp messages in Brazilian Portuguese.

`understand(text, today=..., reply_id=..., expecting=...)` returns an `Understanding`: ranked
intents with scores and the entities found (installments, down payment, amounts, a date with
its precision, document digits, chosen offers). No network, no model: normalisation, typo
tolerance, weighted phrase rules, number and date parsers.

`normalize(text)` lives in `agent.understanding.normalize` and is not re-exported here: the
package attribute would shadow the module of the same name.
"""

from agent.understanding.dates import DateMention, DatePrecision, find_date
from agent.understanding.intent import Intent
from agent.understanding.intents import Expecting, understand
from agent.understanding.normalize import fold, tokenize
from agent.understanding.numbers import parse_installments, parse_money, parse_number
from agent.understanding.reply_ids import (
    CONFIRM_NO,
    CONFIRM_YES,
    DATE_PREFIX,
    INSTALLMENTS_PREFIX,
    MENU_ALREADY_PAID,
    MENU_BALANCE,
    MENU_BOLETO,
    MENU_DISPUTE,
    MENU_HUMAN,
    MENU_INTENTS,
    MENU_OPT_OUT,
    MENU_PIX,
    MENU_PROMISE,
    MENU_QUESTION,
    MENU_RENEGOTIATE,
    MENU_TRUST_UNBLOCK,
    OFFER_PREFIX,
    date_reply_id,
    installments_reply_id,
    offer_reply_id,
)
from agent.understanding.schema import Entities, ScoredIntent, Understanding

__all__ = [
    "CONFIRM_NO",
    "CONFIRM_YES",
    "DATE_PREFIX",
    "INSTALLMENTS_PREFIX",
    "MENU_ALREADY_PAID",
    "MENU_BALANCE",
    "MENU_BOLETO",
    "MENU_DISPUTE",
    "MENU_HUMAN",
    "MENU_INTENTS",
    "MENU_OPT_OUT",
    "MENU_PIX",
    "MENU_PROMISE",
    "MENU_QUESTION",
    "MENU_RENEGOTIATE",
    "MENU_TRUST_UNBLOCK",
    "OFFER_PREFIX",
    "DateMention",
    "DatePrecision",
    "Entities",
    "Expecting",
    "Intent",
    "ScoredIntent",
    "Understanding",
    "date_reply_id",
    "find_date",
    "fold",
    "installments_reply_id",
    "offer_reply_id",
    "parse_installments",
    "parse_money",
    "parse_number",
    "tokenize",
    "understand",
]
