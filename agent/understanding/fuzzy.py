"""Typo tolerance: Damerau-Levenshtein distance and a fast nearest-keyword index.

The distance is the optimal-string-alignment variant (insert, delete, substitute, swap two
adjacent letters; no substring is edited twice), which is what typing slips on a phone
produce. The index uses symmetric deletes, so a lookup costs a few dictionary probes instead of
one distance computation per keyword.
"""

from collections.abc import Iterable
from itertools import combinations

# Budget of edits by word length: short words stay exact because one edit turns one short
# Portuguese word into another ("pagar" and "parar" differ by one letter, so 5 is the floor).
ONE_EDIT_FROM = 5
TWO_EDITS_FROM = 8


def damerau_levenshtein(a: str, b: str, limit: int | None = None) -> int:
    """Edits (insert, delete, substitute, adjacent swap) turning `a` into `b`.

    With `limit`, any distance above it is reported as `limit + 1`, which lets a caller stop
    early on hopeless pairs.
    """
    if limit is not None and abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            swapped = i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]
            if swapped:
                best = min(best, previous2[j - 2] + 1)
            current[j] = best
        if limit is not None and min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    distance = previous[len(b)]
    return distance if limit is None or distance <= limit else limit + 1


def edit_budget(length: int) -> int:
    """How many edits a word of `length` letters may carry and still be recognised."""
    if length >= TWO_EDITS_FROM:
        return 2
    if length >= ONE_EDIT_FROM:
        return 1
    return 0


class FuzzyIndex:
    """The nearest keyword to a misspelt word, within `edit_budget` of the shorter of the two.

    Ties are broken deterministically: fewer edits, then the same first letter, then the
    closer length, then alphabetical order.
    """

    def __init__(self, keywords: Iterable[str]) -> None:
        self._keywords = frozenset(keywords)
        self._by_delete: dict[str, set[str]] = {}
        for keyword in self._keywords:
            for variant in _deletes(keyword, edit_budget(len(keyword))):
                self._by_delete.setdefault(variant, set()).add(keyword)

    def __contains__(self, word: object) -> bool:
        return word in self._keywords

    def nearest(self, word: str) -> str | None:
        """The keyword `word` most likely stands for, or None when none is close enough."""
        if word in self._keywords:
            return word
        budget = edit_budget(len(word))
        if budget == 0:
            return None
        candidates: set[str] = set()
        for variant in _deletes(word, budget):
            candidates.update(self._by_delete.get(variant, ()))
        scored = [
            (distance, keyword[0] != word[0], abs(len(keyword) - len(word)), keyword)
            for keyword in candidates
            if (distance := self._distance(word, keyword)) is not None
        ]
        return min(scored)[3] if scored else None

    @staticmethod
    def _distance(word: str, keyword: str) -> int | None:
        limit = edit_budget(min(len(word), len(keyword)))
        if limit == 0:
            return None
        distance = damerau_levenshtein(word, keyword, limit)
        return distance if distance <= limit else None


def _deletes(word: str, depth: int) -> set[str]:
    """`word` and every string made by deleting up to `depth` of its letters."""
    found = {word}
    for count in range(1, min(depth, len(word) - 1) + 1):
        for positions in combinations(range(len(word)), count):
            found.add("".join(ch for k, ch in enumerate(word) if k not in positions))
    return found
