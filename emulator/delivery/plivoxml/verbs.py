"""The verbs of an answer document, read and checked before anything runs.

Attribute names are matched in any case (the SDKs' builders disagree: ``relayDTMFInputs`` and
``relayDtmfInputs``, go's ``StartRecordingAudio``), unknown attributes are ignored, and a value out of
range is an :class:`XMLProblem` naming the element, the attribute and the line. ``<MultiPartyCall>``
is read by the same builders as add-participant (:mod:`emulator.specs`), with the XML's own method
defaults (statusCallbackMethod and recordingCallbackMethod POST).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from emulator.delivery.plivoxml.document import Element, XMLProblem
from emulator.domain.errors import InvalidParameter
from emulator.domain.participant import ParticipantSpec
from emulator.domain.recording import RecordingOptions, RecordingRequest
from emulator.domain.values import CallbackMethod, FileFormat
from emulator.params import Params, url_problem
from emulator.specs import mpc_settings, participant_spec, recording_options

# <MultiPartyCall>'s attributes (docs, and every SDK builder), by their lower-cased name.
_MPC_ATTRIBUTES = {
    name.lower(): snake
    for name, snake in (
        ("role", "role"),
        ("maxDuration", "max_duration"),
        ("maxParticipants", "max_participants"),
        ("recordMinMemberCount", "record_min_member_count"),
        ("waitMusicUrl", "wait_music_url"),
        ("waitMusicMethod", "wait_music_method"),
        ("agentHoldMusicUrl", "agent_hold_music_url"),
        ("agentHoldMusicMethod", "agent_hold_music_method"),
        ("customerHoldMusicUrl", "customer_hold_music_url"),
        ("customerHoldMusicMethod", "customer_hold_music_method"),
        ("record", "record"),
        ("recordParticipantTrack", "record_participant_track"),
        ("recordFileFormat", "record_file_format"),
        ("recordingCallbackUrl", "recording_callback_url"),
        ("recordingCallbackMethod", "recording_callback_method"),
        ("statusCallbackEvents", "status_callback_events"),
        ("statusCallbackUrl", "status_callback_url"),
        ("statusCallbackMethod", "status_callback_method"),
        ("stayAlone", "stay_alone"),
        ("coachMode", "coach_mode"),
        ("mute", "mute"),
        ("hold", "hold"),
        ("startMpcOnEnter", "start_mpc_on_enter"),
        ("endMpcOnExit", "end_mpc_on_exit"),
        ("enterSound", "enter_sound"),
        ("enterSoundMethod", "enter_sound_method"),
        ("exitSound", "exit_sound"),
        ("exitSoundMethod", "exit_sound_method"),
        ("onExitActionUrl", "on_exit_action_url"),
        ("onExitActionMethod", "on_exit_action_method"),
        ("relayDTMFInputs", "relay_dtmf_inputs"),
        ("startRecordingAudio", "start_recording_audio"),
        ("startRecordingAudioMethod", "start_recording_audio_method"),
        ("stopRecordingAudio", "stop_recording_audio"),
        ("stopRecordingAudioMethod", "stop_recording_audio_method"),
        ("transcript", "transcript"),
        ("transcriptionUrl", "transcription_url"),
    )
}
# The XML's method defaults where they differ from add-participant's (python and java builders).
_XML_DEFAULTS = {"status_callback_method": "POST", "recording_callback_method": "POST"}

# What <Response> may hold (python's ResponseElement, node's Response): run, or read and skipped.
RUN = (
    "MultiPartyCall",
    "Speak",
    "Play",
    "Wait",
    "Hangup",
    "Redirect",
    "GetDigits",
    "GetInput",
    "PreAnswer",
    "DTMF",
    "Record",
)
NOT_RUN_YET = (
    "Dial",
    "Conference",
    "Message",
    "Stream",
)

# How long a Play lasts when nothing says (the emulator does not download the audio).
PLAY_SECONDS = 10.0
# Speech at about two and a half words a second.
WORDS_PER_SECOND = 2.5


@dataclass(frozen=True)
class Verb:
    tag: str
    line: int


@dataclass(frozen=True)
class JoinMPC(Verb):
    name: str
    spec: ParticipantSpec


@dataclass(frozen=True)
class Pause(Verb):
    """Speak, Play and Wait: the call is busy for ``seconds`` (None: until it ends, ``loop="0"``)."""

    seconds: float | None


@dataclass(frozen=True)
class HangUp(Verb):
    schedule: int | None
    reason: str | None


@dataclass(frozen=True)
class Redirect(Verb):
    url: str
    method: CallbackMethod


@dataclass(frozen=True)
class GetDigits(Verb):
    """Collect key presses (``<GetDigits>``), or keys or speech (``<GetInput>``), after the nested
    prompts have played. There is no caller: a test says what was pressed or said."""

    action: str | None
    method: CallbackMethod
    num_digits: int
    timeout: int
    digit_timeout: int
    finish_on_key: str
    retries: int
    redirect: bool
    valid_digits: str
    prompt_seconds: float
    # What it listens for: dtmf, speech, or both (GetInput's inputType).
    input_types: tuple[str, ...] = ("dtmf",)


@dataclass(frozen=True)
class Record(Verb):
    """Record the caller: until ``max_length`` or ``finish_on_key`` (there is no silence to end it:
    the caller talks on), or, ``background`` (recordSession, startOnDialAnswer), until the call ends
    while the document goes on."""

    action: str | None
    method: CallbackMethod
    redirect: bool
    max_length: int
    finish_on_key: str
    background: bool
    request: RecordingRequest


@dataclass(frozen=True)
class Skipped(Verb):
    """A verb Plivo runs that the emulator does not yet: read, reported, passed over."""


def read(root: Element, source: str) -> list[Verb]:
    """Every verb of ``<Response>``, checked; :class:`XMLProblem` at the first one that is wrong."""
    return [_verb(element, source) for element in root.children]


def _verb(element: Element, source: str) -> Verb:
    tag = element.tag
    if tag in NOT_RUN_YET:
        return Skipped(tag, element.line)
    reader = _READERS.get(tag)
    if reader is None:
        allowed = ", ".join(RUN + NOT_RUN_YET)
        raise XMLProblem(source, element.line, f"<{tag}> cannot be in <Response> (it holds {allowed})", tag)
    return reader(element, source)


def _problem(element: Element, source: str, attribute: str, message: str) -> XMLProblem:
    return XMLProblem(source, element.line, message, element.tag, attribute)


def _integer(
    element: Element, source: str, name: str, default: int | None, low: int, high: int
) -> int | None:
    raw = element.attr(name)
    if raw is None:
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise _problem(element, source, name, f"{name}={raw!r} is not a whole number") from None
    if not low <= value <= high:
        raise _problem(element, source, name, f"{name}={value} is outside {low}-{high}")
    return value


def _multi_party_call(element: Element, source: str) -> Verb:
    name = element.text.strip()
    if not name:
        raise XMLProblem(source, element.line, "the MPC's name (the element's text) is empty", element.tag)
    values: dict[str, Any] = dict(_XML_DEFAULTS)
    original: dict[str, str] = {}
    for key, value in element.attrs.items():
        snake = _MPC_ATTRIBUTES.get(key.lower())
        if snake is not None:  # anything else (waitForAgent, recordCoachVoice...) is ignored
            values[snake], original[snake] = value, key
    if "role" not in values:
        raise _problem(element, source, "role", "role is required: agent, supervisor, customer or ai-agent")
    values["role"] = str(values["role"]).lower()
    params = Params(values)
    try:
        recording = RecordingRequest(recording_options(params, "record_file_format", CallbackMethod.POST))
        spec = participant_spec(params, mpc_settings(params))
        record = params.boolean("record", False)
        own_track = params.boolean("record_participant_track", False)
    except InvalidParameter as exc:
        attribute = original.get(exc.param, exc.param)
        raise _problem(element, source, attribute, exc.message.replace(exc.param, attribute)) from None
    spec = replace(
        spec,
        record=recording if record else None,
        record_participant_track=recording if own_track else None,
    )
    return JoinMPC(element.tag, element.line, name, spec)


def _speak(element: Element, source: str) -> Verb:
    loop = _integer(element, source, "loop", 1, 0, 10_000)
    words = max(1, len(element.text.split()))
    once = max(1.0, words / WORDS_PER_SECOND)
    return Pause(element.tag, element.line, None if loop == 0 else once * (loop or 1))


def _play(element: Element, source: str) -> Verb:
    url = element.text.strip()
    problem = url_problem(url) if url else "the element's text must be the audio's URL"
    if problem is not None:
        raise XMLProblem(source, element.line, f"invalid audio URL {url!r}: {problem}", element.tag)
    loop = _integer(element, source, "loop", 1, 0, 10_000)
    return Pause(element.tag, element.line, None if loop == 0 else PLAY_SECONDS * (loop or 1))


def _wait(element: Element, source: str) -> Verb:
    length = _integer(element, source, "length", 1, 1, 86_400)
    return Pause(element.tag, element.line, float(length or 1))


def _hangup(element: Element, source: str) -> Verb:
    reason = element.attr("reason")
    if reason is not None and reason not in ("rejected", "busy"):
        raise _problem(element, source, "reason", f"reason={reason!r}: allowed rejected, busy")
    schedule = _integer(element, source, "schedule", None, 0, 86_400)
    return HangUp(element.tag, element.line, schedule or None, reason)


def _boolean(element: Element, source: str, name: str, default: bool) -> bool:
    raw = element.attr(name)
    if raw is None:
        return default
    if raw.strip().lower() not in ("true", "false"):
        raise _problem(element, source, name, f"{name}={raw!r}: must be true or false")
    return raw.strip().lower() == "true"


def _method(element: Element, source: str, name: str = "method") -> CallbackMethod:
    method = (element.attr(name) or "POST").upper()
    if method not in ("GET", "POST"):
        raise _problem(element, source, name, f"{name}={method!r}: allowed GET, POST")
    return CallbackMethod(method)


def _finish_on_key(element: Element, source: str) -> str:
    """``finishOnKey``: one key (default ``#``); ``none`` or empty for none."""
    finish = element.attr("finishOnKey")
    finish = "#" if finish is None else finish.strip()
    if finish.lower() == "none":
        return ""
    if finish and finish not in tuple("0123456789*#"):
        raise _problem(element, source, "finishOnKey", f"finishOnKey={finish!r}: one of 0-9, * or #, or none")
    return finish


def _prompts(element: Element, source: str) -> float:
    """The seconds of the Speak, Play and Wait an element holds (the only children it may have)."""
    seconds = 0.0
    for child in element.children:
        if child.tag not in ("Speak", "Play", "Wait"):
            raise XMLProblem(source, child.line, f"<{child.tag}> cannot be in <{element.tag}>", child.tag)
        prompt = _READERS[child.tag](child, source)
        if isinstance(prompt, Pause) and prompt.seconds:
            seconds += prompt.seconds
    return seconds


def _pre_answer(element: Element, source: str) -> Verb:
    """Early media before the call is answered: its Speak, Play and Wait take their time."""
    return Pause(element.tag, element.line, _prompts(element, source))


def _dtmf(element: Element, source: str) -> Verb:
    """Keys sent on the call: ``w`` waits half a second, ``W`` one; the keys themselves take none."""
    digits = element.text.strip()
    if not digits or any(d not in "0123456789*#wW" for d in digits):
        raise XMLProblem(source, element.line, f"invalid digits {digits!r}: 0-9, *, #, w and W", element.tag)
    return Pause(element.tag, element.line, digits.count("w") * 0.5 + digits.count("W") * 1.0)


def _get_digits(element: Element, source: str) -> Verb:
    """Plivo's defaults (docs, GetDigits): numDigits 99, timeout 5, digitTimeout 2, finishOnKey #,
    retries 1, redirect true, validDigits 1234567890*#; the prompts are its Speak, Play and Wait."""
    action = element.attr("action")
    if action is not None and (problem := url_problem(action)) is not None:
        raise _problem(element, source, "action", f"invalid action {action!r}: {problem}")
    prompt_seconds = _prompts(element, source)
    finish = _finish_on_key(element, source)
    valid = element.attr("validDigits") or "1234567890*#"
    return GetDigits(
        element.tag,
        element.line,
        action,
        _method(element, source),
        _integer(element, source, "numDigits", 99, 1, 99) or 99,
        _integer(element, source, "timeout", 5, 1, 600) or 5,
        _integer(element, source, "digitTimeout", 2, 1, 60) or 2,
        finish,
        _integer(element, source, "retries", 1, 1, 100) or 1,
        _boolean(element, source, "redirect", True),
        valid,
        prompt_seconds,
    )


def _get_input(element: Element, source: str) -> Verb:
    """Plivo's GetInput (docs): action and inputType required; executionTimeout 15 (5-60),
    digitEndTimeout auto (2-10), numDigits 32 (1-32), finishOnKey #, redirect true."""
    action = element.attr("action")
    problem = url_problem(action) if action else "action is required"
    if problem is not None:
        raise _problem(element, source, "action", f"invalid action {action!r}: {problem}")
    raw_types = (element.attr("inputType") or "").lower().split()
    if not raw_types or any(t not in ("dtmf", "speech") for t in raw_types):
        why = f"inputType={element.attr('inputType')!r}: dtmf, speech or 'dtmf speech'"
        raise _problem(element, source, "inputType", why)
    end = (element.attr("digitEndTimeout") or "auto").strip().lower()
    digit_timeout = 2 if end == "auto" else _integer(element, source, "digitEndTimeout", 2, 2, 10) or 2
    finish = _finish_on_key(element, source)
    return GetDigits(
        element.tag,
        element.line,
        action,
        _method(element, source),
        _integer(element, source, "numDigits", 32, 1, 32) or 32,
        _integer(element, source, "executionTimeout", 15, 5, 60) or 15,
        digit_timeout,
        finish,
        1,
        _boolean(element, source, "redirect", True),
        "1234567890*#",
        _prompts(element, source),
        tuple(dict.fromkeys(raw_types)),
    )


def _record(element: Element, source: str) -> Verb:
    """Plivo's Record (docs): fileFormat mp3, maxLength 60, finishOnKey #, redirect true,
    callbackUrl/callbackMethod POST, transcriptionType/transcriptionUrl; recordSession and
    startOnDialAnswer record in the background."""
    action = element.attr("action")
    for name in ("action", "callbackUrl", "transcriptionUrl"):
        value = element.attr(name)
        if value is not None and (problem := url_problem(value)) is not None:
            raise _problem(element, source, name, f"invalid {name} {value!r}: {problem}")
    file_format = (element.attr("fileFormat") or "mp3").lower()
    if file_format not in ("mp3", "wav"):
        raise _problem(element, source, "fileFormat", f"fileFormat={file_format!r}: allowed mp3, wav")
    finish = _finish_on_key(element, source)
    options = RecordingOptions(
        file_format=FileFormat(file_format),
        callback_url=element.attr("callbackUrl"),
        callback_method=_method(element, source, "callbackMethod"),
        callback_shape="record-xml",
        transcription_url=element.attr("transcriptionUrl"),
    )
    background = _boolean(element, source, "recordSession", False) or _boolean(
        element, source, "startOnDialAnswer", False
    )
    return Record(
        element.tag,
        element.line,
        action,
        _method(element, source),
        _boolean(element, source, "redirect", True),
        _integer(element, source, "maxLength", 60, 1, 14_400) or 60,
        finish,
        background,
        RecordingRequest(options),
    )


def _redirect(element: Element, source: str) -> Verb:
    url = element.text.strip()
    problem = url_problem(url) if url else "the element's text must be the URL to fetch"
    if problem is not None:
        raise XMLProblem(source, element.line, f"invalid redirect URL {url!r}: {problem}", element.tag)
    return Redirect(element.tag, element.line, url, _method(element, source))


_READERS = {
    "MultiPartyCall": _multi_party_call,
    "Speak": _speak,
    "Play": _play,
    "Wait": _wait,
    "Hangup": _hangup,
    "Redirect": _redirect,
    "GetDigits": _get_digits,
    "GetInput": _get_input,
    "PreAnswer": _pre_answer,
    "DTMF": _dtmf,
    "Record": _record,
}
