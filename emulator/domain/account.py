"""One Plivo account's world: its MPCs and their members, and every operation the API performs on them.

Recordings are created and queried by :mod:`emulator.domain.recordings` (the account decides
whether one may start); filters live in :mod:`emulator.domain.filters`. Each public method
validates everything it needs before it changes anything, so
a request that is refused leaves the state exactly as it was. The events a
successful operation produces are handed to ``emit`` in order, once the change
is complete.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from emulator.domain.calls import (
    CANCELED,
    HUNG_UP_BY_API,
    AccountCalls,
    Call,
    CallApp,
    CallStatus,
    Hangup,
    hangup_for,
)
from emulator.domain.errors import Conflict, InvalidState, MPCNotInitialized, NotFound
from emulator.domain.events import (
    AddParticipantEvent,
    AddParticipantEventKind,
    AudioEvent,
    AudioEventKind,
    DomainEvent,
    MPCEvent,
    MPCEventKind,
    ParticipantEvent,
    ParticipantEventKind,
)
from emulator.domain.filters import MPCFilter, select_mpcs
from emulator.domain.ids import IdFactory
from emulator.domain.member_audio import AudioKind, AudioSpec, MemberAudio
from emulator.domain.mpc import MPC
from emulator.domain.participant import Participant, ParticipantSpec
from emulator.domain.recording import Recording, RecordingRequest
from emulator.domain.recordings import AccountRecordings, RecordingAction
from emulator.domain.refs import MemberSelector, MPCRef
from emulator.domain.transcription import AccountTranscriptions, Transcription
from emulator.domain.values import (
    HANGUP_API_TRIGGERED,
    MAX_DURATION_REACHED,
    NO_ACTIVE_PARTICIPANTS,
    STAY_ALONE_NOT_PERMITTED,
    ExitCause,
    MPCStatus,
    Role,
    TerminationCause,
    TrackSelector,
    checked_digits,
)

Clock = Callable[[], datetime]
Emit = Callable[[Sequence[DomainEvent]], None]


@dataclass(frozen=True)
class DialedCall:
    to: str
    from_: str
    call_uuid: str


@dataclass(frozen=True)
class AddedParticipant:
    mpc: MPC
    # None while the member's call is still ringing (it joins when answered).
    participant: Participant | None
    calls: tuple[DialedCall, ...]
    request_uuid: str


@dataclass(frozen=True)
class _Dialling:
    """An add-participant whose call rings until :meth:`Account.answer` (a scenario's ring time)."""

    mpc: MPC
    spec: ParticipantSpec
    legs: tuple[DialedCall, ...]
    calls: list[Call]


@dataclass(eq=False)
class Account:
    auth_id: str
    auth_token: str
    ids: IdFactory
    clock: Clock
    emit: Emit
    mpcs: dict[str, MPC] = field(default_factory=dict)
    recordings: AccountRecordings = field(init=False)
    transcriptions: AccountTranscriptions = field(init=False)
    calls: AccountCalls = field(init=False)
    # Indexes, so that lookups stay O(1) however many calls a long run accumulates.
    _live_by_name: dict[str, MPC] = field(default_factory=dict, repr=False)
    _live_calls: dict[str, tuple[MPC, Participant]] = field(default_factory=dict, repr=False)
    _audio_ids: int = field(default=0, repr=False)
    # The applications attached to the account's numbers (control plane), by number.
    numbers: dict[str, CallApp] = field(default_factory=dict)
    # Add-participant requests whose calls are ringing, by request_uuid.
    _dialling: dict[str, _Dialling] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.calls = AccountCalls(self.auth_id)
        self.recordings = AccountRecordings(
            self.auth_id, self.ids, self.clock, self.emit, self.mpcs, self.calls.get
        )
        self.transcriptions = AccountTranscriptions(self.clock, self.emit)

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
        return select_mpcs(self.mpcs.values(), query)

    def list_participants(self, ref: MPCRef, call_uuid: str | None = None) -> list[Participant]:
        mpc = self.find_mpc(ref)
        return [p for p in mpc.participants.values() if call_uuid is None or p.call_uuid == call_uuid]

    # --------------------------------------------------------- MPC lifecycle

    def add_participant(self, ref: MPCRef, spec: ParticipantSpec, *, ring: float = 0.0) -> AddedParticipant:
        """Dial the member (``to``) and join it once answered: at once, or ``ring`` seconds later
        (then :meth:`answer` joins it); or move an existing call (``call_uuid``) in."""
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
        request_uuid = self.ids.time_uuid()
        legs = [(c.call_uuid, c.from_, c.to) for c in calls]
        if spec.call_uuid is not None:  # a call already answered, moved into the MPC: nothing rings
            self.calls.move_in(mpc.mpc_uuid, legs[0], now, events, spec.on_exit_action)
            participant = self._join(mpc, spec, calls[0], now, events)
            self.emit(events)
            return AddedParticipant(mpc, participant, calls, request_uuid)
        hooks = {"status_callback": spec.call_status_callback, "on_exit_action": spec.on_exit_action}
        ringing = self.calls.dial(mpc.mpc_uuid, legs, request_uuid, now, events, **hooks)
        dialling = _Dialling(mpc, spec, calls, ringing)
        answer_at = now + timedelta(seconds=ring) if ring > 0 else None
        kind = AddParticipantEventKind.INITIATED
        events.append(AddParticipantEvent(kind, mpc, ringing[0], spec, now, None, answer_at, request_uuid))
        joined = None
        if answer_at is None:
            joined = self._connect(dialling, now, events)
        else:
            self._dialling[request_uuid] = dialling
        self.emit(events)
        return AddedParticipant(mpc, joined, calls, request_uuid)

    def answer(self, request_uuid: str) -> Participant | None:
        """A ringing member answers (its ring time is up) and joins, if the MPC can still take it;
        otherwise its calls are cancelled. None when nothing was ringing for that request."""
        dialling = self._dialling.pop(request_uuid, None)
        if dialling is None:
            return None
        now = self.clock()
        events: list[DomainEvent] = []
        mpc = dialling.mpc
        participant = None
        if mpc.live and len(mpc.active_participants) < mpc.max_participants:
            participant = self._connect(dialling, now, events)
        else:
            self._give_up(dialling, hangup_for(ExitCause.MPC_ENDED, ended_by_api=False), now, events)
        self.emit(events)
        return participant

    def _connect(self, dialling: _Dialling, now: datetime, events: list[DomainEvent]) -> Participant:
        winner = self.calls.pick_up(dialling.calls, now, events)
        leg = next(leg for leg in dialling.legs if leg.call_uuid == winner.call_uuid)
        participant = self._join(dialling.mpc, dialling.spec, leg, now, events)
        kind = AddParticipantEventKind.COMPLETED
        events.append(AddParticipantEvent(kind, dialling.mpc, winner, dialling.spec, now, participant))
        return participant

    def _give_up(self, dialling: _Dialling, hangup: Hangup, now: datetime, events: list[DomainEvent]) -> None:
        self.calls.cancel(dialling.calls, hangup, now, events)
        kind = AddParticipantEventKind.COMPLETED
        events.append(AddParticipantEvent(kind, dialling.mpc, dialling.calls[0], dialling.spec, now))

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
            call = self._dial(spec)[0]
            self.calls.answered(mpc.mpc_uuid, (call.call_uuid, call.from_, call.to), now, spec.on_exit_action)
            self._join(mpc, spec, call, now, events)
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
        if coach_mode is not None:
            # Plivo: coach mode "applies only to participants with the role Supervisor".
            others = [m for m in members if m.role is not Role.SUPERVISOR]
            if others:
                raise InvalidState(
                    f"cannot change coach_mode of member {others[0].member_id} in {mpc.describe()}: "
                    f"coach mode applies only to supervisors, and it is a {others[0].role.value}"
                )
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

    def hang_up_call(self, call_uuid: str, hangup: Hangup | None = None) -> Call:
        """``DELETE Call/{uuid}/`` (or ``hangup``: an XML ``<Hangup>``, a document that failed): a
        ringing call is cancelled, an answered one hung up; a member's call leaves its MPC first."""
        call = self.calls.get(call_uuid)
        if call is None or not call.live:
            raise NotFound(f"call '{call_uuid}' not found (only live calls can be hung up)")
        if hangup is None:
            hangup = CANCELED if call.status is CallStatus.RINGING else HUNG_UP_BY_API
        now = self.clock()
        events: list[DomainEvent] = []
        self.recordings.call_ended(call_uuid, now, events)
        if (member := self._live_calls.get(call_uuid)) is not None:
            mpc, participant = member
            self._exit(mpc, participant, ExitCause.HANGUP, now, events, hangup=hangup)
        else:
            self.calls.end(call, hangup, now, events)
        self.emit(events)
        return call

    def speak(self, mpc_uuid: str, member_id: str, speaking: bool) -> None:
        """The member starts or stops speaking (voice activity a test injects: there is no audio)."""
        mpc, participant = self._on_the_line(mpc_uuid, member_id)
        kind = ParticipantEventKind.SPEAK_STARTED if speaking else ParticipantEventKind.SPEAK_STOPPED
        self.emit([ParticipantEvent(kind, mpc, participant, self.clock())])

    def press_digits(self, mpc_uuid: str, member_id: str, digits: str) -> None:
        """The member presses keys: one event per digit, in order."""
        checked_digits(digits)
        mpc, participant = self._on_the_line(mpc_uuid, member_id)
        now = self.clock()
        kind = ParticipantEventKind.DIGIT_INPUT
        self.emit([ParticipantEvent(kind, mpc, participant, now, digit=digit) for digit in digits])

    def _on_the_line(self, mpc_uuid: str, member_id: str) -> tuple[MPC, Participant]:
        mpc = self._find_live(MPCRef("uuid", mpc_uuid), "reach a member of")
        return mpc, self._active_member(mpc, member_id, "reach the member")

    # ------------------------------------------------------ member Play, Speak

    def start_audio(self, ref: MPCRef, key: str, selector: MemberSelector, spec: AudioSpec) -> MemberAudio:
        """Play or speak to the members ``key`` names (it replaces one started with the same form)."""
        mpc = self._find_active(ref, f"{spec.kind} to members")
        members = self._resolve_members(mpc, selector, spec.kind.value)
        now = self.clock()
        events: list[DomainEvent] = []
        if (previous := mpc.audio.pop((spec.kind, key), None)) is not None:
            events.append(AudioEvent(AudioEventKind.STOPPED, mpc, previous, now))
        self._audio_ids += 1
        audio = MemberAudio(self._audio_ids, key, tuple(m.member_id for m in members), spec, now)
        mpc.audio[(spec.kind, key)] = audio
        events.append(AudioEvent(AudioEventKind.STARTED, mpc, audio, now))
        self.emit(events)
        return audio

    def stop_audio(self, ref: MPCRef, kind: AudioKind, key: str, audio_id: int | None = None) -> MPC:
        """Stop what was started with the same member form; nothing playing is not an error (it may
        have ended by itself). ``audio_id``: only that one (its end, when its time is up)."""
        mpc = self._find_live(ref, f"stop the {kind} of")
        audio = mpc.audio.get((kind, key))
        if audio is not None and audio_id in (None, audio.audio_id):
            del mpc.audio[(kind, key)]
            self.emit([AudioEvent(AudioEventKind.STOPPED, mpc, audio, self.clock())])
        return mpc

    # -------------------------------------------------------------- recordings

    def start_mpc_recording(self, ref: MPCRef, request: RecordingRequest) -> Recording:
        return self.recordings.start_for_mpc(self._find_active(ref, "start recording"), request)

    def change_mpc_recording(self, ref: MPCRef, action: RecordingAction) -> Recording:
        return self.recordings.change_for_mpc(self._find_active(ref, f"{action} recording"), action)

    def start_participant_recording(
        self, ref: MPCRef, member_id: str, selector: TrackSelector, request: RecordingRequest
    ) -> list[Recording]:
        mpc = self._find_active(ref, "start recording")
        participant = self._active_member(mpc, member_id, "start recording")
        return self.recordings.start_for_member(mpc, participant, selector, request)

    def change_participant_recording(
        self, ref: MPCRef, member_id: str, selector: TrackSelector, action: RecordingAction
    ) -> list[Recording]:
        mpc = self._find_active(ref, f"{action} recording")
        participant = self._active_member(mpc, member_id, f"{action} recording")
        return self.recordings.change_for_member(mpc, participant, selector, action)

    def publish_recording(self, recording_id: str, at: datetime) -> None:
        """A completed recording's file is processed: it joins the Recording resource, and its
        transcription is ordered if the request that started it asked for one."""
        recording = self.recordings.publish(recording_id, at)
        if recording is not None and recording.options.wants_transcription:
            self._transcribe(recording, recording.options.transcription_url)

    def order_transcription(self, recording_id: str, callback_url: str | None) -> Transcription:
        """``POST Transcription/{recording_id}/``: any processed recording can be transcribed."""
        return self._transcribe(self.recordings.find(recording_id), callback_url)

    def _transcribe(self, recording: Recording, callback_url: str | None) -> Transcription:
        # A member's track holds one voice; an MPC's, everyone who joined (as the transcript tells them).
        member = self.recordings.member_of(recording)
        mpc = self.mpcs.get(recording.mpc_uuid)
        voices = 1 if member is not None or mpc is None else len(mpc.participants)
        call_uuid = member.call_uuid if member is not None else ""
        return self.transcriptions.order(
            recording, callback_url, call_uuid=call_uuid, speakers=max(1, voices)
        )

    def expire_mpc(self, mpc_uuid: str) -> MPC:
        """The MPC reached its max_duration: it ends, and so does everything in it."""
        mpc = self._find_live(MPCRef("uuid", mpc_uuid), "expire")
        events: list[DomainEvent] = []
        self._end(mpc, MAX_DURATION_REACHED, self.clock(), events)
        self.emit(events)
        return mpc

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
            mpc.status_callback = template.status_callback  # MPC-level: the creator's
            mpc.music = template.music
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
            call_direction=spec.call_direction,
            record_participant_track=spec.record_participant_track,
            status_callback=spec.status_callback,
            sounds=spec.sounds,
        )
        mpc.participants[participant.member_id] = participant
        self._live_calls[participant.call_uuid] = (mpc, participant)
        if spec.record is not None and mpc.live_recording is None:
            mpc.auto_record = spec.record
        # A member who starts the MPC: MPCStart, then their ParticipantJoin, then what recording starts.
        if mpc.status is MPCStatus.INITIALIZED and spec.start_mpc_on_enter:
            self._mark_started(mpc, now, events)
        events.append(ParticipantEvent(ParticipantEventKind.JOINED, mpc, participant, now))
        self.recordings.auto_record(mpc, now, events)
        return participant

    def _next_member_id(self, mpc: MPC) -> str:
        while True:
            member_id = self.ids.member_id()
            if member_id not in mpc.participants:
                return member_id

    def _activate(self, mpc: MPC, now: datetime, events: list[DomainEvent]) -> None:
        self._mark_started(mpc, now, events)
        self.recordings.auto_record(mpc, now, events)

    def _mark_started(self, mpc: MPC, now: datetime, events: list[DomainEvent]) -> None:
        mpc.status = MPCStatus.ACTIVE
        mpc.start_time = now
        events.append(MPCEvent(MPCEventKind.STARTED, mpc, now))

    def _exit(
        self,
        mpc: MPC,
        participant: Participant,
        cause: ExitCause,
        now: datetime,
        events: list[DomainEvent],
        hangup: Hangup | None = None,
    ) -> None:
        events.extend(rec.transition("stop", now) for rec in participant.live_recordings())
        participant.exit_time = now
        participant.exit_cause = cause
        self._live_calls.pop(participant.call_uuid, None)
        participant.record_participant_track = None
        events.append(ParticipantEvent(ParticipantEventKind.EXITED, mpc, participant, now))
        self.calls.leave_mpc(mpc, participant, now, events, by_api=False, hangup=hangup)
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
        events.extend(AudioEvent(AudioEventKind.STOPPED, mpc, audio, now) for audio in mpc.audio.values())
        mpc.audio.clear()
        for participant in mpc.active_participants:
            events.extend(rec.transition("stop", now) for rec in participant.live_recordings())
            participant.exit_time = now
            participant.exit_cause = ExitCause.MPC_ENDED
            self._live_calls.pop(participant.call_uuid, None)
            events.append(ParticipantEvent(ParticipantEventKind.EXITED, mpc, participant, now))
            self.calls.leave_mpc(mpc, participant, now, events, by_api=cause is HANGUP_API_TRIGGERED)
        by_api = cause is HANGUP_API_TRIGGERED
        for request_uuid, dialling in list(self._dialling.items()):
            if dialling.mpc is mpc:  # still ringing: cancelled with the MPC
                del self._dialling[request_uuid]
                self._give_up(dialling, hangup_for(ExitCause.MPC_ENDED, ended_by_api=by_api), now, events)
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
        self.transcriptions.clear()
        self.calls.clear()
        self._dialling.clear()
        self.numbers.clear()
        self._live_by_name.clear()
        self._live_calls.clear()
        self._audio_ids = 0
        self.ids.reseed()
