"""`understand`: a debtor's WhatsApp message -> ranked intents and entities, offline.

Deterministic and local: normalisation (normalize.py), weighted phrase rules (rules.py),
numbers and dates, then a few adjustments no single phrase can make:

- negation: a rule preceded by "nao"/"nem" (allowing "quero", "vou", "o", ... in between)
  does not count ("nao quero parcelar" is not RENEGOTIATE; it is DENY). "nao recebi o
  boleto" still is BOLETO, because "recebi" is not one of the skippable words;
- contrast: what follows "mas", "porem", "so que" is what the debtor wants, and ranks higher;
- a promise needs a date: a future (or unknown) date lifts PROMISE; a past one, with
  ALREADY_PAID on top, is read backwards ("paguei dia 2" is the 2nd of this month);
- `expecting` (the dialogue's open question) reads bare answers: "15" is a day while
  expecting a promise date, digits are a document while expecting identity, "2" is an offer
  while expecting an offer choice, "sim" while confirming weighs more.

Decisions on edge cases (each has a labelled example in tests/data/understanding.yaml):

- OPT_OUT needs either a bare stop word as the whole message ("parar", "pare", "sair",
  "stop", "chega", "cancelar", "descadastrar", "nao quero mais", with polite fillers) or an
  explicit phrase about messages or contact ("para de me mandar mensagem", "para de me
  cobrar", "me tira da lista", "me deixa em paz", "isso e spam"). "vou parar de usar a
  internet", "quando sai o boleto", "a internet parou", "quero sair dessa divida" are not
  opt-outs. An opt-out outranks everything else in the message.
- INJECTION never hides the rest: the debtor's real request is still ranked below it.
- "cancelar a internet" is not an opt-out; "ja cancelei" is a DISPUTE, as is a wrong number.
- "quero pagar (agora)" is PIX; "vou pagar" without a day is PROMISE with no date, for the
  dialogue to ask one; "posso pagar dia 20?" is PROMISE, "posso pagar na loterica?" QUESTION.
- A request with profanity ranks the request first ("manda a porra do boleto" is BOLETO,
  then ABUSE); an insult alone is ABUSE. "voce e um robo?" asks for a person (HUMAN).
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from itertools import pairwise

from agent.understanding import choices, identity
from agent.understanding.dates import DateMention, day_mention, day_of_month, locate_date
from agent.understanding.intent import Intent
from agent.understanding.normalize import fold, tokenize_folded
from agent.understanding.numbers import (
    CENT,
    MAX_INSTALLMENTS,
    NumberSpan,
    find_down_payment,
    find_installments,
    find_percent,
    scan_numbers,
)
from agent.understanding.reply_ids import understand_reply
from agent.understanding.rules import RULES, Rule
from agent.understanding.schema import Entities, ScoredIntent, Understanding


class Expecting(StrEnum):
    """The dialogue's open question, passed as `expecting`. Other values are ignored."""

    IDENTITY = "identity"  # the first digits of the CPF/CNPJ
    DOCUMENT = "document"  # the whole CPF/CNPJ (the debtor is not known yet)
    PROMISE_DATE = "promise_date"  # which day will you pay?
    PAYMENT_DATE = "payment_date"  # which day did you pay?
    OFFER_CHOICE = "offer_choice"  # which of these offers?
    CONFIRM = "confirm"  # yes or no?
    OFFER_CONFIRM = "offer_confirm"  # shall I close this agreement? (yes or no)
    INSTALLMENTS = "installments"  # in how many installments?
    DOWN_PAYMENT = "down_payment"  # how much can you pay up front?


MIN_SCORE = 0.3
_DOCUMENT_QUESTIONS = frozenset({Expecting.IDENTITY, Expecting.DOCUMENT})
_NEGATORS = frozenset({"nao", "nem", "nunca", "jamais"})
# Words that may stand between a negator and what it negates: "nao QUERO MAIS parcelar".
_SKIPPABLE = frozenset(
    {"quero", "queria", "gostaria", "preciso", "precisa", "vou", "vai", "posso", "pode",
     "consigo", "quer", "da", "para", "de", "mais", "o", "a", "os", "as", "um", "uma", "fazer",
     "eu", "me", "ser", "ainda", "mesmo", "estou", "esta", "foi", "e", "agora", "nenhum",
     "nenhuma", "nada", "ja", "nem", "vamos", "sei", "seu", "sua", "meu", "minha"}
)  # fmt: skip
_MAX_SKIPPED = 3
_CONTRAST = frozenset({"mas", "porem", "entretanto", "contudo"})
_CONTRAST_BONUS = 0.06
_BONUS_CEILING = 0.97  # a bonus never lifts an intent over an opt-out (0.98)
_PAY_WORDS = frozenset(
    {"pagar", "pago", "pagamento", "acertar", "acerto", "quitar", "quito", "deposito",
     "depositar", "recebo", "receber", "salario", "pagarei"}
)  # fmt: skip
_QUESTION_OPENERS = frozenset(
    {"como", "onde", "qual", "quais", "quando", "quanto", "quantos", "quantas", "porque", "por",
     "posso", "pode", "podem", "tem", "existe", "sera", "quem", "cade"}
)  # fmt: skip
_INJECTION_MARKERS = re.compile(
    r"(?:^|[\n\[<{(#*>|])\s*(?:sistema|system|admin|administrador|assistant|assistente"
    r"|developer|desenvolvedor|root|instrucao|instrucoes|instruction|prompt|gerente|supervisor"
    r"|operador)\s*[\]>})|]?\s*:"
    r"|\[/?(?:inst|system|sistema|admin)\]|<\|?(?:im_start|im_end|system|endoftext)|<<\s*sys"
    r"|```"
)


