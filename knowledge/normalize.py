"""Debtors' WhatsApp Portuguese turned into the words the documents use.

"qnd minha net volta dps q eu pagar" becomes "quando minha internet volta depois que eu
pagar", with "religação" added as the documents' word for it. Accents are restored from the
corpus' own vocabulary, so an ISP's replacement documents teach it their spelling.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from knowledge.text import fold, words

# WhatsApp spellings, by the word they stand for; matched on the folded form.
_SPELLINGS = {
    "você": ("vc", "voce"),
    "vocês": ("vcs", "voces"),
    "quando": ("qnd", "qdo", "qndo"),
    "quanto": ("qto", "qnto", "qnt"),
    "quantos": ("qtos", "qntos"),
    "por que": ("pq",),
    "que": ("q",),
    "o que": ("oq",),
    "também": ("tb", "tbm", "tmb", "tbem"),
    "hoje": ("hj",),
    "depois": ("dps",),
    "mesmo": ("msm",),
    "mensagem": ("msg",),
    "mensagens": ("msgs",),
    "internet": ("net",),
    "está": ("ta",),
    "estou": ("to",),
    "não": ("n", "nao"),
    "para": ("pra",),
    "para o": ("pro",),
    "comigo": ("cmg",),
    "tudo": ("td",),
    "muito": ("mt", "mto"),
    "agora": ("agr",),
    "de novo": ("dnv",),
    "fim de semana": ("fds",),
    "sábado": ("sab",),
    "ninguém": ("ngm",),
    "aqui": ("aki",),
    "por favor": ("pf", "pfv", "pfvr"),
    "certeza": ("ctz",),
    "celular": ("cel",),
    "whatsapp": ("wpp", "zap"),
}
# Debtors' words for what the documents name otherwise, by the documents' term for it.
_DOCUMENT_TERMS = {
    "nome negativado cadastro de inadimplentes": (
        "serasa",
        "spc",
        "scpc",
        "sujo",
        "negativar",
        "negativado",
        "negativada",
        "negativacao",
    ),
    "suspensão": ("cortar", "corte", "cortam", "cortaram", "cortada", "cortou", "bloquear"),
    "suspenso": ("bloqueado", "bloqueada", "bloqueio"),
    "religação": ("religar", "religa", "voltar", "volta"),
    "desbloqueio": ("libera", "liberar", "desbloquear"),
    "contestação": ("reclamar", "reclamo", "reclamacao"),
    "acordo parcelas": ("parcelar", "parcelamento", "dividir", "negociar", "renegociar"),
    "fatura": ("conta", "contas", "mensalidade"),
    "internet": ("wifi",),
    "pessoa": ("atendente", "humano"),
    "roteador equipamentos": ("modem", "aparelho"),
}
ABBREVIATIONS = {short: word for word, group in _SPELLINGS.items() for short in group}
EXPANSIONS = {word: term for term, group in _DOCUMENT_TERMS.items() for word in group}


@dataclass(frozen=True)
class NormalizedQuery:
    """`text`: abbreviations spelled out and accents restored, for the embedding model (short
    queries embed faster). `expanded`: `text` plus the documents' terms, for BM25."""

    text: str
    expanded: str


class QueryNormalizer:
    """Rewrites a debtor's question for retrieval; built once per corpus."""

    def __init__(self, vocabulary: Iterable[str]) -> None:
        self._accented = _accent_table(vocabulary)

    def normalize(self, query: str) -> NormalizedQuery:
        spelled: list[str] = []
        extra: list[str] = []
        for word in words(query):
            folded = fold(word)
            spelled.append(ABBREVIATIONS.get(folded) or self._accented.get(folded, word))
            if folded in EXPANSIONS:
                extra.append(EXPANSIONS[folded])
        text = " ".join(spelled)
        return NormalizedQuery(text, " ".join([text, *dict.fromkeys(extra)]))


def _accent_table(vocabulary: Iterable[str]) -> dict[str, str]:
    """Folded word -> its most frequent spelling in the documents, where that has accents.

    "nao" -> "não", but "e" stays "e": the documents write "e" more often than "é".
    """
    spellings: dict[str, Counter[str]] = {}
    for word in vocabulary:
        spellings.setdefault(fold(word), Counter())[word] += 1
    table = {folded: counts.most_common(1)[0][0] for folded, counts in spellings.items()}
    return {folded: word for folded, word in table.items() if word != folded}
