"""MPC status callbacks: which events go where, and what each carries.

Plivo documents the event groups a member subscribes to (``status_callback_events``) and the common
parameters; where its docs are silent (which URL gets MPC-level events when members disagree, the
names of exit and end details) the choices are made here once and listed in docs/fidelity.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from emulator.delivery.callbacks import Callback
from emulator.domain.billing import mpc_bill
from emulator.domain.events import (
    AddParticipantEvent,
    AddParticipantEventKind,
    MPCEvent,
    MPCEventKind,
    ParticipantEvent,
    ParticipantEventKind,
)
from emulator.domain.mpc import MPC
from emulator.domain.participant import Participant, StatusCallback, StatusEvents
from emulator.domain.values import plivo_time

StatusEvent = MPCEvent | ParticipantEvent | AddParticipantEvent

GROUP_OF: dict[MPCEventKind | ParticipantEventKind | AddParticipantEventKind, StatusEvents] = {
    **{kind: StatusEvents.MPC_STATE for kind in MPCEventKind},
    **{kind: StatusEvents.ADD_PARTICIPANT_API for kind in AddParticipantEventKind},
    **{kind: StatusEvents.PARTICIPANT_STATE for kind in ParticipantEventKind},
    ParticipantEventKind.SPEAK_STARTED: StatusEvents.PARTICIPANT_SPEAK,
    ParticipantEventKind.SPEAK_STOPPED: StatusEvents.PARTICIPANT_SPEAK,
    ParticipantEventKind.DIGIT_INPUT: StatusEvents.PARTICIPANT_DIGIT_INPUT,
}


class StatusScope(StrEnum):
    """Which status_callback_url gets which event when members set different ones."""

    # MPC events to the creator's URL; a member's events to the member's URL, else the creator's.
    CREATOR = "creator"
    # Every event to the creator's URL alone.
    CREATOR_ONLY = "creator-only"
    # Every event to every member's URL (each with its own groups).
    FAN_OUT = "fan-out"


@dataclass(frozen=True)
class StatusTarget:
    callback: StatusCallback
    # The member whose URL it is (None: the MPC's own, its creator's).
    member_id: str | None


def targets(event: StatusEvent, scope: StatusScope) -> list[StatusTarget]:
    """Where ``event`` is sent: each URL whose groups include the event's group."""
    mpc = event.mpc
    group = GROUP_OF[event.kind]
    creator = [StatusTarget(mpc.status_callback, None)] if mpc.status_callback is not None else []
    chosen: list[StatusTarget]
    if scope is StatusScope.CREATOR_ONLY:
        chosen = creator
    elif scope is StatusScope.FAN_OUT:
        members = [
            StatusTarget(p.status_callback, p.member_id)
            for p in mpc.participants.values()
            if p.status_callback is not None
        ]
        chosen = creator + members
    elif isinstance(event, ParticipantEvent) and event.participant.status_callback is not None:
        chosen = [StatusTarget(event.participant.status_callback, event.participant.member_id)]
    elif isinstance(event, AddParticipantEvent) and event.spec.status_callback is not None:
        member = event.participant.member_id if event.participant is not None else None
        chosen = [StatusTarget(event.spec.status_callback, member)]
    else:
        chosen = creator
    unique: dict[tuple[str, str], StatusTarget] = {}
    for target in chosen:
        if group in target.callback.events:
            unique.setdefault((target.callback.url, target.callback.method.value), target)
    return list(unique.values())


def status_params(event: StatusEvent, sequence: int) -> dict[str, str]:
    """The parameters of one status callback, snapshotted when the event happened."""
    mpc = event.mpc
    params = {
        "EventName": event.kind.value,
        "EventTimestamp": plivo_time(event.at) or "",
        "SequenceNumber": str(sequence),
        "MPCUUID": mpc.mpc_uuid,
        "MPCName": mpc.friendly_name,
    }
    if isinstance(event, ParticipantEvent):
        params.update(_member(event.participant))
        if event.kind is ParticipantEventKind.EXITED:
            params.update(_exit(event.participant))
        elif event.digit is not None:
            params["DigitInput"] = event.digit
    elif isinstance(event, AddParticipantEvent):
        params.update(_dialled(event))
    elif event.kind is MPCEventKind.ENDED:
        params.update(_end(mpc))
    return params


