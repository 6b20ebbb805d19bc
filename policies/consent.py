"""Whether a debtor's message is an explicit "yes": the consent an agreement needs."""

import re
import unicodedata

# Whole messages (after normalisation) that say yes and nothing else worth weighing.
_YES_MESSAGES = frozenset(
    {
        "s",
        "sim",
        "ss",
        "sim sim",
        "aceito",
        "eu aceito",
        "aceito sim",
        "sim aceito",
        "concordo",
        "eu concordo",
        "fechado",
        "fechou",
        "fechar",
        "pode fechar",
        "pode ser",
        "confirmo",
        "confirmado",
        "confirmar",
        "ok",
        "okay",
        "certo",
        "isso",
        "isso mesmo",
        "quero",
        "quero sim",
        "sim quero",
        "bora",
        "topo",
        "combinado",
        "positivo",
        "claro",
        "com certeza",
        "pode",
        "pode sim",
        "sim pode",
        "sim pode fechar",
        "sim pode ser",
        "sim por favor",
        "sim obrigado",
        "sim obrigada",
        "👍",
    }
)
_NEGATIONS = frozenset({"nao", "n", "nem", "nunca", "jamais", "negativo"})
_FIRST_WORDS = frozenset({"sim", "aceito", "concordo", "fechado", "confirmo", "combinado"})
_SEPARATORS = re.compile(r"[\s,.;:!]+")


def is_explicit_yes(text: str | None) -> bool:
    """True for a short, unambiguous acceptance ("sim", "Aceito!", "pode fechar", "👍"), or a
    message that opens with an acceptance word and negates nothing ("sim, quero a de 3x").

    A question, a negation anywhere, or a longer message that merely contains "ok" is not a
    yes: consent to a debt agreement must not be inferred from a hesitant reply.
    """
    if not text or "?" in text:
        return False
    words = [word for word in _SEPARATORS.split(_normalise(text)) if word]
    if not words or _NEGATIONS.intersection(words):
        return False
    if " ".join(words) in _YES_MESSAGES:
        return True
    return words[0] in _FIRST_WORDS


def _normalise(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))
