"""The OpenAPI document: served, naming every route, holding every parameter the handlers read; and
schemathesis run against it (no 5xx, every response as documented)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from emulator import ThreadedServer
from emulator.http.api_parameters import ASYNC, OPERATIONS
from emulator.http.control import control_routes
from emulator.http.control_parameters import CONTROL
from emulator.http.routes import PLIVO_RESOURCES
from emulator.params import Params
from tests.helpers import MAIN, PlivoHTTP, real_server

PREFIX = "/v1/Account/{auth_id}"
# What each operation needs to get past its required parameters, so that it reads all the others.
EXAMPLES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/MultiPartyCall/{mpc_id}/"): {"status": "active"},
    ("POST", "/MultiPartyCall/{mpc_id}/Participant/"): {"role": "agent", "from": "1415", "to": "1416"},
    ("POST", "/MultiPartyCall/{mpc_id}/Participant/{member_id}/"): {"mute": True},
    ("POST", "/MultiPartyCall/{mpc_id}/Member/{member_id}/Play/"): {"url": "http://127.0.0.1:9/a.mp3"},
    ("POST", "/MultiPartyCall/{mpc_id}/Member/{member_id}/Speak/"): {"text": "hello"},
    ("POST", "/Call/"): {"from": "1415", "to": "1416", "answer_url": "http://127.0.0.1:9/answer"},
    ("GET", "/Call/{call_uuid}/"): {"status": "live"},
}
IDS = {
    "mpc_id": "name_standup",
    "member_id": "10",
    "recording_id": "r1",
    "call_uuid": "c1",
    "request_uuid": "q1",
    "transcription_id": "t1",
}


def test_the_document_names_every_route(api: PlivoHTTP) -> None:
    document = api.client.get("/__emulator__/openapi.json").json()
    assert document["openapi"] == "3.1.0"
    paths = document["paths"]
    for path, resource in PLIVO_RESOURCES.items():
        for method in resource.handlers.keys() - {"HEAD"}:
            assert method.lower() in paths[PREFIX + path], (method, path)
            assert (method, path) in OPERATIONS, "each Plivo operation has its parameters listed"
    for route in control_routes():
        for method in (getattr(route, "methods", None) or set()) - {"HEAD"}:
            assert method.lower() in paths[route.path], (method, route.path)  # type: ignore[attr-defined]
    assert "get" in paths[PREFIX + "/Recording/{recording_id}.{file_format}"], "the audio too"
    ids = [operation["operationId"] for methods in paths.values() for operation in methods.values()]
    assert len(ids) == len(set(ids)), "operation ids are unique (links name them)"
    linked = {
        link["operationId"]
        for methods in paths.values()
        for operation in methods.values()
        for response in operation["responses"].values()
        for link in response.get("links", {}).values()
    }
    assert linked and linked <= set(ids), "every link leads to an operation of the document"


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every parameter name a handler asks :class:`Params` for, in order."""
    seen: list[str] = []
    kinds = ("text", "required_text", "choice", "optional_choice", "boolean", "optional_boolean")
    for kind in (*kinds, "integer", "number", "url", "raw"):
        monkeypatch.setattr(Params, kind, _recording(getattr(Params, kind), seen))
    original = Params.limited
    monkeypatch.setattr(
        Params, "limited", lambda self, limit: (seen.append(limit.name), original(self, limit))[1]
    )
    yield seen


def _read_by(
    api: PlivoHTTP,
    reads: list[str],
    method: str,
    path: str,
    ids: dict[str, str],
    example: dict[str, Any],
    *,
    in_query: bool,
) -> set[str]:
    """The names a handler reads for one request to ``path`` (its ``{names}`` filled from ``ids``)."""
    reads.clear()  # what came before (the seeding) is not this request's
    concrete = re.sub(r"\{([a-z_]+)\}", lambda m: ids[m.group(1)], path)
    sent = {"params": example} if in_query else {"json": example}
    api.client.request(method, concrete, auth=(api.creds.auth_id, api.creds.auth_token), **sent)
    return set(reads)


