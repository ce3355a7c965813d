"""The OpenAPI 3.1 document of every route the emulator serves, at ``/__emulator__/openapi.json``.

Paths and methods come from the live route tables (:data:`emulator.http.routes.PLIVO_RESOURCES` and
the control plane's routes), so no route can be left out; each Plivo operation's parameters from
:mod:`emulator.http.api_parameters`, which a test holds to what the handlers read. Responses are
described as the emulator answers: its success status (and ``200`` for an async-mode request), or
Plivo's error shape ``{"api_id", "error"}``. schemathesis runs against this document in CI.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.routing import BaseRoute, Route

from emulator.http.api_parameters import ASYNC, OPERATIONS, Schema
from emulator.http.api_responses import MESSAGE, RESPONSES
from emulator.http.control_common import PREFIX
from emulator.http.control_parameters import CONTROL, QUERY
from emulator.http.routes import ACCOUNT_MOUNT, MEDIA_PATH, PLIVO_RESOURCES
from emulator.version import __version__

PLIVO_PREFIX = ACCOUNT_MOUNT
MEDIA = PLIVO_PREFIX + MEDIA_PATH.rstrip("/")
ERROR: Schema = {
    "type": "object",
    "required": ["api_id", "error"],
    "properties": {"api_id": {"type": "string"}, "error": {"type": "string"}},
}
JSON_OBJECT: Schema = {"type": "object", "required": ["api_id"], "properties": {"api_id": {"type": "string"}}}
# The success status of each Plivo operation where it is not 200 with a JSON object.
SUCCESS: dict[tuple[str, str], int] = {
    ("POST", "/MultiPartyCall/{mpc_id}/"): 204,
    ("DELETE", "/MultiPartyCall/{mpc_id}/"): 204,
    ("POST", "/MultiPartyCall/{mpc_id}/Participant/"): 201,
    ("POST", "/MultiPartyCall/{mpc_id}/Participant/{member_id}/"): 202,
    ("DELETE", "/MultiPartyCall/{mpc_id}/Participant/{member_id}/"): 204,
    ("POST", "/MultiPartyCall/{mpc_id}/Record/"): 202,
    ("DELETE", "/MultiPartyCall/{mpc_id}/Record/"): 204,
    ("POST", "/MultiPartyCall/{mpc_id}/Record/Pause/"): 204,
    ("POST", "/MultiPartyCall/{mpc_id}/Record/Resume/"): 204,
    ("DELETE", "/MultiPartyCall/{mpc_id}/Participant/{member_id}/Record/"): 204,
    ("POST", "/MultiPartyCall/{mpc_id}/Participant/{member_id}/Record/Pause/"): 204,
    ("POST", "/MultiPartyCall/{mpc_id}/Participant/{member_id}/Record/Resume/"): 204,
    ("POST", "/MultiPartyCall/{mpc_id}/Member/{member_id}/Play/"): 202,
    ("DELETE", "/MultiPartyCall/{mpc_id}/Member/{member_id}/Play/"): 204,
    ("POST", "/MultiPartyCall/{mpc_id}/Member/{member_id}/Speak/"): 202,
    ("DELETE", "/MultiPartyCall/{mpc_id}/Member/{member_id}/Speak/"): 204,
    ("DELETE", "/Recording/{recording_id}/"): 204,
    ("POST", "/Call/"): 201,
    ("DELETE", "/Call/{call_uuid}/"): 204,
    ("DELETE", "/Request/{request_uuid}/"): 204,
    ("POST", "/Transcription/{transcription_id}/"): 201,
    ("DELETE", "/Transcription/{transcription_id}/"): 202,
}
_PATH_PARAMETER = re.compile(r"\{([a-z_]+)(?::[a-z]+)?\}")
RECORDING = "/Recording/{recording_id}/"
# Where an answer leads (OpenAPI links): what schemathesis's stateful phase follows, and a client
# generator reads. (operation, its success status) -> {link name: (the operation it leads to, its
# parameters from the answer)}.
LINKS: dict[tuple[str, str], dict[str, tuple[tuple[str, str], dict[str, str]]]] = {
    ("POST", "/MultiPartyCall/{mpc_id}/Record/"): {
        "GetRecording": (("GET", RECORDING), {"recording_id": "$response.body#/recording_id"}),
    },
    ("POST", "/MultiPartyCall/{mpc_id}/Participant/{member_id}/Record/"): {
        "GetRecording": (("GET", RECORDING), {"recording_id": "$response.body#/recording_id"}),
    },
    ("GET", "/Recording/"): {
        "GetRecording": (("GET", RECORDING), {"recording_id": "$response.body#/objects/0/recording_id"}),
        "DeleteRecording": (
            ("DELETE", RECORDING),
            {"recording_id": "$response.body#/objects/0/recording_id"},
        ),
        "Transcribe": (
            ("POST", "/Transcription/{transcription_id}/"),
            {"transcription_id": "$response.body#/objects/0/recording_id"},
        ),
    },
    ("GET", "/MultiPartyCall/{mpc_id}/Participant/"): {
        "GetParticipant": (
            ("GET", "/MultiPartyCall/{mpc_id}/Participant/{member_id}/"),
            {"mpc_id": "$request.path.mpc_id", "member_id": "$response.body#/objects/0/member_id"},
        ),
    },
    ("POST", "/Call/"): {
        "CancelRequest": (
            ("DELETE", "/Request/{request_uuid}/"),
            {"request_uuid": "$response.body#/request_uuid"},
        ),
    },
}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR}}}


def _success(schema: Schema | None) -> dict[str, Any]:
    if schema is None:
        return {"description": "done (no body)"}
    return {"description": "done", "content": {"application/json": {"schema": schema}}}


def _path_parameters(path: str) -> list[dict[str, Any]]:
    return [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
        for name in _PATH_PARAMETER.findall(path)
    ]


def operation_id(method: str, path: str) -> str:
    """``getMultiPartyCallMpcIdParticipant``: the method, then the path's words as they are spelled."""
    return method.lower() + "".join(w[0].upper() + w[1:] for w in re.findall(r"[A-Za-z]+", path))


