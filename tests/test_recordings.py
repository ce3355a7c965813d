"""The Recording resource and the audio behind every recording_url."""

from __future__ import annotations

import io
import re
import sys
import wave
from datetime import datetime

import plivo
import pytest
from mutagen.mp3 import MP3
from plivo import exceptions

from emulator.media import files, media_for
from emulator.sdk import plivo_sdk_pointed_at
from tests.callback_helpers import Harness, harness_for, live_mpc
from tests.helpers import MAIN, StartServer, assert_plivo_error
from tests.receiver import Receiver

RECORDING_KEYS = {
    "add_time",
    "call_uuid",
    "conference_name",
    "from_number",
    "monthly_recording_storage_amount",
    "recording_duration_ms",
    "recording_end_ms",
    "recording_format",
    "recording_id",
    "recording_start_ms",
    "recording_storage_duration",
    "recording_storage_rate",
    "recording_type",
    "recording_url",
    "resource_uri",
    "rounded_recording_duration",
    "to_number",
}
START_MS = datetime.fromisoformat("2026-03-01T09:00:00+00:00").timestamp() * 1000


@pytest.fixture
def h(harness: Harness) -> Harness:
    return harness


def record(h: Harness, seconds: float, name: str = "standup", path: str = "Record/", **body: object) -> dict:
    """A recording of ``seconds``, stopped; its Completed moment not yet reached."""
    started = h.start(name, path=path, **body)
    h.advance(seconds)
    h.call(
        "DELETE",
        f"MultiPartyCall/name_{name}/{path}",
        **({"record_track_type": "all"} if "Participant" in path else {}),
    )
    return started


def test_a_recording_appears_when_its_file_is_processed(h: Harness) -> None:
    h.api.seed_mpc("standup", stay_alone=True)
    started = record(h, 75.25)
    rid = started["recording_id"]
    assert_plivo_error(h.api.get(f"Recording/{rid}/"), 404, f"recording '{rid}' not found")
    h.advance(4)  # the default scenario's Completed comes 3-3.5 s after the stop
    body = h.api.get(f"Recording/{rid}/").json()
    assert set(body) == RECORDING_KEYS | {"api_id"}
    assert body["recording_id"] == rid and body["recording_url"] == started["recording_url"]
    assert body["resource_uri"] == f"/v1/Account/{MAIN.auth_id}/Recording/{rid}/"
    assert (body["recording_format"], body["recording_type"], body["conference_name"]) == (
        "mp3",
        "conference",
        None,
    )
    assert body["recording_duration_ms"] == "75250.00000"
    assert body["recording_start_ms"] == f"{START_MS:.5f}"
    assert body["recording_end_ms"] == f"{START_MS + 75250:.5f}"
    assert body["rounded_recording_duration"] == 120
    assert (body["recording_storage_rate"], body["monthly_recording_storage_amount"]) == (0.0004, 0.0)
    assert body["recording_storage_duration"] == 1, "Plivo: minimum 1, on the day it is added"
    completed = h.journal(event="MPCRecordingCompleted")[0]
    assert body["add_time"] == datetime.fromisoformat(completed["due"]).strftime("%Y-%m-%d %H:%M:%S.%f+00:00")
    assert (body["call_uuid"], body["from_number"], body["to_number"]) == (None, None, None)


