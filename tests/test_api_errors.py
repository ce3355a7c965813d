"""Bad input of every kind gets a Plivo-shaped answer: never a 500, never a traceback, never lost state."""

from __future__ import annotations

import json
import string
from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator.http.params import MAX_BODY_BYTES
from emulator.http.routes import PLIVO_RESOURCES
from tests.helpers import MAIN, OTHER, PlivoHTTP, assert_plivo_error, in_process


def test_malformed_json(api: PlivoHTTP) -> None:
    api.seed_mpc()
    for raw in (b"{", b"{'a': 1}", b"\xff\xfe", b"[" * 100_000):
        response = api.request(
            "POST",
            "MultiPartyCall/name_standup/Record/",
            content=raw,
            headers={"Content-Type": "application/json"},
        )
        assert_plivo_error(response, 400, "JSON parse error")


def test_json_that_is_not_an_object(api: PlivoHTTP) -> None:
    api.seed_mpc()
    for value in ([1, 2], "text", 3, None, True):
        response = api.request(
            "POST",
            "MultiPartyCall/name_standup/Record/",
            content=json.dumps(value).encode(),
            headers={"Content-Type": "application/json"},
        )
        assert_plivo_error(response, 400, "Expected a JSON object")


def test_unusable_content_types(api: PlivoHTTP) -> None:
    api.seed_mpc()
    for ctype in ("text/plain", "application/xml", "multipart/form-data; boundary=x"):
        response = api.request(
            "POST",
            "MultiPartyCall/name_standup/Record/",
            content=b"file_format=mp3",
            headers={"Content-Type": ctype},
        )
        assert_plivo_error(response, 415, "Unsupported media type", "application/json")


def test_json_with_charset_and_vendor_types(api: PlivoHTTP) -> None:
    api.seed_mpc()
    for ctype in ("application/json; charset=utf-8", "application/vnd.plivo+json"):
        response = api.request(
            "POST",
            "MultiPartyCall/name_standup/Participant/10/Record/",
            content=b'{"record_track_type": "participant"}',
            headers={"Content-Type": ctype},
        )
        assert response.status_code == 200
        api.delete("MultiPartyCall/name_standup/Participant/10/Record/", {"record_track_type": "participant"})


def test_oversized_body(api: PlivoHTTP) -> None:
    api.seed_mpc()
    response = api.request(
        "POST",
        "MultiPartyCall/name_standup/Record/",
        content=b'{"a": "' + b"x" * MAX_BODY_BYTES + b'"}',
        headers={"Content-Type": "application/json"},
    )
    assert_plivo_error(response, 413, "larger than")


def test_unknown_paths_are_json_404s(api: PlivoHTTP) -> None:
    for path in (
        "/v1/Account/",
        "/v1/Account/MADEVEMULATOR0000001/Conference/",
        "/v1/Account/X/MultiPartyCall/a/b/c/",
        "/nothing-here",
        "/__emulator__/nope",
    ):
        assert_plivo_error(api.client.get(path, auth=(MAIN.auth_id, MAIN.auth_token)), 404, "not found")


def test_an_accounts_error_ids_follow_its_own_sequence() -> None:
    """Errors answered after authentication draw their api_id from the account's sequence, so the
    same requests give the same ids whatever anonymous or other traffic happens meanwhile."""

    def ids(noise: bool) -> list[str]:
        with in_process() as api:
            found = []
            for path in ("MultiPartyCall/name_nope/", "Recording/nope/", "MultiPartyCall/name_x/Record/"):
                if noise:
                    api.get(path, auth=("MANOBODY000000000000", "x"))  # a 401: anonymous sequence
                    api.as_account(OTHER).get(path)  # another account's 404
                found.append(api.get(path).json()["api_id"])
            return found

    assert ids(noise=False) == ids(noise=True)


def test_wrong_method_on_control_plane(api: PlivoHTTP) -> None:
    assert_plivo_error(api.client.delete("/__emulator__/health"), 405)


# ------------------------------------------------------------------ fuzzing