def _dialled(event: AddParticipantEvent) -> dict[str, str]:
    """An add-participant's dial-out: the member once it joined, the call it was dialled on, and
    (on completion) whether it joined."""
    call = event.call
    params = _member(event.participant) if event.participant is not None else {}
    params.update(
        ParticipantRole=event.spec.role.value,
        ParticipantCallUUID=call.call_uuid,
        MemberAddress=call.to_number,
        ParticipantCallFrom=call.from_number,
        ParticipantCallTo=call.to_number,
        ParticipantCallDirection="outbound",
    )
    if event.kind is AddParticipantEventKind.COMPLETED:
        params["AddParticipantAPIRequestOutcome"] = "success" if event.succeeded else "failure"
    return params


def _member(participant: Participant) -> dict[str, str]:
    return {
        "MemberID": participant.member_id,
        "ParticipantRole": participant.role.value,
        "ParticipantCallUUID": participant.call_uuid,
        "ParticipantCoachMode": str(participant.coach_mode).lower(),
        "MemberAddress": participant.member_address,
        "ParticipantCallFrom": participant.from_number,
        "ParticipantCallTo": participant.to_number,
        "ParticipantCallDirection": participant.call_direction,
    }


def _exit(participant: Participant) -> dict[str, str]:
    return {
        "ParticipantJoinTime": plivo_time(participant.join_time) or "",
        "ParticipantExitTime": plivo_time(participant.exit_time) or "",
        "ParticipantExitCause": participant.exit_cause.value if participant.exit_cause else "",
    }


def _end(mpc: MPC) -> dict[str, str]:
    bill = mpc_bill(mpc)
    cause = mpc.termination_cause
    return {
        "MPCDuration": str(bill.duration) if bill else "0",
        "MPCBilledDuration": str(bill.billed_duration) if bill else "0",
        "MPCBilledAmount": bill.billed_amount if bill else "0.00000",
        "MPCTerminationCause": cause.text if cause else "",
        "MPCTerminationCauseCode": str(cause.code) if cause else "",
    }


def status_callback(
    event: StatusEvent, target: StatusTarget, stream: int, sequence: int, scenario: str
) -> Callback:
    """One status callback, due when the event happened (no processing delay, unlike a recording's file)."""
    mpc = event.mpc
    return Callback(
        callback_id=f"{mpc.mpc_uuid}-status{stream}-{sequence}",
        auth_id=mpc.auth_id,
        recording_id=None,
        mpc_uuid=mpc.mpc_uuid,
        member_id=event.participant.member_id if isinstance(event, ParticipantEvent) else None,
        event_name=event.kind.value,
        sequence=sequence,
        url=target.callback.url,
        method=target.callback.method,
        params=status_params(event, sequence),
        due=event.at,
        scenario=scenario,
    )


class StatusStreams:
    """Per MPC, one stream per destination (method and URL): its lane and its SequenceNumber, which
    counts 1, 2, 3... for what that destination receives, whatever the others get."""

    def __init__(self) -> None:
        self._by_mpc: dict[str, dict[tuple[str, str], list[int]]] = {}

    def next(self, mpc_key: str, callback: StatusCallback) -> tuple[str, int, int]:
        """(lane key, stream number within the MPC, sequence number) of the next event to ``callback``."""
        streams = self._by_mpc.setdefault(mpc_key, {})
        destination = (callback.method.value, callback.url)
        stream = streams.setdefault(destination, [len(streams) + 1, 0])
        stream[1] += 1
        return f"{mpc_key}/status/{stream[0]}", stream[0], stream[1]

    def end(self, mpc_key: str) -> list[str]:
        """The MPC ended: the lane keys of its streams, which will receive nothing more."""
        streams = self._by_mpc.pop(mpc_key, {})
        return [f"{mpc_key}/status/{number}" for number, _ in streams.values()]

    def forget(self, auth_id: str) -> None:
        for key in [k for k in self._by_mpc if k.startswith(f"{auth_id}/")]:
            del self._by_mpc[key]
