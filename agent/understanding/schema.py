"""What understanding a message produces: ranked intents and the entities found in it."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from agent.understanding.date_mention import DateMention
from agent.understanding.intent import Intent


@dataclass(frozen=True, slots=True)
class ScoredIntent:
    """An intent and how sure the rules are of it, from 0 to 1 (1: a button reply)."""

    intent: Intent
    score: float


@dataclass(frozen=True, slots=True)
class Entities:
    """Values found in the message. Money is Decimal with two places, never float.

    - `installments`: the number of installments asked for ("3x", "em tres vezes").
    - `down_payment`: the down payment offered ("entrada de 100", "dou 50 de entrada").
    - `amounts`: every amount of money mentioned, in order (the down payment included).
    - `date`: the first date mentioned, with its precision (see DateMention).
    - `document_digits`: the digits of a CPF/CNPJ (or its start); hidden from repr (LGPD).
    - `option_ids`: offer ids chosen with a button or list reply ("offer:<id>").
    - `option_number`: a 1-based position typed to pick an offer ("2", "a segunda"); -1 is
      "the last one".
    - `percent`: a percentage mentioned ("50%", "cinquenta por cento").
    """

    installments: int | None = None
    down_payment: Decimal | None = None
    amounts: tuple[Decimal, ...] = ()
    date: DateMention | None = None
    document_digits: str | None = field(default=None, repr=False)
    option_ids: tuple[str, ...] = ()
    option_number: int | None = None
    percent: Decimal | None = None

    def to_json(self) -> dict[str, Any]:
        """Plain JSON: money and percentages as strings ("103.92"), dates ISO."""
        return {
            "installments": self.installments,
            "down_payment": _money(self.down_payment),
            "amounts": [str(amount) for amount in self.amounts],
            "date": self.date.to_json() if self.date is not None else None,
            "document_digits": self.document_digits,
            "option_ids": list(self.option_ids),
            "option_number": self.option_number,
            "percent": _money(self.percent),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Entities":
        mention = data.get("date")
        return cls(
            installments=data.get("installments"),
            down_payment=_decimal(data.get("down_payment")),
            amounts=tuple(Decimal(amount) for amount in data.get("amounts", [])),
            date=DateMention.from_json(mention) if mention else None,
            document_digits=data.get("document_digits"),
            option_ids=tuple(data.get("option_ids", [])),
            option_number=data.get("option_number"),
            percent=_decimal(data.get("percent")),
        )


@dataclass(frozen=True, slots=True)
class Understanding:
    """The reading of one message. `intents` is ranked, best first, never empty; UNKNOWN
    appears only alone. `negated` lists intents the debtor explicitly refused ("nao quero
    parcelar"). `normalized` (hidden from repr: it may hold a CPF) is the canonical text."""

    intents: tuple[ScoredIntent, ...]
    entities: Entities = field(default_factory=Entities)
    negated: frozenset[Intent] = frozenset()
    is_question: bool = False
    from_reply: bool = False
    normalized: str = field(default="", repr=False)

    @property
    def top(self) -> Intent:
        return self.intents[0].intent

    def score(self, intent: Intent) -> float:
        """The score of `intent`, 0.0 when it was not recognised."""
        return next((item.score for item in self.intents if item.intent == intent), 0.0)

    def has(self, intent: Intent, min_score: float = 0.5) -> bool:
        return self.score(intent) >= min_score

    def to_json(self) -> dict[str, Any]:
        """Plain JSON for the graph's state; `from_json` reads it back."""
        return {
            "top": self.top.value,
            "intents": [{"intent": i.intent.value, "score": i.score} for i in self.intents],
            "entities": self.entities.to_json(),
            "negated": sorted(intent.value for intent in self.negated),
            "is_question": self.is_question,
            "from_reply": self.from_reply,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Understanding":
        return cls(
            intents=tuple(
                ScoredIntent(Intent(item["intent"]), float(item["score"]))
                for item in data["intents"]
            ),
            entities=Entities.from_json(data.get("entities", {})),
            negated=frozenset(Intent(value) for value in data.get("negated", [])),
            is_question=bool(data.get("is_question", False)),
            from_reply=bool(data.get("from_reply", False)),
        )


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)
