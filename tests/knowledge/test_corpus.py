"""Markdown documents cut into passages: one per `##` section, with title and source."""

import logging
from pathlib import Path

import pytest

from knowledge.corpus import MAX_PASSAGE_CHARS, load_corpus, split_document
from knowledge.errors import KnowledgeError

DOCUMENT = """# Formas de pagamento

Fonte: regras da empresa.

Texto de abertura antes das seções.

## Pagar com Pix

O Pix cai na hora.

### Pix copia e cola

Use o código no app do banco.

## Pagar com boleto

Até 3 dias úteis.

## Pagar com Pix

Outra seção com o mesmo título.
"""


def test_each_level_two_section_is_a_passage_with_title_and_source() -> None:
    passages = split_document("pagamento", DOCUMENT)

    assert [p.section for p in passages] == [
        "Formas de pagamento",
        "Pagar com Pix",
        "Pagar com boleto",
        "Pagar com Pix",
    ]
    assert {p.title for p in passages} == {"Formas de pagamento"}
    assert {p.source for p in passages} == {"regras da empresa."}
    assert passages[0].text == "Texto de abertura antes das seções."


def test_deeper_headings_stay_inside_their_section() -> None:
    pix = split_document("pagamento", DOCUMENT)[1]

    assert "### Pix copia e cola" in pix.text
    assert "Use o código no app do banco." in pix.text


def test_passage_ids_are_slugs_made_unique_within_a_document() -> None:
    ids = [p.id for p in split_document("pagamento", DOCUMENT)]

    assert ids == [
        "pagamento#formas-de-pagamento",
        "pagamento#pagar-com-pix",
        "pagamento#pagar-com-boleto",
        "pagamento#pagar-com-pix-2",
    ]


def test_a_long_section_is_cut_between_paragraphs() -> None:
    paragraph = "palavra " * 100
    body = "\n\n".join(f"{number} {paragraph}" for number in range(6))

    passages = split_document("longo", f"# Longo\n\n## Seção\n\n{body}\n")

    assert len(passages) > 1
    assert all(len(p.text) <= MAX_PASSAGE_CHARS + len(paragraph) for p in passages)
    assert passages[0].text.startswith("0 ")
    assert passages[-1].text.startswith("5 ")
    assert [p.id for p in passages][:2] == ["longo#secao", "longo#secao-2"]


def test_a_document_without_source_line_is_kept_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="knowledge.corpus"):
        passages = split_document("sem-fonte", "## Pergunta\n\nResposta.\n")

    assert passages[0].source is None
    assert passages[0].title == "Sem fonte"
    assert "sem-fonte" in caplog.text


def test_an_edit_changes_the_passage_hash_and_an_identical_text_does_not() -> None:
    before = split_document("doc", "# T\n\n## S\n\nUm.\n")[0]
    same = split_document("doc", "# T\n\n## S\n\nUm.\n")[0]
    after = split_document("doc", "# T\n\n## S\n\nDois.\n")[0]

    assert before.content_hash == same.content_hash
    assert before.content_hash != after.content_hash


def test_a_missing_or_empty_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match="not found"):
        load_corpus(tmp_path / "nowhere")
    with pytest.raises(KnowledgeError, match="no markdown"):
        load_corpus(tmp_path)


def test_every_bundled_document_names_its_source_and_ids_are_unique() -> None:
    corpus = load_corpus()

    ids = [p.id for p in corpus.passages]
    assert len(ids) == len(set(ids))
    assert all(p.source for p in corpus.passages)
    assert len({p.document for p in corpus.passages}) >= 10


@pytest.mark.parametrize(
    "fact",
    [
        "Pix",
        "até 3 dias úteis",
        "até 1 dia",
        "pelo menos 15 dias",
        "pelo menos 60 dias",
        "em até 30 dias",
        "lotérica",
        "Resolução Anatel nº 765/2023",
        "2%",
        "1% ao mês",
        "LGPD",
        "CNPJ 12.345.678/0001-95",
    ],
)
def test_the_bundled_documents_state_the_rules_the_agent_cites(fact: str) -> None:
    corpus = load_corpus()

    text = " ".join(f"{p.title} {p.source} {p.text}" for p in corpus.passages)
    assert fact in text
