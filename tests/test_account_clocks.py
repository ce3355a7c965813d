"""A clock per account: advancing one account moves its time alone, fires its jobs alone, and gives the
same bytes whatever other accounts do."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from emulator.domain.values import MAX_DURATION_REACHED
from emulator.testing import EmulatorError
from tests.callback_helpers import Harness, due_seconds, harness_for, plivo_seconds
from tests.helpers import MAIN, OTHER, PlivoHTTP, assert_plivo_error, in_process
from tests.receiver import Receiver

NOBODY = "MANOBODY000000000000"


def record_a_minute(h: Harness, api: PlivoHTTP, name: str, auth_id: str) -> dict[str, Any]:
    """Start, a minute on the account's own clock, stop, and the Completed callback's parameters."""
    api.seed_mpc(name, ("10", "11"), stay_alone=True)
    started = api.post(
        f"MultiPartyCall/name_{name}/Record/", {"recording_callback_url": h.receiver.url()}
    ).json()
    h.control.advance(60, auth_id)
    assert api.delete(f"MultiPartyCall/name_{name}/Record/").status_code == 204
    h.control.advance(5, auth_id)
    (completed,) = h.control.callbacks(recording_id=started["recording_id"], event="MPCRecordingCompleted")
    return completed


def test_advancing_one_account_leaves_the_others_time_alone(receiver: Receiver) -> None:
    with harness_for(receiver) as h:
        main, other = h.api, h.api.as_account(OTHER)
        other.seed_mpc("theirs", ("10", "11"), stay_alone=True)
        other.post("MultiPartyCall/name_theirs/Record/", {"recording_callback_url": receiver.url()})
        done = record_a_minute(h, main, "mine", MAIN.auth_id)
        assert done["params"]["RecordingDuration"] == "60" and done["state"] == "delivered"
        assert plivo_seconds(done["params"]["EventTimestamp"]) == 60, "it occurred at the stop"
        assert due_seconds(done) == 63, "sent 3 s later, on the account's own clock"
        assert h.control.clock(MAIN.auth_id)["ahead"] == 65
        assert h.control.clock(OTHER.auth_id)["ahead"] == 0 and h.control.clock()["now"].startswith(
            "2026-03-01T09:00:00"
        ), "the emulator's clock and the other account's stand still"
        assert [c["state"] for c in h.control.callbacks(auth_id=OTHER.auth_id)] == ["pending"], (
            "the other account's Initiated callback, due in 1 s of its own time, has not gone out"
        )
        theirs = other.get("MultiPartyCall/name_theirs/").json()
        assert theirs["start_time"] == "2026-03-01 09:00:00+00:00"
        assert main.get("MultiPartyCall/name_mine/").json()["end_time"] is None
        # Then the emulator's clock moves everyone: the other account catches up, mine stays ahead.
        moved = h.control.advance(2, everyone=True)
        assert moved["now"].startswith("2026-03-01T09:00:02") and moved["attempted"] == 1
        assert h.control.clock(MAIN.auth_id)["now"].startswith("2026-03-01T09:01:07")


def test_an_accounts_timers_and_retries_run_on_its_own_clock(receiver: Receiver, tmp_path: Any) -> None:
    scenario = "name: short\nmatch: {mpc_name: 'short*'}\nmpc: {max_duration: 600}\n"
    with harness_for(receiver, tmp_path, scenario) as h:
        h.api.seed_mpc("short-call", ("10", "11"), stay_alone=True)
        h.api.as_account(OTHER).seed_mpc("short-theirs", ("10", "11"), stay_alone=True)
        h.control.advance(600, MAIN.auth_id)
        assert h.api.get("MultiPartyCall/name_short-call/").status_code == 404, "ended at its max_duration"
        mine = h.api.get("MultiPartyCall/", params={"friendly_name": "short-call"}).json()["objects"][0]
        expected = (MAX_DURATION_REACHED.code, "2026-03-01 09:10:00+00:00")
        assert (mine["termination_cause_code"], mine["end_time"]) == expected
        theirs = h.api.as_account(OTHER).get("MultiPartyCall/name_short-theirs/").json()
        assert theirs["status"] == "Active", "another account's max_duration timer did not fire"
        # A failing receiver: retries come 1, 2 and 4 s later on the account's own clock.
        receiver.answer(lambda n, path: (500 if n <= 3 else 200, 0.0))
        h.api.seed_mpc("retried", ("10", "11"), stay_alone=True)
        h.api.post("MultiPartyCall/name_retried/Record/", {"recording_callback_url": receiver.url()})
        h.control.advance(2 + 1 + 2 + 4, MAIN.auth_id)  # due a second and a fraction after the start
        (entry,) = h.control.callbacks(auth_id=MAIN.auth_id, event="MPCRecordingInitiated")
        times = [datetime.fromisoformat(a["time"]) for a in entry["attempts"]]
        assert [(t - times[0]).total_seconds() for t in times] == [0, 1, 3, 7]
        assert entry["state"] == "delivered" and times[0] == datetime.fromisoformat(entry["due"])
        assert entry["due"].startswith("2026-03-01T09:10:01"), "its own time: 600 s, then 1 s and a jitter"


def journal_bytes(receiver: Receiver, noise: bool) -> list[tuple[str, str, dict[str, str], dict[str, str]]]:
    with harness_for(receiver) as h:
        other = h.api.as_account(OTHER)
        for i in range(3):
            if noise:  # another account busy meanwhile, on its own clock and on the emulator's
                other.seed_mpc(f"noise-{i}", ("10", "11"), stay_alone=True)
                other.post(
                    f"MultiPartyCall/name_noise-{i}/Record/", {"recording_callback_url": receiver.url()}
                )
                h.control.advance(7, OTHER.auth_id)
            record_a_minute(h, h.api, f"call-{i}", MAIN.auth_id)
        return [
            (e["id"], e["due"], e["params"], e["headers"]) for e in h.control.callbacks(auth_id=MAIN.auth_id)
        ]


def test_an_accounts_bytes_do_not_depend_on_other_accounts(receiver: Receiver) -> None:
    """The same receiver (the signed URL holds its port) and the same calls: the same bytes."""
    quiet, busy = journal_bytes(receiver, noise=False), journal_bytes(receiver, noise=True)
    assert len(quiet) == 6 and quiet == busy, "Initiated and Completed of three recordings, byte for byte"


def test_the_clock_routes(receiver: Receiver) -> None:
    with harness_for(receiver) as h:
        client = h.api.client
        moved = client.post(f"/__emulator__/accounts/{OTHER.auth_id}/clock/advance", json={"seconds": 30})
        assert moved.status_code == 200 and moved.json()["auth_id"] == OTHER.auth_id
        assert moved.json()["ahead"] == 30 and moved.json()["now"].startswith("2026-03-01T09:00:30")
        shown = client.get("/__emulator__/clock", params={"auth_id": OTHER.auth_id}).json()
        assert (shown["ahead"], shown["mode"]) == (30, "manual")
        for bad in (
            client.get("/__emulator__/clock", params={"auth_id": NOBODY}),
            client.post(
                "/__emulator__/clock/advance", json={"seconds": 1, "auth_id": "MANOBODY000000000000"}
            ),
            client.post(f"/__emulator__/accounts/{NOBODY}/clock/advance", json={"seconds": 1}),
        ):
            assert_plivo_error(bad, 404, NOBODY)
        h.control.reset(OTHER.auth_id)
        assert h.control.clock(OTHER.auth_id)["ahead"] == 0, "a reset gives the account the emulator's time"


def test_a_real_clock_lets_one_account_skip_ahead(receiver: Receiver) -> None:
    with in_process(clock="real", speed=1) as api:
        api.seed_mpc("standup", ("10", "11"), stay_alone=True)
        with pytest.raises(EmulatorError) as refused:
            api.control.advance(10)
        assert refused.value.status == 409 and "advance one account" in refused.value.error
        moved = api.control.advance(3600, MAIN.auth_id)
        assert moved["ahead"] == 3600 and moved["mode"] == "real", "a running clock does not eat into it"
        api.post("MultiPartyCall/name_standup/Record/", {})
        (recording,) = api.control.state(MAIN.auth_id)["recordings"]
        assert recording["start_time"] > api.control.state(MAIN.auth_id)["mpcs"][0]["creation_time"]
