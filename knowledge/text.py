"""Portuguese text for matching: accent folding, slugs, word tokens and a light stemmer."""

import re
import unicodedata

from bm25s.stopwords import STOPWORDS_PORTUGUESE  # type: ignore[import-untyped]

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Tried longest first; a stem keeps at least three letters. Inflections of one verb or noun
# ("pagar", "paguei", "pagamento") meet on one stem, which BM25 needs to match them.
_NOUN_SUFFIXES = ("amentos", "imentos", "amento", "imento", "acoes", "icoes", "acao", "icao")
_ADJECTIVE_SUFFIXES = ("adoras", "adores", "adora", "ador", "ancia", "encia", "anca")
_PARTICIPLE_SUFFIXES = ("ados", "idos", "adas", "idas", "ado", "ido", "ada", "ida")
_VERB_SUFFIXES = (
    "ando", "endo", "indo", "aram", "eram", "iram", "arem", "erem", "irem", "ariam", "aria",
    "avam", "ava", "amos", "emos", "imos", "ara", "era", "ira", "ar", "er", "ir", "am", "em",
    "ei", "ou",
)  # fmt: skip
_ENDINGS = ("ao", "oes", "aes", "es", "s", "a", "e", "o")
_SUFFIXES = tuple(
    sorted(
        _NOUN_SUFFIXES + _ADJECTIVE_SUFFIXES + _PARTICIPLE_SUFFIXES + _VERB_SUFFIXES + _ENDINGS,
        key=len,
        reverse=True,
    )
)
STEM_LENGTH = 6
MIN_STEM = 3
# Folded like the words they are compared with: "não" -> "nao".
FOLDED_STOPWORDS = frozenset(
    unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode()
    for word in STOPWORDS_PORTUGUESE
)


def fold(text: str) -> str:
    """Lower case without accents: "Religação" -> "religacao"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def slugify(text: str) -> str:
    """A heading as an id part: "Pagar com Pix" -> "pagar-com-pix"."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def words(text: str) -> list[str]:
    """The words of `text` in order, lower-cased, accents kept."""
    return _WORD.findall(unicodedata.normalize("NFC", text.lower()))


def stem(word: str) -> str:
    """A crude Portuguese stem of a folded word: suffix stripped, then cut to STEM_LENGTH."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            word = word[: -len(suffix)]
            break
    if word.endswith(("gu", "qu")):
        word = word[:-1]
    return word[:STEM_LENGTH]


def terms(text: str) -> list[str]:
    """Folded, stemmed words without stopwords: what BM25 indexes and matches."""
    folded = (fold(word) for word in words(text))
    return [stem(word) for word in folded if word not in FOLDED_STOPWORDS and len(word) > 1]
