"""A small phrase language for intent rules, compiled to regular expressions once.

A rule is a weight and a phrase over canonical tokens, e.g. `0.9 quanto * devo|deve`:

- `a|b|c`   one token among the alternatives; `_` joins words (`por_favor`);
- `pag~`    any token starting with "pag" (a stem);
- `x?`      an optional slot (`minha?`, `a|o?`);
- `*`       up to three arbitrary tokens, `**` up to six;
- `#n`      a number (digits or number words), `#p` a percentage ("90%", "90 por cento");
- `!a|b`    the next token is neither a nor b (consumes nothing);
- `$` among alternatives: or the end of the message (`nada|isso|$`);
- `^`, `$`  first / last slot is the start / end of the message, allowing polite fillers
            around it ("oi", "por favor", "ai").

Matching runs on " tok1 tok2 ... " (a space on each side), so every slot is `(?:...) `.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from agent.understanding import lexicon

_NUMBER_WORDS = "|".join(
    sorted({*lexicon.UNITS, *lexicon.TENS, *lexicon.HUNDREDS, "mil"}, key=len, reverse=True)
)
_NUMBER = rf"(?:\d[\d.,/:-]*|(?:{_NUMBER_WORDS})(?: e (?:{_NUMBER_WORDS}))*)"
_PERCENT = rf"(?:\d+(?:[.,]\d+)?%|{_NUMBER} por cento)"
_WILDCARDS = {"*": r"(?:\S+ ){0,3}", "**": r"(?:\S+ ){0,6}"}


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


_PLACEHOLDERS = {"#n": _NUMBER, "#p": _PERCENT}
_LEADING = rf"(?:(?:{_alternation(lexicon.LEADING_FILLERS)}) )*"
_TRAILING = rf"(?:(?:{_alternation(lexicon.TRAILING_FILLERS)}) )*"


@dataclass(frozen=True, slots=True)
class Phrase:
    """One compiled phrase: its regex, the words it spells out, and the tokens that trigger
    it (one of them must be in a message for the phrase to have any chance to match)."""

    source: str
    regex: re.Pattern[str]
    words: frozenset[str]
    stems: frozenset[str]
    triggers: frozenset[str] | None  # None: no literal slot is required, always try it


def compile_phrase(source: str) -> Phrase:
    """Compile one phrase; raises ValueError on an empty phrase or a misplaced anchor."""
    parts = source.split()
    if not parts:
        raise ValueError("empty phrase")
    head = "^ " + _LEADING if parts[0] == "^" else " "
    tail = _TRAILING + "$" if parts[-1] == "$" else ""
    slots = parts[(parts[0] == "^") : len(parts) - (parts[-1] == "$")]
    if not slots or "^" in slots or "$" in slots:
        raise ValueError(f"misplaced anchor in phrase {source!r}")

    words: set[str] = set()
    stems: set[str] = set()
    triggers: frozenset[str] | None = None
    pieces = []
    for slot in slots:
        piece, slot_words, slot_stems, pure = _slot(slot)
        pieces.append(piece)
        words.update(slot_words)
        stems.update(slot_stems)
        if triggers is None and pure:
            triggers = frozenset(word.split()[0] for word in slot_words)
    regex = re.compile(head + "".join(pieces) + tail)
    return Phrase(source, regex, frozenset(words), frozenset(stems), triggers)


def _slot(slot: str) -> tuple[str, set[str], set[str], bool]:
    """The regex of one slot, its literal words, its stems, and whether it is a pure set of
    literal words (usable as a trigger)."""
    if slot in _WILDCARDS:
        return _WILDCARDS[slot], set(), set(), False
    if slot.startswith("!") and len(slot) > 1:
        excluded = "|".join(re.escape(word.replace("_", " ")) for word in slot[1:].split("|"))
        return f"(?!(?:{excluded}) )", set(), set(), False
    optional = slot.endswith("?") and len(slot) > 1
    body = slot[:-1] if optional else slot

    words: set[str] = set()
    stems: set[str] = set()
    alternatives = []
    end_ok = False
    for alternative in body.split("|"):
        if alternative == "$":
            end_ok = True
        elif alternative in _PLACEHOLDERS:
            alternatives.append(_PLACEHOLDERS[alternative])
        elif alternative.endswith("~"):
            stems.add(alternative[:-1])
            alternatives.append(re.escape(alternative[:-1]) + r"\S*")
        else:
            words.add(alternative.replace("_", " "))
            alternatives.append(re.escape(alternative.replace("_", " ")))
    piece = f"(?:{'|'.join(alternatives)}) " if alternatives else ""
    if end_ok:
        piece = f"(?:{piece}|{_TRAILING}$)" if piece else _TRAILING + "$"
    pure = bool(words) and len(words) == len(alternatives) and not end_ok
    return (f"(?:{piece})?" if optional else piece), words, stems, pure and not optional