def _capitalized(name: str) -> str:
    return name[:1].upper() + name[1:]


def _links(method: str, path: str) -> dict[str, Any]:
    return {
        name: {"operationId": operation_id(target[0], target[1]), "parameters": parameters}
        for name, (target, parameters) in LINKS.get((method, path), {}).items()
    }


def _place(
    operation: dict[str, Any], parameters: dict[str, Schema], *, in_query: bool, media_types: tuple[str, ...]
) -> None:
    """An operation's parameters where its handler reads them: the query, or a body."""
    if in_query:
        operation["parameters"] += [
            {"name": name, "in": "query", "required": False, "schema": schema}
            for name, schema in parameters.items()
        ]
        return
    body = {"type": "object", "properties": parameters}
    operation["requestBody"] = {
        "required": False,
        "content": {media_type: {"schema": body} for media_type in media_types},
    }


def _plivo_operation(method: str, path: str) -> dict[str, Any]:
    parameters = {**OPERATIONS[(method, path)], **ASYNC}
    status = SUCCESS.get((method, path), 200)
    body = RESPONSES.get((method, path))
    # Async mode answers 200 with a message at once, whatever the operation answers later.
    responses = {str(status): _success(body), "200": _success(MESSAGE)}
    if status == 200:
        responses["200"] = _success({"anyOf": [body or JSON_OBJECT, MESSAGE]})
    responses["default"] = _error("a Plivo-shaped error")
    links = _links(method, path)
    if links:
        responses[str(status)]["links"] = links
    operation: dict[str, Any] = {
        "operationId": operation_id(method, path),
        "tags": ["Plivo API"],
        "parameters": _path_parameters(PLIVO_PREFIX + path),
        "responses": responses,
        "security": [{"plivo": []}],
    }
    # POST and DELETE read a JSON or form body (emulator.http.params.read_body).
    media_types = ("application/json", "application/x-www-form-urlencoded")
    _place(operation, parameters, in_query=method == "GET", media_types=media_types)
    return operation


def _plivo_paths() -> dict[str, dict[str, Any]]:
    paths: dict[str, dict[str, Any]] = {}
    for path, resource in PLIVO_RESOURCES.items():
        for method in ("GET", "POST", "DELETE"):
            if method in resource.handlers:
                paths.setdefault(PLIVO_PREFIX + path, {})[method.lower()] = _plivo_operation(method, path)
    return paths


def _media_path() -> dict[str, dict[str, Any]]:
    """The audio of a recording (media.plivo.com's path, served here), with byte ranges."""
    audio: dict[str, Schema] = {"audio/mpeg": {"schema": {}}, "audio/wav": {"schema": {}}}
    operation = {
        "operationId": "getRecordingMedia",
        "tags": ["Plivo API"],
        "parameters": _path_parameters(MEDIA),
        "responses": {
            "200": {"description": "the audio", "content": audio},
            "206": {"description": "a byte range of it", "content": audio},
            "default": _error("a Plivo-shaped error"),
        },
        "security": [{"plivo": []}],
    }
    return {MEDIA: {"get": operation}}


def _control_paths(routes: list[BaseRoute]) -> dict[str, dict[str, Any]]:
    """The control plane: JSON in, JSON out, errors in Plivo's shape; no Plivo auth (a bearer
    token when the emulator has one)."""
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        if not isinstance(route, Route):
            continue
        for method in sorted((route.methods or set()) - {"HEAD"}):
            operation: dict[str, Any] = {
                "operationId": "control"
                + _capitalized(operation_id(method, route.path.removeprefix(PREFIX))),
                "tags": ["control plane"],
                "summary": (route.endpoint.__doc__ or "").strip().split("\n")[0] or None,
                "parameters": _path_parameters(route.path),
                "responses": {"2XX": {"description": "done"}, "default": _error("a Plivo-shaped error")},
                "security": [{}, {"control": []}],
            }
            in_query = method in ("GET", "DELETE") or (method, route.path) in QUERY
            parameters = CONTROL.get((method, route.path), {})
            _place(operation, parameters, in_query=in_query, media_types=("application/json",))
            paths.setdefault(route.path, {})[method.lower()] = {
                k: v for k, v in operation.items() if v is not None
            }
    return paths


def openapi_document(control_routes: list[BaseRoute]) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "plivo-mpc-emulator",
            "version": __version__,
            "description": "Plivo's Multi-Party Call, Recording, Call and Transcription API as the "
            "emulator serves it, and its control plane (/__emulator__/).",
        },
        "paths": {**_plivo_paths(), **_media_path(), **_control_paths(control_routes)},
        "components": {
            "securitySchemes": {
                "plivo": {"type": "http", "scheme": "basic", "description": "auth_id:auth_token"},
                "control": {"type": "http", "scheme": "bearer", "description": "--control-token"},
            }
        },
    }
