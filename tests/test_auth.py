"""Every Plivo route, every method: missing, wrong and cross-account credentials are refused."""

from __future__ import annotations

import base64

import pytest

from emulator.http.routes import PLIVO_RESOURCES
from tests.helpers import MAIN, OTHER, SUB, PlivoHTTP, assert_plivo_error

ROUTES = [
    (method, path)
    for path, resource in PLIVO_RESOURCES.items()
    for method in resource.handlers
    if method != "HEAD"
]


def concrete(path: str) -> str:
    for name, value in (
        ("{mpc_id}", "name_standup"),
        ("{member_id}", "10"),
        ("{recording_id}", "0000"),
        ("{transcription_id}", "0000"),
        ("{call_uuid}", "0000"),
        ("{request_uuid}", "0000"),
    ):
        path = path.replace(name, value)
    return path.lstrip("/")


def test_the_route_table_is_complete() -> None:
    # 32 operations: list/get/start/end MPC, add/list/get/update/kick participant, 4+4 recording calls,
    # start/stop member Play and Speak, list/get/delete Recording, create/get/delete Transcription,
    # make/list/get/hang up a Call, cancel a Request.
    assert len(ROUTES) == 32


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_missing_credentials(api: PlivoHTTP, method: str, path: str) -> None:
    response = api.request(method, concrete(path), auth=None)
    assert_plivo_error(response, 401, "authentication credentials were not provided")
    assert response.headers["www-authenticate"].startswith("Basic")


@pytest.mark.parametrize(("method", "path"), ROUTES)
@pytest.mark.parametrize(
    "auth",
    [
        (MAIN.auth_id, "wrong-token"),
        ("MAUNKNOWNACCOUNT0001", MAIN.auth_token),
        (OTHER.auth_id, MAIN.auth_token),
        (MAIN.auth_id, ""),
    ],
    ids=["wrong-token", "unknown-id", "token-of-another", "empty-token"],
)
def test_wrong_credentials(api: PlivoHTTP, method: str, path: str, auth: tuple) -> None:
    assert_plivo_error(api.request(method, concrete(path), auth=auth), 401, "incorrect auth_id or auth_token")


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_cross_account_access(api: PlivoHTTP, method: str, path: str) -> None:
    api.seed_mpc("standup", ("10", "11"))
    # OTHER's valid credentials on MAIN's URL.
    url = api.url(concrete(path), auth_id=MAIN.auth_id)
    response = api.client.request(method, url, auth=(OTHER.auth_id, OTHER.auth_token), json={})
    assert_plivo_error(response, 401, f"the account in the URL ({MAIN.auth_id}) is not {OTHER.auth_id}")
    # ... and nothing of MAIN's state changed.
    state = api.control.state(MAIN.auth_id)
    assert state["recordings"] == [] and state["mpcs"][0]["status"] == "Active"


@pytest.mark.parametrize(
    "header",
    [
        "Bearer abc",
        "Basic",
        "Basic !!!notbase64",
        "Basic " + base64.b64encode(b"no-colon").decode(),
        "Basic " + base64.b64encode(b"\xff\xfe:x").decode(),
    ],
)
def test_malformed_authorization_headers(api: PlivoHTTP, header: str) -> None:
    response = api.client.get(api.url("MultiPartyCall/"), headers={"Authorization": header})
    assert_plivo_error(response, 401, "authentication failed")


def test_subaccount_credentials_work(api: PlivoHTTP) -> None:
    sub = api.as_account(SUB)
    assert sub.get("MultiPartyCall/").status_code == 200


def test_auth_comes_before_method_checks(api: PlivoHTTP) -> None:
    assert_plivo_error(api.request("PUT", "MultiPartyCall/", auth=None), 401)
    response = api.request("PUT", "MultiPartyCall/")
    assert_plivo_error(response, 405, 'method "PUT" not allowed', "GET")
    assert response.headers["allow"] == "GET"
    assert api.request("PATCH", "MultiPartyCall/name_x/Record/").headers["allow"] == "POST, DELETE"
