"""Debtors' spelling turned into the documents' words, and the stems BM25 matches on."""

import pytest

from knowledge.normalize import QueryNormalizer
from knowledge.text import fold, slugify, stem, terms

VOCABULARY = ["não", "lotérica", "religação", "você", "é", "e", "e", "suspensão"]


@pytest.fixture
def normalizer() -> QueryNormalizer:
    return QueryNormalizer(VOCABULARY)


def test_abbreviations_are_spelled_out(normalizer: QueryNormalizer) -> None:
    assert normalizer.normalize("qnd vcs religam a net? pq").text == (
        "quando vocês religam a internet por que"
    )


def test_accents_come_back_from_the_documents_vocabulary(normalizer: QueryNormalizer) -> None:
    assert normalizer.normalize("posso pagar na loterica nao").text == (
        "posso pagar na lotérica não"
    )


def test_a_word_the_documents_write_without_accent_keeps_it(normalizer: QueryNormalizer) -> None:
    assert normalizer.normalize("pix e boleto").text == "pix e boleto"


@pytest.mark.parametrize("word", ["serasa", "spc", "negativar", "SPC"])
def test_credit_bureau_words_add_the_documents_term(normalizer: QueryNormalizer, word: str) -> None:
    normalized = normalizer.normalize(f"vao me colocar no {word}")

    assert "cadastro de inadimplentes" in normalized.expanded
    assert "cadastro" not in normalized.text


def test_fold_and_slugify_drop_accents_and_punctuation() -> None:
    assert fold("Religação É Já") == "religacao e ja"
    assert slugify("Já paguei: como mando o comprovante?") == "ja-paguei-como-mando-o-comprovante"


def test_inflections_of_a_word_share_a_stem() -> None:
    assert len({stem(word) for word in ["pagar", "paguei", "pagamento", "pague", "pago"]}) == 1
    assert stem("religacao") == stem("religar")
    assert stem("contestacao") == stem("contestar")


def test_terms_drop_stopwords_and_accents() -> None:
    assert terms("Quando a internet volta?") == [stem("internet"), stem("volta")]
