#!/usr/bin/env bash
# The MPC recording calls as Plivo's documentation shows them with curl, run against the emulator.
#
# curl takes the proxy from https_proxy/HTTPS_PROXY (proxy route) or finds api.plivo.com in
# /etc/hosts (name-mapping route); --cacert trusts the emulator's CA. One JSON line per step.
set -euo pipefail
API="https://api.plivo.com/v1/Account/$PLIVO_AUTH_ID"
MPC="$API/MultiPartyCall/name_standup"

plivo() {  # method path [json body]: the response body; fails on a status >= 400 unless told
    local method=$1 url=$2 body=${3:-}
    curl -sS --cacert "$PLIVO_EMULATOR_CA" --user "$PLIVO_AUTH_ID:$PLIVO_AUTH_TOKEN" -X "$method" \
        ${body:+-H 'Content-Type: application/json' -d "$body"} -w '\n%{http_code}' "$url"
}
field() { grep -o "\"$1\": \"[^\"]*\"" | head -1 | sed 's/.*: "\(.*\)"/\1/'; }
ok() {  # step, then the answer of plivo(): its last line is the status
    local status; status=$(printf '%s' "$2" | tail -1)
    [ "$status" -lt 400 ] || { echo "$1: HTTP $status" >&2; exit 1; }
    printf '{"step": "%s"}\n' "$1"
}
error() { printf '%s' "$2" | head -1 | sed "s/.*\"error\": \"\([^\"]*\)\".*/{\"step\": \"$1\", \"error\": \"HTTP $(printf '%s' "$2" | tail -1): \1\"}/"; }

started=$(plivo POST "$MPC/Record/" '{"file_format": "wav"}')
printf '{"step": "start_recording", "recording_id": "%s", "recording_url": "%s"}\n' \
    "$(printf '%s' "$started" | field recording_id)" "$(printf '%s' "$started" | field recording_url)"
ok pause_recording "$(plivo POST "$MPC/Record/Pause/")"
printf '{"step": "get_mpc", "recording": "%s"}\n' "$(plivo GET "$MPC/" | field recording)"
ok resume_recording "$(plivo POST "$MPC/Record/Resume/")"
ok stop_recording "$(plivo DELETE "$MPC/Record/")"

# The documentation's own example: start a participant's recording.
mine=$(plivo POST "$MPC/Participant/10/Record/" '{"file_format": "mp3"}')
printf '{"step": "start_participant_recording", "recording_id": "%s"}\n' "$(printf '%s' "$mine" | field recording_id)"
ok pause_participant_recording "$(plivo POST "$MPC/Participant/10/Record/Pause/")"
ok resume_participant_recording "$(plivo POST "$MPC/Participant/10/Record/Resume/")"
ok stop_participant_recording "$(plivo DELETE "$MPC/Participant/10/Record/")"

ids=$(plivo GET "$MPC/Participant/" | grep -o '"member_id": "[^"]*"' | sed 's/.*: //' | paste -sd, -)
printf '{"step": "list_participants", "member_ids": [%s]}\n' "$ids"
error unknown_mpc "$(plivo GET "$API/MultiPartyCall/name_nobody/")"
error invalid_transition "$(plivo POST "$MPC/Record/Pause/")"
printf '{"step": "signature", "valid": null, "tampered": null}\n'  # curl has no validator
