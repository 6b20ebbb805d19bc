"""Normalisation of chat Portuguese and typo tolerance."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent.understanding import lexicon
from agent.understanding.fuzzy import FuzzyIndex, damerau_levenshtein, edit_budget
from agent.understanding.normalize import KNOWN_WORDS, fold, normalize, tokenize
from agent.understanding.rules import KEYWORDS, RULES


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("Oiiii", "oi"),
        ("simmm", "sim"),
        ("naaaao", "nao"),
        ("issooo", "isso"),
        ("carro", "carro"),
        ("vc", "voce"),
        ("vcs", "voces"),
        ("Você", "voce"),
        ("qto ta", "quanto esta"),
        ("qnto", "quanto"),
        ("pq", "porque"),
        ("tb tbm", "tambem tambem"),
        ("hj amn", "hoje amanha"),
        ("blz vlw obg", "beleza valeu obrigado"),
        ("msg", "mensagem"),
        ("pfv", "por favor"),
        ("pf", "por favor"),
        ("td", "tudo"),
        ("q", "que"),
        ("oq", "o que"),
        ("mt msm", "muito mesmo"),
        ("n", "nao"),
        ("ñ", "nao"),
        ("Não", "nao"),
        ("naum", "nao"),
        ("eh", "e"),
        ("tá", "esta"),
        ("tô", "estou"),
        ("pra", "para"),
        ("pro", "para o"),
        ("d+", "demais"),
        ("2a via", "segunda via"),
        ("2ª via", "segunda via"),
        ("2via", "segunda via"),
        ("segunda via", "segunda via"),
        ("zap", "whatsapp"),
        ("net", "internet"),
        ("3x", "3 vezes"),
        ("10 x de 50", "10 vezes de 50"),
        ("6a feira", "sexta feira"),
        ("sexta-feira", "sexta feira"),
        ("R$ 1.234,56", "r$ 1.234,56"),
        ("R$50", "r$ 50"),
        ("50reais", "50 reais"),
        ("15/12/2026", "15/12/2026"),
        ("90%", "90%"),
        ("kkkkk ok", "ok"),
        ("rsrs", ""),
        ("👍", "ok"),
        ("👎", "nao"),
        ("Manda o PIX aí!!!", "manda o pix ai"),
    ],
)
def test_chat_spellings_become_canonical_words(raw: str, canonical: str) -> None:
    assert normalize(raw) == canonical


@pytest.mark.parametrize(
    ("typo", "keyword"),
    [
        ("bolteo", "boleto"),
        ("boleot", "boleto"),
        ("linha digitavle", "linha digitavel"),
        ("transferencai", "transferencia"),
        ("atendnte", "atendente"),
        ("desbloqeio", "desbloqueio"),
        ("comprovatne", "comprovante"),
        ("negociacoa", "negociacao"),
    ],
)
def test_typos_of_keywords_are_corrected(typo: str, keyword: str) -> None:
    assert normalize(typo) == keyword


@pytest.mark.parametrize(
    "word",
    ["pagar", "maria", "casa", "parei", "sair", "pare", "carro", "oi", "pix", "xyzzy"],
)
def test_known_short_and_unrelated_words_are_left_alone(word: str) -> None:
    assert normalize(word) == word


def test_a_typo_never_becomes_an_insult_or_an_opt_out() -> None:
    assert normalize("ladroa") == "ladroa"
    assert normalize("idiotx") == "idiotx"
    assert normalize("parra") != "parar"
    assert normalize("sairr") != "sair"


def test_fold_strips_accents_and_keeps_ascii_punctuation() -> None:
    assert fold("Ação, São João: R$ 10,00?") == "acao, sao joao: r$ 10,00?"
    assert fold("ﬁ ª º") == "fi a o"


def test_every_replacement_is_already_canonical() -> None:
    outputs = {word for value in lexicon.ABBREVIATIONS.values() for word in value.split()}
    outputs |= set(lexicon.ORDINALS.values())
    not_fixed = sorted(word for word in outputs if normalize(word) != word)

    assert not_fixed == []


def test_every_word_the_date_and_number_parsers_read_is_canonical() -> None:
    words = set(lexicon.DATE_WORDS) | set(lexicon.WEEKDAYS) | set(lexicon.MONTHS)
    words |= set(lexicon.UNITS) | set(lexicon.TENS) | set(lexicon.HUNDREDS)
    not_canonical = sorted(word for word in words if tokenize(word) != (word,))

    assert not_canonical == []


def test_every_word_the_rules_spell_is_canonical() -> None:
    words = {word for rule in RULES for phrase in rule.phrase.words for word in phrase.split()}
    not_canonical = sorted(word for word in words if tokenize(word) != (word,))

    assert KEYWORDS <= KNOWN_WORDS
    assert not_canonical == []


@given(st.text())
def test_normalize_is_idempotent_and_never_raises(text: str) -> None:
    once = normalize(text)

    assert normalize(once) == once
    assert once.isascii()
    assert "  " not in once
    assert once == once.strip()


@given(st.text(alphabet="abcdeimnoprstuvxqz ,.!?0123456789áãçéêíóõú", max_size=60))
def test_normalize_is_idempotent_on_portuguese_like_text(text: str) -> None:
    once = normalize(text)

    assert normalize(once) == once


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("boleto", "boleto", 0),
        ("boleto", "bolteo", 1),
        ("boleto", "boleta", 1),
        ("boleto", "bolto", 1),
        ("boleto", "bboleto", 1),
        ("ca", "abc", 3),
        ("", "pix", 3),
        ("parcelamento", "parcelamneto", 1),
        ("parcelamento", "parcelamnto", 1),
        ("kitten", "sitting", 3),
    ],
)
def test_damerau_levenshtein_counts_edits_and_adjacent_swaps(a: str, b: str, distance: int) -> None:
    assert damerau_levenshtein(a, b) == distance
    assert damerau_levenshtein(b, a) == distance


@given(st.text(max_size=12), st.text(max_size=12), st.integers(min_value=0, max_value=3))
def test_a_limited_distance_is_exact_up_to_the_limit(a: str, b: str, limit: int) -> None:
    full = damerau_levenshtein(a, b)

    assert damerau_levenshtein(a, b, limit) == min(full, limit + 1)
    assert full <= max(len(a), len(b))
    assert (full == 0) == (a == b)


def test_edit_budget_grows_with_word_length() -> None:
    assert [edit_budget(n) for n in (3, 4, 5, 7, 8, 12)] == [0, 0, 1, 1, 2, 2]


def test_fuzzy_index_finds_the_nearest_keyword_within_budget() -> None:
    index = FuzzyIndex(["boleto", "parcelamento", "atendente", "pix", "dividir", "divida"])

    assert index.nearest("boleto") == "boleto"
    assert index.nearest("bolteo") == "boleto"
    assert index.nearest("pqrcelamnto") == "parcelamento"
    assert index.nearest("pxi") is None  # too short for any edit
    assert index.nearest("boletoo") == "boleto"
    assert index.nearest("bxlxtx") is None
    # A tie between two keywords is broken the same way every time.
    assert index.nearest("dividi") == index.nearest("dividi") == "divida"
