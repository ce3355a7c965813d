"""Plivo paths are routed on their raw bytes, one percent-decoded segment at a time.

ASGI servers hand over ``path`` already percent-decoded, so a friendly name
holding ``%2F`` would split into two segments and never match. This middleware
routes on ``raw_path`` instead and leaves each captured segment encoded; the
handlers decode it with :func:`decode_segment`. It also adds the trailing slash
the SDKs always send, so ``.../Record`` and ``.../Record/`` are one route.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Receive, Scope, Send

from emulator.domain.refs import MemberSelector, MPCRef

PLIVO_PREFIX = "/v1/"


def mpc_ref(segment: str) -> MPCRef | None:
    """The decoded segment after ``MultiPartyCall/``; None when it has neither prefix."""
    for prefix in ("uuid_", "name_"):
        if segment.startswith(prefix) and len(segment) > len(prefix):
            return MPCRef("uuid" if prefix == "uuid_" else "name", segment[len(prefix) :])
    return None


def member_selector(segment: str) -> MemberSelector:
    """A member segment: one member id, a comma-separated list, or ``all``."""
    if segment.strip().lower() == "all":
        return MemberSelector.all()
    return MemberSelector.of(*(part.strip() for part in segment.split(",")))


def decode_segment(segment: str) -> str:
    """Percent-decode one raw path segment as UTF-8 (invalid bytes become U+FFFD)."""
    return unquote_to_bytes(segment.encode("latin-1")).decode("utf-8", "replace")


class PlivoPathMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(PLIVO_PREFIX):
            raw: bytes = scope.get("raw_path") or scope["path"].encode("utf-8")
            path = raw.split(b"?", 1)[0].decode("latin-1")
            if not path.endswith("/"):
                path += "/"
            scope = {**scope, "path": path}
        await self.app(scope, receive, send)
