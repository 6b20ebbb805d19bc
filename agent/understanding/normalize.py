"""From a WhatsApp message as typed to a canonical token stream.

`fold` lower-cases, strips accents and spells out meaningful emoji, keeping punctuation.
`tokenize` then drops laughter, collapses stretched letters ("simmm"), expands chat
abbreviations ("vc" -> "voce", "2a via" -> "segunda via", "3x" -> "3 vezes") and corrects
typos of keywords. Numbers keep their punctuation ("1.234,56", "15/12") as single tokens.
The result only contains ASCII tokens, and normalising it again changes nothing.
"""

import re
import unicodedata
from functools import lru_cache

from agent.understanding import lexicon
from agent.understanding.fuzzy import FuzzyIndex
from agent.understanding.rules import EXACT_ONLY, KEYWORDS, STEMS

_TOKEN = re.compile(r"r\$|\d+(?:[.,/:-]\d+)*(?:%|[a-z]+)?|[a-z]+\+?")
_NUMBER_WITH_SUFFIX = re.compile(r"(\d+(?:[.,/:-]\d+)*)([a-z]+)")
_LAUGHTER = re.compile(lexicon.LAUGHTER)
_LONG_RUN = re.compile(r"([a-z])\1{2,}")
_DOUBLE = re.compile(r"([a-qt-z])\1")  # doubles other than "rr" and "ss", which are spelling
_EMOJI = re.compile("|".join(map(re.escape, lexicon.EMOJI)))
_ONLY_DIGITS_BEFORE = re.compile(r"\d+")

# Number words, month and weekday names are recognised by the number and date parsers, so
# they are known words too; fuzzy correction only aims at the keywords of the rules.
_NUMBER_WORDS = {
    *lexicon.UNITS,
    *lexicon.TENS,
    *lexicon.HUNDREDS,
    *lexicon.ORDINAL_WORDS,
    *lexicon.MONTHS,
    *lexicon.WEEKDAYS,
}
KNOWN_WORDS = frozenset(
    {*lexicon.COMMON_WORDS, *lexicon.FIRST_NAMES, *lexicon.DATE_WORDS, *KEYWORDS, *_NUMBER_WORDS}
    | {word for value in lexicon.ABBREVIATIONS.values() for word in value.split()}
)
# Correcting toward these would turn a typo into an opt-out or an insult: they stay exact.
_UNCORRECTABLE = frozenset({"parar", "pare", "sair", "stop", "chega"})


def fold(text: str) -> str:
    """`text` in lower-case ASCII: accents stripped ("ç" -> "c", "ñ" -> "n"), compatibility
    forms unfolded ("ª" -> "a"), meaningful emoji spelled as words, any other non-ASCII
    character dropped. ASCII punctuation is kept."""
    text = _EMOJI.sub(lambda match: f" {lexicon.EMOJI[match.group()]} ", text)
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return decomposed.encode("ascii", "ignore").decode("ascii").lower()


def tokenize(text: str) -> tuple[str, ...]:
    """The canonical tokens of `text` (see the module docstring). Never raises."""
    return tokenize_folded(fold(text))


def tokenize_folded(folded: str) -> tuple[str, ...]:
    """`tokenize` for text already passed through `fold`."""
    return _tokenize_folded(folded)


def normalize(text: str) -> str:
    """The canonical tokens of `text` joined by single spaces; idempotent."""
    return " ".join(tokenize(text))


@lru_cache(maxsize=2048)
def _tokenize_folded(folded: str) -> tuple[str, ...]:
    tokens: list[str] = []
    for raw in _TOKEN.findall(folded):
        tokens.extend(_canonical(raw))
    return _join_number_phrases(tokens)


def _canonical(raw: str) -> tuple[str, ...]:
    if raw == "r$":
        return (raw,)
    if raw[0].isdigit():
        return _number_token(raw)
    return _word(raw)


def _number_token(raw: str) -> tuple[str, ...]:
    if raw.endswith("%"):
        return (raw,)
    if raw in lexicon.ORDINALS:
        return (lexicon.ORDINALS[raw],)
    match = _NUMBER_WITH_SUFFIX.fullmatch(raw)
    if match is None:
        return (raw,)
    number, suffix = match.groups()
    if suffix == "x":
        return (number, "vezes")
    return (number, *_word(suffix))


@lru_cache(maxsize=8192)
def _word(raw: str) -> tuple[str, ...]:
    """One word's canonical tokens: none for laughter, an expansion for an abbreviation, the
    word itself when known, else the keyword it misspells, else the word (runs shortened)."""
    if raw in lexicon.ABBREVIATIONS:  # "d+" keeps its "+" only here
        return tuple(lexicon.ABBREVIATIONS[raw].split())
    raw = raw.rstrip("+")
    if not raw or _LAUGHTER.fullmatch(raw):
        return ()
    word = _LONG_RUN.sub(_shorten_run, raw)
    for candidate in dict.fromkeys((word, _DOUBLE.sub(r"\1", word))):
        if candidate in lexicon.ABBREVIATIONS:
            return tuple(lexicon.ABBREVIATIONS[candidate].split())
        if candidate in KNOWN_WORDS or candidate.startswith(STEMS):
            return (candidate,)
    corrected = _FUZZY.nearest(word)
    return (corrected,) if corrected is not None else (word,)


def _shorten_run(match: re.Match[str]) -> str:
    letter = match.group(1)
    return letter * 2 if letter in "rs" else letter


def _join_number_phrases(tokens: list[str]) -> tuple[str, ...]:
    """Rewrites that need a neighbour: "2 via" -> "segunda via", "3 x" -> "3 vezes"."""
    for i in range(1, len(tokens)):
        if not _ONLY_DIGITS_BEFORE.fullmatch(tokens[i - 1]):
            continue
        if tokens[i] == "x":
            tokens[i] = "vezes"
        elif tokens[i] == "via" and tokens[i - 1] == "2":
            tokens[i - 1] = "segunda"
    return tuple(tokens)


_FUZZY = FuzzyIndex(
    word
    for word in KEYWORDS
    if word not in _UNCORRECTABLE and word not in EXACT_ONLY and len(word) >= 5
)
