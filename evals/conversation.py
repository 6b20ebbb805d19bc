"""One conversation through the real pipeline: each debtor message goes in as a signed
webhook, the worker runs the agent's turn, the sender delivers the replies to the Graph API
stand-in, and the agent's checkpointed state is read back after every turn."""

from datetime import date
from typing import Any

from channels.whatsapp.templates import TemplateBook
from evals.debtors import DebtorView, ScriptError, SimulatedDebtor, current_choices
from evals.transcript import DebtorMessage, Transcript, TurnRecord
from quita import clock
from quita.pipeline import LocalPipeline, outbound_json

# Whatever the debtor's own limit, no conversation runs longer than this.
HARD_TURN_LIMIT = 40


def converse(
    pipeline: LocalPipeline,
    debtor: SimulatedDebtor,
    *,
    wa_id: str,
    name: str | None,
    today: date,
    templates: TemplateBook,
) -> Transcript:
    """Let `debtor` talk to the agent until it stops; the transcript and the final state."""
    transcript = Transcript()
    choices: list[dict[str, Any]] = []
    state: dict[str, Any] = {}
    while len(transcript.turns) < HARD_TURN_LIMIT:
        view = DebtorView(transcript.turns, choices, state)
        try:
            message = debtor.next_message(view)
        except ScriptError as error:
            transcript.notes.append(str(error))
            transcript.ended_by = "script_error"
            break
        if message is None:
            transcript.ended_by = "debtor"
            break
        record, state = _turn(pipeline, message, wa_id, name, today, templates, transcript)
        transcript.turns.append(record)
        choices = current_choices(transcript.turns, choices)
    else:
        transcript.ended_by = "turn_limit"
    transcript.state = state or pipeline.services.agent.state_of(wa_id)
    return transcript


def _turn(
    pipeline: LocalPipeline,
    message: DebtorMessage,
    wa_id: str,
    name: str | None,
    today: date,
    templates: TemplateBook,
    transcript: Transcript,
) -> tuple[TurnRecord, dict[str, Any]]:
    # The message carries the pinned day's clock, so the 24-hour window and the agent's
    # dates agree with `today` whatever the real date is.
    at = clock.now(today)
    sent = pipeline.send(
        wa_id, message.text, reply=message.reply, name=name, timestamp=int(at.timestamp())
    )
    replies = [outbound_json(item, templates) for item in sent]
    state = pipeline.services.agent.state_of(wa_id)
    facts = list(state.get("facts") or [])
    before = transcript.turns[-1].facts_upto if transcript.turns else 0
    record = TurnRecord(
        index=len(transcript.turns),
        debtor=message.shown,
        reply_id=message.reply.id if message.reply else None,
        at=at.isoformat(),
        replies=replies,
        verified=bool(state.get("verified")),
        owner=str(state.get("owner") or "agent"),
        facts_upto=len(facts),
        tools=[tool_summary(fact) for fact in facts[before:]],
        turn=message.turn,
    )
    return record, state


def tool_summary(fact: dict[str, Any]) -> dict[str, Any]:
    return {
        "tool": fact.get("tool"),
        "ok": bool(fact.get("ok")),
        "code": fact.get("code"),
        "args": fact.get("args") or {},
    }