def _recording(method: Any, seen: list[str]) -> Any:
    def read(self: Params, name: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(name)
        return method(self, name, *args, **kwargs)

    return read


@pytest.mark.parametrize(
    ("method", "path"), sorted(OPERATIONS), ids=[f"{m} {p}" for m, p in sorted(OPERATIONS)]
)
def test_every_parameter_a_handler_reads_is_documented(
    api: PlivoHTTP, reads: list[str], method: str, path: str
) -> None:
    api.seed_mpc("standup", ("10", "11"), stay_alone=True)
    ids = {**IDS, "auth_id": MAIN.auth_id}
    example = EXAMPLES.get((method, path), {})
    read = _read_by(api, reads, method, PREFIX + path, ids, example, in_query=method == "GET")
    undocumented = read - set(OPERATIONS[(method, path)]) - set(ASYNC)
    assert not undocumented, f"{method} {path} reads {sorted(undocumented)}: add them to api_parameters"


CONTROL_EXAMPLES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/__emulator__/accounts"): {"auth_id": "MAOPENAPI00000000001", "auth_token": "token"},
    ("POST", "/__emulator__/accounts/{auth_id}/mpcs"): {
        "friendly_name": "seeded",
        "participants": [{"member_id": "20", "role": "agent"}],
    },
    ("POST", "/__emulator__/calls"): {
        "auth_id": MAIN.auth_id,
        "from": "1415",
        "to": "1416",
        "answer_url": "http://127.0.0.1:9/answer",
    },
    ("PUT", "/__emulator__/accounts/{auth_id}/numbers/{number}"): {"answer_url": "http://127.0.0.1:9/answer"},
    ("POST", "/__emulator__/accounts/{auth_id}/calls/{call_uuid}/dtmf"): {"digits": "1"},
    ("POST", "/__emulator__/accounts/{auth_id}/calls/{call_uuid}/speech"): {"text": "yes"},
    ("POST", "/__emulator__/accounts/{auth_id}/mpcs/{mpc_uuid}/members/{member_id}/dtmf"): {"digits": "1"},
    ("POST", "/__emulator__/clock/advance"): {"seconds": 1},
    ("POST", "/__emulator__/accounts/{auth_id}/clock/advance"): {"seconds": 1},
    ("POST", "/__emulator__/faults"): {"path": "/v1/", "status": 500},
}
CONTROL_OPERATIONS = sorted(
    (method, route.path)
    for route in control_routes()
    for method in (getattr(route, "methods", None) or set()) - {"HEAD"}
)


def _names(properties: dict[str, Any]) -> set[str]:
    """Every parameter name a body or query may hold, nested objects' included."""
    names = set(properties)
    for schema in properties.values():
        names |= _names(schema.get("items", {}).get("properties", {}))
    return names


@pytest.mark.parametrize(
    ("method", "path"), CONTROL_OPERATIONS, ids=[f"{m} {p}" for m, p in CONTROL_OPERATIONS]
)
def test_every_parameter_the_control_plane_reads_is_documented(
    api: PlivoHTTP, reads: list[str], method: str, path: str
) -> None:
    mpc = api.seed_mpc("standup", ("10", "11"), stay_alone=True)
    ids = {**IDS, "auth_id": MAIN.auth_id, "mpc_uuid": mpc["mpc_uuid"], "number": "1416", "callback_id": "x"}
    ids["rule_id"] = "1"
    example = CONTROL_EXAMPLES.get((method, path), {})
    read = _read_by(api, reads, method, path, ids, example, in_query=method in ("GET", "DELETE"))
    path_parameters = set(re.findall(r"\{([a-z_]+)\}", path))
    undocumented = read - _names(CONTROL.get((method, path), {})) - path_parameters
    assert not undocumented, f"{method} {path} reads {sorted(undocumented)}: add them to control_parameters"


# ------------------------------------------------------------------ schemathesis

SCHEMATHESIS_CONFIG = """
[parameters]
"path.auth_id" = "{auth_id}"
"path.mpc_id" = "name_standup"
"path.member_id" = "10"
# The long-poll's wait, and how far the clock moves, fixed: fuzzed, they only make the run slow.
"query.wait" = 0
"body.seconds" = 1
"""


@pytest.fixture
def fuzzed_server(tmp_path: Path) -> Iterator[ThreadedServer]:
    """A fresh emulator for each run: what one fuzzing run leaves behind is not the next one's start."""
    server = real_server(clock="manual", tls_dir=tmp_path / "tls", loopback_callbacks=True)
    yield server
    server.stop()


@pytest.mark.parametrize("tag", ["Plivo API", "control plane"])
def test_schemathesis_finds_nothing(fuzzed_server: ThreadedServer, tmp_path: Path, tag: str) -> None:
    """Every operation, fuzzed (coverage, fuzzing and stateful phases): no 5xx, and every status,
    content type and body as the document says, on a seeded MPC. The Plivo API and the control plane
    run apart: fuzzing the control plane removes accounts and resets state. The counts are printed."""
    st = shutil.which("st", path=str(Path(sys.executable).parent))
    assert st is not None, "schemathesis is a test dependency"
    control = fuzzed_server.control()
    control.create_mpc(MAIN.auth_id, "standup", members=("10", "11"), stay_alone=True)
    config = tmp_path / "schemathesis.toml"
    config.write_text(SCHEMATHESIS_CONFIG.replace("{auth_id}", MAIN.auth_id))
    checks = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
    document = f"{fuzzed_server.url}/__emulator__/openapi.json"
    options = ["--auth", f"{MAIN.auth_id}:{MAIN.auth_token}", "--checks", checks, "--include-tag", tag]
    options += ["--max-examples", "15", "--seed", "1", "--workers", "1"]
    command = [st, "--config-file", str(config), "--no-color", "run", document, *options]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=600, cwd=tmp_path
    )  # its cache there
    summary = result.stdout[result.stdout.find("SUMMARY") :]
    print(summary)
    assert result.returncode == 0, result.stdout[-6000:]
    assert "Authentication failed" not in result.stdout, "the fuzzing reached past authentication"
    match = re.search(r"(\d+) generated, (\d+) passed", result.stdout)
    assert match and int(match.group(1)) > 500 and match.group(1) == match.group(2), summary


