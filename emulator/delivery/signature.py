"""Plivo's webhook signatures, computed as Plivo computes them.

V3 (``X-Plivo-Signature-V3``): HMAC-SHA256, keyed with the auth token, over the
callback URL plus its parameters plus a nonce; the algorithm mirrors
``plivo.utils.signature_v3`` byte for byte (sorted keys, values not
re-encoded, ``?k=v&...`` for GET, ``?kv...`` for POST, ``.`` before the nonce).
V2 (``X-Plivo-Signature-V2``): HMAC-SHA256 over the URL without its query,
then the nonce.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import parse_qs, urlsplit, urlunsplit


def _base(uri: str) -> str:
    parts = urlsplit(uri)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _query_map(uri: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(uri).query, keep_blank_values=True)


def _sorted_pairs(params: Mapping[str, str | list[str]], joiner: str) -> list[str]:
    pairs: list[str] = []
    for key in sorted(params):
        value = params[key]
        for item in sorted(value) if isinstance(value, list) else [value]:
            pairs.append(f"{key}{joiner}{item}")
    return pairs


def v3_string(method: str, uri: str, params: Mapping[str, str]) -> str:
    """The string Plivo signs (before ``.`` and the nonce)."""
    base = _base(uri)
    query = _query_map(uri)
    if method.upper() == "GET":
        merged: dict[str, str | list[str]] = {**params, **query}  # the URL's own query wins, as in the SDK
        pairs = "&".join(_sorted_pairs(merged, "="))
        return f"{base}?{pairs}" if pairs else base
    query_string = "&".join(_sorted_pairs(query, "="))
    if not params:
        return f"{base}?{query_string}" if query_string else base
    prefix = f"{base}?{query_string}." if query_string else f"{base}?"
    return prefix + "".join(_sorted_pairs(params, ""))


def _hmac_b64(token: str, message: str) -> str:
    digest = hmac.new(token.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def sign_v3(method: str, uri: str, params: Mapping[str, str], nonce: str, auth_token: str) -> str:
    return _hmac_b64(auth_token, f"{v3_string(method, uri, params)}.{nonce}")


def sign_v2(uri: str, nonce: str, auth_token: str) -> str:
    return _hmac_b64(auth_token, _base(uri) + nonce)


def without_port(uri: str) -> str | None:
    """``uri`` as plivo-ruby, plivo-java and plivo-dotnet read it when they validate V3: their URL
    is scheme, host and path, with no port (Python, Node.js, Go and PHP keep it). None when
    ``uri`` names no port, where all agree."""
    parts = urlsplit(uri)
    if parts.port is None or parts.hostname is None:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def _v3_signatures(token: str, method: str, uri: str, params: Mapping[str, str], nonce: str) -> str:
    """The V3 header's value: the signature of ``uri``, then (when it names a port) the one of the
    URL without it, comma-separated as the SDKs' validators accept several; so a handler on a local
    port validates whichever SDK it uses."""
    signatures = [_hmac_b64(token, f"{v3_string(method, uri, params)}.{nonce}")]
    bare = without_port(uri)
    if bare is not None:
        signatures.append(_hmac_b64(token, f"{v3_string(method, bare, params)}.{nonce}"))
    return ",".join(signatures)


def signature_headers(
    method: str, uri: str, params: Mapping[str, str], nonce: str, auth_token: str, main_auth_token: str
) -> dict[str, str]:
    """Every signature header Plivo sends; the ``Ma`` ones are keyed with the main account's token."""
    v2_message = _base(uri) + nonce
    v3 = _v3_signatures(auth_token, method, uri, params, nonce)
    v2 = _hmac_b64(auth_token, v2_message)
    same_key = main_auth_token == auth_token
    main_v3 = v3 if same_key else _v3_signatures(main_auth_token, method, uri, params, nonce)
    return {
        "X-Plivo-Signature-V3": v3,
        "X-Plivo-Signature-Ma-V3": main_v3,
        "X-Plivo-Signature-V3-Nonce": nonce,
        "X-Plivo-Signature-V2": v2,
        "X-Plivo-Signature-Ma-V2": v2 if same_key else _hmac_b64(main_auth_token, v2_message),
        "X-Plivo-Signature-V2-Nonce": nonce,
    }
