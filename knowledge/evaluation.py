"""Scoring retrieval against a labelled set of debtors' questions (used by bench and tests).

The set is YAML: `dev` and `holdout` lists of {q, passage} (passage: one "document#section"
id or a list of ids, any of which answers), and `off_topic`, questions the documents do not
answer.
"""

from dataclasses import dataclass
from pathlib import Path

import yaml

from knowledge.errors import KnowledgeError
from knowledge.search import KnowledgeBase, Retrieval

SPLITS = ("dev", "holdout")


@dataclass(frozen=True)
class LabelledQuestion:
    text: str
    answers: frozenset[str]
    split: str


@dataclass(frozen=True)
class LabelledSet:
    questions: tuple[LabelledQuestion, ...]
    off_topic: tuple[str, ...]

    def split(self, name: str) -> tuple[LabelledQuestion, ...]:
        return tuple(question for question in self.questions if question.split == name)


@dataclass(frozen=True)
class Recall:
    at_1: float
    at_3: float
    misses: tuple[str, ...]
    """Questions with no answering passage in the top 3."""


def load_labelled_set(path: Path) -> LabelledSet:
    """The set in `path`; raises KnowledgeError naming the file and the bad entry."""
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    questions: list[LabelledQuestion] = []
    for split in SPLITS:
        for number, item in enumerate(data.get(split) or [], start=1):
            try:
                answers = item["passage"]
                ids = answers if isinstance(answers, list) else [answers]
                questions.append(LabelledQuestion(str(item["q"]), frozenset(ids), split))
            except (KeyError, TypeError) as error:
                raise KnowledgeError(f"{path}: {split} item {number}: {error}") from error
    return LabelledSet(tuple(questions), tuple(str(q) for q in data.get("off_topic") or []))


def unknown_answers(labelled: LabelledSet, base: KnowledgeBase) -> list[str]:
    """Labelled passage ids that no longer exist in the corpus (a renamed heading)."""
    known = {passage.id for passage in base.corpus.passages}
    return sorted({id_ for q in labelled.questions for id_ in q.answers} - known)


def recall(
    base: KnowledgeBase,
    questions: tuple[LabelledQuestion, ...],
    retrieval: Retrieval = "hybrid",
) -> Recall:
    """Share of questions answered by the first passage, and by one of the first three."""
    first = top3 = 0
    misses: list[str] = []
    for question in questions:
        ids = [hit.passage.id for hit in base.search(question.text, 3, retrieval=retrieval).hits]
        first += bool(ids) and ids[0] in question.answers
        if question.answers.intersection(ids):
            top3 += 1
        else:
            misses.append(question.text)
    total = max(len(questions), 1)
    return Recall(at_1=first / total, at_3=top3 / total, misses=tuple(misses))