# Text as JSON can spell it: any code point, lone surrogates and control characters included.
odd_text = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=()), max_size=20)
# Callback URLs in the forms that fooled the checks before: numeric hosts (hex, octal, integer,
# IPv4-mapped), backslashes, control characters, user info. Loopback or refused, never a DNS lookup.
odd_urls = st.builds(
    "{}://{}{}{}{}".format,
    st.sampled_from(["http", "https", "HTTP", "ftp"]),
    st.sampled_from(["", "user:pw@", "a\\@", "x@y@"]),
    st.sampled_from(
        [
            "127.0.0.1",
            "0x7f000001",
            "2130706433",
            "0177.0.0.1",
            "127.1",
            "[::1]",
            "[::ffff:127.0.0.1]",
            "[::ffff:8.8.8.8]",
            "0x08080808",
            "169.254.169.254",
            "8.8.8.8",
            "localhost",
            "[::1",
            "10.0.0.1",
        ]
    ),
    st.sampled_from(["", ":9", ":0", ":65536", ":x", "\\@8.8.8.8"]),
    st.text(st.sampled_from("/?#%&=a\x00\x01\x7f\x85\\ \ud800é"), max_size=8),
)
json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | odd_text | odd_urls
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
PARAM_NAMES = [
    "file_format",
    "recording_callback_url",
    "recording_callback_method",
    "record_track_type",
    "role",
    "from",
    "to",
    "call_uuid",
    "mute",
    "hold",
    "coach_mode",
    "status",
    "limit",
    "offset",
    "max_participants",
    "record",
    "stay_alone",
    "ring_timeout",
    "transcript",
    "caller_name",
]
bodies = st.dictionaries(st.sampled_from(PARAM_NAMES) | odd_text, json_values, max_size=6)
segments = st.sampled_from(
    ["name_standup", "uuid_x", "name_%2F", "name_%FF", "10", "all", "10,11", "%00", "x" * 300]
) | st.text(alphabet=string.ascii_letters + string.digits + "%_-.~", min_size=1, max_size=12)
templates = st.sampled_from(sorted(PLIVO_RESOURCES))
methods = st.sampled_from(["GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS"])


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(method=methods, template=templates, mpc_id=segments, member_id=segments, body=bodies)
def test_fuzzed_requests_never_break_the_emulator(
    api: PlivoHTTP, method: str, template: str, mpc_id: str, member_id: str, body: dict
) -> None:
    if not api.control.state(MAIN.auth_id)["mpcs"]:
        api.seed_mpc("standup", ("10", "11"))
    path = template.replace("{mpc_id}", mpc_id).replace("{member_id}", member_id)
    path = path.replace("{recording_id}", mpc_id).lstrip("/")
    kwargs: dict = (
        # A query can carry a surrogate only as the invalid UTF-8 bytes it would encode to.
        {
            "params": urlencode(
                {
                    k.encode("utf-8", "surrogatepass"): str(v).encode("utf-8", "surrogatepass")
                    for k, v in body.items()
                }
            )
        }
        if method == "GET"
        # json.dumps writes NaN/Infinity, which Python's json.loads accepts: worth sending.
        else {"content": json.dumps(body).encode(), "headers": {"Content-Type": "application/json"}}
    )
    response = api.request(method, path, **kwargs)
    assert response.status_code < 500, response.text
    if response.status_code >= 400 and method != "HEAD":
        assert_plivo_error(response, response.status_code)
    # The emulator still answers sensibly afterwards, and whatever it stored can be sent and read.
    assert api.get("MultiPartyCall/").status_code == 200
    advanced = api.client.post("/__emulator__/clock/advance", json={"seconds": 10})
    assert advanced.status_code == 200, advanced.text
    for entry in api.client.get("/__emulator__/callbacks").json()["callbacks"]:
        assert entry["state"] == "pending" or entry["attempts"], entry
        assert all(a["status"] is not None or a["error"] for a in entry["attempts"]), entry
    assert api.client.get("/__emulator__/state").status_code == 200


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    raw=st.binary(max_size=200),
    ctype=st.sampled_from(
        [
            "application/json",
            "application/x-www-form-urlencoded",
            "",
            "text/plain",
            "application/json; charset=latin-1",
        ]
    ),
)
def test_fuzzed_raw_bodies(api: PlivoHTTP, raw: bytes, ctype: str) -> None:
    if not api.control.state(MAIN.auth_id)["mpcs"]:
        api.seed_mpc("standup", ("10", "11"))
    headers = {"Content-Type": ctype} if ctype else {}
    response = api.request(
        "POST", "MultiPartyCall/name_standup/Participant/10/Record/", content=raw, headers=headers
    )
    assert response.status_code in (200, 400, 415), response.text
    if response.status_code == 200:
        api.control.reset(MAIN.auth_id)
    else:
        assert_plivo_error(response, response.status_code)


CONTROL = [
    ("POST", "/__emulator__/clock/advance"),
    ("POST", "/__emulator__/accounts"),
    ("POST", "/__emulator__/accounts/MADEVEMULATOR0000001/mpcs"),
    ("POST", "/__emulator__/reset"),
    ("GET", "/__emulator__/callbacks"),
    ("GET", "/__emulator__/state"),
    ("GET", "/__emulator__/timeline"),
    ("GET", "/__emulator__/clock"),
    ("GET", "/__emulator__/scenarios"),
    ("POST", "/__emulator__/calls"),
    ("PUT", "/__emulator__/accounts/MADEVEMULATOR0000001/numbers/14155550100"),
    ("POST", "/__emulator__/accounts/MADEVEMULATOR0000001/calls/nope/dtmf"),
    ("POST", "/__emulator__/accounts/MADEVEMULATOR0000001/calls/nope/speech"),
]
CONTROL_KEYS = [
    "seconds",
    "auth_id",
    "auth_token",
    "friendly_name",
    "participants",
    "stay_alone",
    "max_participants",
    "wait",
    "min_count",
    "state",
    "event",
    "recording_id",
    "limit",
    "offset",
    "order",
    "mpc_uuid",
    "from",
    "to",
    "answer_url",
    "answer_method",
    "hangup_url",
    "digits",
    "text",
    "confidence",
    "call_uuid",
]
control_bodies = st.dictionaries(st.sampled_from(CONTROL_KEYS) | odd_text, json_values, max_size=5)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(CONTROL), body=control_bodies)
def test_fuzzed_control_plane(api: PlivoHTTP, route: tuple[str, str], body: dict) -> None:
    method, path = route
    if method == "GET":
        params = {k: str(v)[:20] for k, v in body.items()}
        params["wait"] = "0"  # never long-poll here
        query = {
            k.encode("utf-8", "surrogatepass"): v.encode("utf-8", "surrogatepass") for k, v in params.items()
        }
        response = api.client.get(path, params=urlencode(query))
    else:
        response = api.client.request(method, path, content=json.dumps(body).encode())
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert_plivo_error(response, response.status_code)
    assert api.client.get("/__emulator__/state").status_code == 200