def _trigger_index() -> tuple[tuple[int, ...], dict[str, tuple[int, ...]]]:
    """Rules to try on every message, and rules by the token that must be present."""
    always = tuple(i for i, rule in enumerate(RULES) if rule.phrase.triggers is None)
    by_trigger: dict[str, tuple[int, ...]] = {}
    for index, rule in enumerate(RULES):
        for word in rule.phrase.triggers or ():
            by_trigger[word] = (*by_trigger.get(word, ()), index)
    return always, by_trigger


_ALWAYS, _BY_TRIGGER = _trigger_index()


def understand(
    text: str,
    *,
    today: date,
    reply_id: str | None = None,
    expecting: str | None = None,
) -> Understanding:
    """Read one message. `today` is the business date (São Paulo); `reply_id` is the id of a
    tapped button or list row (see reply_ids.py) and wins over the text when known;
    `expecting` is an Expecting value. Never raises on any text."""
    if reply_id:
        replied = understand_reply(reply_id)
        if replied is not None:
            return replied
    reading = _Reading(text or "", today, expecting)
    reading.match_rules()
    reading.extract_entities()
    reading.adjust()
    return reading.result()


@dataclass
class _Hit:
    score: float
    position: int


@dataclass
class _Reading:
    """The working state of one `understand` call."""

    text: str
    today: date
    expecting: str | None
    folded: str = ""
    tokens: tuple[str, ...] = ()
    canonical: str = ""
    hits: dict[Intent, _Hit] = field(default_factory=dict)
    negated: set[Intent] = field(default_factory=set)
    is_question: bool = False
    asks: bool = False  # a question mark: "nao da pra parcelar?" asks, it does not refuse
    mention: DateMention | None = None
    date_span: frozenset[int] = frozenset()
    spans: list[NumberSpan] = field(default_factory=list)
    installments: int | None = None
    down_payment: Decimal | None = None
    option_number: int | None = None
    document: str | None = None

    def __post_init__(self) -> None:
        self.folded = fold(self.text)
        self.tokens = tokenize_folded(self.folded)
        self.canonical = " " + " ".join(self.tokens) + " "
        self.asks = "?" in self.text
        self.is_question = self.asks or (bool(self.tokens) and self.tokens[0] in _QUESTION_OPENERS)

    def add(self, intent: Intent, score: float, position: int = 0) -> None:
        """Record `intent` at `score`, keeping the best score and the earliest position."""
        hit = self.hits.get(intent)
        if hit is None:
            self.hits[intent] = _Hit(min(score, 1.0), position)
            return
        hit.score = min(max(hit.score, score), 1.0)
        hit.position = min(hit.position, position)

    def score(self, intent: Intent) -> float:
        hit = self.hits.get(intent)
        return hit.score if hit is not None else 0.0

    def match_rules(self) -> None:
        for index in _candidate_rules(self.tokens):
            self._match(RULES[index])
        if _INJECTION_MARKERS.search(self.folded):
            self.add(Intent.INJECTION, 0.97)

    def _match(self, rule: Rule) -> None:
        for match in rule.phrase.regex.finditer(self.canonical):
            position = max(self.canonical.count(" ", 0, match.start() + 1) - 1, 0)
            if rule.negatable and not self.asks and _negated(self.tokens, position):
                self.negated.add(rule.intent)
                continue
            score = rule.weight
            if _after_contrast(self.tokens, position):
                score = max(score, min(score + _CONTRAST_BONUS, _BONUS_CEILING))
            self.add(rule.intent, score, position)
            return

    def extract_entities(self) -> None:
        located = locate_date(self.tokens, self.today)
        if located is not None:
            self.mention, start, end = located
            self.date_span = frozenset(range(start, end))
        self.spans = scan_numbers(self.tokens, self.date_span)
        self.installments = find_installments(self.tokens, self.spans)
        self.down_payment = find_down_payment(self.tokens, self.spans)
        self.document = identity.document_digits(self.folded, self.tokens, self.expecting)

    def adjust(self) -> None:
        _adjust_identity(self)
        _adjust_dates(self)
        _adjust_expecting(self)
        _adjust_fallbacks(self)

    def result(self) -> Understanding:
        ranked = sorted(
            (item for item in self.hits.items() if item[1].score >= MIN_SCORE),
            key=lambda item: (-item[1].score, item[1].position),
        )
        intents = tuple(ScoredIntent(intent, round(hit.score, 3)) for intent, hit in ranked)
        money = tuple(span.value for span in self.spans if span.money)
        entities = Entities(
            installments=self.installments,
            down_payment=self.down_payment,
            amounts=money,
            date=self.mention,
            document_digits=self.document,
            option_number=self.option_number,
            percent=find_percent(self.tokens),
        )
        return Understanding(
            intents=intents or (ScoredIntent(Intent.UNKNOWN, 0.0),),
            entities=entities,
            negated=frozenset(self.negated - {item.intent for item in intents}),
            is_question=self.is_question,
            normalized=" ".join(self.tokens),
        )


