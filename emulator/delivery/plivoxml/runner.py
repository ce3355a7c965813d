"""Running a call's XML document on the emulated clock, verb by verb.

A document is read whole first (:mod:`.verbs`): one that is not XML, not ``<Response>``, or holds a
verb or value Plivo would refuse does nothing, and the call ends with the problem in the timeline
(``XmlRejected``, with URL, line, element and attribute). Then, in order: ``<Speak>``, ``<Play>`` and
``<Wait>`` keep the call busy for their time; ``<Hangup>`` ends it (or, with ``schedule``, arms a
timer and goes on); ``<Redirect>`` fetches a new document that replaces this one; ``<GetDigits>``
waits for keys a test presses (:meth:`XmlRunner.press`) and tells its action;
``<MultiPartyCall>`` joins the MPC and waits until the member leaves it (kicked, or the MPC ended),
then goes on, or runs the document its ``onExitActionUrl`` returns. The verbs the emulator does not
run yet are passed over (``XmlVerb`` with ``skipped``). The end of the document ends the call (4010).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from emulator.delivery.callbacks import LinksFor, record_xml_params
from emulator.delivery.lanes import Reply
from emulator.delivery.plivoxml.document import XMLProblem, parse
from emulator.delivery.plivoxml.verbs import (
    GetDigits,
    HangUp,
    JoinMPC,
    Pause,
    Record,
    Redirect,
    Skipped,
    Verb,
    read,
)
from emulator.delivery.scheduler import Job, Scheduler
from emulator.domain.backend import Backend
from emulator.domain.call_api import CallAPI
from emulator.domain.calls import END_OF_XML, Call, Hangup
from emulator.domain.errors import DomainError, InvalidState
from emulator.domain.values import Webhook

# <Hangup> in the document (Plivo's table: source "Answer XML").
XML_HANGUP = Hangup("Normal Hangup", 4000, "Answer XML")
# A document Plivo could not run (no code in Plivo's table for it).
INVALID_XML = Hangup("Invalid Answer XML", None, "Error")

# (call, name for the journal, where, extra parameters, what to do with the document once fetched:
# None when nothing waits for it)
Fetch = Callable[[Call, str, Webhook, dict[str, str], Callable[[Reply | None], None] | None], None]
# What Plivo reads as XML (docs: XML request); an answer without a Content-Type is read too.
XML_TYPES = ("text/xml", "application/xml", "")
# (call, kind, detail): a line in the call's timeline
Note = Callable[[Call, str, dict[str, Any]], None]


@dataclass(eq=False)
class _Collect:
    """A ``<GetDigits>`` waiting for keys: which attempt, what was pressed so far."""

    verb: GetDigits
    attempt: int = 1
    digits: str = ""
    speech: str = ""
    confidence: float = 0.0


@dataclass(eq=False)
class _Recording:
    """A ``<Record>`` the document waits on: its verb and the recording it started."""

    verb: Record
    recording_id: str


@dataclass(eq=False)
class _Run:
    call: Call
    source: str
    verbs: list[Verb]
    index: int = 0
    waiting: Job | None = None
    collecting: _Collect | None = None
    recording: _Recording | None = None


class XmlRunner:
    def __init__(
        self, backend: Backend, scheduler: Scheduler, fetch: Fetch, note: Note, links: LinksFor
    ) -> None:
        self._backend = backend
        self._scheduler = scheduler
        self._fetch = fetch
        self._note = note
        self._links = links
        self._runs: dict[str, _Run] = {}

    def forget(self, auth_id: str) -> None:
        for call_uuid in [uuid for uuid, run in self._runs.items() if run.call.auth_id == auth_id]:
            del self._runs[call_uuid]

    # ---------------------------------------------------------------- documents

    def start(self, call: Call, reply: Reply | None, source: str) -> None:
        """Run a fetched document (it replaces the one the call was running)."""
        self._stop(call.call_uuid)
        if not call.live:
            return
        try:
            if reply is None:
                raise XMLProblem(source, 1, "no document came back")
            if reply.content_type not in XML_TYPES:
                why = f"the answer is {reply.content_type}; Plivo reads text/xml or application/xml"
                raise XMLProblem(source, 1, why)
            verbs = read(parse(reply.body, source), source)
        except XMLProblem as problem:
            self._note(call, "XmlRejected", _describe(problem))
            self._finish(call, INVALID_XML)
            return
        run = self._runs[call.call_uuid] = _Run(call, source, verbs)
        self._step(run)

    def _fetch_next(self, run: _Run, name: str, hook: Webhook, extra: dict[str, str] | None = None) -> None:
        """A verb that fetches the call's next document (Redirect, an exit action, an action)."""
        then = functools.partial(self._fetched, run.call, hook.url)
        self._fetch(run.call, name, hook, extra or {}, then)

    def _fetched(self, call: Call, source: str, reply: Reply | None) -> None:
        self.start(call, reply, source)

    # -------------------------------------------------------------------- verbs

    def _step(self, run: _Run) -> None:
        """Run verbs until one makes the call wait; the end of the document ends the call."""
        call = run.call
        while run.index < len(run.verbs):
            if not call.live or self._runs.get(call.call_uuid) is not run:
                return
            verb = run.verbs[run.index]
            run.index += 1
            detail = {"verb": verb.tag, "line": verb.line, "document": run.source}
            self._note(call, "XmlVerb", {**detail, "skipped": isinstance(verb, Skipped)})
            if isinstance(verb, Skipped):
                continue
            if not self._run_verb(run, verb):
                return
        self._runs.pop(call.call_uuid, None)
        self._finish(call)

    def _run_verb(self, run: _Run, verb: Verb) -> bool:
        """Whether the document goes straight on to its next verb."""
        call = run.call
        if isinstance(verb, Pause):
            if verb.seconds is not None:  # None: a loop="0" that lasts as long as the call
                resume = functools.partial(self._resume, call.call_uuid, run)
                run.waiting = self._scheduler.schedule_in(verb.seconds, resume, owner=call.auth_id)
            return False
        if isinstance(verb, HangUp):
            if verb.schedule is None:
                self._runs.pop(call.call_uuid, None)
                self._finish(call, XML_HANGUP)
                return False
            later = functools.partial(self._finish, call, XML_HANGUP)
            self._scheduler.schedule_in(verb.schedule, later, owner=call.auth_id)
            return True
        if isinstance(verb, Redirect):
            self._fetch_next(run, "CallRedirectURL", Webhook(verb.url, verb.method))
            return False
        if isinstance(verb, Record):
            return self._record(run, verb)
        if isinstance(verb, GetDigits):
            run.collecting = _Collect(verb)
            self._wait_for_input(run, verb.prompt_seconds + verb.timeout)
            return False
        assert isinstance(verb, JoinMPC)
        try:
            CallAPI(self._backend.account(call.auth_id)).join(call.call_uuid, verb.name, verb.spec)
        except DomainError as exc:  # the MPC is full, or the call is already in one
            problem = XMLProblem(run.source, verb.line, exc.message, verb.tag)
            self._note(call, "XmlRejected", _describe(problem))
            self._runs.pop(call.call_uuid, None)
            self._finish(call, INVALID_XML)
        return False

    # ---------------------------------------------------------------- recording

    def _record(self, run: _Run, verb: Record) -> bool:
        """Start the call's recording: in the background the document goes on at once (its action
        told, durations -1); otherwise it waits until maxLength or finishOnKey."""
        call = run.call
        try:
            recording = CallAPI(self._backend.account(call.auth_id)).record(call.call_uuid, verb.request)
        except DomainError as exc:
            self._note(
                call, "XmlRejected", _describe(XMLProblem(run.source, verb.line, exc.message, verb.tag))
            )
            return True
        if verb.background:
            if verb.action is not None:
                extra = record_xml_params(recording, self._links(recording), False)
                self._fetch(call, "CallActionURL", Webhook(verb.action, verb.method), extra, None)
            return True
        run.recording = _Recording(verb, recording.recording_id)
        over = functools.partial(self._recorded, call.call_uuid, run, "")
        run.waiting = self._scheduler.schedule_in(verb.max_length, over, owner=call.auth_id)
        return False

    def _recorded(self, call_uuid: str, run: _Run, digits: str) -> None:
        """The recording ends (maxLength, or finishOnKey ``digits``): the action is told, and its
        document replaces this one (redirect) or this one goes on."""
        taken = run.recording
        if self._runs.get(call_uuid) is not run or taken is None:
            return
        run.recording = None
        if run.waiting is not None:
            self._scheduler.cancel(run.waiting)
            run.waiting = None
        call = run.call
        recording = CallAPI(self._backend.account(call.auth_id)).stop_recording(taken.recording_id)
        ended = {"recording_id": recording.recording_id, "line": taken.verb.line, "document": run.source}
        self._note(call, "XmlRecorded", ended)
        verb = taken.verb
        if verb.action is None:
            self._step(run)
            return
        extra = {**record_xml_params(recording, self._links(recording), True), "Digits": digits}
        hook = Webhook(verb.action, verb.method)
        if verb.redirect:
            self._fetch_next(run, "CallActionURL", hook, extra)
        else:
            self._fetch(call, "CallActionURL", hook, extra, None)
            self._step(run)

    # ------------------------------------------------------------------- digits

    def press(self, call: Call, digits: str) -> None:
        """Keys pressed on the call (there is no caller: a test says which), for its GetDigits,
        GetInput, or Record (whose finishOnKey ends the recording)."""
        run = self._runs.get(call.call_uuid)
        taken = run.recording if run is not None else None
        if run is not None and taken is not None:
            key = taken.verb.finish_on_key
            if key and key in digits:
                self._recorded(call.call_uuid, run, key)
            return
        run, collect = self._listening(call, "dtmf")
        verb = collect.verb
        for digit in digits:
            if verb.finish_on_key and digit == verb.finish_on_key:
                self._collected(run)
                return
            if digit not in verb.valid_digits:
                continue  # Plivo ignores keys outside validDigits
            collect.digits += digit
            if len(collect.digits) >= verb.num_digits:
                self._collected(run)
                return
        self._wait_for_input(run, verb.digit_timeout)  # more keys may come until digitTimeout

    def say(self, call: Call, text: str, confidence: float) -> None:
        """Words said on the call (a test says which, and how sure the recogniser was), for its
        ``<GetInput inputType="speech">``."""
        run, collect = self._listening(call, "speech")
        collect.speech, collect.confidence = text, confidence
        self._collected(run)

    def _listening(self, call: Call, kind: str) -> tuple[_Run, _Collect]:
        run = self._runs.get(call.call_uuid)
        collect = run.collecting if run is not None else None
        if run is None or collect is None:
            what = "digits" if kind == "dtmf" else "speech"
            why = f"call {call.call_uuid} is not waiting for {what} (no <GetDigits> or <GetInput> runs)"
            raise InvalidState(why)
        if kind not in collect.verb.input_types:
            raise InvalidState(
                f"the <{collect.verb.tag}> of call {call.call_uuid} does not listen for {kind}"
            )
        return run, collect

    def _wait_for_input(self, run: _Run, seconds: float) -> None:
        if run.waiting is not None:
            self._scheduler.cancel(run.waiting)
        expire = functools.partial(self._input_over, run.call.call_uuid, run)
        run.waiting = self._scheduler.schedule_in(seconds, expire, owner=run.call.auth_id)

    def _input_over(self, call_uuid: str, run: _Run) -> None:
        """Time is up: what was pressed is the input; with nothing pressed, the prompt again, and
        after the last retry the next verb (no request: Plivo's rule)."""
        run.waiting = None
        collect = run.collecting
        if self._runs.get(call_uuid) is not run or collect is None:
            return
        if collect.digits or collect.speech:
            self._collected(run)
        elif collect.attempt < collect.verb.retries:
            collect.attempt += 1
            self._wait_for_input(run, collect.verb.prompt_seconds + collect.verb.timeout)
        else:
            run.collecting = None
            self._step(run)

    def _collected(self, run: _Run) -> None:
        collect = run.collecting
        assert collect is not None
        run.collecting = None
        if run.waiting is not None:
            self._scheduler.cancel(run.waiting)
            run.waiting = None
        verb = collect.verb
        said = {"digits": collect.digits, "speech": collect.speech}
        self._note(run.call, "XmlInput", {**said, "line": verb.line, "document": run.source})
        if verb.action is None:
            self._step(run)
            return
        extra = {"Digits": collect.digits}
        if verb.tag == "GetInput":  # the docs' GetInput action parameters
            extra.update(
                InputType="speech" if collect.speech else "dtmf",
                Speech=collect.speech,
                SpeechConfidenceScore=f"{collect.confidence:.2f}" if collect.speech else "",
                BilledAmount="0.00000",
            )
        hook = Webhook(verb.action, verb.method)
        if verb.redirect:  # the action's document replaces this one
            self._fetch_next(run, "CallActionURL", hook, extra)
        else:  # told, and the document goes on
            self._fetch(run.call, "CallActionURL", hook, extra, None)
            self._step(run)

    def _resume(self, call_uuid: str, run: _Run) -> None:
        run.waiting = None
        if self._runs.get(call_uuid) is run:
            self._step(run)

    def left_mpc(self, call: Call, on_exit: dict[str, str]) -> None:
        """Its member left the MPC (kicked, or the MPC ended): on to the document its exit action
        returns (asked with the docs' On Exit parameters ``on_exit``), or to its XML's next verb.
        A member added by the API has no XML of its own: its exit action's document is its first."""
        run = self._runs.get(call.call_uuid)
        if call.on_exit_action is not None:
            hook = call.on_exit_action
            self._fetch(
                call, "CallExitAction", hook, on_exit, functools.partial(self._fetched, call, hook.url)
            )
        elif run is not None:
            self._step(run)

    def hung_up(self, call: Call) -> None:
        """The call ended: its document stops where it was."""
        self._stop(call.call_uuid)

    def _stop(self, call_uuid: str) -> None:
        run = self._runs.pop(call_uuid, None)
        if run is not None and run.waiting is not None:
            self._scheduler.cancel(run.waiting)

    def _finish(self, call: Call, hangup: Hangup | None = None) -> None:
        with contextlib.suppress(DomainError):  # its account is gone
            CallAPI(self._backend.account(call.auth_id)).finish(call.call_uuid, hangup or END_OF_XML)


def _describe(problem: XMLProblem) -> dict[str, Any]:
    return {
        "document": problem.source,
        "line": problem.line,
        "element": problem.element,
        "attribute": problem.attribute,
        "problem": problem.message,
        "message": str(problem),
    }
