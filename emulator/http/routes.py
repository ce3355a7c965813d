"""The route table of the emulated Plivo API.

All paths are relative to ``/v1/Account/{auth_id}/`` and end in ``/`` (the
path middleware adds the slash when a client leaves it out).
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount, Route

from emulator.domain.member_audio import AudioKind
from emulator.http import call_routes as calls
from emulator.http import member_audio_routes as audio
from emulator.http import mpc_routes as mpc
from emulator.http import recording_routes as rec
from emulator.http import recordings
from emulator.http import transcriptions as tx
from emulator.http.resource import PlivoResource

ACCOUNT_MOUNT = "/v1/Account/{auth_id}"
# A recording's audio (media.plivo.com's path, served here).
MEDIA_PATH = "/Recording/{recording_id}.{file_format}/"
MPC = "/MultiPartyCall/{mpc_id}"
MEMBER = MPC + "/Participant/{member_id}"

PLIVO_RESOURCES: dict[str, PlivoResource] = {
    "/MultiPartyCall/": PlivoResource(GET=mpc.list_mpcs),
    f"{MPC}/": PlivoResource(GET=mpc.get_mpc, POST=mpc.start_mpc, DELETE=mpc.end_mpc),
    f"{MPC}/Participant/": PlivoResource(GET=mpc.list_participants, POST=mpc.add_participant),
    f"{MEMBER}/": PlivoResource(
        GET=mpc.get_participant, POST=mpc.update_participant, DELETE=mpc.kick_participant
    ),
    f"{MPC}/Record/": PlivoResource(POST=rec.start_mpc_recording, DELETE=rec.mpc_recording_action("stop")),
    f"{MPC}/Record/Pause/": PlivoResource(POST=rec.mpc_recording_action("pause")),
    f"{MPC}/Record/Resume/": PlivoResource(POST=rec.mpc_recording_action("resume")),
    f"{MEMBER}/Record/": PlivoResource(
        POST=rec.start_participant_recording, DELETE=rec.participant_recording_action("stop")
    ),
    f"{MEMBER}/Record/Pause/": PlivoResource(POST=rec.participant_recording_action("pause")),
    f"{MEMBER}/Record/Resume/": PlivoResource(POST=rec.participant_recording_action("resume")),
    f"{MPC}/Member/{{member_id}}/Play/": PlivoResource(
        POST=audio.start(AudioKind.PLAY), DELETE=audio.stop(AudioKind.PLAY)
    ),
    f"{MPC}/Member/{{member_id}}/Speak/": PlivoResource(
        POST=audio.start(AudioKind.SPEAK), DELETE=audio.stop(AudioKind.SPEAK)
    ),
    "/Recording/": PlivoResource(GET=recordings.list_recordings),
    "/Recording/{recording_id}/": PlivoResource(
        GET=recordings.get_recording, DELETE=recordings.delete_recording
    ),
    "/Call/": PlivoResource(POST=calls.make_call, GET=calls.list_calls),
    "/Call/{call_uuid}/": PlivoResource(GET=calls.get_call, DELETE=calls.hang_up),
    "/Request/{request_uuid}/": PlivoResource(DELETE=calls.cancel_request),
    "/Transcription/{transcription_id}/": PlivoResource(
        POST=tx.create_transcription, GET=tx.get_transcription, DELETE=tx.delete_transcription
    ),
}


def plivo_routes() -> list[BaseRoute]:
    return [
        Mount(
            ACCOUNT_MOUNT,
            routes=[
                # The audio (media.plivo.com's path, served here) before the resource whose pattern
                # would also match it; it takes every method so that a wrong one is its own 405.
                Route(
                    MEDIA_PATH,
                    recordings.media,
                    methods=recordings.ANY_METHOD,
                ),
                *(Route(path, resource) for path, resource in PLIVO_RESOURCES.items()),
            ],
        )
    ]
