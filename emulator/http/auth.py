"""HTTP Basic auth as Plivo checks it: auth_id:auth_token, and the auth_id of the path must match."""

from __future__ import annotations

import base64
import binascii

from starlette.requests import Request

from emulator.domain.account import Account
from emulator.domain.backend import Backend
from emulator.http.errors import HTTPProblem

CHALLENGE = {"WWW-Authenticate": 'Basic realm="Plivo API (emulated)"'}


def _problem(message: str) -> HTTPProblem:
    return HTTPProblem(401, message, CHALLENGE)


def basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, encoded = header.strip().partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        raise _problem("authentication failed: only HTTP Basic auth (auth_id:auth_token) is accepted")
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise _problem("authentication failed: malformed Basic credentials") from None
    auth_id, sep, auth_token = decoded.partition(":")
    if not sep:
        raise _problem("authentication failed: malformed Basic credentials")
    return auth_id, auth_token


def authenticate(request: Request, backend: Backend, path_auth_id: str) -> Account:
    credentials = basic_credentials(request)
    if credentials is None:
        raise _problem("authentication credentials were not provided")
    auth_id, auth_token = credentials
    account = backend.authenticate(auth_id, auth_token)
    if account is None:
        raise _problem("authentication failed: incorrect auth_id or auth_token")
    if path_auth_id != auth_id:
        raise _problem(f"authentication failed: the account in the URL ({path_auth_id}) is not {auth_id}")
    return account
