"""The floor for the emulator's benchmarks: a minimal Starlette app under uvicorn that answers the
same health route, and a participant-recording route that does the same auth and JSON work with no
state. Run: ``python -m bench.baselines.minimal_starlette PORT``."""

from __future__ import annotations

import base64
import json
import sys

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

TOKENS = {"MADEVEMULATOR0000001": "dev-auth-token"}


def _json(body: object, status: int = 200) -> Response:
    return Response(json.dumps(body), status_code=status, media_type="application/json")


async def health(request: Request) -> Response:
    return _json({"status": "ok"})


async def record(request: Request) -> Response:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    auth_id, _, token = base64.b64decode(encoded or "").decode().partition(":")
    if scheme.lower() != "basic" or TOKENS.get(auth_id) != token:
        return _json({"api_id": "x", "error": "authentication failed"}, 401)
    raw = await request.body()
    params = json.loads(raw) if raw else {}
    if request.method == "DELETE":
        return Response(status_code=204)
    return _json(
        {
            "api_id": "x",
            "message": "MPC: standup record started",
            "recording_id": "r",
            "recording_url": f"http://127.0.0.1/{params.get('file_format', 'mp3')}",
        }
    )


app = Starlette(
    routes=[
        Route("/__emulator__/health", health),
        Route(
            "/v1/Account/{auth_id}/MultiPartyCall/{mpc_id}/Participant/{member_id}/Record/",
            record,
            methods=["POST", "DELETE"],
        ),
    ]
)

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
