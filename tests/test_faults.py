"""Provider-side faults: injected 5xx, 429 and latency, as clients must survive them from Plivo."""

from __future__ import annotations

import time
from collections.abc import Iterator

import plivo
import pytest
from plivo import exceptions

from emulator import ThreadedServer
from emulator.sdk import plivo_sdk_pointed_at
from emulator.testing import EmulatorControl, EmulatorError
from tests.helpers import MAIN, OTHER, PlivoHTTP, assert_plivo_error, real_server


@pytest.fixture(scope="module")
def server() -> Iterator[ThreadedServer]:
    server = real_server(clock="manual")
    yield server
    server.stop()


@pytest.fixture
def control(server: ThreadedServer) -> EmulatorControl:
    control = server.control()
    control.reset()
    control.create_mpc(MAIN.auth_id, "standup", stay_alone=True)
    return control


@pytest.fixture
def client(server: ThreadedServer) -> Iterator[plivo.RestClient]:
    with plivo_sdk_pointed_at(server.url):
        yield plivo.RestClient(MAIN.auth_id, MAIN.auth_token)


def recordings(control: EmulatorControl) -> list[dict]:
    return control.state(MAIN.auth_id)["recordings"]


def test_the_sdk_retries_through_two_server_errors(
    control: EmulatorControl, client: plivo.RestClient, capsys: pytest.CaptureFixture
) -> None:
    control.inject_fault("MultiPartyCall/*/Record/", status=500, times=2, method="POST")
    started = client.multi_party_calls.start_recording(friendly_name="standup")
    assert capsys.readouterr().out.count("Fallback for URL") == 2, "plivo-python retried twice"
    assert [r["recording_id"] for r in recordings(control)] == [started.recording_id], "started exactly once"
    assert control.faults() == [], "the spent rule is gone"


def test_a_third_server_error_reaches_the_caller(control: EmulatorControl, client: plivo.RestClient) -> None:
    control.inject_fault("MultiPartyCall/*/Record/", status=500, times=3, error="media server unavailable")
    with pytest.raises(exceptions.PlivoServerError, match="media server unavailable"):
        client.multi_party_calls.start_recording(friendly_name="standup")
    assert recordings(control) == [], "a failed request changes nothing"


def test_rate_limits_and_filters(control: EmulatorControl, server: ThreadedServer) -> None:
    import requests

    session = requests.Session()
    session.auth = (MAIN.auth_id, MAIN.auth_token)
    api = f"{server.url}/v1/Account/{MAIN.auth_id}/"
    rule = control.inject_fault("MultiPartyCall/", status=429, times=0, method="GET", auth_id=MAIN.auth_id)
    assert (rule["remaining"], rule["method"]) == (None, "GET")
    for _ in range(3):
        limited = session.get(api + "MultiPartyCall/")
        assert limited.status_code == 429 and limited.headers["Retry-After"] == "1"
        assert set(limited.json()) == {"api_id", "error"}
    assert session.get(api + "MultiPartyCall/name_standup/").status_code == 200, "another path"
    other = requests.get(
        f"{server.url}/v1/Account/{OTHER.auth_id}/MultiPartyCall/", auth=(OTHER.auth_id, OTHER.auth_token)
    )
    assert other.status_code == 200, "another account"
    (listed,) = control.faults()
    assert listed["hits"] == 3
    control.clear_faults()
    assert session.get(api + "MultiPartyCall/").status_code == 200


def test_latency(control: EmulatorControl, server: ThreadedServer) -> None:
    import requests

    control.inject_fault("MultiPartyCall/*/", status=None, delay=0.3, method="GET")
    started = time.monotonic()
    answer = requests.get(
        f"{server.url}/v1/Account/{MAIN.auth_id}/MultiPartyCall/name_standup/",
        auth=(MAIN.auth_id, MAIN.auth_token),
    )
    assert answer.status_code == 200 and time.monotonic() - started >= 0.29


def test_faults_on_recording_files(
    control: EmulatorControl, client: plivo.RestClient, server: ThreadedServer
) -> None:
    import requests

    started = client.multi_party_calls.start_recording(friendly_name="standup")
    control.advance(5)
    client.multi_party_calls.stop_recording(friendly_name="standup")
    control.advance(5)
    control.inject_fault("Recording/*.mp3/", status=503)
    assert requests.get(started.recording_url).status_code == 503
    assert requests.get(started.recording_url).status_code == 200


def test_bad_rules_and_reset(control: EmulatorControl, server: ThreadedServer) -> None:
    for bad in ({"status": 200}, {"status": None, "delay": 0}, {"delay": -1}, {"times": -2}):
        with pytest.raises(EmulatorError) as caught:
            control.inject_fault("*", **bad)  # type: ignore[arg-type]
        assert caught.value.status == 400
    control.inject_fault(auth_id=MAIN.auth_id, times=0)
    control.inject_fault(auth_id=OTHER.auth_id, times=0)
    control.reset(MAIN.auth_id)
    assert [f["auth_id"] for f in control.faults()] == [OTHER.auth_id]
    control.reset()
    assert control.faults() == []


def test_faults_answer_before_auth(api: PlivoHTTP) -> None:
    api.client.post("/__emulator__/faults", json={"path": "MultiPartyCall/", "status": 502})
    assert_plivo_error(api.get("MultiPartyCall/", auth=None), 502, "injected fault: HTTP 502")
