"""An account's calls: dialled, answered, hung up, with Plivo's hangup causes.

    dial ──> ringing ──> in-progress ──> completed (hangup cause, code, source)
                │
                └──────────────────────> completed (cancelled, or a parallel dial's losing leg)

Calls come three ways. Add-participant dials a member (or several, ``to`` with ``<``: the first
answers, the others lose the race); the control plane makes members whose calls were already
answered; and the Call API places a call, or the control plane makes one arrive, whose *application*
(answer_url, ring_url, hangup_url, fallback_url) Plivo asks what to do. How a call ends says why:
Plivo's hangup causes (docs.plivo.com/docs/voice/troubleshooting/hangup-causes: 1000 Canceled, 4000
Normal Hangup, 4010 End Of XML Instructions, 4020 Multiparty Call Ended, 4030 Kicked Out Of
Multiparty Call) and sources.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from emulator.domain.events import CallEvent, CallEventKind, DomainEvent
from emulator.domain.mpc import MPC
from emulator.domain.participant import Participant
from emulator.domain.values import ExitCause, Webhook


class CallStatus(StrEnum):
    RINGING = "ringing"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"


@dataclass(frozen=True)
class Hangup:
    """Why a call ended (``code`` None: Plivo documents no code for it), who ended it, and the
    CallStatus its hangup request carries (Plivo: completed, busy, no-answer, failed...)."""

    cause: str
    code: int | None
    source: str
    call_status: str = "completed"


NORMAL_HANGUP = Hangup("Normal Hangup", 4000, "Call recipient")
HUNG_UP_BY_API = Hangup("Normal Hangup", 4000, "API Request")
CANCELED = Hangup("Canceled", 1000, "API Request")
# The far end did not answer: busy, never picked up, or could not be reached.
BUSY = Hangup("Busy Line", None, "Call recipient", "busy")
NO_ANSWER = Hangup("No Answer", None, "Plivo", "no-answer")
UNREACHABLE = Hangup("Destination Out Of Service", 2010, "Carrier", "failed")
# answer_url (and fallback_url) never gave a document: Plivo's table has no code for it.
ANSWER_FAILED = Hangup("Answer URL Unreachable", None, "Error")
END_OF_XML = Hangup("End Of XML Instructions", 4010, "Plivo")
MPC_ENDED_BY_API = Hangup("Multiparty Call Ended", 4020, "API Request")
MPC_ENDED = Hangup("Multiparty Call Ended", 4020, "Plivo")
KICKED = Hangup("Kicked Out Of Multiparty Call", 4030, "API Request")
# Plivo's MPC docs name the cause ("LOST RACE"); its hangup-cause table has no code for it.
LOST_RACE = Hangup("Lost Race", None, "Plivo")
# Make-call's time_limit ran out after the answer, or hangup_on_ring after the ringing began:
# Plivo's table has no row for either, so they are named here and sent without a code.
TIME_LIMIT_REACHED = Hangup("Time Limit Reached", None, "Plivo")
HANGUP_ON_RING = Hangup("Hangup On Ring", None, "Plivo")
HANGUP_ON_RING_UNANSWERED = Hangup("Hangup On Ring", None, "Plivo", "no-answer")
# Plivo cuts any time_limit at a day (make-call docs).
MAX_TIME_LIMIT = 86400


@dataclass(frozen=True)
class CallApp:
    """Whom Plivo asks about a call placed by the Call API or arriving inbound: answer_url for its
    XML (fallback_url if that fails), ring_url when it rings, hangup_url when it ends."""

    answer: Webhook
    ring: Webhook | None = None
    hangup: Webhook | None = None
    fallback: Webhook | None = None
    caller_name: str = ""
    # Seconds the call may ring before Plivo gives up (make-call's ring_timeout).
    ring_timeout: int = 120
    # Seconds the call may last once answered (time_limit), and from its ringing (hangup_on_ring).
    time_limit: int = 14400
    hangup_on_ring: int | None = None


@dataclass(eq=False)
class Call:
    call_uuid: str
    auth_id: str
    # The MPC it was dialled into by add-participant (None: a Call API or inbound call).
    mpc_uuid: str | None
    request_uuid: str
    from_number: str
    to_number: str
    initiated_at: datetime
    direction: str = "outbound"
    status: CallStatus = CallStatus.RINGING
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    hangup: Hangup | None = None
    # Where its ringing, answer and hangup are reported (add-participant's call_status_callback_url).
    status_callback: Webhook | None = None
    # What it does after its member leaves the MPC (on_exit_action_url): fetch the next XML.
    on_exit_action: Webhook | None = None
    # A Call API or inbound call's application.
    app: CallApp | None = None

    @property
    def live(self) -> bool:
        return self.status is not CallStatus.COMPLETED

    @property
    def duration(self) -> int:
        """Whole seconds answered (0 for a call never answered)."""
        if self.answered_at is None or self.ended_at is None:
            return 0
        return max(0, int((self.ended_at - self.answered_at).total_seconds()))


def hangup_for(cause: ExitCause, *, ended_by_api: bool) -> Hangup:
    """How a member's call ends when it leaves the MPC for ``cause`` (and no exit action takes over)."""
    if cause is ExitCause.KICKED:
        return KICKED
    if cause is ExitCause.MPC_ENDED:
        return MPC_ENDED_BY_API if ended_by_api else MPC_ENDED
    return NORMAL_HANGUP


