"""The compiled intent rules (tables in phrases.py) and the vocabulary they spell out."""

from collections.abc import Iterator
from dataclasses import dataclass

from agent.understanding.intent import Intent
from agent.understanding.patterns import Phrase, compile_phrase
from agent.understanding.phrases import TABLES

# Matches of these intents are never discounted by a preceding "nao": their phrases carry
# their own negation ("nao quero mais mensagens") or do not have one.
NOT_NEGATABLE = frozenset(
    {
        Intent.OPT_OUT,
        Intent.INJECTION,
        Intent.HUMAN,
        Intent.ABUSE,
        Intent.AFFIRM,
        Intent.DENY,
        Intent.GREETING,
        Intent.THANKS,
        Intent.GOODBYE,
    }
)


@dataclass(frozen=True, slots=True)
class Rule:
    intent: Intent
    weight: float
    phrase: Phrase

    @property
    def negatable(self) -> bool:
        return self.intent not in NOT_NEGATABLE


def _lines(table: str) -> Iterator[str]:
    """The phrases of a table, continuation lines joined to the line they continue."""
    pending = ""
    for raw in table.strip().splitlines():
        line = raw.strip()
        if not line:
            continue
        if pending and not line[0].isdigit():
            pending += line if line.startswith("|") else " " + line
            continue
        if pending:
            yield pending
        pending = line
    if pending:
        yield pending


def _rules() -> tuple[Rule, ...]:
    rules = []
    for intent, table in TABLES.items():
        for line in _lines(table):
            weight, phrase = line.split(maxsplit=1)
            rules.append(Rule(intent, float(weight), compile_phrase(phrase)))
    return tuple(rules)


RULES = _rules()
KEYWORDS = frozenset(word for rule in RULES for alt in rule.phrase.words for word in alt.split())
STEMS = tuple(sorted({stem for rule in RULES for stem in rule.phrase.stems}))
# Words of insults stay exact: a typo must never turn into an accusation of abuse.
EXACT_ONLY = frozenset(
    word
    for rule in RULES
    if rule.intent == Intent.ABUSE
    for alt in rule.phrase.words
    for word in alt.split()
)