def _check(document: dict[str, Any], method: str, path: str, response: Any) -> None:
    """``response`` is what the document promises for its status (a body only where it says one)."""
    described = document["paths"][PREFIX + path][method.lower()]["responses"][str(response.status_code)]
    content = described.get("content")
    if content is None:
        assert response.content == b"", (method, path)
        return
    jsonschema.validate(response.json(), content["application/json"]["schema"])


def test_every_success_is_as_documented(api: PlivoHTTP) -> None:
    """A whole flow, each answer validated against the document (schemathesis mostly meets errors)."""
    document = api.client.get("/__emulator__/openapi.json").json()
    api.seed_mpc("standup", ("10", "11"), stay_alone=True)
    mpc, member = "/MultiPartyCall/{mpc_id}/", "/MultiPartyCall/{mpc_id}/Participant/{member_id}/"
    su = "MultiPartyCall/name_standup/"
    flow: list[tuple[str, str, str, dict[str, Any]]] = [
        ("GET", "/MultiPartyCall/", "MultiPartyCall/", {}),
        ("GET", mpc, su, {}),
        ("GET", mpc + "Participant/", su + "Participant/", {}),
        ("GET", member, su + "Participant/10/", {}),
        ("POST", member, su + "Participant/10/", {"mute": True, "hold": True}),
        ("POST", mpc + "Record/", su + "Record/", {}),
        ("POST", mpc + "Record/Pause/", su + "Record/Pause/", {}),
        ("POST", mpc + "Record/Resume/", su + "Record/Resume/", {}),
        ("POST", member + "Record/", su + "Participant/10/Record/", {}),
        ("DELETE", member + "Record/", su + "Participant/10/Record/", {}),
        (
            "POST",
            mpc + "Member/{member_id}/Play/",
            su + "Member/10/Play/",
            {"url": "http://127.0.0.1:9/a.mp3"},
        ),
        ("POST", mpc + "Member/{member_id}/Speak/", su + "Member/10/Speak/", {"text": "hi"}),
        ("POST", mpc + "Participant/", su + "Participant/", {"role": "agent", "from": "1415", "to": "1416"}),
        ("DELETE", mpc + "Record/", su + "Record/", {}),
        ("POST", "/Call/", "Call/", {"from": "1415", "to": "1416", "answer_url": "http://127.0.0.1:9/a"}),
        ("POST", mpc + "Record/", su + "Record/", {"callback_url": "http://127.0.0.1:9/a"}),
    ]
    for method, path, concrete, body in flow:
        response = (
            api.get(concrete, params=body) if method == "GET" else api.request(method, concrete, json=body)
        )
        assert response.status_code < 300, (method, concrete, response.text)
        _check(document, method, path, response)
    api.control.advance(120, MAIN.auth_id)
    recordings = api.get("Recording/")
    _check(document, "GET", "/Recording/", recordings)
    recording_id = recordings.json()["objects"][0]["recording_id"]
    _check(document, "GET", "/Recording/{recording_id}/", api.get(f"Recording/{recording_id}/"))
    transcription = f"Transcription/{recording_id}/"
    _check(document, "POST", "/Transcription/{transcription_id}/", api.post(transcription, {}))
    api.control.advance(600, MAIN.auth_id)
    _check(document, "GET", "/Transcription/{transcription_id}/", api.get(transcription))
    live = api.get("Call/", params={"status": "live"})
    _check(document, "GET", "/Call/", live)
    call_uuid = live.json()["calls"][0]
    _check(document, "GET", "/Call/{call_uuid}/", api.get(f"Call/{call_uuid}/", params={"status": "live"}))
    _check(document, "DELETE", "/Call/{call_uuid}/", api.delete(f"Call/{call_uuid}/"))
    _check(document, "GET", "/Call/", api.get("Call/"))
    _check(document, "GET", "/Call/{call_uuid}/", api.get(f"Call/{call_uuid}/"))
    _check(document, "DELETE", "/Transcription/{transcription_id}/", api.delete(transcription))
    _check(document, "DELETE", mpc, api.delete("MultiPartyCall/name_standup/"))
