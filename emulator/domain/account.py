"""One Plivo account's world, and every operation the API can perform on it.

Each public method validates everything it needs before it changes anything, so
a request that is refused leaves the state exactly as it was. The events a
successful operation produces are handed to ``emit`` in order, once the change
is complete.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from emulator.domain.errors import Conflict, InvalidState, MPCNotInitialized, NotFound
from emulator.domain.events import (
    DomainEvent,
    MPCEvent,
    MPCEventKind,
    ParticipantEvent,
    ParticipantEventKind,
)
from emulator.domain.ids import IdFactory
from emulator.domain.mpc import MPC
from emulator.domain.participant import Participant, ParticipantSpec
from emulator.domain.recording import Recording, RecordingRequest
from emulator.domain.values import (
    HANGUP_API_TRIGGERED,
    MAX_DURATION_REACHED,
    NO_ACTIVE_PARTICIPANTS,
    STAY_ALONE_NOT_PERMITTED,
    ExitCause,
    MPCStatus,
    TerminationCause,
    TrackSelector,
    TrackType,
)

Clock = Callable[[], datetime]
Emit = Callable[[Sequence[DomainEvent]], None]
RecordingAction = Literal["pause", "resume", "stop"]


@dataclass(frozen=True)
class MPCRef:
    """How a request names an MPC: ``name_{friendly_name}`` or ``uuid_{mpc_uuid}``."""

    by: Literal["name", "uuid"]
    value: str

    @classmethod
    def parse(cls, segment: str) -> MPCRef | None:
        """The decoded path segment after ``MultiPartyCall/``; None when it has neither prefix."""
        if segment.startswith("uuid_") and len(segment) > 5:
            return cls("uuid", segment[5:])
        if segment.startswith("name_") and len(segment) > 5:
            return cls("name", segment[5:])
        return None


@dataclass(frozen=True)
class MemberSelector:
    """A member path segment: one member id, a comma-separated list, or ``all``."""

    everyone: bool
    member_ids: tuple[str, ...] = ()

    @classmethod
    def parse(cls, raw: str) -> MemberSelector:
        if raw.strip().lower() == "all":
            return cls(everyone=True)
        ids = tuple(part.strip() for part in raw.split(","))
        return cls(everyone=False, member_ids=tuple(dict.fromkeys(ids)))


@dataclass(frozen=True)
class DialedCall:
    to: str
    from_: str
    call_uuid: str


@dataclass(frozen=True)
class AddedParticipant:
    mpc: MPC
    participant: Participant
    calls: tuple[DialedCall, ...]
    request_uuid: str


@dataclass(frozen=True)
class RecordingFilter:
    mpc_name: str | None = None
    mpc_uuid: str | None = None
    call_uuid: str | None = None
    from_number: str | None = None
    to_number: str | None = None
    # MPC recordings belong to no conference: a conference filter matches none of them.
    conference: bool = False
    add_time: tuple[tuple[str, datetime], ...] = ()
    storage_days: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class MPCFilter:
    friendly_name: str | None = None
    status: MPCStatus | None = None
    termination_cause_code: int | None = None
    # (operator, bound) pairs, operator one of gt/gte/lt/lte
    creation_time: tuple[tuple[str, datetime], ...] = ()
    end_time: tuple[tuple[str, datetime], ...] = ()


_COMPARE: dict[str, Callable[[datetime, datetime], bool]] = {
    "gt": lambda v, b: v > b,
    "gte": lambda v, b: v >= b,
    "lt": lambda v, b: v < b,
    "lte": lambda v, b: v <= b,
}


_COMPARE_INT: dict[str, Callable[[int, int], bool]] = {
    "eq": lambda v, b: v == b,
    "gt": lambda v, b: v > b,
    "gte": lambda v, b: v >= b,
    "lt": lambda v, b: v < b,
    "lte": lambda v, b: v <= b,
}


def storage_days(recording: Recording, now: datetime) -> int:
    """Whole days the file has been stored (Plivo's recording_storage_duration)."""
    if recording.available_at is None:
        return 0
    return max(0, (now - recording.available_at).days)


def _in_bounds(value: datetime | None, bounds: Iterable[tuple[str, datetime]]) -> bool:
    bounds = tuple(bounds)
    if not bounds:
        return True
    if value is None:
        return False
    return all(_COMPARE[op](value, bound) for op, bound in bounds)


@dataclass(eq=False)
class Account:
    auth_id: str
    auth_token: str
    ids: IdFactory
    clock: Clock
    emit: Emit
    mpcs: dict[str, MPC] = field(default_factory=dict)
    recordings: dict[str, Recording] = field(default_factory=dict)
    # Indexes, so that lookups stay O(1) however many calls a long run accumulates.
    _live_by_name: dict[str, MPC] = field(default_factory=dict, repr=False)
    _live_calls: dict[str, tuple[MPC, Participant]] = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------------ lookups

    def find_mpc(self, ref: MPCRef) -> MPC:
        if ref.by == "uuid":
            mpc = self.mpcs.get(ref.value)
            if mpc is not None:
                return mpc
            raise NotFound(f"MPC with uuid '{ref.value}' not found")
        mpc = self._live_by_name.get(ref.value)
        if mpc is not None:
            return mpc
        raise NotFound(f"no ongoing MPC named '{ref.value}' (ended MPCs can only be reached by uuid)")

    def find_member(self, mpc: MPC, member_id: str) -> Participant:
        participant = mpc.participants.get(member_id)
        if participant is None:
            raise NotFound(f"member {member_id} not found in {mpc.describe()}")
        return participant

    def list_mpcs(self, query: MPCFilter) -> list[MPC]:
        found = [
            mpc
            for mpc in self.mpcs.values()
            if (query.friendly_name is None or mpc.friendly_name == query.friendly_name)
            and (query.status is None or mpc.status is query.status)
            and (
                query.termination_cause_code is None
                or (
                    mpc.termination_cause is not None
                    and mpc.termination_cause.code == query.termination_cause_code
                )
            )
            and _in_bounds(mpc.creation_time, query.creation_time)
            and _in_bounds(mpc.end_time, query.end_time)
        ]
        # Newest first, as Plivo lists; insertion order breaks ties deterministically.
        order = {id(m): i for i, m in enumerate(self.mpcs.values())}
        found.sort(key=lambda m: (m.creation_time, order[id(m)]), reverse=True)
        return found

    def list_participants(self, ref: MPCRef, call_uuid: str | None = None) -> list[Participant]:
        mpc = self.find_mpc(ref)
        return [p for p in mpc.participants.values() if call_uuid is None or p.call_uuid == call_uuid]

    # --------------------------------------------------------- MPC lifecycle

    def add_participant(self, ref: MPCRef, spec: ParticipantSpec) -> AddedParticipant:
        now = self.clock()
        mpc = self._mpc_for_join(ref)
        if mpc is not None:
            self._check_can_join(mpc, spec)
        elif spec.call_uuid is not None:
            self._check_call_free(spec.call_uuid)

        events: list[DomainEvent] = []
        if mpc is None:
            assert ref.by == "name"
            mpc = self._new_mpc(ref.value, spec, now, events)
        calls = self._dial(spec)
        participant = self._join(mpc, spec, calls[0], now, events)
        self.emit(events)
        return AddedParticipant(mpc, participant, calls, self.ids.time_uuid())

    def create_mpc(self, friendly_name: str | None, specs: Sequence[ParticipantSpec]) -> MPC:
        """Control plane: an MPC with its members already in the call."""
        name = friendly_name if friendly_name is not None else self.ids.friendly_name()
        if name in self._live_by_name:
            raise Conflict(f"an ongoing MPC named '{name}' already exists")
        seen: set[str] = set()
        for spec in specs:
            if spec.member_id is not None:
                if spec.member_id in seen:
                    raise Conflict(f"member_id {spec.member_id} appears twice")
                seen.add(spec.member_id)
            if spec.call_uuid is not None:
                self._check_call_free(spec.call_uuid)
        now = self.clock()
        events: list[DomainEvent] = []
        template = specs[0] if specs else None
        mpc = self._new_mpc(name, template, now, events)
        for spec in specs:
            calls = self._dial(spec)
            self._join(mpc, spec, calls[0], now, events)
        self.emit(events)
        return mpc

    def start_mpc(self, ref: MPCRef) -> MPC:
        mpc = self.find_mpc(ref)
        if mpc.status is not MPCStatus.INITIALIZED:
            raise MPCNotInitialized(
                f"{mpc.describe()} is {mpc.status.value}; only an Initialized MPC can be started"
            )
        now = self.clock()
        events: list[DomainEvent] = []
        self._activate(mpc, now, events)
        self.emit(events)
        return mpc

    def end_mpc(self, ref: MPCRef) -> MPC:
        mpc = self._find_live(ref, "end")
        now = self.clock()
        events: list[DomainEvent] = []
        self._end(mpc, HANGUP_API_TRIGGERED, now, events)
        self.emit(events)
        return mpc

    def update_participants(
        self,
        ref: MPCRef,
        selector: MemberSelector,
        *,
        mute: bool | None = None,
        hold: bool | None = None,
        coach_mode: bool | None = None,
    ) -> tuple[MPC, list[Participant]]:
        mpc = self._find_live(ref, "update members of")
        members = self._resolve_members(mpc, selector, "update")
        now = self.clock()
        events: list[DomainEvent] = []
        flags = (
            ("mute", mute, ParticipantEventKind.MUTED, ParticipantEventKind.UNMUTED),
            ("hold", hold, ParticipantEventKind.HELD, ParticipantEventKind.UNHELD),
            (
                "coach_mode",
                coach_mode,
                ParticipantEventKind.COACH_MODE_STARTED,
                ParticipantEventKind.COACH_MODE_STOPPED,
            ),
        )
        for participant in members:
            for attr, value, on, off in flags:
                if value is None or getattr(participant, attr) == value:
                    continue
                setattr(participant, attr, value)
                events.append(ParticipantEvent(on if value else off, mpc, participant, now))
        self.emit(events)
        return mpc, members

    def kick_participants(self, ref: MPCRef, selector: MemberSelector) -> MPC:
        mpc = self._find_live(ref, "kick members of")
        members = self._resolve_members(mpc, selector, "kick")
        now = self.clock()
        events: list[DomainEvent] = []
        for participant in members:
            if participant.active:  # an earlier exit may have ended the MPC
                self._exit(mpc, participant, ExitCause.KICKED, now, events)
        self.emit(events)
        return mpc

    def hang_up(self, mpc_uuid: str, member_id: str) -> None:
        """The member's caller hangs up (used by scenarios and the control plane)."""
        mpc = self.find_mpc(MPCRef("uuid", mpc_uuid))
        participant = self.find_member(mpc, member_id)
        if not participant.active:
            raise InvalidState(f"member {member_id} already left {mpc.describe()}")
        now = self.clock()
        events: list[DomainEvent] = []
        self._exit(mpc, participant, ExitCause.HANGUP, now, events)
        self.emit(events)

    # -------------------------------------------------------------- recordings

    def start_mpc_recording(self, ref: MPCRef, request: RecordingRequest) -> Recording:
        mpc = self._find_active(ref, "start recording")
        if (rec := mpc.live_recording) is not None:
            raise InvalidState(
                f"cannot start recording: {mpc.describe()} is already being recorded "
                f"(recording_id {rec.recording_id}, {rec.state.value})"
            )
        now = self.clock()
        events: list[DomainEvent] = []
        mpc.auto_record = None  # an explicit start supersedes a pending record=true
        recording = self._new_recording(mpc, None, None, request, now, events)
        self.emit(events)
        return recording

    def change_mpc_recording(self, ref: MPCRef, action: RecordingAction) -> Recording:
        mpc = self._find_active(ref, f"{action} recording")
        recording = mpc.live_recording
        if recording is None:
            raise InvalidState(f"cannot {action} recording: {mpc.describe()} has no recording in progress")
        event = recording.transition(action, self.clock())
        self.emit([event])
        return recording

    def start_participant_recording(
        self, ref: MPCRef, member_id: str, selector: TrackSelector, request: RecordingRequest
    ) -> list[Recording]:
        mpc = self._find_active(ref, "start recording")
        participant = self._active_member(mpc, member_id, "start recording")
        for track in selector.tracks:
            if (rec := participant.live_recording(track)) is not None:
                raise InvalidState(
                    f"cannot start recording: {rec.describe()} is already in progress "
                    f"(recording_id {rec.recording_id}, {rec.state.value})"
                )
        now = self.clock()
        events: list[DomainEvent] = []
        started = [
            self._new_recording(mpc, participant, track, request, now, events) for track in selector.tracks
        ]
        self.emit(events)
        return started

    def change_participant_recording(
        self, ref: MPCRef, member_id: str, selector: TrackSelector, action: RecordingAction
    ) -> list[Recording]:
        mpc = self._find_active(ref, f"{action} recording")
        participant = self._active_member(mpc, member_id, f"{action} recording")
        targets: list[Recording] = []
        for track in selector.tracks:
            rec = participant.live_recording(track)
            if rec is None:
                live = ", ".join(r.track_type or "" for r in participant.live_recordings()) or "none"
                raise InvalidState(
                    f"cannot {action} recording: member {member_id} in {mpc.describe()} has no '{track}' "
                    f"track recording in progress (tracks in progress: {live})"
                )
            rec.ensure_can(action)
            targets.append(rec)
        now = self.clock()
        self.emit([rec.transition(action, now) for rec in targets])
        return targets

    def act_on_recording(
        self, recording_id: str, action: RecordingAction | Literal["fail"], reason: str | None = None
    ) -> Recording:
        """Pause, resume, stop or fail one recording by id: what scenarios do on their timeline."""
        recording = self.recordings.get(recording_id)
        if recording is None:
            raise NotFound(f"recording '{recording_id}' not found")
        event = recording.transition(action, self.clock(), reason=reason)
        self.emit([event])
        return recording

    def expire_mpc(self, mpc_uuid: str) -> MPC:
        """The MPC reached its max_duration: it ends, and so does everything in it."""
        mpc = self._find_live(MPCRef("uuid", mpc_uuid), "expire")
        events: list[DomainEvent] = []
        self._end(mpc, MAX_DURATION_REACHED, self.clock(), events)
        self.emit(events)
        return mpc

    # -------------------------------------------------------- Recording resource

    def publish_recording(self, recording_id: str, at: datetime) -> None:
        """The file of a completed recording is processed at ``at`` and then listed (no event)."""
        recording = self.recordings.get(recording_id)
        if recording is not None and recording.available_at is None:
            recording.available_at = at

    def get_recording(self, recording_id: str) -> Recording:
        recording = self.recordings.get(recording_id)
        if recording is None or not recording.published(self.clock()):
            raise NotFound(f"recording '{recording_id}' not found")
        return recording

    def list_recordings(self, query: RecordingFilter) -> list[Recording]:
        now = self.clock()
        found = []
        for recording in self.recordings.values():
            if not recording.published(now) or query.conference:
                continue
            # Only the member filters need the member: look it up only for them.
            member = (
                self.member_of(recording) if query.call_uuid or query.from_number or query.to_number else None
            )
            if (
                (query.mpc_name is None or recording.mpc_name == query.mpc_name)
                and (query.mpc_uuid is None or recording.mpc_uuid == query.mpc_uuid)
                and (query.call_uuid is None or (member is not None and member.call_uuid == query.call_uuid))
                and (
                    query.from_number is None
                    or (member is not None and member.from_number == query.from_number)
                )
                and (query.to_number is None or (member is not None and member.to_number == query.to_number))
                and _in_bounds(recording.available_at, query.add_time)
                and all(
                    _COMPARE_INT[op](storage_days(recording, now), bound) for op, bound in query.storage_days
                )
            ):
                found.append(recording)
        # Newest first; publication order breaks ties.
        return sorted(found, key=lambda r: r.available_at or now, reverse=True)

    def delete_recording(self, recording_id: str) -> Recording:
        recording = self.get_recording(recording_id)
        recording.deleted = True
        return recording

    def member_of(self, recording: Recording) -> Participant | None:
        """The participant a participant recording belongs to (None for an MPC recording)."""
        if recording.member_id is None:
            return None
        mpc = self.mpcs.get(recording.mpc_uuid)
        return mpc.participants.get(recording.member_id) if mpc is not None else None

    # ----------------------------------------------------------------- helpers

    def _find_live(self, ref: MPCRef, action: str) -> MPC:
        mpc = self.find_mpc(ref)
        if not mpc.live:
            raise InvalidState(f"cannot {action} {mpc.describe()}: it has ended")
        return mpc

    def _find_active(self, ref: MPCRef, action: str) -> MPC:
        mpc = self._find_live(ref, action)
        if mpc.status is not MPCStatus.ACTIVE:
            raise InvalidState(f"cannot {action}: {mpc.describe()} is {mpc.status.value}, not Active")
        return mpc

    def _active_member(self, mpc: MPC, member_id: str, action: str) -> Participant:
        participant = self.find_member(mpc, member_id)
        if not participant.active:
            raise InvalidState(f"cannot {action}: member {member_id} has left {mpc.describe()}")
        return participant

    def _resolve_members(self, mpc: MPC, selector: MemberSelector, action: str) -> list[Participant]:
        if selector.everyone:
            members = mpc.active_participants
            if not members:
                raise InvalidState(f"cannot {action} all members: {mpc.describe()} has no active members")
            return members
        return [self._active_member(mpc, member_id, action) for member_id in selector.member_ids]

    def _mpc_for_join(self, ref: MPCRef) -> MPC | None:
        if ref.by == "uuid":
            return self._find_live(ref, "add a participant to")
        try:
            return self.find_mpc(ref)
        except NotFound:
            return None  # adding by name creates the MPC

    def _check_can_join(self, mpc: MPC, spec: ParticipantSpec) -> None:
        if len(mpc.active_participants) >= mpc.max_participants:
            raise InvalidState(
                f"cannot add participant: {mpc.describe()} already has its maximum of "
                f"{mpc.max_participants} participants"
            )
        if spec.member_id is not None and spec.member_id in mpc.participants:
            raise Conflict(f"member_id {spec.member_id} is already used in {mpc.describe()}")
        if spec.call_uuid is not None:
            self._check_call_free(spec.call_uuid)

    def _check_call_free(self, call_uuid: str) -> None:
        if (found := self._live_calls.get(call_uuid)) is not None:
            mpc, participant = found
            raise InvalidState(
                f"call {call_uuid} is already member {participant.member_id} of {mpc.describe()}"
            )

    def _new_mpc(
        self, name: str, template: ParticipantSpec | None, now: datetime, events: list[DomainEvent]
    ) -> MPC:
        mpc = MPC(
            mpc_uuid=self.ids.random_uuid(), friendly_name=name, creation_time=now, auth_id=self.auth_id
        )
        if template is not None:
            mpc.max_participants = template.max_participants
            mpc.max_duration = template.max_duration
            mpc.record_min_member_count = template.record_min_member_count
            mpc.stay_alone = template.stay_alone
        self.mpcs[mpc.mpc_uuid] = mpc
        self._live_by_name[name] = mpc
        events.append(MPCEvent(MPCEventKind.INITIALIZED, mpc, now))
        return mpc

    def _dial(self, spec: ParticipantSpec) -> tuple[DialedCall, ...]:
        """The calls Plivo places for an add-participant; the first destination answers."""
        from_number = spec.from_number or self.ids.phone_number()
        if spec.call_uuid is not None:
            to = spec.to_numbers[0] if spec.to_numbers else self.ids.phone_number()
            return (DialedCall(to=to, from_=from_number, call_uuid=spec.call_uuid),)
        destinations = spec.to_numbers or (self.ids.phone_number(),)
        return tuple(
            DialedCall(to=to, from_=from_number, call_uuid=self.ids.random_uuid()) for to in destinations
        )

    def _join(
        self,
        mpc: MPC,
        spec: ParticipantSpec,
        call: DialedCall,
        now: datetime,
        events: list[DomainEvent],
    ) -> Participant:
        participant = Participant(
            member_id=spec.member_id or self._next_member_id(mpc),
            mpc_uuid=mpc.mpc_uuid,
            call_uuid=call.call_uuid,
            role=spec.role,
            from_number=call.from_,
            to_number=call.to,
            caller_name=spec.caller_name or call.from_,
            join_time=now,
            coach_mode=spec.coach_mode,
            mute=spec.mute,
            hold=spec.hold,
            start_mpc_on_enter=spec.start_mpc_on_enter,
            end_mpc_on_exit=spec.end_mpc_on_exit,
            stay_alone=spec.stay_alone,
            record_participant_track=spec.record_participant_track,
        )
        mpc.participants[participant.member_id] = participant
        self._live_calls[participant.call_uuid] = (mpc, participant)
        events.append(ParticipantEvent(ParticipantEventKind.JOINED, mpc, participant, now))
        if spec.record is not None and mpc.live_recording is None:
            mpc.auto_record = spec.record
        if mpc.status is MPCStatus.INITIALIZED and spec.start_mpc_on_enter:
            self._activate(mpc, now, events)
        else:
            self._auto_record(mpc, now, events)
        return participant

    def _next_member_id(self, mpc: MPC) -> str:
        while True:
            member_id = self.ids.member_id()
            if member_id not in mpc.participants:
                return member_id

    def _activate(self, mpc: MPC, now: datetime, events: list[DomainEvent]) -> None:
        mpc.status = MPCStatus.ACTIVE
        mpc.start_time = now
        events.append(MPCEvent(MPCEventKind.STARTED, mpc, now))
        self._auto_record(mpc, now, events)

    def _auto_record(self, mpc: MPC, now: datetime, events: list[DomainEvent]) -> None:
        """Apply record=true / record_participant_track=true once the MPC is active."""
        if mpc.status is not MPCStatus.ACTIVE:
            return
        request = mpc.auto_record
        if (
            request is not None
            and mpc.live_recording is None
            and len(mpc.active_participants) >= mpc.record_min_member_count
        ):
            mpc.auto_record = None
            self._new_recording(mpc, None, None, request, now, events)
        for participant in mpc.active_participants:
            own = participant.record_participant_track
            if own is not None and participant.live_recording(TrackType.PARTICIPANT) is None:
                participant.record_participant_track = None
                self._new_recording(mpc, participant, TrackType.PARTICIPANT, own, now, events)

    def _new_recording(
        self,
        mpc: MPC,
        participant: Participant | None,
        track: TrackType | None,
        request: RecordingRequest,
        now: datetime,
        events: list[DomainEvent],
    ) -> Recording:
        recording = Recording(
            recording_id=self.ids.time_uuid(),
            auth_id=self.auth_id,
            mpc_uuid=mpc.mpc_uuid,
            mpc_name=mpc.friendly_name,
            member_id=participant.member_id if participant else None,
            track_type=track,
            request=request,
            start_time=now,
        )
        if participant is None:
            mpc.recordings.append(recording)
        else:
            assert track is not None
            participant.recordings[track] = recording
        self.recordings[recording.recording_id] = recording
        events.append(recording.initiated())
        return recording

    def _exit(
        self, mpc: MPC, participant: Participant, cause: ExitCause, now: datetime, events: list[DomainEvent]
    ) -> None:
        events.extend(rec.transition("stop", now) for rec in participant.live_recordings())
        participant.exit_time = now
        participant.exit_cause = cause
        self._live_calls.pop(participant.call_uuid, None)
        participant.record_participant_track = None
        events.append(ParticipantEvent(ParticipantEventKind.EXITED, mpc, participant, now))
        remaining = mpc.active_participants
        if participant.end_mpc_on_exit:
            self._end(
                mpc,
                HANGUP_API_TRIGGERED if cause is ExitCause.KICKED else NO_ACTIVE_PARTICIPANTS,
                now,
                events,
            )
        elif not remaining:
            self._end(mpc, NO_ACTIVE_PARTICIPANTS, now, events)
        elif len(remaining) == 1 and not mpc.stay_alone:
            self._end(mpc, STAY_ALONE_NOT_PERMITTED, now, events)

    def _end(self, mpc: MPC, cause: TerminationCause, now: datetime, events: list[DomainEvent]) -> None:
        if (rec := mpc.live_recording) is not None:
            events.append(rec.transition("stop", now))
        for participant in mpc.active_participants:
            events.extend(rec.transition("stop", now) for rec in participant.live_recordings())
            participant.exit_time = now
            participant.exit_cause = ExitCause.MPC_ENDED
            self._live_calls.pop(participant.call_uuid, None)
            events.append(ParticipantEvent(ParticipantEventKind.EXITED, mpc, participant, now))
        mpc.status = MPCStatus.ENDED
        mpc.end_time = now
        if self._live_by_name.get(mpc.friendly_name) is mpc:
            del self._live_by_name[mpc.friendly_name]
        mpc.termination_cause = cause
        mpc.auto_record = None
        events.append(MPCEvent(MPCEventKind.ENDED, mpc, now))

    def reset(self) -> None:
        self.mpcs.clear()
        self.recordings.clear()
        self._live_by_name.clear()
        self._live_calls.clear()
        self.ids.reseed()
