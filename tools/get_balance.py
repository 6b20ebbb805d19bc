"""get_balance: the debtor's open invoices updated to today by the ISP's charges rules."""

from typing import Any

from tools.base import ToolContext, ToolResult, ToolSpec, no_parameters
from tools.ledger import balance, balance_grounding

NAME = "get_balance"


def get_balance(ctx: ToolContext, args: dict[str, Any]) -> ToolResult:
    current = balance(ctx)
    data = current.to_json()
    return ToolResult(NAME, True, data=data, grounding=balance_grounding(current))


SPEC = ToolSpec(
    name=NAME,
    description=(
        "Saldo atualizado do devedor verificado: cada fatura em aberto com valor original, "
        "multa, juros, total e dias de atraso, e o total geral."
    ),
    parameters=no_parameters(),
    run=get_balance,
)
