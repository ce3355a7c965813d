"""A recording and its state machine.

    start ──> recording ⇄ paused
                 │         │
                 └────┬────┘
                      ├── stop / participant leaves / MPC ends ──> completed
                      └── fault ─────────────────────────────────> failed

Duration counts recorded time only: paused stretches are excluded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from emulator.domain.errors import InvalidState
from emulator.domain.events import RecordingEvent, RecordingEventKind
from emulator.domain.values import (
    CallbackMethod,
    FileFormat,
    RecordingScope,
    RecordingState,
    TrackType,
)

# action -> (states it may start from, state it leads to, event it emits)
_TRANSITIONS: dict[str, tuple[frozenset[RecordingState], RecordingState, RecordingEventKind]] = {
    "pause": (frozenset({RecordingState.RECORDING}), RecordingState.PAUSED, RecordingEventKind.PAUSED),
    "resume": (frozenset({RecordingState.PAUSED}), RecordingState.RECORDING, RecordingEventKind.RESUMED),
    "stop": (
        frozenset({RecordingState.RECORDING, RecordingState.PAUSED}),
        RecordingState.COMPLETED,
        RecordingEventKind.COMPLETED,
    ),
    "fail": (
        frozenset({RecordingState.RECORDING, RecordingState.PAUSED}),
        RecordingState.FAILED,
        RecordingEventKind.FAILED,
    ),
}


@dataclass(frozen=True)
class RecordingOptions:
    """What a start-recording request asks for."""

    file_format: FileFormat = FileFormat.MP3
    callback_url: str | None = None
    callback_method: CallbackMethod = CallbackMethod.POST
    # "record-xml": a <Record> verb's recording, whose callback_url gets one request, Record XML's
    # parameters, once the file is processed (not the MPC recording events).
    callback_shape: str = "events"
    # Where the transcription of each file goes (always POSTed: no SDK sends a method for it).
    transcription_url: str | None = None
    transcript: bool = False

    @property
    def wants_transcription(self) -> bool:
        """A URL to send it to asks for a transcript as much as ``transcript=true`` does: plivo-python
        sends ``transcript=false`` with every request, whether or not a URL is set."""
        return self.transcript or self.transcription_url is not None


@dataclass(frozen=True, eq=False)
class RecordingRequest:
    """One request to record (a Record API call, or add-participant's record=true).

    Compared by identity: the layers around the domain attach what they know of the request
    (the address the client used, a scenario it named) to this object, and find it again from
    :attr:`Recording.request` when the recording starts, maybe requests later.
    """

    options: RecordingOptions = RecordingOptions()


@dataclass(eq=False)
class Recording:
    recording_id: str
    auth_id: str
    mpc_uuid: str
    mpc_name: str
    member_id: str | None
    track_type: TrackType | None
    request: RecordingRequest
    start_time: datetime
    state: RecordingState = RecordingState.RECORDING
    end_time: datetime | None = None
    failure_reason: str | None = None
    sequence: int = 0
    # When the processed file joins the account's Recordings (the Completed callback's moment).
    available_at: datetime | None = None
    deleted: bool = False
    # The call a <Record> verb recorded (its own recording, outside any MPC).
    call_uuid: str | None = None
    _recorded: timedelta = field(default=timedelta(0), repr=False)
    _segment_start: datetime | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._segment_start = self.start_time

    @property
    def scope(self) -> RecordingScope:
        if self.call_uuid is not None and self.member_id is None:
            return RecordingScope.CALL
        return RecordingScope.MPC if self.member_id is None else RecordingScope.PARTICIPANT

    @property
    def options(self) -> RecordingOptions:
        return self.request.options

    @property
    def channels(self) -> int:
        """A member's ``all`` track is Plivo's "multi-channel recording for the specified participant":
        two channels, the member and the rest of the call. The MPC's recording and a member's
        ``participant`` track are mono."""
        return 2 if self.track_type is TrackType.ALL else 1

    @property
    def file_format(self) -> FileFormat:
        return self.options.file_format

    def describe(self) -> str:
        """How error messages name this recording."""
        if self.call_uuid is not None and self.member_id is None:
            return f"the recording of call {self.call_uuid}"
        if self.member_id is None:
            return f"the recording of MPC '{self.mpc_name}'"
        return f"the '{self.track_type}' track recording of member {self.member_id} in MPC '{self.mpc_name}'"

    def published(self, now: datetime) -> bool:
        """In the Recording resource: processed by ``now`` and not deleted."""
        return self.available_at is not None and self.available_at <= now and not self.deleted

    def duration(self, now: datetime) -> timedelta:
        if self._segment_start is None:
            return self._recorded
        return self._recorded + (now - self._segment_start)

    def initiated(self) -> RecordingEvent:
        return self._event(RecordingEventKind.INITIATED, self.start_time)

    def can(self, action: str) -> bool:
        return self.state in _TRANSITIONS[action][0]

    def ensure_can(self, action: str) -> None:
        if not self.can(action):
            raise InvalidState(f"cannot {action} {self.describe()}: it is {self.state.value}")

    def transition(self, action: str, now: datetime, *, reason: str | None = None) -> RecordingEvent:
        self.ensure_can(action)
        _, target, kind = _TRANSITIONS[action]
        if self._segment_start is not None:
            self._recorded += now - self._segment_start
        self._segment_start = now if target is RecordingState.RECORDING else None
        self.state = target
        if not target.is_live:
            self.end_time = now
            self.failure_reason = reason
        return self._event(kind, now)

    def _event(self, kind: RecordingEventKind, at: datetime) -> RecordingEvent:
        self.sequence += 1
        return RecordingEvent(kind=kind, recording=self, at=at, sequence=self.sequence)