def test_storage_is_free_for_90_days_then_billed_at_the_month_end(h: Harness) -> None:
    """Plivo support: storage is charged on the last day of each month, for files stored over 90 days."""
    h.api.seed_mpc("standup", stay_alone=True)
    rid = record(h, 75)["recording_id"]
    h.advance(4)  # added on 2026-03-01: storage day 91 is 2026-05-30, billed on 2026-05-31
    old = h.api.get("Recording/", params={"recording_storage_duration__gt": 90})
    assert old.json()["objects"] == [], "days of storage replace the 7-day window, and none is that old"

    def seen() -> tuple[int, float]:
        body = h.api.get(f"Recording/{rid}/").json()
        return body["recording_storage_duration"], body["monthly_recording_storage_amount"]

    h.advance(89 * 86400)
    assert seen() == (90, 0.0)
    h.advance(86400)  # 2026-05-30
    assert seen() == (91, 0.0), "past 90 days, but no month-end yet"
    h.advance(86400)  # 2026-05-31
    assert seen() == (92, 0.0008), "0.0004 per rounded minute (two here)"
    listed = h.api.get("Recording/", params={"recording_storage_duration__gt": 90}).json()["objects"]
    assert [o["recording_id"] for o in listed] == [rid]
    both = h.api.get(
        "Recording/", params={"recording_storage_duration__gt": 90, "add_time__gt": "2026-03-01 00:00"}
    )
    assert_plivo_error(both, 400, "not both")


def test_participant_recordings_carry_the_members_call(h: Harness) -> None:
    created = h.api.seed_mpc("standup", stay_alone=True)
    member = next(p for p in created["participants"] if p["member_id"] == "10")
    started = record(h, 30, path="Participant/10/Record/")
    h.advance(5)
    body = h.api.get(f"Recording/{started['recording_id']}/").json()
    assert body["call_uuid"] == member["call_uuid"] and body["to_number"] == member["member_address"]
    assert body["from_number"].isdigit()


def test_listing_filters_and_pages(h: Harness) -> None:
    ids: dict[str, list[str]] = {}
    for name in ("alpha", "beta"):
        h.api.seed_mpc(name, stay_alone=True)
        ids[name] = [record(h, 10 + i, name)["recording_id"] for i in range(3)]
    h.advance(5)
    everything = h.api.get("Recording/").json()
    assert everything["meta"]["total_count"] == 6 and everything["meta"]["next"] is None
    assert [o["recording_id"] for o in everything["objects"]] == list(reversed(ids["alpha"] + ids["beta"])), (
        "newest first"
    )
    alpha = h.api.get("Recording/", params={"mpc_name": "alpha"}).json()["objects"]
    assert sorted(o["recording_id"] for o in alpha) == sorted(ids["alpha"])
    page = h.api.get("Recording/", params={"limit": 4}).json()
    assert len(page["objects"]) == 4
    assert page["meta"]["next"] == f"/v1/Account/{MAIN.auth_id}/Recording/?limit=4&offset=4"
    assert h.api.get("Recording/", params={"conference_name": "x"}).json()["objects"] == []
    assert h.api.get("Recording/", params={"recording_storage_duration__gte": 2}).json()["objects"] == []
    assert (
        h.api.get("Recording/", params={"recording_storage_duration": 1}).json()["meta"]["total_count"] == 6
    )
    window = h.api.get(
        "Recording/", params={"add_time__gte": "2026-03-01 09:00", "add_time__lt": "2026-03-02 09:00"}
    )
    assert window.json()["meta"]["total_count"] == 6


def test_listing_is_newest_first_and_only_covers_a_week_by_default(h: Harness) -> None:
    h.api.seed_mpc("standup", stay_alone=True)
    first = record(h, 5)["recording_id"]
    h.advance(60)
    second = record(h, 5)["recording_id"]
    h.advance(60)
    assert [o["recording_id"] for o in h.api.get("Recording/").json()["objects"]] == [second, first]
    h.advance(8 * 24 * 3600)
    assert h.api.get("Recording/").json()["objects"] == [], "older than 7 days: only with an add_time filter"
    old = h.api.get("Recording/", params={"add_time__gte": "2026-02-20 00:00"}).json()["objects"]
    assert [o["recording_id"] for o in old] == [second, first]
    assert old[0]["recording_storage_duration"] == 9, "eight whole days after the day it was added"
    assert h.api.get(f"Recording/{first}/").status_code == 200, "a recording is found by id whatever its age"


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ({"add_time__gt": "2026-01-01 00:00", "add_time__lt": "2026-03-01 00:00"}, "at most 30 days"),
        ({"add_time__gt": "last week"}, "YYYY-MM-DD HH:MM"),
        ({"limit": 25}, "between 1 and 20"),
        ({"recording_storage_duration": "-3"}, "at least 0"),
        ({"recording_storage_duration__gt": "many"}, "must be an integer"),
    ],
)
def test_listing_validation(h: Harness, query: dict, fragment: str) -> None:
    assert_plivo_error(h.api.get("Recording/", params=query), 400, fragment)


