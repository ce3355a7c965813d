"""Async mode: a call with callback_url is answered at once, and its real answer arrives at callback_url."""

from __future__ import annotations

import json
from collections.abc import Iterator

import plivo
import pytest

from emulator import ThreadedServer
from emulator.sdk import plivo_sdk_pointed_at
from tests.callback_helpers import Harness, assert_signed
from tests.helpers import MAIN, assert_plivo_error
from tests.receiver import Receiver


@pytest.fixture
def client(server: ThreadedServer) -> Iterator[plivo.RestClient]:
    with plivo_sdk_pointed_at(server.url):
        yield plivo.RestClient(MAIN.auth_id, MAIN.auth_token)


def test_start_recording_and_add_participant_through_the_sdk(
    client: plivo.RestClient, server: ThreadedServer, receiver: Receiver
) -> None:
    url = receiver.url("/async")
    calls = client.multi_party_calls
    added = calls.add_participant(
        role="agent", friendly_name="standup", from_="14155550100", to_="14155550101", callback_url=url
    )
    assert added.message == "async api spawned"
    server.control().create_mpc(MAIN.auth_id, "other", stay_alone=True)
    started = calls.start_recording(friendly_name="other", callback_url=url, callback_method="GET")
    assert started.message == "async api spawned"
    by_method = {r.method: r for r in receiver.wait_for(2)}  # two lanes: either may arrive first
    first, second = by_method["POST"], by_method["GET"]
    real_add = first.form
    assert real_add["status_code"] == "201" and real_add["message"] == "add participant action initiated"
    assert real_add["api_id"] == added.api_id, "the immediate answer and the real one share their api_id"
    assert json.loads(real_add["calls"])[0]["to"] == "14155550101"
    real_start = second.params
    assert real_start["status_code"] == "202" and real_start["recording_id"]
    assert real_start["message"] == "MPC: other record started"
    for received in (first, second):
        assert_signed(received, url)
    (recording,) = server.control().state(MAIN.auth_id)["recordings"]
    assert recording["recording_id"] == real_start["recording_id"], "the state changed as a sync call would"


def test_errors_and_empty_answers_go_to_the_callback_too(harness: Harness) -> None:
    h = harness
    url = h.receiver.url("/async")
    h.api.seed_mpc("standup", ("10", "11"), stay_alone=True)
    missing = h.api.post("MultiPartyCall/name_nobody/Record/", {"callback_url": url})
    assert missing.status_code == 200 and missing.json()["message"] == "async api spawned"
    stopped = h.api.delete("MultiPartyCall/name_standup/", {"callback_url": url})
    assert stopped.status_code == 200
    h.advance(0)
    results = [e["params"] for e in h.journal(event="AsyncResponse")]
    assert [(r["status_code"], r.get("error", r.get("message"))) for r in results] == [
        ("404", "no ongoing MPC named 'nobody' (ended MPCs can only be reached by uuid)"),
        ("204", "success"),
    ]
    assert_plivo_error(h.api.post("MultiPartyCall/name_standup/Record/", {"callback_url": "ftp://x"}), 400)


@pytest.mark.parametrize("value", [{}, 7, ["a", "b"], True], ids=["object", "number", "list", "boolean"])
def test_a_callback_url_that_is_not_text_is_a_clear_400(harness: Harness, value: object) -> None:
    """Found by schemathesis against the OpenAPI document: these were 500s."""
    h = harness
    h.api.seed_mpc("standup", ("10",))
    response = h.api.post("MultiPartyCall/name_standup/Record/", {"callback_url": value})
    assert_plivo_error(response, 400, "callback_url", "not a URL")
    assert h.api.get("MultiPartyCall/name_standup/").json()["recording"] == "not-recording", "no state change"
