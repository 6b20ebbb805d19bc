"""Search over the bundled documents: the labelled questions are answered, off-topic ones are
judged not relevant, and every hit says where it came from."""

import pytest

from knowledge.evaluation import LabelledSet, load_labelled_set, unknown_answers
from knowledge.search import RELEVANCE_THRESHOLD, KnowledgeAnswer, KnowledgeBase
from tests.knowledge.conftest import LABELLED_SET


@pytest.fixture(scope="module")
def labelled() -> LabelledSet:
    return load_labelled_set(LABELLED_SET)


@pytest.fixture(scope="module")
def answers(knowledge_base: KnowledgeBase, labelled: LabelledSet) -> list[KnowledgeAnswer]:
    """One search per labelled question, shared by the quality tests."""
    return [knowledge_base.search(question.text, k=3) for question in labelled.questions]


def test_the_labelled_set_names_only_existing_passages(
    knowledge_base: KnowledgeBase, labelled: LabelledSet
) -> None:
    assert len(labelled.questions) >= 80
    assert unknown_answers(labelled, knowledge_base) == []


def test_recall_at_3_on_the_labelled_questions_is_at_least_90_percent(
    labelled: LabelledSet, answers: list[KnowledgeAnswer]
) -> None:
    misses = [
        question.text
        for question, answer in zip(labelled.questions, answers, strict=True)
        if not question.answers.intersection(hit.passage.id for hit in answer.hits)
    ]

    assert 1 - len(misses) / len(answers) >= 0.9, misses


def test_labelled_questions_are_judged_relevant(answers: list[KnowledgeAnswer]) -> None:
    accepted = [answer for answer in answers if answer.relevant]

    assert len(accepted) / len(answers) >= 0.95


@pytest.mark.parametrize(
    "question", ["qual a capital da frança", "receita de bolo", "me conta uma piada"]
)
def test_an_off_topic_question_is_not_relevant(
    knowledge_base: KnowledgeBase, question: str
) -> None:
    answer = knowledge_base.search(question)

    assert not answer.relevant
    assert answer.relevant_hits == ()
    assert all(hit.similarity < RELEVANCE_THRESHOLD for hit in answer.hits)


def test_every_labelled_off_topic_question_is_not_relevant(
    knowledge_base: KnowledgeBase, labelled: LabelledSet
) -> None:
    accepted = [q for q in labelled.off_topic if knowledge_base.search(q).relevant]

    assert accepted == []


def test_a_hit_carries_document_section_source_and_citation(
    knowledge_base: KnowledgeBase,
) -> None:
    answer = knowledge_base.search("vcs vao me negativar no serasa?", k=2)

    assert answer.relevant
    assert len(answer.hits) == 2
    best = answer.to_dict()["passages"][0]
    assert best["document"] == "negativacao.md"
    assert best["section"] == "Vocês vão negativar meu nome?"
    assert best["relevant"] is True
    assert "Código de Defesa do Consumidor" in best["source"]
    assert best["citation"].endswith("(negativacao.md)")
    assert 0 < best["score"] <= 1


def test_a_question_without_words_finds_nothing(knowledge_base: KnowledgeBase) -> None:
    answer = knowledge_base.search(" ?! ")

    assert answer.hits == ()
    assert not answer.relevant


def test_k_below_one_is_refused(knowledge_base: KnowledgeBase) -> None:
    with pytest.raises(ValueError, match="k must be at least 1"):
        knowledge_base.search("pix", k=0)