def test_delete(h: Harness) -> None:
    h.api.seed_mpc("standup", stay_alone=True)
    rid = record(h, 5)["recording_id"]
    h.advance(5)
    response = h.api.delete(f"Recording/{rid}/")
    assert response.status_code == 204 and response.content == b""
    assert_plivo_error(h.api.get(f"Recording/{rid}/"), 404)
    assert_plivo_error(h.api.delete(f"Recording/{rid}/"), 404)
    assert h.api.get("Recording/").json()["objects"] == []
    assert_plivo_error(h.api.client.get(f"/v1/Account/{MAIN.auth_id}/Recording/{rid}.mp3"), 404)


def test_failed_and_live_recordings_are_not_listed(h: Harness) -> None:
    h.api.seed_mpc("fail-demo", stay_alone=True)
    failed = h.start("fail-demo")["recording_id"]
    h.api.seed_mpc("standup", stay_alone=True)
    live = h.start()["recording_id"]
    h.advance(60)
    for rid in (failed, live):
        assert_plivo_error(h.api.get(f"Recording/{rid}/"), 404)
    assert h.api.get("Recording/").json()["objects"] == []


def test_accounts_see_only_their_recordings(h: Harness) -> None:
    from tests.helpers import OTHER

    h.api.seed_mpc("standup", stay_alone=True)
    rid = record(h, 5)["recording_id"]
    h.advance(5)
    other = h.api.as_account(OTHER)
    assert_plivo_error(other.get(f"Recording/{rid}/"), 404)
    assert other.get("Recording/").json()["objects"] == []


# ------------------------------------------------------------------------- media


def fetch(h: Harness, url: str, **kwargs: object):
    return h.api.client.get(url.replace("http://testserver", ""), **kwargs)


