"""The MPC recording calls as a Python user writes them with plivo-python, run against the emulator.

plivo-python ignores HTTPS_PROXY and REQUESTS_CA_BUNDLE: it takes ``proxies=`` in its constructor and
the CA on its session. Without a proxy (name-mapping route) it finds api.plivo.com in /etc/hosts.
One JSON line per step.
"""

import json
import os

import plivo
from plivo.utils import validate_v3_signature


def emit(step, **fields):
    print(json.dumps({"step": step, **fields}), flush=True)


def failure(exc):
    return f"{type(exc).__name__}: {exc}"


proxy = os.environ.get("HTTPS_PROXY")
client = plivo.RestClient(
    os.environ["PLIVO_AUTH_ID"], os.environ["PLIVO_AUTH_TOKEN"], proxies={"https": proxy} if proxy else None
)
client.session.verify = os.environ["PLIVO_EMULATOR_CA"]
mpc = client.multi_party_calls

started = mpc.start_recording(friendly_name="standup", file_format="wav")
emit("start_recording", recording_id=started.recording_id, recording_url=started.recording_url)
mpc.pause_recording(friendly_name="standup")
emit("pause_recording")
emit("get_mpc", recording=mpc.get(friendly_name="standup").recording)
mpc.resume_recording(friendly_name="standup")
emit("resume_recording")
mpc.stop_recording(friendly_name="standup")
emit("stop_recording")

# The documentation's own example: start a participant's recording.
mine = mpc.start_participant_recording(participant_id="10", friendly_name="standup", file_format="mp3")
emit("start_participant_recording", recording_id=mine.recording_id)
mpc.pause_participant_recording(participant_id="10", friendly_name="standup")
emit("pause_participant_recording")
mpc.resume_participant_recording(participant_id="10", friendly_name="standup")
emit("resume_participant_recording")
mpc.stop_participant_recording(participant_id="10", friendly_name="standup")
emit("stop_participant_recording")

members = mpc.list_participants(friendly_name="standup").objects
emit("list_participants", member_ids=[m.member_id for m in members])
try:
    mpc.get(friendly_name="nobody")
    emit("unknown_mpc", error=None)
except plivo.exceptions.PlivoRestError as exc:
    emit("unknown_mpc", error=failure(exc))
try:
    mpc.pause_recording(friendly_name="standup")
    emit("invalid_transition", error=None)
except plivo.exceptions.PlivoRestError as exc:
    emit("invalid_transition", error=failure(exc))

with open(os.environ["CALLBACK_FILE"]) as f:
    cb = json.load(f)
token = os.environ["PLIVO_AUTH_TOKEN"]
valid = validate_v3_signature(cb["method"], cb["url"], cb["nonce"], token, cb["signature"], cb["params"])
cb["params"]["RecordingDuration"] = "9999"
tampered = validate_v3_signature(cb["method"], cb["url"], cb["nonce"], token, cb["signature"], cb["params"])
emit("signature", valid=valid, tampered=tampered)
