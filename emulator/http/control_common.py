"""What every control-plane endpoint shares: its prefix and JSON bodies.

Errors need nothing here: the app's exception handlers answer them in Plivo's shape.
"""

from __future__ import annotations

from starlette.requests import Request

from emulator.http.params import read_json_body
from emulator.params import Params

PREFIX = "/__emulator__"
# One member of one MPC, on the control plane.
MEMBER = f"{PREFIX}/accounts/{{auth_id}}/mpcs/{{mpc_uuid}}/members/{{member_id}}"


async def json_params(request: Request) -> Params:
    return Params(await read_json_body(request))
