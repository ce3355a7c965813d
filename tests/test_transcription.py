"""Transcriptions: ordered by a recording's transcription_url (or transcript=true) or by the
Transcription resource, done after the scenario's delay, POSTed signed, read and deleted."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import plivo
import pytest

from emulator import ThreadedServer
from emulator.domain.transcription import TOO_SHORT
from emulator.media.transcript import utterances
from emulator.sdk import plivo_sdk_pointed_at
from tests.callback_helpers import Harness, assert_signed, harness_for
from tests.helpers import MAIN, assert_plivo_error
from tests.receiver import Receiver

TRANSCRIPTION_KEYS = {
    "transcription",
    "transcription_charge",
    "transcription_rate",
    "duration",
    "call_uuid",
    "recording_id",
    "mpc_uuid",
}


def transcription_of(h: Harness, recording_id: str) -> dict:  # type: ignore[type-arg]
    response = h.api.get(f"Transcription/{recording_id}/")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_through_the_python_sdk(start_server: Callable[..., ThreadedServer], receiver: Receiver) -> None:
    server = start_server(clock="manual")
    control = server.control()
    control.create_mpc(MAIN.auth_id, "standup", members=({}, {}, {}))
    url = receiver.url("/transcripts")
    with plivo_sdk_pointed_at(server.url):
        client = plivo.RestClient(MAIN.auth_id, MAIN.auth_token)
        calls = client.multi_party_calls
        started = calls.start_recording(friendly_name="standup", transcription_url=url)
        control.advance(75)
        calls.stop_recording(friendly_name="standup")
        control.advance(4)  # the file is processed (Completed, 3-3.5 s): the transcription is ordered
        assert receiver.received == []
        with pytest.raises(plivo.exceptions.ResourceNotFoundError):
            client.transcriptions.get_transcription("0d1f5d1c-0000-11ec-8000-000000000000")
        pending = client.transcriptions.get_transcription(started.recording_id)
        assert (pending.status, pending.transcription, pending.cost) == ("in-progress", None, 0)
        control.advance(5)
        (posted,) = receiver.wait_for(1)
        assert posted.method == "POST" and set(posted.form) == TRANSCRIPTION_KEYS
        assert_signed(posted, url)
        got = client.transcriptions.get_transcription(started.recording_id)
        assert got.status == "success"
        assert (got.recording_duration_ms, got.cost, got.rate) == (75000, 0.1, 0.05), "two started minutes"
        assert got.transcription == posted.form["transcription"]
        assert got.transcription.startswith("\nSpeaker 0: ")
        assert {line.split(":")[0] for line in got.transcription.strip().split("\n")} <= {
            "Speaker 0",
            "Speaker 1",
            "Speaker 2",
        }, "three members, three voices at most"
        assert posted.form["duration"] == "75" and posted.form["transcription_charge"] == "0.10000"
        assert posted.form["recording_id"] == started.recording_id and posted.form["call_uuid"] == ""
        raw = client.transcriptions.get_transcription(started.recording_id, type="raw")
        assert raw.transcription[0]["start_ms"] == 0 and raw.transcription[-1]["end_ms"] == 75000
        assert (
            "".join(f"\nSpeaker {u['speaker']}: {u['text']}" for u in raw.transcription) == got.transcription
        )
        deleted = client.transcriptions.delete_transcription(started.recording_id)
        assert deleted.message == "request accepted"
        with pytest.raises(plivo.exceptions.ResourceNotFoundError):
            client.transcriptions.get_transcription(started.recording_id)
        # Ordered again through the resource, with a callback URL of its own.
        ordered = client.transcriptions.create_transcription(started.recording_id, url)
        assert ordered.message == "transcription in progress"
        control.advance(5)
        assert len(receiver.wait_for(2)) == 2
        again = client.transcriptions.get_transcription(started.recording_id)
        assert again.transcription == got.transcription, "the same recording reads the same"


def test_a_participant_track_is_one_voice_with_its_call(harness: Harness) -> None:
    h = harness
    member = h.api.seed_mpc("standup", ({"call_uuid": "c0ffee00-0000-4000-8000-000000000001"}, {}))
    member_id = member["participants"][0]["member_id"]
    started = h.start(
        path=f"Participant/{member_id}/Record/",
        transcription_url=h.receiver.url("/t"),
        record_track_type="participant",
    )
    h.advance(30)
    h.call(
        "DELETE",
        f"MultiPartyCall/name_standup/Participant/{member_id}/Record/",
        record_track_type="participant",
    )
    h.advance(9)
    posted = [r for r in h.receiver.received if r.url_path == "/t"]
    assert len(posted) == 1
    form = posted[0].form
    assert form["call_uuid"] == "c0ffee00-0000-4000-8000-000000000001"
    assert {line.split(":")[0] for line in form["transcription"].strip().split("\n")} == {"Speaker 0"}
    assert transcription_of(h, started["recording_id"])["transcription"] == form["transcription"]
    (shown,) = h.control.state(MAIN.auth_id)["transcriptions"]
    assert (shown["recording_id"], shown["status"], shown["member_id"]) == (
        started["recording_id"],
        "success",
        member_id,
    )
    assert shown["transcription_url"] == h.receiver.url("/t") and shown["duration_ms"] == 30000


def test_transcript_true_without_a_url_is_only_in_the_resource(harness: Harness) -> None:
    h = harness
    h.api.seed_mpc("standup")
    quiet = h.start(url=h.receiver.url("/rec"), transcript=True)["recording_id"]
    h.advance(20)
    h.call("DELETE", "MultiPartyCall/name_standup/Record/")
    h.advance(10)
    assert transcription_of(h, quiet)["status"] == "success"
    assert [r.params["EventName"] for r in h.receiver.received].count("MPCRecordingCompleted") == 1
    assert all(r.url_path == "/rec" for r in h.receiver.received)
    plain = h.start()["recording_id"]
    h.advance(20)
    h.call("DELETE", "MultiPartyCall/name_standup/Record/")
    h.advance(10)
    assert_plivo_error(h.api.get(f"Transcription/{plain}/"), 404, plain)


def test_a_scenario_makes_it_fail_and_sets_its_delay(receiver: Receiver, tmp_path: Path) -> None:
    scenario = (
        "name: garbled\nmatch:\n  mpc_name: garbled*\n"
        "transcription:\n  delay: 30\n  fail: Recording file size too large for transcription\n"
    )
    with harness_for(receiver, tmp_path, scenario) as h:
        h.api.seed_mpc("garbled-1")
        started = h.start("garbled-1", transcription_url=receiver.url("/t"))
        h.advance(10)
        h.call("DELETE", "MultiPartyCall/name_garbled-1/Record/")
        h.advance(3 + 29)  # Completed 3 s after the stop, no jitter here
        assert not [r for r in receiver.received if r.url_path == "/t"]
        h.advance(1)
        (failed,) = [r for r in receiver.received if r.url_path == "/t"]
        assert failed.form["error"] == "Recording file size too large for transcription"
        assert (failed.form["transcription"], failed.form["transcription_charge"]) == ("", "0.00000")
        body = transcription_of(h, started["recording_id"])
        assert (body["status"], body["transcription"], body["cost"]) == ("failed", None, 0)
        assert body["error"] == failed.form["error"]
        (entry,) = h.journal(event="TranscriptionFailed")
        assert entry["state"] == "delivered"


def test_too_short_a_recording_fails_as_the_docs_limit_it(harness: Harness) -> None:
    h = harness
    h.api.seed_mpc("standup")
    started = h.start(transcription_url=h.receiver.url("/t"))
    h.call("DELETE", "MultiPartyCall/name_standup/Record/")  # nothing recorded
    h.advance(10)
    assert transcription_of(h, started["recording_id"])["error"] == TOO_SHORT


def test_the_resource_as_plivo_go_calls_it_and_its_errors(harness: Harness) -> None:
    h = harness
    h.api.seed_mpc("standup")
    recording_id = h.start()["recording_id"]
    h.advance(12)
    assert_plivo_error(h.api.post(f"Transcription/{recording_id}/", {}), 404, "not found")
    h.call("DELETE", "MultiPartyCall/name_standup/Record/")
    h.advance(4)
    path = f"Transcription/{recording_id}/"
    assert_plivo_error(
        h.api.post(path, {"transcription_callback_url": "ftp://x"}), 400, "transcription_callback_url"
    )
    assert_plivo_error(h.api.post(path, {"recording_id": "another"}), 400, "recording_id")
    assert_plivo_error(h.api.get(path), 404)  # nothing ordered yet, and the refusals ordered nothing
    created = h.api.post(path, {"transcription_callback_url": h.receiver.url("/t")})  # go: this key only
    assert created.status_code == 201 and created.json()["message"] == "transcription in progress"
    assert h.api.post(path, {}).status_code == 201, "ordering again while in progress keeps the first"
    h.advance(5)
    assert len([r for r in h.receiver.received if r.url_path == "/t"]) == 1
    raw = h.api.get(path, params={"type": "raw"}).json()
    assert isinstance(raw["transcription"], list) and raw["status"] == "success"
    assert_plivo_error(h.api.get(path, params={"type": "fancy"}), 400, "type")
    assert_plivo_error(h.api.get(path, params={"transcription_id": "x"}), 400, "transcription_id")
    assert h.api.get(path, params={"transcription_id": recording_id, "type": "raw"}).status_code == 200
    assert h.api.delete(f"Recording/{recording_id}/").status_code == 204
    assert_plivo_error(h.api.get(path), 404)  # the recording is gone, and its transcription with it


def test_the_text_is_seeded_and_covers_the_recording() -> None:
    first = utterances(7, "rec-1", 95_000, 3)
    assert first == utterances(7, "rec-1", 95_000, 3)
    assert first != utterances(8, "rec-1", 95_000, 3)
    assert first[0].start_ms == 0 and first[-1].end_ms == 95_000
    assert all(a.end_ms == b.start_ms for a, b in itertools.pairwise(first))
    assert {u.speaker for u in first} <= {0, 1, 2} and len({u.speaker for u in first}) > 1
    assert {u.speaker for u in utterances(7, "rec-1", 95_000, 1)} == {0}


def test_the_shipped_scenario_fails_them(harness: Harness) -> None:
    h = harness
    h.api.seed_mpc("untranscribable-1")
    started = h.start("untranscribable-1", transcription_url=h.receiver.url("/t"))
    h.advance(10)
    h.call("DELETE", "MultiPartyCall/name_untranscribable-1/Record/")
    h.advance(3 + 9)  # Completed 3 s after the stop, then ten
    assert transcription_of(h, started["recording_id"])["status"] == "in-progress"
    h.advance(1)
    (failed,) = [r for r in h.receiver.received if r.url_path == "/t"]
    assert failed.form["error"] == "Recording file size too large for transcription"
