"""Which Graph API failures are worth retrying, and which mean the window has closed."""

import pytest

from channels.whatsapp.errors import graph_error


@pytest.mark.parametrize(
    ("code", "http_status"),
    [
        (131056, 400),  # pair rate limit
        (130429, 400),  # throughput
        (131000, 500),  # something went wrong
        (2, 503),  # service unavailable
        (100, 502),  # any 5xx, whatever the code
        (190, 401),  # expired token: retried until an operator fixes it
        ("network", None),
    ],
)
def test_throttling_outages_and_5xx_are_transient(code: int | str, http_status: int | None) -> None:
    error = graph_error(code, "x", http_status=http_status)
    assert error.transient
    assert not error.window_closed


@pytest.mark.parametrize("code", [100, 131026, 131051, 132000, 132001, 131009])
def test_request_and_recipient_errors_are_permanent(code: int) -> None:
    assert not graph_error(code, "x", http_status=400).transient


def test_meta_flagging_an_error_transient_is_believed() -> None:
    assert graph_error(131999, "x", http_status=400, is_transient=True).transient


def test_131047_means_the_window_closed_and_is_never_retried_as_is() -> None:
    error = graph_error(131047, "Re-engagement message", http_status=400, is_transient=True)
    assert error.window_closed
    assert not error.transient
    assert str(error) == "Graph API error 131047 (Re-engagement message)"
