"""search_knowledge: passages of the ISP's documents that answer a general question."""

from typing import Any

from tools.base import Grounding, ToolContext, ToolResult, ToolSpec, refused
from tools.figures import extract

NAME = "search_knowledge"


def search_knowledge(ctx: ToolContext, args: dict[str, Any]) -> ToolResult:
    query = str(args.get("query") or "").strip()
    knowledge = ctx.extras.get("knowledge")
    if not query or knowledge is None:
        return refused(NAME, "no_knowledge", "Não tenho essa informação aqui.")
    answer = knowledge.search(query, k=int(args.get("k") or 3))
    passages = [hit.to_dict() for hit in answer.relevant_hits]
    grounding = Grounding()
    for passage in passages:  # a reply may repeat the figures the documents state
        grounding.merge(extract(passage["text"], ctx.today))
    data = {"query": query, "relevant": bool(answer.relevant), "passages": passages}
    return ToolResult(NAME, True, data=data, grounding=grounding)


SPEC = ToolSpec(
    name=NAME,
    description=(
        "Busca nos documentos do provedor (formas de pagamento, religação, suspensão, "
        "negativação, direitos do consumidor, horários) trechos que respondam a uma pergunta. "
        "Cite o documento na resposta; se nada for relevante, diga que não sabe."
    ),
    parameters={
        "type": "object",
        "properties": {"query": {"type": "string"}, "k": {"type": "integer", "minimum": 1}},
        "required": ["query"],
        "additionalProperties": False,
    },
    run=search_knowledge,
    needs_verified_debtor=False,
)
