"""One builder of :class:`ParticipantSpec`, for every way a participant is described.

The Plivo API's add-participant body, the control plane's ``participants`` objects and a
scenario's seeded participants name the same fields; each is read here, with the same defaults
and limits (:mod:`emulator.domain.limits`). What only one entry point decides (the API's
destinations and recording requests) it passes in ``decided``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from emulator.domain.errors import InvalidParameter
from emulator.domain.limits import MAX_DURATION, MAX_PARTICIPANTS, RECORD_MIN_MEMBER_COUNT
from emulator.domain.participant import DEFAULT_STATUS_EVENTS, ParticipantSpec, StatusCallback, StatusEvents
from emulator.domain.recording import RecordingOptions
from emulator.domain.sounds import MemberSounds, MPCMusic
from emulator.domain.values import CallbackMethod, FileFormat, Role, Webhook
from emulator.params import Params

# Named by newer docs only; no SDK sends it. Accepted, and nothing is sent for it.
_IGNORED_STATUS_EVENTS = ("participant-audio-events",)


@dataclass(frozen=True)
class MPCSettings:
    """The MPC-wide settings a participant carries (the MPC takes them from its first member)."""

    stay_alone: bool
    max_duration: int
    max_participants: int
    record_min_member_count: int


def mpc_settings(p: Params) -> MPCSettings:
    return MPCSettings(
        stay_alone=p.boolean("stay_alone", False),
        max_duration=p.limited(MAX_DURATION),
        max_participants=p.limited(MAX_PARTICIPANTS),
        record_min_member_count=p.limited(RECORD_MIN_MEMBER_COUNT),
    )


def participant_spec(
    member: Params,
    settings: MPCSettings,
    *,
    member_ids: bool = False,
    where: str = "",
    **decided: Any,
) -> ParticipantSpec:
    """The participant ``member`` describes, in an MPC with ``settings``.

    ``member_ids``: the caller may choose the member id (the control plane and scenarios; Plivo
    assigns it otherwise). ``where``: prefixed to the parameter an error names (``participants[2]``).
    """
    try:
        role = member.choice("role", Role, Role.AGENT)
        fields: dict[str, Any] = {
            "role": role,
            "member_id": _member_id(member) if member_ids else None,
            "call_uuid": member.text("call_uuid") or None,
            "from_number": member.text("from") or None,
            "to_numbers": (to,) if (to := member.text("to")) else (),
            "caller_name": member.text("caller_name"),
            # Plivo: "Applies only to participants with the role Supervisor. Always false for others."
            "coach_mode": member.boolean("coach_mode", True) and role is Role.SUPERVISOR,
            "mute": member.boolean("mute", False),
            "hold": member.boolean("hold", False),
            "start_mpc_on_enter": member.boolean("start_mpc_on_enter", True),
            "end_mpc_on_exit": member.boolean("end_mpc_on_exit", False),
            "status_callback": status_callback(member),
            "call_status_callback": webhook(member, "call_status_callback"),
            "on_exit_action": webhook(member, "on_exit_action"),
            "sounds": MemberSounds(sound(member, "enter_sound"), sound(member, "exit_sound")),
            "music": MPCMusic(
                wait=webhook(member, "wait_music", GET),
                agent_hold=webhook(member, "agent_hold_music", GET),
                customer_hold=webhook(member, "customer_hold_music", GET),
                start_recording=webhook(member, "start_recording_audio", GET, url=""),
                stop_recording=webhook(member, "stop_recording_audio", GET, url=""),
            ),
        }
    except InvalidParameter as exc:
        if not where:
            raise
        raise InvalidParameter(f"{where}.{exc.param}", f"{where}: {exc.message}") from None
    fields.update(asdict(settings), **decided)
    return ParticipantSpec(**fields)


def recording_options(p: Params, format_param: str, default_method: CallbackMethod) -> RecordingOptions:
    """What a request to record asks for (the Record APIs, add-participant's and the XML's record)."""
    return RecordingOptions(
        file_format=p.choice(format_param, FileFormat, FileFormat.MP3),
        callback_url=p.url("recording_callback_url"),
        callback_method=p.choice("recording_callback_method", CallbackMethod, default_method),
        transcription_url=p.url("transcription_url"),
        transcript=p.boolean("transcript", False),
    )


def _member_id(member: Params) -> str | None:
    raw = member.raw("member_id")
    if raw is None:
        return None
    member_id = str(raw)
    if isinstance(raw, bool) or not member_id.isdigit():
        raise InvalidParameter("member_id", 'member_id must be digits, e.g. "10"')
    return member_id


def status_callback(p: Params) -> StatusCallback | None:
    """``status_callback_url``/``_method``/``_events`` (the API's method default: GET, as the SDKs send)."""
    url = p.url("status_callback_url")
    method = p.choice("status_callback_method", CallbackMethod, CallbackMethod.GET)
    events = status_events(p)
    return StatusCallback(url, method, events) if url else None


GET = CallbackMethod.GET


def webhook(
    p: Params, name: str, default: CallbackMethod = CallbackMethod.POST, *, url: str = "_url"
) -> Webhook | None:
    """``{name}{url}`` and ``{name}_method`` (the default: POST for call_status_callback and
    on_exit_action, as every SDK sends; GET for music and sounds, as the docs give)."""
    address = p.url(f"{name}{url}")
    method = p.choice(f"{name}_method", CallbackMethod, default)
    return Webhook(address, method) if address else None


def sound(p: Params, name: str) -> Webhook | None:
    """``enter_sound``/``exit_sound``: ``beep:1``, ``beep:2``, ``none`` (nothing to fetch) or a URL."""
    value = p.text(name)
    if value is None or value.lower() in ("beep:1", "beep:2", "none"):
        return None
    return webhook(p, name, GET, url="")


def status_events(p: Params) -> frozenset[StatusEvents]:
    """Comma-separated groups, any case; default mpc-state-changes and participant-state-changes."""
    text = p.text("status_callback_events")
    if text is None or not text.strip():
        return DEFAULT_STATUS_EVENTS
    chosen: set[StatusEvents] = set()
    unknown = []
    for token in (t.strip().lower() for t in text.split(",")):
        if token in _IGNORED_STATUS_EVENTS:
            continue
        try:
            chosen.add(StatusEvents(token))
        except ValueError:
            unknown.append(token)
    if unknown:
        allowed = ", ".join(e.value for e in StatusEvents)
        raise InvalidParameter(
            "status_callback_events",
            f"invalid status_callback_events value(s) {', '.join(unknown)}: allowed {allowed}",
        )
    return frozenset(chosen)
