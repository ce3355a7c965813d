"""The /__emulator__/ control plane: health, accounts, seeding, reset, state."""

from __future__ import annotations

from tests.helpers import MAIN, OTHER, SEED, PlivoHTTP, assert_plivo_error


def test_health(api: PlivoHTTP) -> None:
    body = api.client.get("/__emulator__/health").json()
    assert body["status"] == "ok" and body["seed"] == SEED and body["accounts"] == 3


def test_create_mpc_with_participants(api: PlivoHTTP) -> None:
    body = api.seed_mpc("standup", ("10", "11"))
    assert body["status"] == "Active" and body["friendly_name"] == "standup"
    assert [p["member_id"] for p in body["participants"]] == ["10", "11"]
    assert {p["role"] for p in body["participants"]} == {"agent"}
    assert api.get(f"MultiPartyCall/uuid_{body['mpc_uuid']}/Participant/10/").status_code == 200


def test_create_mpc_details(api: PlivoHTTP) -> None:
    response = api.client.post(
        f"/__emulator__/accounts/{MAIN.auth_id}/mpcs",
        json={
            "participants": [
                {"member_id": 7, "role": "Supervisor", "mute": True, "call_uuid": "c-7"},
                {"role": "customer", "from": "14155550100", "to": "14155550199"},
            ],
            "stay_alone": True,
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["friendly_name"], "a realistic name is generated when none is given"
    assert body["stay_alone"] is True
    supervisor, customer = body["participants"]
    assert (supervisor["member_id"], supervisor["role"], supervisor["mute"], supervisor["call_uuid"]) == (
        "7",
        "supervisor",
        True,
        "c-7",
    )
    assert customer["member_id"].isdigit() and customer["member_address"] == "14155550199"


def test_create_mpc_errors(api: PlivoHTTP) -> None:
    url = f"/__emulator__/accounts/{MAIN.auth_id}/mpcs"
    api.seed_mpc("standup")
    assert_plivo_error(api.client.post(url, json={"friendly_name": "standup"}), 409, "already exists")
    assert_plivo_error(
        api.client.post(url, json={"participants": [{"member_id": "1"}, {"member_id": "1"}]}),
        409,
        "appears twice",
    )
    assert_plivo_error(api.client.post(url, json={"participants": "x"}), 400, "must be a list")
    assert_plivo_error(
        api.client.post(url, json={"participants": [{"role": "boss"}]}), 400, "participants[0]"
    )
    assert_plivo_error(api.client.post(url, json={"participants": [{"member_id": "ten"}]}), 400, "digits")
    assert_plivo_error(api.client.post(url, json={"participants": [{}] * 11}), 400, "max_participants")
    # MPC-wide settings are checked against Plivo's limits even without participants.
    assert_plivo_error(api.client.post(url, json={"max_duration": 299}), 400, "between 300 and 28800")
    assert_plivo_error(api.client.post(url, json={"record_min_member_count": 3}), 400, "between 1 and 2")
    assert_plivo_error(api.client.post(url, content=b"{", headers={"Content-Type": "application/json"}), 400)
    assert_plivo_error(api.client.post("/__emulator__/accounts/MANOBODY000000000000/mpcs", json={}), 404)


def test_reset_one_account_or_all(api: PlivoHTTP) -> None:
    api.seed_mpc("a")
    api.as_account(OTHER).seed_mpc("b")
    response = api.client.post("/__emulator__/reset", params={"auth_id": MAIN.auth_id})
    assert response.json() == {"reset": [MAIN.auth_id]}
    assert api.get("MultiPartyCall/").json()["objects"] == []
    assert len(api.as_account(OTHER).get("MultiPartyCall/").json()["objects"]) == 1
    api.client.post("/__emulator__/reset")
    assert api.as_account(OTHER).get("MultiPartyCall/").json()["objects"] == []
    assert_plivo_error(
        api.client.post("/__emulator__/reset", params={"auth_id": "MANOBODY000000000000"}), 404
    )
    assert api.get("MultiPartyCall/").status_code == 200, "accounts survive a reset"


def test_state(api: PlivoHTTP) -> None:
    created = api.seed_mpc("standup")
    started = api.post(
        "MultiPartyCall/name_standup/Participant/10/Record/", {"record_track_type": "both"}
    ).json()
    state = api.control.state(MAIN.auth_id)
    (mpc,) = state["mpcs"]
    assert mpc["mpc_uuid"] == created["mpc_uuid"] and len(mpc["participants"]) == 2
    assert len(state["recordings"]) == 2
    first = state["recordings"][0]
    assert (
        first["recording_id"] == started["recording_id"]
        and first["recording_url"] == started["recording_url"]
    )
    assert first["state"] == "recording" and first["sequence"] == 1
    calls = {c["call_uuid"]: c for c in state["calls"]}
    assert set(calls) == {p["call_uuid"] for p in mpc["participants"]}
    assert {(c["status"], c["mpc_uuid"]) for c in calls.values()} == {("in-progress", created["mpc_uuid"])}
    assert state["transcriptions"] == []
    api.delete("MultiPartyCall/name_standup/")
    ended = api.control.state(MAIN.auth_id)["calls"]
    assert {(c["status"], c["hangup_cause_code"], c["hangup_source"]) for c in ended} == {
        ("completed", 4020, "API Request")
    }
    paged = api.control.state(MAIN.auth_id, mpc_uuid=created["mpc_uuid"])
    assert sorted(c["call_uuid"] for c in paged["calls"]) == sorted(calls)
    everything = api.client.get("/__emulator__/state").json()
    assert [a["auth_id"] for a in everything["accounts"]] == [
        MAIN.auth_id,
        OTHER.auth_id,
        "SASUBACCOUNT00000001",
    ]


def test_register_an_account_at_runtime(api: PlivoHTTP) -> None:
    from emulator.domain.credentials import Credentials

    new = Credentials("MAXDISTWORKER0000001", "worker-token")
    assert_plivo_error(api.as_account(new).get("MultiPartyCall/"), 401)
    response = api.client.post(
        "/__emulator__/accounts", json={"auth_id": new.auth_id, "auth_token": new.auth_token}
    )
    assert response.status_code == 201
    assert api.as_account(new).get("MultiPartyCall/").status_code == 200
    again = api.client.post(
        "/__emulator__/accounts", json={"auth_id": new.auth_id, "auth_token": new.auth_token}
    )
    assert again.status_code == 201, "registering the same account twice is harmless"
    clash = api.client.post("/__emulator__/accounts", json={"auth_id": new.auth_id, "auth_token": "other"})
    assert_plivo_error(clash, 409, "another auth_token")
    bad = api.client.post("/__emulator__/accounts", json={"auth_id": "XX123", "auth_token": "t"})
    assert_plivo_error(bad, 400, "'MA' or 'SA' followed by 18")
    listed = api.client.get("/__emulator__/accounts").json()["accounts"]
    assert new.auth_id in [a["auth_id"] for a in listed]


def test_an_account_can_be_removed(api: PlivoHTTP) -> None:
    from emulator.domain.credentials import Credentials

    temp = Credentials("MATEMPORARYACCOUNT01", "temp-token")
    api.control.add_account(temp.auth_id, temp.auth_token)
    api.as_account(temp).seed_mpc("standup")
    fault = api.control.inject_fault(auth_id=temp.auth_id, times=0)
    api.control.remove_account(temp.auth_id)
    assert temp.auth_id not in api.control.accounts()
    assert_plivo_error(api.as_account(temp).get("MultiPartyCall/"), 401, "incorrect auth_id")
    assert all(f["id"] != fault["id"] for f in api.control.faults()), "its faults went with it"
    assert_plivo_error(api.client.delete(f"/__emulator__/accounts/{temp.auth_id}"), 404, temp.auth_id)
    assert_plivo_error(api.client.delete("/__emulator__/faults/999"), 404, "no fault rule 999")
    assert_plivo_error(api.client.delete("/__emulator__/faults/first"), 400, "id")
    api.control.add_account(temp.auth_id, "another-token")  # the id is free again
