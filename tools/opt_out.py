"""opt_out: the debtor asked for no more messages; honoured at once for every sender."""

from typing import Any

from conversations.models import Thread
from tools.base import ToolContext, ToolResult, ToolSpec, no_parameters

NAME = "opt_out"


def opt_out(ctx: ToolContext, args: dict[str, Any]) -> ToolResult:
    thread: Thread = ctx.extras["thread"]
    already = thread.opted_out_at is not None
    if not already:
        thread.opted_out_at = ctx.now
        ctx.session.add(thread)
    return ToolResult(NAME, True, data={"already_opted_out": already})


SPEC = ToolSpec(
    name=NAME,
    description=(
        "Registra que o devedor não quer mais receber mensagens de cobrança por WhatsApp."
    ),
    parameters=no_parameters(),
    run=opt_out,
    needs_verified_debtor=False,
)
