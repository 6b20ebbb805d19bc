"""The collector graph: start turn → inbound guard → identity gate → brain ⇄ tools →
outbound guard → outbox, with a hand-off node that interrupts for staff."""

from typing import Any, Literal

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from agent import nodes
from agent.context import TurnContext
from agent.state import AgentState

Graph = CompiledStateGraph[AgentState, TurnContext, AgentState, AgentState]


def build_graph(checkpointer: BaseCheckpointSaver[Any] | None) -> Graph:
    builder = StateGraph(AgentState, context_schema=TurnContext)
    builder.add_node("start_turn", nodes.start_turn)
    builder.add_node("inbound_guard", nodes.inbound_guard)
    builder.add_node("identity_gate", nodes.identity_gate)
    builder.add_node("brain", nodes.think)
    builder.add_node("tools", nodes.run_tools)
    builder.add_node("outbound_guard", nodes.outbound_guard)
    builder.add_node("outbox", nodes.write_outbox)
    builder.add_node("handoff", nodes.hand_off)

    builder.add_edge(START, "start_turn")
    builder.add_edge("start_turn", "inbound_guard")
    builder.add_conditional_edges("inbound_guard", _after_inbound_guard)
    builder.add_conditional_edges("identity_gate", _after_identity_gate)
    builder.add_conditional_edges("brain", _after_brain)
    builder.add_edge("tools", "brain")
    builder.add_conditional_edges("outbound_guard", _after_outbound_guard)
    builder.add_conditional_edges("outbox", _after_outbox)
    builder.add_edge("handoff", END)
    return builder.compile(checkpointer=checkpointer)


def _after_inbound_guard(
    state: AgentState,
) -> Literal["identity_gate", "outbound_guard", "__end__"]:
    if state.get("done"):
        return "__end__"
    return "outbound_guard" if state.get("outgoing") else "identity_gate"


def _after_identity_gate(state: AgentState) -> Literal["brain", "outbound_guard"]:
    return "outbound_guard" if state.get("outgoing") else "brain"


def _after_brain(state: AgentState) -> Literal["tools", "outbound_guard"]:
    return "tools" if state.get("calls") else "outbound_guard"


def _after_outbound_guard(state: AgentState) -> Literal["brain", "outbox"]:
    return "brain" if state.get("regenerate") else "outbox"


def _after_outbox(state: AgentState) -> Literal["handoff", "__end__"]:
    return "handoff" if state.get("escalated") and state.get("owner") == "staff" else "__end__"
