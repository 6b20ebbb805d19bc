"""Which offer a debtor picks by typing: "2", "a segunda", "opcao 3", "a ultima"."""

from collections.abc import Sequence

from agent.understanding import lexicon
from agent.understanding.numbers import NumberSpan

MAX_OPTIONS = 10  # a WhatsApp list has at most 10 rows
LAST = -1

_LABELS = frozenset({"opcao", "numero", "alternativa", "proposta", "plano", "oferta"})
_FILLERS = _LABELS | lexicon.words(
    """a o quero escolho prefiro fico com pode ser essa esse isso sim de por favor vou
    pegar aceito fechar fechado ok entao acho melhor e"""
)
_ORDINALS = {**lexicon.ORDINAL_WORDS, "ultima": LAST, "ultimo": LAST}


def option_number(tokens: Sequence[str], spans: Sequence[NumberSpan]) -> int | None:
    """The 1-based position picked, LAST (-1) for "a ultima", or None."""
    for i, token in enumerate(tokens[:-1]):
        if token in _LABELS:
            picked = _pick(tokens[i + 1], spans, i + 1)
            if picked is not None:
                return picked
    rest = [(i, token) for i, token in enumerate(tokens) if token not in _FILLERS]
    if len(rest) == 1:
        return _pick(rest[0][1], spans, rest[0][0])
    return None


def _pick(token: str, spans: Sequence[NumberSpan], position: int) -> int | None:
    if token in _ORDINALS:
        return _ORDINALS[token]
    for span in spans:
        if span.start == position and span.end == position + 1 and not span.money:
            value = span.value
            if value == int(value) and 1 <= value <= MAX_OPTIONS:
                return int(value)
    return None
