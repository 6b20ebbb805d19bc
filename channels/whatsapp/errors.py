"""What a failed Graph API call means for the outbox: retry later, use a template, or give up.

Codes are Meta's (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes);
failures that never reached Meta get a word instead ("network", "timeout").
"""

from dataclasses import dataclass

WINDOW_CLOSED = "131047"
# Throttling, temporary outages and "something went wrong": the same call may succeed later.
TRANSIENT_CODES = frozenset(
    {
        "1",  # API Unknown
        "2",  # API Service
        "4",  # app-level call limit
        "80007",  # WhatsApp Business Account rate limit
        "130429",  # throughput (messages per second) reached
        "131000",  # something went wrong
        "131016",  # service unavailable
        "131056",  # too many messages to the same user (pair rate limit)
        "131057",  # account in maintenance (throughput upgrade)
        "133004",  # server temporarily unavailable
    }
)
# Failures that never got an answer from Meta, and our own bugs: worth another try.
LOCAL_TRANSIENT = frozenset({"network", "timeout", "internal"})
# An expired or revoked token says nothing about the message: it is retried until an operator
# fixes the token (or the attempts run out), instead of failing every queued message at once.
AUTH_CODES = frozenset({"0", "190"})


@dataclass(frozen=True)
class GraphError(Exception):
    """A send or upload the Graph API refused or that could not reach it.

    `code` is Meta's error code as text ("131047"), or "network" / "timeout" / "http_<status>"
    when there is none; `transient` says whether the same call may succeed later.
    """

    code: str
    title: str
    detail: str | None = None
    http_status: int | None = None
    transient: bool = False

    @property
    def window_closed(self) -> bool:
        """The 24-hour customer service window is closed: only a template may go out."""
        return self.code == WINDOW_CLOSED

    def __str__(self) -> str:
        detail = f": {self.detail}" if self.detail else ""
        return f"Graph API error {self.code} ({self.title}){detail}"


def graph_error(
    code: str | int,
    title: str,
    *,
    detail: str | None = None,
    http_status: int | None = None,
    is_transient: bool | None = None,
) -> GraphError:
    """A GraphError classified by its code, HTTP status and Meta's own `is_transient` hint."""
    text = str(code)
    transient = (
        text in TRANSIENT_CODES
        or text in LOCAL_TRANSIENT
        or text in AUTH_CODES
        or bool(is_transient)
        or (http_status is not None and http_status >= 500)
    )
    return GraphError(text, title, detail, http_status, transient and text != WINDOW_CLOSED)
