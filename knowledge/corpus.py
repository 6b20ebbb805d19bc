"""The ISP's markdown documents, cut into passages: one per `##` section, with its source line."""

import hashlib
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from knowledge.errors import KnowledgeError
from knowledge.text import slugify

logger = logging.getLogger(__name__)

DEFAULT_DOCS_DIR = Path(__file__).parent / "docs"
# Sections longer than this are cut at paragraph breaks: an e5 passage holds 512 tokens,
# and one answer per passage keeps citations precise.
MAX_PASSAGE_CHARS = 1500
_SOURCE_LINE = re.compile(r"^fonte\s*:\s*(?P<source>.+)$", re.IGNORECASE)


@dataclass(frozen=True)
class Passage:
    """One section of one document: what a search returns and the agent cites.

    `id` is "document#section-slug" (stable while the heading stays the same); `document` is
    the file name without `.md`; `source` is the document's "Fonte:" line, if it has one.
    """

    id: str
    document: str
    title: str
    section: str
    text: str
    source: str | None

    @property
    def file_name(self) -> str:
        return f"{self.document}.md"

    @property
    def content_hash(self) -> str:
        """SHA-256 of everything that is embedded or shown; any edit changes it."""
        fields = (self.id, self.title, self.section, self.text, self.source or "")
        return hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()

    def embedding_text(self) -> str:
        """What the model reads: title and heading give a short section its topic."""
        return f"{self.title}. {self.section}.\n{self.text}"


@dataclass(frozen=True)
class Corpus:
    folder: Path
    passages: tuple[Passage, ...]

    @property
    def content_hash(self) -> str:
        """One hash over every passage, in order: equal hashes mean an identical index."""
        digest = hashlib.sha256()
        for passage in self.passages:
            digest.update(passage.content_hash.encode("ascii"))
        return digest.hexdigest()

    def passage(self, passage_id: str) -> Passage:
        """The passage with that id; raises KeyError naming it when there is none."""
        for passage in self.passages:
            if passage.id == passage_id:
                return passage
        raise KeyError(f"no passage {passage_id!r} in {self.folder}")


def load_corpus(folder: Path | None = None) -> Corpus:
    """Every `*.md` file of `folder` (default: the bundled pt-BR documents), in name order.

    Raises KnowledgeError when the folder is missing or holds no passage.
    """
    folder = folder or DEFAULT_DOCS_DIR
    if not folder.is_dir():
        raise KnowledgeError(f"knowledge folder not found: {folder}")
    passages: list[Passage] = []
    for path in sorted(folder.glob("*.md")):
        passages.extend(split_document(path.stem, path.read_text(encoding="utf-8")))
    if not passages:
        raise KnowledgeError(f"no markdown document with text in {folder}")
    return Corpus(folder=folder, passages=tuple(passages))


def split_document(document: str, markdown: str) -> list[Passage]:
    """Cut one markdown document into passages.

    The first `# ` heading is the title (else the file name), the first "Fonte:" line before
    the first `## ` is the source, text before the first `## ` is a passage of its own
    headed by the title, and deeper headings stay inside their `## ` section.
    """
    title, source, sections = _parse(markdown)
    title = title or document.replace("-", " ").replace("_", " ").capitalize()
    if source is None:
        logger.warning("knowledge document %s has no 'Fonte:' line to cite", document)
    passages: list[Passage] = []
    seen: set[str] = set()
    for heading, body in sections:
        section = heading or title
        for text in _cut(body):
            passage_id = _unique(f"{document}#{slugify(section)}", seen)
            passages.append(Passage(passage_id, document, title, section, text, source))
    return passages


def _parse(markdown: str) -> tuple[str | None, str | None, list[tuple[str | None, str]]]:
    title: str | None = None
    source: str | None = None
    heading: str | None = None
    sections: list[tuple[str | None, str]] = []
    lines: list[str] = []
    for line in markdown.splitlines():
        stripped = line.strip()
        if stripped.startswith("# ") and title is None and heading is None:
            title = stripped[2:].strip()
            continue
        if stripped.startswith("## "):
            sections.append((heading, "\n".join(lines)))
            heading, lines = stripped[3:].strip(), []
            continue
        match = _SOURCE_LINE.match(stripped)
        if match and heading is None and source is None:
            source = match["source"].strip()
            continue
        lines.append(line)
    sections.append((heading, "\n".join(lines)))
    return title, source, [(head, body.strip()) for head, body in sections if body.strip()]


def _cut(body: str) -> Iterator[str]:
    """The body in pieces of at most MAX_PASSAGE_CHARS, broken between paragraphs."""
    piece: list[str] = []
    size = 0
    for paragraph in re.split(r"\n\s*\n", body):
        if piece and size + len(paragraph) > MAX_PASSAGE_CHARS:
            yield "\n\n".join(piece)
            piece, size = [], 0
        piece.append(paragraph.strip())
        size += len(paragraph)
    if piece:
        yield "\n\n".join(piece)


def _unique(passage_id: str, seen: set[str]) -> str:
    candidate, number = passage_id, 1
    while candidate in seen:
        number += 1
        candidate = f"{passage_id}-{number}"
    seen.add(candidate)
    return candidate
