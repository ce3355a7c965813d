"""Plivo's Call API on an account: placing calls, the far end answering, cancelling a request, and
calls arriving inbound. What a call does once answered is its application's XML (delivery fetches it,
see :mod:`emulator.delivery.call_app`); this module keeps the calls' state and emits their events.

Hanging up a live call (``DELETE Call/{uuid}/``) is :meth:`Account.hang_up_call`, which also
covers members' calls.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from emulator.domain.account import Account
from emulator.domain.calls import CANCELED, END_OF_XML, Call, CallApp, CallStatus, Hangup
from emulator.domain.errors import InvalidParameter, NotFound
from emulator.domain.events import DomainEvent
from emulator.domain.participant import Participant, ParticipantSpec
from emulator.domain.recording import Recording, RecordingRequest
from emulator.domain.refs import MPCRef

# Plivo's docs allow up to 1000 destinations in one make-call request.
MAX_DESTINATIONS = 1000


@dataclass(frozen=True)
class PlacedCall:
    request_uuid: str
    calls: tuple[Call, ...]


class CallAPI:
    """The Call API's verbs on one account (a view over :attr:`Account.calls`)."""

    def __init__(self, account: Account) -> None:
        self._account = account

    def make(self, from_number: str, to: tuple[str, ...], app: CallApp) -> PlacedCall:
        """``POST Call/``: each destination rings; the first to answer is the call (the others of a
        parallel dial lose the race)."""
        if not to or len(to) > MAX_DESTINATIONS:
            raise InvalidParameter("to", f"to needs 1 to {MAX_DESTINATIONS} destinations separated by '<'")
        if from_number in to:
            raise InvalidParameter("to", "src and destination cannot overlap")
        account = self._account
        request_uuid = account.ids.time_uuid()
        legs = [(account.ids.random_uuid(), from_number, destination) for destination in to]
        events: list[DomainEvent] = []
        calls = account.calls.place(legs, app, request_uuid, account.clock(), events)
        account.emit(events)
        return PlacedCall(request_uuid, tuple(calls))

    def attach(self, number: str, app: CallApp) -> None:
        """Plivo attaches an application to a number: calls arriving there ask its answer_url."""
        if not number or len(number) > 64:
            raise InvalidParameter("number", "a number is 1 to 64 characters")
        self._account.numbers[number] = app

    def detach(self, number: str) -> None:
        if self._account.numbers.pop(number, None) is None:
            raise NotFound(f"no application is attached to {number}")

    def application_of(self, number: str) -> CallApp:
        app = self._account.numbers.get(number)
        if app is None:
            raise InvalidParameter(
                "answer_url", f"no application is attached to {number}: give answer_url, or attach one first"
            )
        return app

    def arrive(self, from_number: str, to: str, app: CallApp) -> Call:
        """An inbound call (the control plane's ``dial_in``): it rings, and Plivo asks its answer_url."""
        account = self._account
        call_uuid = account.ids.random_uuid()
        events: list[DomainEvent] = []
        (call,) = account.calls.place(
            [(call_uuid, from_number, to)], app, call_uuid, account.clock(), events, direction="inbound"
        )
        account.emit(events)
        return call

    def answer(self, call_uuid: str) -> None:
        """The far end answers (its ring time is up): the first ringing leg of the request wins."""
        account = self._account
        call = account.calls.get(call_uuid)
        if call is None or call.status is not CallStatus.RINGING:
            return
        ringing = [c for c in account.calls.of_request(call.request_uuid) if c.status is CallStatus.RINGING]
        ringing.sort(key=lambda c: c is not call)
        events: list[DomainEvent] = []
        account.calls.pick_up(ringing, account.clock(), events)
        account.emit(events)

    def refuse(self, call_uuid: str, hangup: Hangup) -> None:
        """The far end does not answer (busy, no answer within ring_timeout, unreachable)."""
        account = self._account
        call = account.calls.get(call_uuid)
        if call is None or call.status is not CallStatus.RINGING:
            return
        events: list[DomainEvent] = []
        account.calls.end(call, hangup, account.clock(), events)
        account.emit(events)

    def finish(self, call_uuid: str, hangup: Hangup = END_OF_XML) -> None:
        """The call's document ran out, hung up, or could not be had: Plivo hangs up (taking the
        call out of its MPC first). Nothing happens to a call already ended."""
        call = self._account.calls.get(call_uuid)
        if call is not None and call.live:
            self._account.hang_up_call(call_uuid, hangup)

    def record(self, call_uuid: str, request: RecordingRequest) -> Recording:
        """An XML ``<Record>``: the call's own recording starts (answering a call still ringing)."""
        account = self._account
        call = account.calls.get(call_uuid)
        if call is None or not call.live:
            raise NotFound(f"call '{call_uuid}' is not live")
        now = account.clock()
        if call.status is CallStatus.RINGING:
            events: list[DomainEvent] = []
            account.calls.answer(call, now, events)
            account.emit(events)
        return account.recordings.start_for_call(call, request, now)

    def stop_recording(self, recording_id: str) -> Recording:
        recording = self._account.recordings.by_id(recording_id)
        if recording.can("stop"):
            self._account.recordings.act(recording_id, "stop")
        return recording

    def join(self, call_uuid: str, mpc_name: str, spec: ParticipantSpec) -> Participant:
        """An XML ``<MultiPartyCall>``: the call joins (or creates) the MPC named ``mpc_name``."""
        call = self._account.calls.get(call_uuid)
        if call is None or not call.live:
            raise NotFound(f"call '{call_uuid}' is not live")
        spec = replace(
            spec,
            call_uuid=call.call_uuid,
            from_number=call.from_number,
            to_numbers=(call.to_number,),
            call_direction=call.direction,
        )
        added = self._account.add_participant(MPCRef("name", mpc_name), spec)
        assert added.participant is not None  # a call moved in joins at once
        return added.participant

    def cancel(self, request_uuid: str) -> list[Call]:
        """``DELETE Request/{request_uuid}/``: calls of the request still ringing are cancelled."""
        account = self._account
        ringing = [c for c in account.calls.of_request(request_uuid) if c.status is CallStatus.RINGING]
        if not ringing:
            raise NotFound(f"no queued or ringing call for request '{request_uuid}'")
        events: list[DomainEvent] = []
        account.calls.cancel(ringing, CANCELED, account.clock(), events)
        account.emit(events)
        return ringing
