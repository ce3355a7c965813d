"""Plivo's member Play and Speak: ``MultiPartyCall/{mpc_id}/Member/{member_id}/Play/`` and ``…/Speak/``."""

from __future__ import annotations

from starlette.responses import Response

from emulator.domain.errors import InvalidParameter
from emulator.domain.member_audio import AudioKind, AudioSpec, MemberAudio
from emulator.http.errors import PlivoJSONResponse
from emulator.http.resource import Handler, PlivoCall
from emulator.params import url_problem

_VOICES = ("WOMAN", "MAN")


def _member_form(call: PlivoCall) -> str:
    """The member form as a key: ``all``, or the ids as the request listed them."""
    selector = call.members()
    return "all" if selector.everyone else ",".join(selector.member_ids)


def _play_spec(call: PlivoCall) -> AudioSpec:
    # Every SDK sends "url"; the docs name it "urls" (comma-separated, as on the Call Play API).
    name = "url" if "url" in call.params else "urls"
    text = call.params.text(name)
    if text is None or not text.strip():
        raise InvalidParameter("url", "url is required: the sound file (mp3 or wav) to play")
    urls = tuple(part.strip() for part in text.split(","))
    for url in urls:
        if (problem := url_problem(url)) is not None:
            raise InvalidParameter(name, f"invalid {name} {url!r}: {problem}")
    return AudioSpec(AudioKind.PLAY, urls=urls)


def _speak_spec(call: PlivoCall) -> AudioSpec:
    p = call.params
    text = p.text("text")
    if text is None or not text.strip():
        raise InvalidParameter("text", "text is required: what to speak to the member(s)")
    voice = (p.text("voice") or "").strip() or "WOMAN"  # plivo-go sends "" when unset
    if voice.upper() not in _VOICES and not voice.startswith("Polly."):
        raise InvalidParameter("voice", f"invalid voice '{voice}': WOMAN, MAN or a Polly.* voice")
    language = (p.text("language") or "").strip() or "en-US"
    p.text("type")
    return AudioSpec(
        AudioKind.SPEAK,
        text=text,
        voice=voice.upper() if voice.upper() in _VOICES else voice,
        language=language,
        mix=p.boolean("mix", True),
    )


def _queued(call: PlivoCall, audio: MemberAudio, name: str) -> Response:
    body = {
        "api_id": call.api_id(),
        "message": f"{audio.spec.kind} queued into MPC",
        "mpcMemberId": list(audio.member_ids),
        "mpcName": name,
    }
    return PlivoJSONResponse(body, status_code=202)


def start(kind: AudioKind) -> Handler:
    def handler(call: PlivoCall) -> Response:
        spec = _play_spec(call) if kind is AudioKind.PLAY else _speak_spec(call)
        audio = call.account.start_audio(call.mpc_ref(), _member_form(call), call.members(), spec)
        mpc = call.account.find_mpc(call.mpc_ref())
        return _queued(call, audio, mpc.friendly_name)

    handler.__name__ = f"start_{kind}"
    return handler


def stop(kind: AudioKind) -> Handler:
    def handler(call: PlivoCall) -> Response:
        call.account.stop_audio(call.mpc_ref(), kind, _member_form(call))
        return Response(status_code=204)

    handler.__name__ = f"stop_{kind}"
    return handler
