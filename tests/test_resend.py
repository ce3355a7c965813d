"""Resending a journaled callback: now, with a fresh signature, to its URL or another local one."""

from __future__ import annotations

from tests.callback_helpers import Harness, assert_signed
from tests.helpers import assert_plivo_error


def test_a_callback_sent_again(harness: Harness) -> None:
    h = harness
    h.api.seed_mpc("standup", stay_alone=True)
    h.start()
    h.advance(2)
    (original,) = h.journal(event="MPCRecordingInitiated")
    assert original["state"] == "delivered"
    again = h.control.resend(original["id"])
    assert again["id"] == f"{original['id']}-resend1" and again["note"] == f"resent from {original['id']}"
    assert again["params"] == original["params"] and again["state"] == "pending"
    other = h.receiver.url("/elsewhere")
    moved = h.control.resend(original["id"], other)
    h.advance(0)
    first, *resent = h.receiver.wait_for(3)
    # Two lanes: either resend may arrive first.
    second, third = sorted(resent, key=lambda r: r.url_path == "/elsewhere")
    assert first.params == second.params == third.params, "the same parameters each time"
    assert second.headers["X-Plivo-Signature-V3-Nonce"] != first.headers["X-Plivo-Signature-V3-Nonce"]
    assert third.url_path == "/elsewhere"
    assert_signed(second, original["url"])
    assert_signed(third, other)
    assert {e["state"] for e in h.journal()} == {"delivered"} and moved["url"] == other
    assert_plivo_error(h.api.client.post("/__emulator__/callbacks/nope/resend", json={}), 404, "nope")
    bad = h.api.client.post(f"/__emulator__/callbacks/{original['id']}/resend", json={"url": "ftp://x"})
    assert_plivo_error(bad, 400, "url")
