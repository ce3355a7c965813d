"""What a member's call reports: its progress to ``call_status_callback_url``, and the fetch of
``on_exit_action_url`` when it leaves the MPC.

Plivo documents neither payload for MPC calls (docs/fidelity.md says what was chosen): both carry
the parameters of every request Plivo makes about a call (``CallUUID``, ``From``, ``To``,
``Direction``, ``CallStatus``), the status callback adds an ``Event`` and, at the end, the hangup
fields of a Make Call ``hangup_url``; the exit action adds the "On Exit" parameters the MPC docs
list. One call's status callbacks share a lane, so ringing, answer and hangup arrive in order.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from emulator.delivery.callbacks import Callback
from emulator.delivery.choice import ScenarioChoice
from emulator.delivery.scenarios import Scenario
from emulator.domain.backend import Backend
from emulator.domain.calls import Call, CallStatus
from emulator.domain.events import CallEvent, CallEventKind
from emulator.domain.mpc import MPC
from emulator.domain.participant import Participant
from emulator.domain.values import Webhook, plivo_time

# The Event each status callback carries, as Plivo's ring/answer/hangup URLs name them.
_EVENT_NAMES = {
    CallEventKind.RINGING: "Ring",
    CallEventKind.ANSWERED: "StartApp",
    CallEventKind.HUNG_UP: "Hangup",
}


def call_params(call: Call, status: CallStatus | str) -> dict[str, str]:
    """What every request Plivo makes about a call carries (an outbound call's A-leg ids too)."""
    params = {
        "CallUUID": call.call_uuid,
        "From": call.from_number,
        "To": call.to_number,
        "Direction": call.direction,
        "CallStatus": str(status),
    }
    if call.direction == "outbound":
        params.update(
            RequestUUID=call.request_uuid, ALegUUID=call.call_uuid, ALegRequestUUID=call.request_uuid
        )
    if call.app is not None and call.app.caller_name:
        params["CallerName"] = call.app.caller_name
    return params


def hangup_params(call: Call) -> dict[str, str]:
    """How it ended (a Make Call hangup_url's fields)."""
    hangup = call.hangup
    assert hangup is not None
    answered = call.answered_at is not None
    params = {
        "HangupCause": hangup.cause,
        "HangupSource": hangup.source,
        "Duration": str(call.duration),
        # Per started minute once answered, as members are billed.
        "BillDuration": str(max(1, math.ceil(call.duration / 60)) * 60 if answered else 0),
        "StartTime": plivo_time(call.initiated_at) or "",
        "AnswerTime": plivo_time(call.answered_at) or "",
        "EndTime": plivo_time(call.ended_at) or "",
    }
    if hangup.code is not None:
        params["HangupCauseCode"] = str(hangup.code)
    return params


def status_params(event: CallEvent) -> dict[str, str]:
    call = event.call
    status = {
        CallEventKind.RINGING: CallStatus.RINGING,
        CallEventKind.ANSWERED: CallStatus.IN_PROGRESS,
    }.get(event.kind)
    params = {**call_params(call, status or final_status(call)), "Event": _EVENT_NAMES[event.kind]}
    if event.kind is CallEventKind.HUNG_UP:
        params.update(hangup_params(call))
    return params


def final_status(call: Call) -> str:
    """The CallStatus a hangup request carries: completed, or why it never was (busy...)."""
    return call.hangup.call_status if call.hangup is not None else CallStatus.COMPLETED.value


def exit_action_params(call: Call, mpc: MPC, participant: Participant) -> dict[str, str]:
    """The MPC docs' "On Exit Parameters" (MPCFriendlyName, not MPCName) and the call's own."""
    return {
        **call_params(call, CallStatus.IN_PROGRESS),
        "MPCUUID": mpc.mpc_uuid,
        "MPCFriendlyName": mpc.friendly_name,
        "MemberID": participant.member_id,
        "ParticipantCallUUID": participant.call_uuid,
        "ParticipantJoinTime": plivo_time(participant.join_time) or "",
        "ParticipantEndTime": plivo_time(participant.exit_time) or "",
        "ParticipantRole": participant.role.value,
    }


# (lane key, callback, its scenario, whether the lane is finished): how the engine queues one.
Queue = Callable[[str, Callback, Scenario, bool], object]


class CallCallbacks:
    """Turns members' call events into callbacks and queues them; counts each call's status
    callbacks (their SequenceNumber)."""

    def __init__(self, backend: Backend, choice: ScenarioChoice, queue: Queue) -> None:
        self._backend = backend
        self._choice = choice
        self._queue = queue
        self._sent: dict[str, int] = {}

    def on_event(self, event: CallEvent) -> None:
        call = event.call
        if call.status_callback is None or event.kind is CallEventKind.LEFT_MPC:
            return  # nothing to send: skip the scenario lookup (every member's call has events)
        mpc = self._backend.account(call.auth_id).mpcs.get(call.mpc_uuid or "")
        scenario = self._choice.for_mpc(call.auth_id, mpc.friendly_name if mpc else "")
        for key, callback, last in self.for_event(event, scenario.name):
            self._queue(key, callback, scenario, last)

    def forget(self, auth_id: str) -> None:
        for key in [k for k in self._sent if k.startswith(f"{auth_id}/")]:
            del self._sent[key]

    def for_event(self, event: CallEvent, scenario: str) -> list[tuple[str, Callback, bool]]:
        """(lane key, callback, whether the lane is finished) for each callback the event causes."""
        call = event.call
        key = f"{call.auth_id}/call/{call.call_uuid}"
        if call.status_callback is None:
            return []
        sequence = self._sent[key] = self._sent.get(key, 0) + 1
        last = event.kind is CallEventKind.HUNG_UP
        if last:
            del self._sent[key]
        callback = self._callback(event, call.status_callback, sequence, status_params(event), scenario)
        return [(key, callback, last)]

    @staticmethod
    def _callback(
        event: CallEvent, hook: Webhook, sequence: int, params: dict[str, str], scenario: str
    ) -> Callback:
        call = event.call
        return Callback(
            callback_id=f"{call.call_uuid}-call{sequence}",
            auth_id=call.auth_id,
            recording_id=None,
            mpc_uuid=call.mpc_uuid or "",
            member_id=event.participant.member_id if event.participant is not None else None,
            event_name=event.kind.value,
            sequence=sequence,
            url=hook.url,
            method=hook.method,
            params=params,
            due=event.at,
            scenario=scenario,
        )