def _candidate_rules(tokens: Sequence[str]) -> list[int]:
    found = set(_ALWAYS)
    for token in set(tokens):
        found.update(_BY_TRIGGER.get(token, ()))
    return sorted(found)


def _negated(tokens: Sequence[str], position: int) -> bool:
    """Whether a negator governs the phrase starting at tokens[position]."""
    for skipped, j in enumerate(range(position - 1, -1, -1)):
        if tokens[j] in _NEGATORS:
            return True
        if tokens[j] not in _SKIPPABLE or skipped == _MAX_SKIPPED:
            return False
    return False


def _after_contrast(tokens: Sequence[str], position: int) -> bool:
    """Whether "mas", "porem", "so que"... comes before tokens[position]."""
    before = tokens[:position]
    if _CONTRAST.intersection(before):
        return True
    return ("so", "que") in set(pairwise(before))


def _adjust_identity(reading: _Reading) -> None:
    if reading.document is None:
        return
    certain = reading.expecting in _DOCUMENT_QUESTIONS
    reading.add(Intent.IDENTITY_ANSWER, 1.0 if certain else identity.score(reading.document))


def _adjust_dates(reading: _Reading) -> None:
    mention = reading.mention
    if mention is None and reading.expecting in {Expecting.PROMISE_DATE, Expecting.PAYMENT_DATE}:
        mention = _bare_day(reading)
        reading.mention = mention
    if mention is None:
        return
    paid = reading.score(Intent.ALREADY_PAID)
    answering = reading.expecting == Expecting.PAYMENT_DATE
    if answering or (paid >= 0.8 and paid >= reading.score(Intent.PROMISE)):
        located = locate_date(reading.tokens, reading.today, past=True)
        reading.mention = located[0] if located is not None else mention
        if answering:
            reading.add(Intent.ALREADY_PAID, 0.9)
        return
    ahead = mention.value is None or mention.value >= reading.today
    if not ahead:
        return
    if reading.expecting == Expecting.PROMISE_DATE:
        reading.add(Intent.PROMISE, 0.95)
    elif Intent.PROMISE in reading.hits:
        reading.add(Intent.PROMISE, reading.score(Intent.PROMISE) + 0.3)
    elif _PAY_WORDS.intersection(reading.tokens):
        reading.add(Intent.PROMISE, 0.75)


def _bare_day(reading: _Reading) -> DateMention | None:
    """A lone number 1-31 answering "which day?"."""
    spans = reading.spans
    if len(spans) != 1 or spans[0].money:
        return None
    value = spans[0].value
    if value != int(value) or not 1 <= value <= 31:
        return None
    past = reading.expecting == Expecting.PAYMENT_DATE
    return day_mention(day_of_month(int(value), reading.today, past=past))


def _adjust_expecting(reading: _Reading) -> None:
    expecting = reading.expecting
    if expecting in {Expecting.CONFIRM, Expecting.OFFER_CONFIRM}:
        for intent in (Intent.AFFIRM, Intent.DENY):
            if intent in reading.hits:
                reading.add(intent, reading.score(intent) + 0.15)
    elif expecting == Expecting.OFFER_CHOICE:
        reading.option_number = choices.option_number(reading.tokens, reading.spans)
        if reading.option_number is not None:
            reading.add(Intent.AFFIRM, 0.9)
    elif expecting == Expecting.INSTALLMENTS and reading.installments is None:
        lone = _lone_number(reading.spans)
        if lone is not None and lone == int(lone) and 1 <= lone <= MAX_INSTALLMENTS:
            reading.installments = int(lone)
    elif expecting == Expecting.DOWN_PAYMENT and reading.down_payment is None:
        lone = _lone_number(reading.spans)
        if lone is not None:
            reading.down_payment = lone.quantize(CENT)
            span = reading.spans[0]
            reading.spans = [NumberSpan(reading.down_payment, span.start, span.end, money=True)]
    if reading.installments is not None or reading.down_payment is not None:
        reading.add(Intent.RENEGOTIATE, 0.92)


def _adjust_fallbacks(reading: _Reading) -> None:
    best = max((hit.score for hit in reading.hits.values()), default=0.0)
    if reading.negated and best < 0.6:
        reading.add(Intent.DENY, 0.6)
    elif reading.negated:
        reading.add(Intent.DENY, 0.5)
    if reading.is_question and best < 0.5:
        reading.add(Intent.QUESTION, 0.55)


def _lone_number(spans: Sequence[NumberSpan]) -> Decimal | None:
    """The value of the only number in the message, if there is exactly one."""
    return spans[0].value if len(spans) == 1 else None
