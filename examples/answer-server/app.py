"""A small Plivo answer server, the kind the emulator runs calls against.

Callers from an agent's number join the ``support`` MPC as its agent; everyone else hears that the
call is recorded and joins as a customer. The MPC is recorded once both are in
(``recordMinMemberCount="2"``). Every request Plivo (or the emulator) sends is checked with the
official SDK's signature validator, and the callbacks are kept in memory for ``GET /events``.

Run it next to the emulator:

    PLIVO_AUTH_TOKEN=dev-auth-token uvicorn app:app --port 8000

then make a call arrive:

    curl -X POST localhost:8080/__emulator__/calls -H 'Content-Type: application/json' \\
      -d '{"auth_id": "MADEVEMULATOR0000001", "from": "14155550100", "to": "14155550123",
           "answer_url": "http://127.0.0.1:8000/answer", "hangup_url": "http://127.0.0.1:8000/hangup"}'
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import parse_qsl

from plivo import plivoxml
from plivo.utils.signature_v3 import validate_v3_signature
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

AGENTS = {"14155550100"}
MPC_NAME = "support"
EVENTS: list[dict[str, Any]] = []


async def _signed_params(request: Request) -> dict[str, str] | None:
    """The request's parameters, if its X-Plivo-Signature-V3 is good; None otherwise."""
    if request.method == "POST":  # form-encoded, read without python-multipart
        params = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
    else:
        params = dict(request.query_params)
    url = str(request.url) if request.method == "POST" else str(request.url).split("?", 1)[0]
    good = validate_v3_signature(
        request.method,
        url,
        request.headers.get("X-Plivo-Signature-V3-Nonce", ""),
        os.environ.get("PLIVO_AUTH_TOKEN", "dev-auth-token"),
        request.headers.get("X-Plivo-Signature-V3", ""),
        {k: str(v) for k, v in params.items()},
    )
    return {k: str(v) for k, v in params.items()} if good else None


async def answer(request: Request) -> Response:
    params = await _signed_params(request)
    if params is None:
        return Response("bad signature", status_code=403)
    agent = params.get("From") in AGENTS
    base = str(request.base_url).rstrip("/")
    response = plivoxml.ResponseElement()
    if not agent:
        response.add(plivoxml.SpeakElement("This call is recorded."))
    response.add(
        plivoxml.MultiPartyCallElement(
            content=MPC_NAME,
            role="agent" if agent else "customer",
            record=True,
            record_min_member_count=2,
            recording_callback_url=f"{base}/events",
            status_callback_url=f"{base}/events",
            stay_alone=agent,
        )
    )
    return Response(response.to_string(False), media_type="application/xml")


async def event(request: Request) -> Response:
    """Recording, status and hangup callbacks: kept, in order."""
    params = await _signed_params(request)
    if params is None:
        return Response("bad signature", status_code=403)
    EVENTS.append(params)
    return Response("ok")


async def events(request: Request) -> Response:
    return JSONResponse(EVENTS)


app = Starlette(
    routes=[
        Route("/answer", answer, methods=["GET", "POST"]),
        Route("/hangup", event, methods=["GET", "POST"]),
        Route("/events", event, methods=["POST"]),
        Route("/events", events, methods=["GET"]),
    ]
)
