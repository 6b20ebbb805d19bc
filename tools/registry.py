"""Every tool the agent may call, by its contract name."""

from tools import (
    accept_renegotiation,
    create_pix_charge,
    escalate_to_human,
    get_balance,
    issue_second_copy_boleto,
    open_dispute,
    opt_out,
    quote_renegotiation,
    register_promise_to_pay,
    report_payment,
    request_trust_unblock,
    search_knowledge,
)
from tools.base import ToolSpec

TOOLS: dict[str, ToolSpec] = {
    spec.name: spec
    for spec in (
        get_balance.SPEC,
        issue_second_copy_boleto.SPEC,
        create_pix_charge.SPEC,
        quote_renegotiation.SPEC,
        accept_renegotiation.SPEC,
        register_promise_to_pay.SPEC,
        report_payment.SPEC,
        request_trust_unblock.SPEC,
        open_dispute.SPEC,
        search_knowledge.SPEC,
        escalate_to_human.SPEC,
        opt_out.SPEC,
    )
}
