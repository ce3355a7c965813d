"""The filters of Plivo's list endpoints (MPCs, Recordings), applied to an account's objects.

Each filter is a frozen value the HTTP layer fills from query parameters; the selection
functions are pure, so they are tested without HTTP and without an account.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from emulator.domain.calls import Call
from emulator.domain.mpc import MPC
from emulator.domain.participant import Participant
from emulator.domain.recording import Recording
from emulator.domain.values import MPCStatus

# (operator, bound) pairs: the operator is one of gt/gte/lt/lte (and eq for whole numbers).
TimeBounds = tuple[tuple[str, datetime], ...]
IntBounds = tuple[tuple[str, int], ...]

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


@dataclass(frozen=True)
class MPCFilter:
    friendly_name: str | None = None
    status: MPCStatus | None = None
    termination_cause_code: int | None = None
    creation_time: TimeBounds = ()
    end_time: TimeBounds = ()

    def matches(self, mpc: MPC) -> bool:
        cause = mpc.termination_cause
        return (
            (self.friendly_name is None or mpc.friendly_name == self.friendly_name)
            and (self.status is None or mpc.status is self.status)
            and (
                self.termination_cause_code is None
                or (self.termination_cause_code == 0 and cause is None)
                or (cause is not None and cause.code == self.termination_cause_code)
            )
            and in_bounds(mpc.creation_time, self.creation_time)
            and in_bounds(mpc.end_time, self.end_time)
        )


@dataclass(frozen=True)
class RecordingFilter:
    mpc_name: str | None = None
    mpc_uuid: str | None = None
    call_uuid: str | None = None
    from_number: str | None = None
    to_number: str | None = None
    # MPC recordings belong to no conference: a conference filter matches none of them.
    conference: bool = False
    add_time: TimeBounds = ()
    storage_days: IntBounds = ()

    @property
    def by_member(self) -> bool:
        """Whether the filter needs the recording's member (looked up only then)."""
        return self.call_uuid is not None or self.from_number is not None or self.to_number is not None

    def matches(self, recording: Recording, member: Participant | Call | None, now: datetime) -> bool:
        if self.conference:
            return False
        if self.by_member and (
            member is None
            or (self.call_uuid is not None and member.call_uuid != self.call_uuid)
            or (self.from_number is not None and member.from_number != self.from_number)
            or (self.to_number is not None and member.to_number != self.to_number)
        ):
            return False
        days = storage_days(recording, now)
        return (
            (self.mpc_name is None or recording.mpc_name == self.mpc_name)
            and (self.mpc_uuid is None or recording.mpc_uuid == self.mpc_uuid)
            and in_bounds(recording.available_at, self.add_time)
            and all(_COMPARE_INT[op](days, bound) for op, bound in self.storage_days)
        )


def storage_days(recording: Recording, now: datetime) -> int:
    """Plivo's recording_storage_duration: 1 on the day the file is added, one more after each 24 h
    ("Increments by one after 24 hours from the recording add time. Minimum value: 1")."""
    if recording.available_at is None:
        return 0
    return 1 + max(0, (now - recording.available_at).days)


def in_bounds(value: datetime | None, bounds: TimeBounds) -> bool:
    if not bounds:
        return True
    if value is None:
        return False
    return all(_COMPARE[op](value, bound) for op, bound in bounds)


def select_mpcs(mpcs: Iterable[MPC], query: MPCFilter) -> list[MPC]:
    """Newest first, as Plivo lists; the order given breaks ties."""
    indexed = [(i, mpc) for i, mpc in enumerate(mpcs) if query.matches(mpc)]
    indexed.sort(key=lambda pair: (pair[1].creation_time, pair[0]), reverse=True)
    return [mpc for _, mpc in indexed]
