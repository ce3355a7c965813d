"""Plivo's recording endpoints: start, stop, pause and resume, for an MPC and for one member."""

from __future__ import annotations

from starlette.responses import Response

from emulator.domain.recording import Recording, RecordingRequest
from emulator.domain.recordings import RecordingAction
from emulator.domain.values import CallbackMethod, TrackSelector
from emulator.http.errors import PlivoJSONResponse
from emulator.http.resource import Handler, PlivoCall
from emulator.specs import recording_options


def recording_request(
    call: PlivoCall,
    *,
    format_param: str = "file_format",
    default_method: CallbackMethod = CallbackMethod.POST,
) -> RecordingRequest:
    """The recording parameters shared by the Record APIs and add-participant's record=true."""
    return call.recording_request(recording_options(call.params, format_param, default_method))


def _track_selector(call: PlivoCall) -> TrackSelector:
    # The Go SDK sends "" when the field is unset; the documented default is "all".
    return call.params.choice("record_track_type", TrackSelector, TrackSelector.ALL, blank_is_default=True)


def _started(call: PlivoCall, recording: Recording, status: int) -> Response:
    body = {
        "api_id": call.api_id(),
        "message": f"MPC: {recording.mpc_name} record started",
        "recording_id": recording.recording_id,
        "recording_url": call.links(recording).media_url,
    }
    return PlivoJSONResponse(body, status_code=status)


def start_mpc_recording(call: PlivoCall) -> Response:
    recording = call.account.start_mpc_recording(call.mpc_ref(), recording_request(call))
    return _started(call, recording, 202)


def start_participant_recording(call: PlivoCall) -> Response:
    selector = _track_selector(call)
    request = recording_request(call)
    recordings = call.account.start_participant_recording(call.mpc_ref(), call.member_id(), selector, request)
    return _started(call, recordings[0], 200)


def mpc_recording_action(action: RecordingAction) -> Handler:
    def handler(call: PlivoCall) -> Response:
        call.account.change_mpc_recording(call.mpc_ref(), action)
        return Response(status_code=204)

    handler.__name__ = f"{action}_mpc_recording"
    return handler


def participant_recording_action(action: RecordingAction) -> Handler:
    def handler(call: PlivoCall) -> Response:
        selector = _track_selector(call)
        call.account.change_participant_recording(call.mpc_ref(), call.member_id(), selector, action)
        return Response(status_code=204)

    handler.__name__ = f"{action}_participant_recording"
    return handler
