"""The recording state machine, transition by transition, and its duration arithmetic."""

from __future__ import annotations

from datetime import timedelta

import pytest

from emulator.domain.errors import InvalidState
from emulator.domain.events import RecordingEventKind
from emulator.domain.recording import Recording, RecordingOptions, RecordingRequest
from emulator.domain.values import RecordingState
from tests.helpers import FakeClock

RECORDING, PAUSED, COMPLETED, FAILED = (
    RecordingState.RECORDING,
    RecordingState.PAUSED,
    RecordingState.COMPLETED,
    RecordingState.FAILED,
)

# (state before, action) -> (state after, event) or None when the transition is invalid
TABLE = {
    (RECORDING, "pause"): (PAUSED, RecordingEventKind.PAUSED),
    (RECORDING, "resume"): None,
    (RECORDING, "stop"): (COMPLETED, RecordingEventKind.COMPLETED),
    (RECORDING, "fail"): (FAILED, RecordingEventKind.FAILED),
    (PAUSED, "pause"): None,
    (PAUSED, "resume"): (RECORDING, RecordingEventKind.RESUMED),
    (PAUSED, "stop"): (COMPLETED, RecordingEventKind.COMPLETED),
    (PAUSED, "fail"): (FAILED, RecordingEventKind.FAILED),
    **{(end, action): None for end in (COMPLETED, FAILED) for action in ("pause", "resume", "stop", "fail")},
}


def make_recording(clock: FakeClock) -> Recording:
    return Recording(
        recording_id="r-1",
        auth_id="MADEVEMULATOR0000001",
        mpc_uuid="m-1",
        mpc_name="standup",
        member_id=None,
        track_type=None,
        request=RecordingRequest(RecordingOptions()),
        start_time=clock.now(),
    )


def bring_to(recording: Recording, state: RecordingState, clock: FakeClock) -> None:
    path = {RECORDING: [], PAUSED: ["pause"], COMPLETED: ["stop"], FAILED: ["fail"]}[state]
    for action in path:
        recording.transition(action, clock.now())
    assert recording.state is state


@pytest.mark.parametrize(("state", "action"), list(TABLE))
def test_transition(state: RecordingState, action: str) -> None:
    clock = FakeClock()
    recording = make_recording(clock)
    bring_to(recording, state, clock)
    sequence_before = recording.sequence
    expected = TABLE[(state, action)]
    if expected is None:
        with pytest.raises(
            InvalidState, match=f"cannot {action} the recording of MPC 'standup': it is {state}"
        ):
            recording.transition(action, clock.now())
        assert recording.state is state, "a refused transition must not change the state"
        assert recording.sequence == sequence_before, (
            "a refused transition must not consume a sequence number"
        )
    else:
        target, kind = expected
        event = recording.transition(action, clock.now())
        assert recording.state is target
        assert event.kind is kind
        assert event.sequence == sequence_before + 1


def test_initiated_is_sequence_one_and_names_the_scope() -> None:
    recording = make_recording(FakeClock())
    event = recording.initiated()
    assert (event.sequence, event.event_name) == (1, "MPCRecordingInitiated")
    recording.member_id = "10"
    assert recording.transition("pause", event.at).event_name == "ParticipantRecordingPaused"


def test_duration_excludes_paused_time() -> None:
    clock = FakeClock()
    recording = make_recording(clock)
    clock.advance(10)
    recording.transition("pause", clock.now())
    clock.advance(100)  # paused: not counted
    assert recording.duration(clock.now()) == timedelta(seconds=10)
    recording.transition("resume", clock.now())
    clock.advance(5)
    assert recording.duration(clock.now()) == timedelta(seconds=15)
    recording.transition("pause", clock.now())
    clock.advance(7)
    recording.transition("stop", clock.now())  # stopping while paused
    clock.advance(1000)
    assert recording.duration(clock.now()) == timedelta(seconds=15)
    assert recording.end_time == recording.start_time + timedelta(seconds=122)


def test_failure_keeps_its_reason_and_end_time() -> None:
    clock = FakeClock()
    recording = make_recording(clock)
    clock.advance(3)
    recording.transition("fail", clock.now(), reason="storage unavailable")
    assert recording.failure_reason == "storage unavailable"
    assert recording.end_time == clock.now()
    assert recording.duration(clock.now() + timedelta(hours=1)) == timedelta(seconds=3)