class AccountCalls:
    """Every call of the account, by call_uuid: members', the Call API's, inbound ones."""

    def __init__(self, auth_id: str) -> None:
        self._auth_id = auth_id
        self._by_uuid: dict[str, Call] = {}
        # The legs of each Call API request (a parallel dial's several), found without a scan.
        self._by_request: dict[str, list[Call]] = {}

    def __iter__(self) -> Iterator[Call]:
        return iter(list(self._by_uuid.values()))

    def __len__(self) -> int:
        return len(self._by_uuid)

    def get(self, call_uuid: str) -> Call | None:
        return self._by_uuid.get(call_uuid)

    def clear(self) -> None:
        self._by_uuid.clear()
        self._by_request.clear()

    def dial(
        self,
        mpc_uuid: str,
        legs: list[tuple[str, str, str]],
        request_uuid: str,
        now: datetime,
        events: list[DomainEvent],
        *,
        status_callback: Webhook | None = None,
        on_exit_action: Webhook | None = None,
    ) -> list[Call]:
        """Ring each ``(call_uuid, from, to)`` leg (:meth:`pick_up` answers them later)."""
        calls = [
            Call(uuid, self._auth_id, mpc_uuid, request_uuid, from_, to, now, status_callback=status_callback)
            for uuid, from_, to in legs
        ]
        for call in calls:
            call.on_exit_action = on_exit_action
            self._by_uuid[call.call_uuid] = call
            events.append(CallEvent(CallEventKind.RINGING, call, now))
        return calls

    def pick_up(self, calls: list[Call], now: datetime, events: list[DomainEvent]) -> Call:
        """The first leg answers; the others of a parallel dial lose the race."""
        winner, *losers = calls
        self.answer(winner, now, events)
        for call in losers:
            self.end(call, LOST_RACE, now, events)
        return winner

    def cancel(self, calls: list[Call], hangup: Hangup, now: datetime, events: list[DomainEvent]) -> None:
        """Calls still ringing when what they were dialled into went away."""
        for call in calls:
            if call.status is not CallStatus.COMPLETED:
                self.end(call, hangup, now, events)

    def answered(
        self,
        mpc_uuid: str,
        leg: tuple[str, str, str],
        now: datetime,
        on_exit_action: Webhook | None = None,
    ) -> Call:
        """A call that was answered before the emulator saw it (a transferred call_uuid, the control
        plane's members): no ringing, no answer reported."""
        call_uuid, from_, to = leg
        call = Call(
            call_uuid, self._auth_id, mpc_uuid, call_uuid, from_, to, now, on_exit_action=on_exit_action
        )
        call.status, call.answered_at = CallStatus.IN_PROGRESS, now
        self._by_uuid[call_uuid] = call
        return call

    def place(
        self,
        legs: list[tuple[str, str, str]],
        app: CallApp,
        request_uuid: str,
        now: datetime,
        events: list[DomainEvent],
        *,
        direction: str = "outbound",
    ) -> list[Call]:
        """Calls the Call API places (or that arrive inbound): ringing, until the far end answers."""
        calls = [
            Call(uuid, self._auth_id, None, request_uuid, from_, to, now, direction=direction, app=app)
            for uuid, from_, to in legs
        ]
        for call in calls:
            self._by_uuid[call.call_uuid] = call
            events.append(CallEvent(CallEventKind.RINGING, call, now))
        self._by_request[request_uuid] = calls
        return calls

    def of_request(self, request_uuid: str) -> list[Call]:
        """The calls a Call API request placed (or an inbound call, by its own uuid)."""
        return list(self._by_request.get(request_uuid, ()))

    def move_in(
        self,
        mpc_uuid: str,
        leg: tuple[str, str, str],
        now: datetime,
        events: list[DomainEvent],
        on_exit_action: Webhook | None = None,
    ) -> Call:
        """A call joins an MPC by its uuid: one this account has (an XML ``<MultiPartyCall>``, answered
        now if it was still ringing), or one from elsewhere (add-participant's ``call_uuid``)."""
        call = self._by_uuid.get(leg[0])
        if call is None or not call.live:
            return self.answered(mpc_uuid, leg, now, on_exit_action)
        call.mpc_uuid, call.on_exit_action = mpc_uuid, on_exit_action
        if call.status is CallStatus.RINGING:
            self.answer(call, now, events)
        return call

    def answer(self, call: Call, now: datetime, events: list[DomainEvent]) -> None:
        call.status, call.answered_at = CallStatus.IN_PROGRESS, now
        events.append(CallEvent(CallEventKind.ANSWERED, call, now))

    def leave_mpc(
        self,
        mpc: MPC,
        participant: Participant,
        now: datetime,
        events: list[DomainEvent],
        *,
        by_api: bool,
        hangup: Hangup | None = None,
    ) -> None:
        """The member left the MPC. Kicked or ended out of it, a call with an exit action (or run by
        its own XML) goes on (``LEFT_MPC``: delivery fetches the exit action's document, or runs the
        next verb); any other is hung up. ``by_api``: the MPC was ended by an API request;
        ``hangup``: the call itself was hung up, and how."""
        call = self._by_uuid.get(participant.call_uuid)
        cause = participant.exit_cause
        if call is None or call.status is CallStatus.COMPLETED or cause is None:
            return
        if hangup is not None:
            self.end(call, hangup, now, events)
            return
        goes_on = call.app is not None or call.on_exit_action is not None
        if goes_on and cause in (ExitCause.KICKED, ExitCause.MPC_ENDED):
            # The call goes on: to its exit action's document, or its own XML's next verb.
            events.append(CallEvent(CallEventKind.LEFT_MPC, call, now, mpc=mpc, participant=participant))
            return
        self.end(call, hangup_for(cause, ended_by_api=by_api), now, events)

    def end(self, call: Call, hangup: Hangup, now: datetime, events: list[DomainEvent]) -> None:
        call.status, call.ended_at, call.hangup = CallStatus.COMPLETED, now, hangup
        events.append(CallEvent(CallEventKind.HUNG_UP, call, now))
