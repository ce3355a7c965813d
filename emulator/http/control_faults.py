"""The control plane of provider-side faults: arm, list and clear the rules of :mod:`emulator.http.faults`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from emulator.http.control_common import json_params
from emulator.http.errors import PlivoJSONResponse
from emulator.http.state import state_of
from emulator.params import Params


async def add_fault(request: Request) -> Response:
    rule = state_of(request).faults.add(await json_params(request))
    return PlivoJSONResponse(rule.to_json(), status_code=201)


async def list_faults(request: Request) -> Response:
    return PlivoJSONResponse({"faults": [r.to_json() for r in state_of(request).faults.rules]})


async def clear_faults(request: Request) -> Response:
    state_of(request).faults.clear(request.query_params.get("auth_id"))
    return Response(status_code=204)


async def remove_fault(request: Request) -> Response:
    state_of(request).faults.remove(Params(dict(request.path_params)).integer("rule_id", 0, minimum=1))
    return Response(status_code=204)
