"""What Plivo does around a Call API or inbound call: it tells ``ring_url`` the call rings, lets
the far end answer after its ring time, asks ``answer_url`` (then ``fallback_url``) for the call's
XML, and tells ``hangup_url`` how the call ended.

Each request is signed, retried on the scenario's backoff (Plivo: the fallback is asked "if
answer_url fails after 3 retries") and journaled: ``CallRingURL``, ``CallAnswerURL``,
``CallFallbackURL``, ``CallHangupURL``, and the documents verbs fetch (``CallRedirectURL``,
``CallActionURL``, ``CallExitAction``), each checked in ``reply_check``. The document is what the
call does next: :mod:`emulator.delivery.plivoxml.runner` runs it.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from datetime import datetime, timedelta

from emulator.delivery.call_callbacks import call_params, exit_action_params, final_status, hangup_params
from emulator.delivery.callbacks import Callback, LinksFor
from emulator.delivery.choice import ScenarioChoice
from emulator.delivery.journal import DeliveryState, JournalEntry
from emulator.delivery.lanes import Reply, Then
from emulator.delivery.plivoxml.runner import Note, XmlRunner
from emulator.delivery.scenarios import FarEnd, Scenario
from emulator.delivery.scheduler import Scheduler
from emulator.domain.backend import Backend
from emulator.domain.call_api import CallAPI
from emulator.domain.calls import (
    ANSWER_FAILED,
    BUSY,
    HANGUP_ON_RING,
    HANGUP_ON_RING_UNANSWERED,
    NO_ANSWER,
    NORMAL_HANGUP,
    TIME_LIMIT_REACHED,
    UNREACHABLE,
    Call,
    CallApp,
    Hangup,
)
from emulator.domain.errors import DomainError
from emulator.domain.events import CallEvent, CallEventKind
from emulator.domain.values import Webhook

Send = Callable[[Callback, Scenario, Then | None], JournalEntry]


class CallApps:
    def __init__(
        self,
        backend: Backend,
        scheduler: Scheduler,
        choice: ScenarioChoice,
        send: Send,
        note: Note,
        links: LinksFor,
    ) -> None:
        self._backend = backend
        self._scheduler = scheduler
        self._choice = choice
        self._send = send
        self.runner = XmlRunner(backend, scheduler, self.fetch_document, note, links)
        # Requests made per account: their journal ids (and SequenceNumber), repeatable per account.
        self._made: dict[str, int] = {}

    def forget(self, auth_id: str) -> None:
        self._made.pop(auth_id, None)
        self.runner.forget(auth_id)

    def on_event(self, event: CallEvent) -> None:
        call, app = event.call, event.call.app
        if event.kind is CallEventKind.LEFT_MPC:  # any call with an exit action, or run by XML
            assert event.mpc is not None and event.participant is not None
            self.runner.left_mpc(call, exit_action_params(call, event.mpc, event.participant))
            return
        if event.kind is CallEventKind.HUNG_UP:
            self.runner.hung_up(call)
        if app is None:
            return
        scenario = self._choice.for_account(call.auth_id)
        self._limit(event, app)
        if event.kind is CallEventKind.RINGING:
            if app.ring is not None:
                self._request(call, "CallRingURL", app.ring, {"Event": "Ring"}, scenario)
            if call.direction == "inbound":  # Plivo asks what to do with an arriving call at once
                self._fetch(call, app.answer, scenario, fallback=False)
            else:
                self._far_end(event, scenario.calls, app.ring_timeout)
        elif event.kind is CallEventKind.ANSWERED and call.direction == "outbound":
            self._fetch(call, app.answer, scenario, fallback=False)
            if scenario.calls.hangup_after is not None:  # the far end puts the phone down
                due = event.at + timedelta(seconds=scenario.calls.hangup_after)
                self._at(due, call, functools.partial(self._finish, call, NORMAL_HANGUP))
        elif event.kind is CallEventKind.HUNG_UP and app.hangup is not None:
            extra = {"Event": "Hangup", **hangup_params(call)}
            self._request(call, "CallHangupURL", app.hangup, extra, scenario)

    def _limit(self, event: CallEvent, app: CallApp) -> None:
        """Plivo's own hang-ups a make-call asked for: time_limit counts from the answer,
        hangup_on_ring from the ringing."""
        call = event.call
        if event.kind is CallEventKind.ANSWERED:
            due = event.at + timedelta(seconds=app.time_limit)
            self._at(due, call, functools.partial(self._finish, call, TIME_LIMIT_REACHED))
        elif event.kind is CallEventKind.RINGING and app.hangup_on_ring is not None:
            due = event.at + timedelta(seconds=app.hangup_on_ring)
            self._at(due, call, functools.partial(self._hang_up_on_ring, call))

    def _far_end(self, event: CallEvent, far: FarEnd, ring_timeout: int) -> None:
        """What the dialled party does: answers after ``far.ring`` (unless ring_timeout comes
        first: no answer), or is busy, never answers, cannot be reached."""
        call = event.call
        ring = min(far.ring, ring_timeout)
        outcome: Callable[[CallAPI], None]
        if far.answer == "answer" and far.ring <= ring_timeout:
            outcome = functools.partial(self._answer, call)
        elif far.answer in ("answer", "no-answer"):
            ring = ring_timeout
            outcome = functools.partial(self._refuse, call, NO_ANSWER)
        else:
            refusal = BUSY if far.answer == "busy" else UNREACHABLE
            outcome = functools.partial(self._refuse, call, refusal)
        self._at(event.at + timedelta(seconds=ring), call, outcome)

    def _at(self, due: datetime, call: Call, action: Callable[[CallAPI], None]) -> None:
        def run() -> None:
            with contextlib.suppress(DomainError):  # its account is gone
                action(CallAPI(self._backend.account(call.auth_id)))

        self._scheduler.schedule(due, run, owner=call.auth_id)

    @staticmethod
    def _answer(call: Call, api: CallAPI) -> None:
        api.answer(call.call_uuid)

    @staticmethod
    def _refuse(call: Call, hangup: Hangup, api: CallAPI) -> None:
        api.refuse(call.call_uuid, hangup)

    @staticmethod
    def _finish(call: Call, hangup: Hangup, api: CallAPI) -> None:
        api.finish(call.call_uuid, hangup)

    @staticmethod
    def _hang_up_on_ring(call: Call, api: CallAPI) -> None:
        """hangup_on_ring counts from the ringing whether or not the call was answered since: a
        call still ringing ends unanswered, an answered one ends (a call already over is left)."""
        api.refuse(call.call_uuid, HANGUP_ON_RING_UNANSWERED)
        api.finish(call.call_uuid, HANGUP_ON_RING)

    def _fetch(self, call: Call, hook: Webhook, scenario: Scenario, *, fallback: bool) -> None:
        """Ask for the call's XML; what the answer holds decides what happens next."""
        name = "CallFallbackURL" if fallback else "CallAnswerURL"
        then = functools.partial(self._fetched, call, fallback)
        self._request(call, name, hook, {"Event": "StartApp"}, scenario, then=then, reply=True)

    def _fetched(self, call: Call, fallback: bool, entry: JournalEntry, reply: Reply | None) -> None:
        app = call.app
        assert app is not None
        if not call.live:  # hung up while its document was being fetched
            return
        if entry.state is not DeliveryState.DELIVERED and not fallback and app.fallback is not None:
            self._fetch(call, app.fallback, self._choice.for_account(call.auth_id), fallback=True)
            return
        if entry.state is DeliveryState.DELIVERED:
            self.runner.start(call, reply, entry.callback.url)
            return
        with contextlib.suppress(DomainError):  # its account is gone
            CallAPI(self._backend.account(call.auth_id)).finish(call.call_uuid, ANSWER_FAILED)

    def fetch_document(
        self,
        call: Call,
        name: str,
        hook: Webhook,
        extra: dict[str, str],
        then: Callable[[Reply | None], None] | None,
    ) -> None:
        """A verb's request for the call's next document (Redirect, an exit action, an action):
        ``then`` gets the document, or None when the URL failed; without ``then`` nothing waits."""
        scenario = self._choice.for_account(call.auth_id)
        if then is None:
            self._request(call, name, hook, extra, scenario, reply=True)
            return
        done = then

        def fetched(entry: JournalEntry, reply: Reply | None) -> None:
            done(reply)

        self._request(call, name, hook, extra, scenario, then=fetched, reply=True)

    def _request(
        self,
        call: Call,
        name: str,
        hook: Webhook,
        extra: dict[str, str],
        scenario: Scenario,
        *,
        then: Then | None = None,
        reply: bool = False,
    ) -> None:
        status = final_status(call) if name == "CallHangupURL" else call.status
        account = self._backend.account(call.auth_id)
        number = self._made[call.auth_id] = self._made.get(call.auth_id, 0) + 1
        callback = Callback(
            callback_id=f"{call.call_uuid}-{name}-{number}",
            auth_id=call.auth_id,
            recording_id=None,
            mpc_uuid=call.mpc_uuid or "",
            member_id=None,
            event_name=name,
            sequence=1,
            url=hook.url,
            method=hook.method,
            params={**call_params(call, status), **extra},
            due=account.clock(),
            scenario=scenario.name,
            reply="xml" if reply else None,
        )
        self._send(callback, scenario, then)
