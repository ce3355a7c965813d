"""Pointing the official Python SDK (``pip install plivo``) at the emulator.

plivo-python has no base-URL option: ``client.base_uri`` is overwritten on
every request. What works is reassigning the module-level constants of
``plivo.rest.client``, which are read at call time. This module does that, and
undoes it.

    from emulator.sdk import plivo_client
    with plivo_client("http://127.0.0.1:8080") as client:
        client.multi_party_calls.start_recording(friendly_name="standup")

For a whole process (a script, a sandbox session), :func:`point_plivo_sdk_at` re-points the
SDK until :func:`restore_plivo_sdk` is given what it returned.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from emulator.config import DEFAULT_ACCOUNT

# Every base URI the SDK may build an MPC or Recording request on: MPC start()
# uses PLIVO_API_BASE_URI, the other calls the voice URI and, on 5xx, its fallbacks.
BASE_URI_NAMES = (
    "PLIVO_API_BASE_URI",
    "API_VOICE_BASE_URI",
    "API_VOICE_BASE_URI_FALLBACK_1",
    "API_VOICE_BASE_URI_FALLBACK_2",
)


def _client_module() -> Any:
    try:
        import plivo.rest.client as module
    except ImportError as exc:  # pragma: no cover - depends on the user's environment
        raise ImportError("the official SDK is not installed: pip install plivo") from exc
    return module


def point_plivo_sdk_at(emulator_url: str) -> dict[str, str]:
    """Send every plivo-python request to ``emulator_url``; returns the previous values."""
    module = _client_module()
    base = emulator_url.rstrip("/") + "/v1/Account"
    previous = {name: getattr(module, name) for name in BASE_URI_NAMES}
    for name in BASE_URI_NAMES:
        setattr(module, name, base)
    return previous


def restore_plivo_sdk(previous: dict[str, str]) -> None:
    module = _client_module()
    for name, value in previous.items():
        setattr(module, name, value)


@contextlib.contextmanager
def plivo_sdk_pointed_at(emulator_url: str) -> Iterator[None]:
    """Within the block, plivo-python talks to the emulator; afterwards, to Plivo again."""
    previous = point_plivo_sdk_at(emulator_url)
    try:
        yield
    finally:
        restore_plivo_sdk(previous)


@contextlib.contextmanager
def plivo_client(
    emulator_url: str,
    auth_id: str = DEFAULT_ACCOUNT.auth_id,
    auth_token: str = DEFAULT_ACCOUNT.auth_token,
    **kwargs: Any,
) -> Iterator[Any]:
    """A ``plivo.RestClient`` talking to the emulator within the block; afterwards the SDK talks to
    Plivo again (the SDK's base URIs are process-wide, so they are restored on the way out)."""
    import plivo

    with plivo_sdk_pointed_at(emulator_url):
        yield plivo.RestClient(auth_id=auth_id, auth_token=auth_token, **kwargs)
