"""Plivo's Transcription resource (plivo-python and plivo-go): order, get and delete.

Addressed by the recording's id (see :mod:`emulator.domain.transcription`). Shapes follow the SDKs'
fixtures: create answers ``transcription in progress``, get the fixture's keys (cost, rate,
recording_duration_ms, recording_start_ms, status, transcription), delete ``request accepted``.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from emulator.domain.errors import InvalidParameter
from emulator.domain.transcription import RATE_PER_MINUTE, Transcription, TranscriptionStatus
from emulator.http.errors import PlivoJSONResponse
from emulator.http.resource import PlivoCall

# ``type`` on get: absent for the text, ``raw`` for the utterances it is made of (plivo-go's test).
RAW = "raw"


def _same_id(call: PlivoCall, name: str) -> str:
    """The id in the path; one repeated in the body or query (plivo-python sends it) must agree."""
    path_id = call.path["transcription_id"]
    repeated = call.params.text(name)
    if repeated is not None and repeated != path_id:
        raise InvalidParameter(name, f"{name} '{repeated}' is not the one in the path ('{path_id}')")
    return path_id


def create_transcription(call: PlivoCall) -> Response:
    recording_id = _same_id(call, "recording_id")
    url = call.params.url("transcription_callback_url")
    call.account.order_transcription(recording_id, url)
    body = {"api_id": call.api_id(), "message": "transcription in progress"}
    return PlivoJSONResponse(body, status_code=201)


def get_transcription(call: PlivoCall) -> Response:
    transcription_id = _same_id(call, "transcription_id")
    kind = call.params.text("type")
    if kind is not None and kind != RAW:
        raise InvalidParameter("type", f"type must be '{RAW}' or left out, not '{kind}'")
    transcription = call.account.transcriptions.get(transcription_id)
    return PlivoJSONResponse({"api_id": call.api_id(), **_render(transcription, raw=kind == RAW)})


def delete_transcription(call: PlivoCall) -> Response:
    call.account.transcriptions.delete(call.path["transcription_id"])
    return PlivoJSONResponse({"api_id": call.api_id(), "message": "request accepted"}, status_code=202)


def _render(transcription: Transcription, *, raw: bool) -> dict[str, Any]:
    recording = transcription.recording
    text: Any = None
    if transcription.status is TranscriptionStatus.SUCCESS:
        text = [vars(u) for u in transcription.utterances] if raw else transcription.text
    body: dict[str, Any] = {
        "cost": transcription.charge,
        "rate": RATE_PER_MINUTE,
        "recording_duration_ms": transcription.duration_ms,
        "recording_start_ms": round(recording.start_time.timestamp() * 1000),
        "status": transcription.status.value,
        "transcription": text,
    }
    if transcription.error is not None:
        body["error"] = transcription.error
    return body