def test_wav_has_the_recorded_duration(h: Harness) -> None:
    h.api.seed_mpc("standup", stay_alone=True)
    started = h.start(file_format="wav")
    h.advance(4.5)
    h.call("POST", "MultiPartyCall/name_standup/Record/Pause/")
    h.advance(100)  # paused: not in the file
    h.call("POST", "MultiPartyCall/name_standup/Record/Resume/")
    h.advance(3)
    h.call("DELETE", "MultiPartyCall/name_standup/Record/")
    h.advance(5)
    response = fetch(h, started["recording_url"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "audio/wav"
    assert int(response.headers["content-length"]) == len(response.content) == 44 + 7.5 * 8000 * 2
    with wave.open(io.BytesIO(response.content)) as audio:
        assert (audio.getnchannels(), audio.getsampwidth(), audio.getframerate()) == (1, 2, 8000)
        assert audio.getnframes() / audio.getframerate() == 7.5
        samples = audio.readframes(800)
    assert any(samples), "it is not silence: each second starts with a beep"


def test_mp3_has_the_recorded_duration(h: Harness) -> None:
    h.api.seed_mpc("standup", stay_alone=True)
    started = record(h, 125)
    h.advance(5)
    response = fetch(h, started["recording_url"])
    assert response.status_code == 200 and response.headers["content-type"] == "audio/mpeg"
    info = MP3(io.BytesIO(response.content)).info
    assert (info.sample_rate, info.channels, info.bitrate) == (8000, 1, 16000)
    assert 125 <= info.length < 125.072, "whole 72 ms frames covering the recording"
    assert response.content[:2] == b"\xff\xe3"


@pytest.mark.parametrize("file_format", ["wav", "mp3"])
def test_a_members_all_track_has_two_channels_and_its_participant_track_one(
    h: Harness, file_format: str
) -> None:
    """Plivo: ``all`` is "multi-channel recording for the specified participant", ``participant``
    "single-track": the member on the first channel, the rest of the call on the second."""
    h.api.seed_mpc("standup", ("10", "11"), stay_alone=True)
    path = "Participant/10/Record/"
    both = h.start(path=path, file_format=file_format, record_track_type="both")
    mpc = h.start(file_format=file_format)
    h.advance(12)
    h.call("DELETE", f"MultiPartyCall/name_standup/{path}", record_track_type="both")
    h.call("DELETE", "MultiPartyCall/name_standup/Record/")
    h.advance(5)
    tracks = {
        r["record_track_type"]: r for r in h.control.state(MAIN.auth_id)["recordings"] if r["member_id"]
    }
    assert tracks["all"]["recording_id"] == both["recording_id"]
    channels = {}
    for name, url in (
        ("all", both["recording_url"]),
        (
            "participant",
            both["recording_url"].replace(both["recording_id"], tracks["participant"]["recording_id"]),
        ),
        ("mpc", mpc["recording_url"]),
    ):
        content = fetch(h, url).content
        if file_format == "mp3":
            info = MP3(io.BytesIO(content)).info
            channels[name] = info.channels
            assert 12 <= info.length < 12.072
        else:
            with wave.open(io.BytesIO(content)) as audio:
                channels[name] = audio.getnchannels()
                assert audio.getnframes() == 12 * 8000
                frames = audio.readframes(8000)
            if name == "all":
                left = [
                    int.from_bytes(frames[i : i + 2], "little", signed=True) for i in range(0, len(frames), 4)
                ]
                right = [
                    int.from_bytes(frames[i + 2 : i + 4], "little", signed=True)
                    for i in range(0, len(frames), 4)
                ]
                assert any(left[:800]) and not any(left[4000:]), (
                    "the member beeps at the start of each second"
                )
                assert any(right[4000:4800]) and not any(right[:4000]), "the others half-way through it"
    assert channels == {"all": 2, "participant": 1, "mpc": 1}


def test_media_byte_ranges_and_head(h: Harness) -> None:
    h.api.seed_mpc("standup", stay_alone=True)
    started = record(h, 20, file_format="wav")
    h.advance(5)
    url = started["recording_url"]
    whole = fetch(h, url).content
    part = fetch(h, url, headers={"Range": "bytes=40-1039"})
    assert part.status_code == 206 and part.content == whole[40:1040]
    assert part.headers["content-range"] == f"bytes 40-1039/{len(whole)}"
    tail = fetch(h, url, headers={"Range": "bytes=-100"})
    assert tail.status_code == 206 and tail.content == whole[-100:]
    rest = fetch(h, url, headers={"Range": f"bytes={len(whole) - 10}-"})
    assert rest.content == whole[-10:]
    assert fetch(h, url, headers={"Range": "bytes=0-1,5-6"}).status_code == 200, (
        "several ranges: the whole file"
    )
    unsatisfiable = fetch(h, url, headers={"Range": f"bytes={len(whole)}-"})
    assert_plivo_error(unsatisfiable, 416, "outside the file")
    assert unsatisfiable.headers["content-range"] == f"bytes */{len(whole)}"
    head = h.api.client.head(url.replace("http://testserver", ""))
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(whole)) and head.headers["accept-ranges"] == "bytes"


def test_media_errors(h: Harness) -> None:
    h.api.seed_mpc("standup", stay_alone=True)
    started = record(h, 5)
    url = started["recording_url"].replace("http://testserver", "")
    assert_plivo_error(h.api.client.get(url), 404), "not processed yet"
    h.advance(5)
    assert h.api.client.get(url).status_code == 200, "public: no credentials needed by default"
    assert_plivo_error(h.api.client.get(url.replace(".mp3", ".wav")), 404, "is a mp3 file")
    assert_plivo_error(h.api.client.get(url.replace(MAIN.auth_id, "MANOBODY000000000000")), 404)
    refused = h.api.client.post(url)
    assert_plivo_error(refused, 405, "not allowed on a recording file")
    assert refused.headers["allow"] == "GET, HEAD"


def test_media_auth_option(receiver: Receiver) -> None:
    with harness_for(receiver, media_auth=True) as h:
        h.api.seed_mpc("standup", stay_alone=True)
        started = record(h, 5)
        h.advance(5)
        url = started["recording_url"].replace("http://testserver", "")
        assert_plivo_error(h.api.client.get(url), 401, "credentials were not provided")
        assert h.api.client.get(url, auth=(MAIN.auth_id, MAIN.auth_token)).status_code == 200


def test_callback_urls_resolve(h: Harness) -> None:
    h.api.seed_mpc("standup", stay_alone=True)
    record(h, 12, file_format="wav")
    h.advance(5)
    completed = h.receiver.received[-1].form
    audio = fetch(h, completed["RecordingURL"])
    assert audio.status_code == 200 and len(audio.content) == 44 + 12 * 8000 * 2
    resource = h.api.client.get(
        completed["RecordingResourceURL"].replace("http://testserver", ""),
        auth=(MAIN.auth_id, MAIN.auth_token),
    )
    assert resource.json()["recording_duration_ms"] == "12000.00000"


def test_mp3_without_an_encoder_is_silent_but_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    files.mp3_block.cache_clear()
    monkeypatch.setitem(sys.modules, "lameenc", None)
    try:
        audio = media_for("mp3", 10)
        blob = audio.read(0, audio.size)
        assert MP3(io.BytesIO(blob)).info.length == pytest.approx(139 * 0.072), "whole frames covering 10 s"
        assert blob[4:144] == bytes(140), "silent frames"
        stereo = media_for("mp3", 10, channels=2)
        assert MP3(io.BytesIO(stereo.read(0, stereo.size))).info.channels == 2
    finally:
        files.mp3_block.cache_clear()


def test_media_reads_anywhere_without_building_the_file() -> None:
    hour = media_for("wav", 3600)
    assert hour.size == 44 + 3600 * 8000 * 2
    second = hour.read(44 + 16000 * 1800, 16000)
    assert second == hour.read(44, 16000), "the signal repeats every second"
    assert hour.read(hour.size - 5, 100) == hour.read(hour.size - 5, 5) and len(hour.read(hour.size, 10)) == 0


def test_the_sdk_reads_and_deletes_recordings(receiver: Receiver, start_server: StartServer) -> None:
    server = start_server(speed=50)
    with plivo_sdk_pointed_at(server.url):
        live_mpc(server, "standup")
        client = plivo.RestClient(MAIN.auth_id, MAIN.auth_token)
        mpcs = client.multi_party_calls
        started = mpcs.start_recording(friendly_name="standup", recording_callback_url=receiver.url())
        mpcs.stop_recording(friendly_name="standup")
        # The file is listed once Completed is sent: wait for that instead of sleeping.
        server.control().wait_for_callbacks(event="MPCRecordingCompleted")
        mpc_uuid = mpcs.get(friendly_name="standup").mpc_uuid
        (listed,) = client.recordings.list(mpc_uuid=mpc_uuid).objects
        assert listed.recording_id == started.recording_id
        got = client.recordings.get(started.recording_id)
        assert got.recording_url == started.recording_url and got.recording_type == "conference"
        assert client.recordings.delete(started.recording_id) is None
        with pytest.raises(exceptions.ResourceNotFoundError):
            client.recordings.get(started.recording_id)


def test_milliseconds_are_whole_as_in_every_fixture(h: Harness) -> None:
    h.api.seed_mpc("standup", stay_alone=True)
    h.advance(0.2504)  # the recording starts a fraction of a millisecond past a whole one
    started = record(h, 10.0007)
    h.advance(4)
    body = h.api.get(f"Recording/{started['recording_id']}/").json()
    for key in ("recording_duration_ms", "recording_start_ms", "recording_end_ms"):
        assert re.fullmatch(r"\d+\.00000", body[key]), (key, body[key])
    assert body["recording_duration_ms"] == "10001.00000"
