"""The pytest plugin, used the way a user's test suite uses it (pytester runs a real pytest)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from emulator.pytest_plugin import account_for
from emulator.testing import CallbacksNotDelivered, EmulatorControl, EmulatorError
from tests.helpers import ACCOUNTS, MAIN, StartServer

pytest_plugins = ["pytester"]

RECEIVER = """
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@pytest.fixture
def receiver_url():
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/recording"
    server.shutdown()
"""

USER_TESTS = """
import pytest


def test_first_test_records(plivo_emulator, plivo_account, plivo_client, receiver_url):
    plivo_emulator.create_mpc(plivo_account.auth_id, "standup", stay_alone=True)
    mpcs = plivo_client.multi_party_calls
    started = mpcs.start_recording(friendly_name="standup", recording_callback_url=receiver_url)
    plivo_emulator.advance(5)
    mpcs.stop_recording(friendly_name="standup")
    plivo_emulator.advance(5)
    mine = plivo_account.auth_id
    completed = plivo_emulator.wait_for_callbacks(event="MPCRecordingCompleted", auth_id=mine)
    assert completed[0]["params"]["RecordingUUID"] == started.recording_id
    assert completed[0]["params"]["RecordingDuration"] == "5"
    assert plivo_client.recordings.get(started.recording_id).recording_duration_ms == "5000.00000"


def test_second_test_starts_empty(plivo_emulator, plivo_account, plivo_client):
    assert plivo_client.multi_party_calls.list().objects == []
    assert plivo_emulator.callbacks(auth_id=plivo_account.auth_id) == []
    plivo_emulator.create_mpc(plivo_account.auth_id, "standup")  # the same name, no clash


@pytest.mark.plivo_scenario("fails-midway")
def test_scenario_marker(plivo_emulator, plivo_account, plivo_client):
    plivo_emulator.create_mpc(plivo_account.auth_id, "standup", stay_alone=True)
    started = plivo_client.multi_party_calls.start_recording(friendly_name="standup")
    plivo_emulator.advance(30)
    (recording,) = plivo_emulator.state(plivo_account.auth_id)["recordings"]
    assert recording["recording_id"] == started.recording_id and recording["state"] == "failed"
"""


def run_user_suite(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    pytester.makeconftest(RECEIVER)
    pytester.makepyfile(test_user=USER_TESTS)
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *args)


def test_the_plugin_starts_an_emulator_and_isolates_tests(pytester: pytest.Pytester) -> None:
    result = run_user_suite(pytester)
    result.assert_outcomes(passed=3)


def test_the_plugin_can_use_a_running_emulator(pytester: pytest.Pytester, start_server: StartServer) -> None:
    server = start_server(clock="manual")
    result = run_user_suite(pytester, "--plivo-emulator-url", server.url)
    result.assert_outcomes(passed=3)
    accounts = server.control().accounts()
    assert len(accounts) == len(ACCOUNTS), "each test's account was removed when the test ended"


def test_the_plugin_settings_are_checked(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nplivo_emulator_clock = sundial\n")
    pytester.makepyfile(test_one="def test_one(plivo_emulator):\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["*plivo_emulator_clock = 'sundial': use manual or real*"])
    assert result.ret != 0


def test_accounts_for_tests_are_valid_and_stable() -> None:
    first = account_for("gw0:tests/test_x.py::test_a")
    assert re.fullmatch(r"MA[A-Z2-7]{18}", first.auth_id)
    assert first == account_for("gw0:tests/test_x.py::test_a")
    assert first.auth_id != account_for("gw1:tests/test_x.py::test_a").auth_id


def test_control_client_errors(start_server: StartServer) -> None:
    server = start_server(clock="manual")
    control = EmulatorControl(server.url)
    assert control.health()["status"] == "ok"
    with pytest.raises(EmulatorError) as caught:
        control.create_mpc("MANOBODY000000000000", "x")
    assert caught.value.status == 404 and "no account" in caught.value.error
    control.create_mpc(MAIN.auth_id, "standup", members=("10", {"member_id": "11", "role": "customer"}))
    assert [m["friendly_name"] for m in control.state(MAIN.auth_id)["mpcs"]] == ["standup"]
    with pytest.raises(CallbacksNotDelivered, match="the journal has: nothing"):
        control.wait_for_callbacks(event="MPCRecordingCompleted", timeout=0.2)
    assert control.clock()["mode"] == "manual" and control.scenarios()["default"] == "default"
    control.reset()
    assert control.state(MAIN.auth_id)["mpcs"] == []


SHARED_TESTS = """
import pytest
from plivo import exceptions


@pytest.mark.parametrize("n", range(6))
def test_a_minute_is_a_minute(plivo_emulator, plivo_account, plivo_client, receiver_url, n):
    plivo_emulator.create_mpc(plivo_account.auth_id, "standup", stay_alone=True)
    mpcs = plivo_client.multi_party_calls
    started = mpcs.start_recording(friendly_name="standup", recording_callback_url=receiver_url)
    plivo_emulator.advance(60 + n)  # this account's time only, whatever the other worker does
    mpcs.stop_recording(friendly_name="standup")
    plivo_emulator.advance(5)
    (done,) = plivo_emulator.callbacks(event="MPCRecordingCompleted", auth_id=plivo_account.auth_id)
    assert done["state"] == "delivered" and done["params"]["RecordingDuration"] == str(60 + n)
    assert done["params"]["EventTimestamp"] == done["params"]["RecordingEndTime"], "it occurred at the stop"
    start, end = done["params"]["RecordingStartTime"], done["params"]["RecordingEndTime"]
    assert (start[11:19], end[11:19]) == ("09:00:00", f"09:01:{n:02d}")
    got = plivo_client.recordings.get(started.recording_id)
    assert got.recording_duration_ms == f"{(60 + n) * 1000}.00000"


@pytest.mark.parametrize("n", range(3))
def test_a_fault_stays_in_its_test(plivo_emulator, plivo_account, plivo_client, n):
    assert not [f for f in plivo_emulator.faults() if f["auth_id"] in (None, plivo_account.auth_id)]
    plivo_emulator.inject_fault("MultiPartyCall/", status=400, times=0)  # until removed: with the test
    with pytest.raises(exceptions.ValidationError):
        plivo_client.multi_party_calls.list()
"""


def test_workers_sharing_one_emulator_keep_their_own_time(
    pytester: pytest.Pytester, start_server: StartServer
) -> None:
    """Two pytest-xdist workers on one emulator (manual clock), every test advancing its own account:
    every duration and timestamp exact, and no fault reaching another test, in 20 runs."""
    server = start_server(clock="manual", clock_start=datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    pytester.makeconftest(RECEIVER)
    pytester.makepyfile(test_shared=SHARED_TESTS)
    for run in range(20):
        result = pytester.runpytest_subprocess(
            "-p", "no:cacheprovider", "-p", "xdist", "-n", "2", "--plivo-emulator-url", server.url
        )
        assert result.ret == 0, (run, result.stdout.str()[-3000:])
        result.assert_outcomes(passed=9)
    assert not server.control().faults(), "every fault went with its test"
