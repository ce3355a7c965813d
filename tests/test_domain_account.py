"""MPC, participant and recording behaviour of one account, without HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest

from emulator.domain.account import Account
from emulator.domain.backend import Backend
from emulator.domain.errors import InvalidState, MPCNotInitialized, NotFound
from emulator.domain.events import (
    AddParticipantEvent,
    CallEvent,
    CallEventKind,
    DomainEvent,
    MPCEvent,
    ParticipantEvent,
    RecordingEvent,
)
from emulator.domain.participant import ParticipantSpec
from emulator.domain.recording import RecordingOptions, RecordingRequest
from emulator.domain.refs import MemberSelector, MPCRef
from emulator.domain.values import (
    CallbackMethod,
    ExitCause,
    FileFormat,
    MPCRecordingStatus,
    MPCStatus,
    RecordingState,
    Role,
    TrackSelector,
    TrackType,
)
from tests.helpers import ACCOUNTS, MAIN, OTHER, SEED, FakeClock

NAME = MPCRef("name", "standup")
REQUEST = RecordingRequest(RecordingOptions())


@pytest.fixture
def events() -> list[DomainEvent]:
    return []


@pytest.fixture
def backend(clock: FakeClock, events: list[DomainEvent]) -> Backend:
    backend = Backend(credentials=ACCOUNTS, seed=SEED, clock=clock.now)
    backend.subscribe(events.append)
    return backend


@pytest.fixture
def account(backend: Backend) -> Account:
    return backend.account(MAIN.auth_id)


def spec(role: Role = Role.AGENT, **kwargs: object) -> ParticipantSpec:
    kwargs.setdefault("from_number", "14155550100")
    kwargs.setdefault("to_numbers", ("14155550101",))
    return ParticipantSpec(role=role, **kwargs)  # type: ignore[arg-type]


def two_party(account: Account) -> tuple[str, str]:
    first = account.add_participant(NAME, spec(Role.AGENT)).participant.member_id
    second = account.add_participant(
        NAME, spec(Role.CUSTOMER, to_numbers=("14155550102",))
    ).participant.member_id
    return first, second


def names(events: list[DomainEvent]) -> list[str]:
    """The MPC's, members' and recordings' events (their calls' are in test_domain_calls below)."""
    out = []
    for e in events:
        if isinstance(e, CallEvent | AddParticipantEvent):
            continue
        if isinstance(e, RecordingEvent):
            out.append(f"{e.event_name}#{e.sequence}")
        else:
            out.append(e.kind.value)
    return out


# ------------------------------------------------------------------ lifecycle


def test_adding_by_name_creates_and_starts_the_mpc(account: Account, events: list[DomainEvent]) -> None:
    added = account.add_participant(NAME, spec())
    mpc = added.mpc
    assert mpc.status is MPCStatus.ACTIVE
    assert mpc.start_time is not None
    assert added.participant.active and added.participant.call_uuid == added.calls[0].call_uuid
    assert names(events) == ["MPCInitialized", "MPCStart", "ParticipantJoin"]
    again = account.add_participant(NAME, spec(Role.CUSTOMER))
    assert again.mpc is mpc, "a live MPC of that name is joined, not duplicated"
    assert len(account.mpcs) == 1


def test_adding_by_unknown_uuid_is_not_found(account: Account) -> None:
    with pytest.raises(NotFound):
        account.add_participant(MPCRef("uuid", "no-such-uuid"), spec())
    assert account.mpcs == {}


def test_start_mpc_on_enter_false_leaves_it_initialized(account: Account, events: list[DomainEvent]) -> None:
    mpc = account.add_participant(NAME, spec(start_mpc_on_enter=False)).mpc
    assert mpc.status is MPCStatus.INITIALIZED and mpc.start_time is None
    with pytest.raises(InvalidState, match="Initialized, not Active"):
        account.start_mpc_recording(NAME, REQUEST)
    account.start_mpc(NAME)
    assert mpc.status is MPCStatus.ACTIVE
    with pytest.raises(MPCNotInitialized, match="only an Initialized MPC can be started"):
        account.start_mpc(NAME)


def test_a_member_who_may_start_it_activates_an_initialized_mpc(account: Account) -> None:
    mpc = account.add_participant(NAME, spec(start_mpc_on_enter=False)).mpc
    account.add_participant(NAME, spec(Role.CUSTOMER, start_mpc_on_enter=True))
    assert mpc.status is MPCStatus.ACTIVE


def test_max_participants_is_enforced(account: Account) -> None:
    mpc = account.add_participant(NAME, spec(max_participants=2)).mpc
    account.add_participant(NAME, spec(Role.CUSTOMER))
    with pytest.raises(InvalidState, match="maximum of 2 participants"):
        account.add_participant(NAME, spec(Role.CUSTOMER))
    assert len(mpc.participants) == 2


def test_a_call_can_be_in_one_mpc_only(account: Account) -> None:
    account.add_participant(NAME, ParticipantSpec(role=Role.AGENT, call_uuid="call-1"))
    with pytest.raises(InvalidState, match="call call-1 is already member"):
        account.add_participant(MPCRef("name", "other"), ParticipantSpec(role=Role.AGENT, call_uuid="call-1"))
    assert [m.friendly_name for m in account.mpcs.values()] == ["standup"], "the refused add created no MPC"


def test_end_mpc_completes_everything(account: Account, events: list[DomainEvent], clock: FakeClock) -> None:
    first, _ = two_party(account)
    mpc_rec = account.start_mpc_recording(NAME, REQUEST)
    (part_rec,) = account.start_participant_recording(NAME, first, TrackSelector.PARTICIPANT, REQUEST)
    clock.advance(30)
    events.clear()
    mpc = account.end_mpc(NAME)
    assert mpc.status is MPCStatus.ENDED and mpc.termination_cause is not None
    assert mpc.termination_cause.code == 3000
    assert mpc_rec.state is part_rec.state is RecordingState.COMPLETED
    assert mpc_rec.duration(clock.now()) == timedelta(seconds=30)
    assert {p.exit_cause for p in mpc.participants.values()} == {ExitCause.MPC_ENDED}
    assert names(events) == [
        "MPCRecordingCompleted#2",
        "ParticipantRecordingCompleted#2",
        "ParticipantExit",
        "ParticipantExit",
        "MPCEnd",
    ]
    with pytest.raises(NotFound, match="ended MPCs can only be reached by uuid"):
        account.find_mpc(NAME)
    by_uuid = MPCRef("uuid", mpc.mpc_uuid)
    assert account.find_mpc(by_uuid) is mpc
    with pytest.raises(InvalidState, match="it has ended"):
        account.end_mpc(by_uuid)


def test_a_name_is_free_again_once_its_mpc_ended(account: Account) -> None:
    old = account.add_participant(NAME, spec()).mpc
    account.end_mpc(NAME)
    new = account.add_participant(NAME, spec()).mpc
    assert new is not old and new.mpc_uuid != old.mpc_uuid and new.status is MPCStatus.ACTIVE


def test_last_member_leaving_ends_the_mpc(account: Account) -> None:
    added = account.add_participant(NAME, spec())
    account.kick_participants(NAME, MemberSelector.of(added.participant.member_id))
    assert added.mpc.status is MPCStatus.ENDED
    assert added.mpc.termination_cause is not None and added.mpc.termination_cause.code == 1000
    assert added.participant.exit_cause is ExitCause.KICKED


def test_one_member_may_not_stay_alone_by_default(account: Account) -> None:
    first, second = two_party(account)
    mpc = account.find_mpc(NAME)
    account.kick_participants(NAME, MemberSelector.of(second))
    assert mpc.status is MPCStatus.ENDED
    assert mpc.termination_cause is not None and mpc.termination_cause.code == 1010
    assert mpc.participants[first].exit_cause is ExitCause.MPC_ENDED


def test_stay_alone_keeps_the_mpc_running(account: Account) -> None:
    first = account.add_participant(NAME, spec(stay_alone=True)).participant.member_id
    second = account.add_participant(NAME, spec(Role.CUSTOMER)).participant.member_id
    account.kick_participants(NAME, MemberSelector.of(second))
    mpc = account.find_mpc(NAME)
    assert mpc.status is MPCStatus.ACTIVE and mpc.participants[first].active


def test_end_mpc_on_exit(account: Account) -> None:
    leader = account.add_participant(NAME, spec(end_mpc_on_exit=True, stay_alone=True)).participant
    for _ in range(2):
        account.add_participant(NAME, spec(Role.CUSTOMER))
    mpc = account.find_mpc(NAME)
    account.hang_up(mpc.mpc_uuid, leader.member_id)
    assert mpc.status is MPCStatus.ENDED and leader.exit_cause is ExitCause.HANGUP
    assert all(not p.active for p in mpc.participants.values())


def test_kick_of_a_list_is_all_or_nothing(account: Account) -> None:
    first, _ = two_party(account)
    with pytest.raises(NotFound, match="member 999 not found"):
        account.kick_participants(NAME, MemberSelector.of(first, "999"))
    assert all(p.active for p in account.find_mpc(NAME).participants.values())


def test_update_members_emits_only_real_changes(account: Account, events: list[DomainEvent]) -> None:
    first, second = two_party(account)
    events.clear()
    _, members = account.update_participants(NAME, MemberSelector.all(), mute=True, hold=False)
    assert {m.member_id for m in members} == {first, second}
    assert all(m.mute for m in members)
    assert names(events) == ["ParticipantMute", "ParticipantMute"], "hold was already false"
    events.clear()
    account.update_participants(NAME, MemberSelector.of(first), mute=True)
    assert events == []


# ------------------------------------------------------------- MPC recording


def test_mpc_recording_lifecycle(account: Account, events: list[DomainEvent], clock: FakeClock) -> None:
    two_party(account)
    mpc = account.find_mpc(NAME)
    events.clear()
    options = RecordingOptions(FileFormat.WAV, "http://127.0.0.1:9/cb", CallbackMethod.GET)
    recording = account.start_mpc_recording(NAME, RecordingRequest(options))
    assert mpc.recording_status is MPCRecordingStatus.RECORDING
    clock.advance(20)
    account.change_mpc_recording(NAME, "pause")
    assert mpc.recording_status is MPCRecordingStatus.PAUSED
    clock.advance(60)
    account.change_mpc_recording(NAME, "resume")
    clock.advance(10)
    account.change_mpc_recording(NAME, "stop")
    assert mpc.recording_status is MPCRecordingStatus.NOT_RECORDING
    assert recording.state is RecordingState.COMPLETED
    assert recording.duration(clock.now()) == timedelta(seconds=30)
    assert names(events) == [
        "MPCRecordingInitiated#1",
        "MPCRecordingPaused#2",
        "MPCRecordingResumed#3",
        "MPCRecordingCompleted#4",
    ]
    # A new recording may follow a completed one.
    second = account.start_mpc_recording(NAME, REQUEST)
    assert second.recording_id != recording.recording_id and second.sequence == 1


@pytest.mark.parametrize(
    ("setup", "action", "message"),
    [
        ([], "pause", "has no recording in progress"),
        ([], "resume", "has no recording in progress"),
        ([], "stop", "has no recording in progress"),
        (["start"], "resume", "cannot resume the recording of MPC 'standup': it is recording"),
        (["start", "pause"], "pause", "cannot pause the recording of MPC 'standup': it is paused"),
        (["start"], "start", "is already being recorded"),
        (["start", "pause"], "start", "is already being recorded"),
        (["start", "stop"], "stop", "has no recording in progress"),
        (["start", "stop"], "pause", "has no recording in progress"),
    ],
)
def test_invalid_mpc_recording_transitions(
    account: Account, events: list[DomainEvent], setup: list[str], action: str, message: str
) -> None:
    two_party(account)
    for step in setup:
        if step == "start":
            account.start_mpc_recording(NAME, REQUEST)
        else:
            account.change_mpc_recording(NAME, step)  # type: ignore[arg-type]
    mpc = account.find_mpc(NAME)
    status_before, count_before = mpc.recording_status, len(events)
    with pytest.raises(InvalidState, match=message):
        if action == "start":
            account.start_mpc_recording(NAME, REQUEST)
        else:
            account.change_mpc_recording(NAME, action)  # type: ignore[arg-type]
    assert mpc.recording_status is status_before
    assert len(events) == count_before


@pytest.mark.parametrize("action", ["start", "pause", "resume", "stop"])
def test_recording_calls_on_an_ended_mpc(account: Account, action: str) -> None:
    mpc = account.add_participant(NAME, spec()).mpc
    account.start_mpc_recording(NAME, REQUEST)
    account.end_mpc(NAME)
    by_uuid = MPCRef("uuid", mpc.mpc_uuid)
    with pytest.raises(InvalidState, match="it has ended"):
        if action == "start":
            account.start_mpc_recording(by_uuid, REQUEST)
        else:
            account.change_mpc_recording(by_uuid, action)  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        account.change_mpc_recording(NAME, "pause")


# ------------------------------------------------------ participant recording


def test_both_tracks_start_two_recordings(account: Account) -> None:
    first, _ = two_party(account)
    started = account.start_participant_recording(NAME, first, TrackSelector.BOTH, REQUEST)
    assert [r.track_type for r in started] == [TrackType.ALL, TrackType.PARTICIPANT]
    assert all(r.state is RecordingState.RECORDING and r.member_id == first for r in started)
    assert set(account.recordings) == {r.recording_id for r in started}
    assert account.find_mpc(NAME).recording_status is MPCRecordingStatus.NOT_RECORDING, (
        "participant recordings do not change the MPC's own recording field"
    )


def test_participant_tracks_are_addressed_separately(account: Account) -> None:
    first, _ = two_party(account)
    (own,) = account.start_participant_recording(NAME, first, TrackSelector.PARTICIPANT, REQUEST)
    with pytest.raises(
        InvalidState, match=r"has no 'all' track recording in progress \(tracks in progress: participant\)"
    ):
        account.change_participant_recording(NAME, first, TrackSelector.ALL, "pause")
    account.change_participant_recording(NAME, first, TrackSelector.PARTICIPANT, "pause")
    assert own.state is RecordingState.PAUSED
    (mix,) = account.start_participant_recording(NAME, first, TrackSelector.ALL, REQUEST)
    with pytest.raises(InvalidState, match="already in progress"):
        account.start_participant_recording(NAME, first, TrackSelector.BOTH, REQUEST)
    # "both" is all-or-nothing: the paused track cannot be paused again, so neither changes.
    with pytest.raises(InvalidState, match="it is paused"):
        account.change_participant_recording(NAME, first, TrackSelector.BOTH, "pause")
    assert (mix.state, own.state) == (RecordingState.RECORDING, RecordingState.PAUSED)
    account.change_participant_recording(NAME, first, TrackSelector.BOTH, "stop")
    assert mix.state is own.state is RecordingState.COMPLETED


def test_a_participant_recording_completes_when_they_leave(
    account: Account, events: list[DomainEvent], clock: FakeClock
) -> None:
    first = account.add_participant(NAME, spec(stay_alone=True)).participant.member_id
    second = account.add_participant(NAME, spec(Role.CUSTOMER)).participant.member_id
    (recording,) = account.start_participant_recording(NAME, second, TrackSelector.ALL, REQUEST)
    clock.advance(42)
    events.clear()
    mpc = account.find_mpc(NAME)
    account.hang_up(mpc.mpc_uuid, second)
    assert recording.state is RecordingState.COMPLETED and recording.end_time == clock.now()
    assert names(events) == ["ParticipantRecordingCompleted#2", "ParticipantExit"]
    with pytest.raises(InvalidState, match=f"member {second} has left"):
        account.start_participant_recording(NAME, second, TrackSelector.ALL, REQUEST)
    with pytest.raises(InvalidState, match=f"member {second} has left"):
        account.change_participant_recording(NAME, second, TrackSelector.ALL, "stop")
    with pytest.raises(NotFound, match="member 4040 not found"):
        account.start_participant_recording(NAME, "4040", TrackSelector.ALL, REQUEST)
    assert mpc.participants[first].active


def test_record_true_starts_once_enough_members_joined(account: Account, events: list[DomainEvent]) -> None:
    options = RecordingOptions(FileFormat.WAV, "http://127.0.0.1:9/cb", CallbackMethod.GET)
    auto = RecordingRequest(options)
    mpc = account.add_participant(NAME, spec(record=auto, record_min_member_count=2)).mpc
    assert mpc.live_recording is None, "one member is below record_min_member_count"
    account.add_participant(NAME, spec(Role.CUSTOMER))
    recording = mpc.live_recording
    assert recording is not None and recording.options == options
    assert mpc.recording_status is MPCRecordingStatus.RECORDING


def test_record_participant_track(account: Account) -> None:
    member = account.add_participant(NAME, spec(record_participant_track=REQUEST)).participant
    recording = member.live_recording(TrackType.PARTICIPANT)
    assert recording is not None and recording.member_id == member.member_id


# ---------------------------------------------------------------- determinism


def test_same_seed_same_ids_whatever_other_accounts_do(clock: FakeClock) -> None:
    def run(noise: bool) -> list[str]:
        backend = Backend(credentials=ACCOUNTS, seed=SEED, clock=clock.now)
        main, other = backend.account(MAIN.auth_id), backend.account(OTHER.auth_id)
        ids = []
        for i in range(3):
            if noise:
                other.add_participant(MPCRef("name", f"noise{i}"), spec())
            added = main.add_participant(MPCRef("name", f"call{i}"), spec())
            rec = main.start_mpc_recording(MPCRef("name", f"call{i}"), REQUEST)
            ids += [
                added.mpc.mpc_uuid,
                added.participant.member_id,
                added.participant.call_uuid,
                rec.recording_id,
            ]
        return ids

    assert run(noise=False) == run(noise=True)


def test_reset_replays_the_same_ids(backend: Backend, account: Account) -> None:
    first = account.add_participant(NAME, spec()).mpc.mpc_uuid
    backend.reset(MAIN.auth_id)
    assert account.mpcs == {} and len(account.recordings) == 0
    assert account.add_participant(NAME, spec()).mpc.mpc_uuid == first


def test_different_seeds_differ(clock: FakeClock) -> None:
    a = Backend(credentials=ACCOUNTS, seed=1, clock=clock.now).account(MAIN.auth_id)
    b = Backend(credentials=ACCOUNTS, seed=2, clock=clock.now).account(MAIN.auth_id)
    assert a.add_participant(NAME, spec()).mpc.mpc_uuid != b.add_participant(NAME, spec()).mpc.mpc_uuid


def test_events_carry_the_objects(account: Account, events: list[DomainEvent]) -> None:
    added = account.add_participant(NAME, spec())
    own = [e for e in events if not isinstance(e, CallEvent | AddParticipantEvent)]
    assert isinstance(own[0], MPCEvent) and own[0].mpc is added.mpc
    assert isinstance(own[2], ParticipantEvent) and own[2].participant is added.participant


# ------------------------------------------------------------------- calls


def call_events(events: list[DomainEvent]) -> list[tuple[str, str]]:
    return [(e.call.to_number, e.kind.value) for e in events if isinstance(e, CallEvent)]


def test_a_members_call_rings_is_answered_before_it_joins_and_ends_after_it_leaves(
    account: Account, events: list[DomainEvent]
) -> None:
    added = account.add_participant(NAME, spec(to_numbers=("14155550101", "14155550102")))
    kinds = [e.kind.value for e in events]
    assert kinds.index(CallEventKind.ANSWERED.value) < kinds.index("ParticipantJoin")
    assert call_events(events) == [
        ("14155550101", "CallRinging"),
        ("14155550102", "CallRinging"),
        ("14155550101", "CallAnswered"),
        ("14155550102", "CallHangup"),
    ]
    lost = account.calls.get(added.calls[1].call_uuid)
    assert lost is not None and lost.hangup is not None and lost.hangup.cause == "Lost Race"
    events.clear()
    account.kick_participants(NAME, MemberSelector.of(added.participant.member_id))
    kinds = [e.kind.value for e in events]
    assert kinds.index("ParticipantExit") < kinds.index("CallHangup") < kinds.index("MPCEnd")
    call = account.calls.get(added.participant.call_uuid)
    assert call is not None and call.hangup is not None
    assert (call.hangup.code, call.status.value) == (4030, "completed")


def test_a_reset_forgets_the_calls(account: Account) -> None:
    account.add_participant(NAME, spec())
    assert len(account.calls) == 1
    account.reset()
    assert len(account.calls) == 0
