"""The staff API: escalated threads to pick up, and handing a thread back to the agent.

Closed unless QUITA_STAFF_TOKEN is set; every call carries it as a Bearer token. The web
console will sit on top of this API.
"""

import hmac
import logging
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field
from sqlmodel import col, select

from billing.phones import mask_phone
from conversations.escalations import open_escalations, resolve_escalations
from conversations.models import Thread
from quita.db import session_scope
from quita.settings import Settings

logger = logging.getLogger(__name__)


def require_staff(request: Request) -> str:
    """The caller's token checked against QUITA_STAFF_TOKEN (constant-time)."""
    settings: Settings = request.app.state.settings
    if settings.staff_token is None:
        raise HTTPException(503, "the staff API is closed: set QUITA_STAFF_TOKEN")
    header = request.headers.get("Authorization", "")
    token = header.removeprefix("Bearer ").strip()
    expected = settings.staff_token.get_secret_value()
    if not token or not hmac.compare_digest(token.encode(), expected.encode()):
        raise HTTPException(401, "a valid staff token is required", {"WWW-Authenticate": "Bearer"})
    return token


router = APIRouter(prefix="/api", dependencies=[Depends(require_staff)])


class Resume(BaseModel):
    staff: str = Field(min_length=1, max_length=128)
    note: str = Field("", max_length=2000)


@router.get("/escalations")
def list_escalations(request: Request) -> list[dict[str, Any]]:
    with session_scope(request.app.state.engine) as session:
        return [
            {
                "id": row.id,
                "wa_id": row.wa_id,
                "customer_id": row.customer_id,
                "reason": row.reason,
                "summary": row.summary,
                "created_at": row.created_at.isoformat(),
            }
            for row in open_escalations(session)
        ]


@router.post("/threads/{wa_id}/resume")
def resume_thread(wa_id: str, body: Resume, request: Request) -> dict[str, Any]:
    """Hand the thread back to the agent; 409 when it was not waiting for staff."""
    agent = getattr(request.app.state, "agent", None)
    if agent is None:
        raise HTTPException(503, "no agent runs in this process")
    with session_scope(request.app.state.engine) as session:
        thread = session.exec(select(Thread).where(col(Thread.wa_id) == wa_id)).first()
        if thread is None:
            raise HTTPException(404, "no such thread")
        if not agent.resume(session, thread, body.staff, body.note):
            raise HTTPException(409, "the thread is not waiting for staff")
        resolved = resolve_escalations(session, wa_id, body.staff, body.note)
    logger.info("thread %s handed back by staff", mask_phone("+" + wa_id))
    return {"wa_id": wa_id, "owner": "agent", "resolved_escalations": resolved}
