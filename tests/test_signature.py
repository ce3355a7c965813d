"""The V3 (and V2) signatures match Plivo's worked vectors and the official SDK's validator."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st
from plivo.utils import validate_signature
from plivo.utils.signature_v3 import validate_v3_signature

from emulator.delivery.signature import sign_v2, sign_v3, signature_headers, v3_string

TOKEN = "MY_AUTH_TOKEN"
NONCE = "12345678901234567890"
PARAMS = {
    "EventName": "MPCRecordingInitiated",
    "EventTimestamp": "2024-01-01 10:00:00+00:00",
    "MPCName": "my mpc",
    "MPCUUID": "11111111-2222-3333-4444-555555555555",
    "RecordingUUID": "r-1",
    "SequenceNumber": "1",
}


def test_reference_vectors() -> None:
    url = "http://127.0.0.1:5000/recording_cb"
    assert v3_string("POST", url, PARAMS) == (
        "http://127.0.0.1:5000/recording_cb?EventNameMPCRecordingInitiated"
        "EventTimestamp2024-01-01 10:00:00+00:00"
        "MPCNamemy mpcMPCUUID11111111-2222-3333-4444-555555555555RecordingUUIDr-1SequenceNumber1"
    )
    assert sign_v3("POST", url, PARAMS, NONCE, TOKEN) == "dXqSP0IVuNT5qX71lG8rXSWd52uKOAXzPyv9QZ85ebk="
    assert sign_v3("GET", url, PARAMS, NONCE, TOKEN) == "gNWVuoBW6B8n4NOHOu3pka4+mmZN9CyCQrbUjpKzCQE="
    with_query = "https://example.com/mpc/recording/?b=2&a=1"
    params = {"EventName": "MPCRecordingCompleted", "MPCUUID": "abc", "RecordingDuration": "10"}
    assert v3_string("POST", with_query, params) == (
        "https://example.com/mpc/recording/?a=1&b=2."
        "EventNameMPCRecordingCompletedMPCUUIDabcRecordingDuration10"
    )
    assert sign_v3("POST", with_query, params, NONCE, TOKEN) == "kQTNmXKFl6hxnjoZQAcjiywvZVMAxBf0oTVbaWnmPgE="
    assert (
        sign_v2("https://answer.url", "12345", "my_auth_token")
        == "ehV3IKhLysWBxC1sy8INm0qGoQYdYsHwuoKjsX7FsXc="
    )


def test_empty_params() -> None:
    assert v3_string("POST", "http://h/cb", {}) == "http://h/cb"
    assert v3_string("POST", "http://h/cb?z=1", {}) == "http://h/cb?z=1"
    assert v3_string("GET", "http://h/cb", {}) == "http://h/cb"


def test_headers_validate_with_the_sdk() -> None:
    headers = signature_headers("POST", "http://127.0.0.1:5000/cb", PARAMS, NONCE, TOKEN, "MAIN_TOKEN")
    assert validate_v3_signature(
        "POST", "http://127.0.0.1:5000/cb", NONCE, TOKEN, headers["X-Plivo-Signature-V3"], dict(PARAMS)
    )
    assert validate_v3_signature(
        "POST",
        "http://127.0.0.1:5000/cb",
        NONCE,
        "MAIN_TOKEN",
        headers["X-Plivo-Signature-Ma-V3"],
        dict(PARAMS),
    )
    assert validate_signature("http://127.0.0.1:5000/cb", NONCE, headers["X-Plivo-Signature-V2"], TOKEN)
    assert headers["X-Plivo-Signature-V3-Nonce"] == headers["X-Plivo-Signature-V2-Nonce"] == NONCE


texts = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=15)
keys = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)
# ASCII only: plivo-python 4.63.0's validator itself crashes (UnicodeEncodeError) on a callback URL
# whose query string holds percent-encoded non-ASCII text.
queries = st.dictionaries(
    st.text(alphabet="abcxyz", min_size=1, max_size=3), st.text(alphabet="abc 123+/", max_size=5), max_size=3
)


@given(
    params=st.dictionaries(keys, texts, max_size=8),
    query=queries,
    method=st.sampled_from(["GET", "POST"]),
    nonce=st.text(alphabet="0123456789", min_size=1, max_size=20),
)
def test_fuzzed_callbacks_validate_with_the_sdk(params: dict, query: dict, method: str, nonce: str) -> None:
    url = "http://127.0.0.1:8000/hooks/recording/" + (f"?{urlencode(query)}" if query else "")
    if method == "GET":
        # On GET the URL's own query wins over a parameter of the same name (as in the SDK).
        params = {k: v for k, v in params.items() if k not in query}
    signature = sign_v3(method, url, params, nonce, "tok€n")
    assert validate_v3_signature(method, url, nonce, "tok€n", signature, dict(params))
    assert not validate_v3_signature(method, url, nonce, "other", signature, dict(params))


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_non_ascii_values(method: str) -> None:
    params = {**PARAMS, "MPCName": "réunion ☕ 会议"}
    signature = sign_v3(method, "http://127.0.0.1:5000/cb", params, NONCE, TOKEN)
    assert validate_v3_signature(method, "http://127.0.0.1:5000/cb", NONCE, TOKEN, signature, params)


@pytest.mark.parametrize(
    ("url", "bare"),
    [
        ("http://127.0.0.1:5000/cb?x=1", "http://127.0.0.1/cb?x=1"),
        ("http://[::1]:8080/cb", "http://[::1]/cb"),
        ("https://example.com/cb", None),
    ],
)
def test_a_url_with_a_port_is_signed_both_ways(url: str, bare: str | None) -> None:
    """plivo-ruby, plivo-java and plivo-dotnet validate V3 over the URL without its port; Python,
    Node.js, Go and PHP with it. A callback to a local port carries both signatures, and each
    validator finds its own; a URL with no port carries one."""
    headers = signature_headers("POST", url, PARAMS, NONCE, TOKEN, "MAIN_TOKEN")
    signatures = headers["X-Plivo-Signature-V3"].split(",")
    assert signatures[0] == sign_v3("POST", url, PARAMS, NONCE, TOKEN)
    assert validate_v3_signature("POST", url, NONCE, TOKEN, headers["X-Plivo-Signature-V3"], PARAMS)
    if bare is None:
        assert len(signatures) == 1
    else:
        assert signatures[1:] == [sign_v3("POST", bare, PARAMS, NONCE, TOKEN)]
        assert validate_v3_signature("POST", bare, NONCE, TOKEN, headers["X-Plivo-Signature-V3"], PARAMS)
    main = headers["X-Plivo-Signature-Ma-V3"]
    assert validate_v3_signature("POST", url, NONCE, "MAIN_TOKEN", main, PARAMS)
    assert len(main.split(",")) == len(signatures)
