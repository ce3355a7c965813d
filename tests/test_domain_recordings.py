"""The Recording resource and the list filters, without HTTP: publication, lookup, listing, deletion."""

from __future__ import annotations

from datetime import timedelta

import pytest

from emulator.domain.account import Account
from emulator.domain.backend import Backend
from emulator.domain.errors import NotFound
from emulator.domain.filters import MPCFilter, RecordingFilter, select_mpcs, storage_days
from emulator.domain.participant import ParticipantSpec
from emulator.domain.recording import Recording, RecordingRequest
from emulator.domain.refs import MPCRef
from emulator.domain.values import MPCStatus, Role, TrackSelector
from tests.helpers import ACCOUNTS, MAIN, SEED, FakeClock


@pytest.fixture
def account(clock: FakeClock) -> Account:
    return Backend(credentials=ACCOUNTS, seed=SEED, clock=clock.now).account(MAIN.auth_id)


def member(to: str, call_uuid: str | None = None) -> ParticipantSpec:
    if call_uuid is not None:
        return ParticipantSpec(role=Role.AGENT, call_uuid=call_uuid, to_numbers=(to,))
    return ParticipantSpec(role=Role.AGENT, from_number="14155550100", to_numbers=(to,))


def finished(account: Account, clock: FakeClock, name: str, seconds: float = 30) -> Recording:
    """An MPC recording of ``seconds``, completed with its MPC and published now."""
    ref = MPCRef("name", name)
    account.create_mpc(name, [member("14155550101"), member("14155550102")])
    recording = account.start_mpc_recording(ref, RecordingRequest())
    clock.advance(seconds)
    account.end_mpc(ref)
    account.recordings.publish(recording.recording_id, clock.now())
    return recording


def test_a_recording_is_listed_only_once_published(account: Account, clock: FakeClock) -> None:
    ref = MPCRef("name", "standup")
    account.create_mpc("standup", [member("14155550101"), member("14155550102")])
    recording = account.start_mpc_recording(ref, RecordingRequest())
    account.change_mpc_recording(ref, "stop")
    assert account.recordings.list(RecordingFilter()) == []
    with pytest.raises(NotFound):
        account.recordings.find(recording.recording_id)
    assert account.recordings.by_id(recording.recording_id) is recording, "the raw store still has it"
    account.recordings.publish(recording.recording_id, clock.now() + timedelta(seconds=3))
    assert account.recordings.list(RecordingFilter()) == [], "processed in 3 s: not yet"
    clock.advance(3)
    assert account.recordings.list(RecordingFilter()) == [recording]
    assert account.recordings.find(recording.recording_id) is recording
    account.recordings.publish(recording.recording_id, clock.now() + timedelta(days=1))
    assert recording.available_at == clock.now(), "published once: a second publication changes nothing"


def test_listing_is_newest_first_and_filters_by_mpc(account: Account, clock: FakeClock) -> None:
    first = finished(account, clock, "alpha")
    second = finished(account, clock, "beta")
    third = finished(account, clock, "alpha")
    assert account.recordings.list(RecordingFilter()) == [third, second, first]
    assert account.recordings.list(RecordingFilter(mpc_name="alpha")) == [third, first]
    assert account.recordings.list(RecordingFilter(mpc_uuid=second.mpc_uuid)) == [second]
    assert account.recordings.list(RecordingFilter(conference=True)) == [], "MPC recordings are no conference"


def test_member_filters_match_participant_recordings_only(account: Account, clock: FakeClock) -> None:
    ref = MPCRef("name", "support")
    account.create_mpc("support", [member("14155550101", call_uuid="call-a"), member("14155550102")])
    mpc = account.find_mpc(ref)
    agent = next(p for p in mpc.participants.values() if p.call_uuid == "call-a")
    (own,) = account.start_participant_recording(ref, agent.member_id, TrackSelector.ALL, RecordingRequest())
    whole = account.start_mpc_recording(ref, RecordingRequest())
    account.end_mpc(ref)
    for recording in (own, whole):
        account.recordings.publish(recording.recording_id, clock.now())
    assert account.recordings.member_of(own) is agent and account.recordings.member_of(whole) is None
    assert account.recordings.list(RecordingFilter(call_uuid="call-a")) == [own]
    assert account.recordings.list(RecordingFilter(to_number="14155550101")) == [own]
    assert account.recordings.list(RecordingFilter(from_number=agent.from_number)) == [own]
    assert account.recordings.list(RecordingFilter(call_uuid="call-b")) == []
    assert account.recordings.list(RecordingFilter(call_uuid="")) == [], "an empty value matches no member"


def test_time_and_storage_filters(account: Account, clock: FakeClock) -> None:
    old = finished(account, clock, "old")
    clock.advance(3 * 24 * 3600)
    new = finished(account, clock, "new")
    now = clock.now()
    assert (storage_days(old, now), storage_days(new, now)) == (4, 1), "1 on the day it is added"
    assert account.recordings.list(RecordingFilter(storage_days=(("gte", 2),))) == [old]
    assert account.recordings.list(RecordingFilter(storage_days=(("eq", 1),))) == [new]
    day_ago = now - timedelta(days=1)
    assert account.recordings.list(RecordingFilter(add_time=(("gt", day_ago),))) == [new]
    assert account.recordings.list(RecordingFilter(add_time=(("lte", day_ago),))) == [old]
    between = (("gte", old.available_at), ("lt", new.available_at))
    assert account.recordings.list(RecordingFilter(add_time=between)) == [old]  # type: ignore[arg-type]


def test_a_deleted_recording_is_gone_from_the_resource(account: Account, clock: FakeClock) -> None:
    recording = finished(account, clock, "standup")
    assert account.recordings.delete(recording.recording_id) is recording
    assert account.recordings.list(RecordingFilter()) == []
    with pytest.raises(NotFound):
        account.recordings.find(recording.recording_id)
    with pytest.raises(NotFound):
        account.recordings.delete(recording.recording_id)


def test_mpc_filters(account: Account, clock: FakeClock) -> None:
    ended = account.create_mpc("ended", [member("14155550101"), member("14155550102")])
    account.end_mpc(MPCRef("name", "ended"))
    clock.advance(60)
    live = account.create_mpc("live", [member("14155550101"), member("14155550102")])
    clock.advance(60)
    twin = account.create_mpc("ended", [member("14155550101"), member("14155550102")])
    everything = account.mpcs.values()
    assert select_mpcs(everything, MPCFilter()) == [twin, live, ended], "newest first"
    assert select_mpcs(everything, MPCFilter(friendly_name="ended")) == [twin, ended]
    assert select_mpcs(everything, MPCFilter(status=MPCStatus.ENDED)) == [ended]
    assert ended.termination_cause is not None
    by_cause = MPCFilter(termination_cause_code=ended.termination_cause.code)
    assert select_mpcs(everything, by_cause) == [ended]
    since = MPCFilter(creation_time=(("gt", ended.creation_time),))
    assert select_mpcs(everything, since) == [twin, live]
    assert select_mpcs(everything, MPCFilter(end_time=(("gte", ended.creation_time),))) == [ended], (
        "an MPC without an end time never matches an end_time bound"
    )
