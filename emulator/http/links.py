"""Recording URLs, built on the address the client that asked for the recording used.

A client that reached the emulator as ``http://127.0.0.1:8080`` gets recording URLs on that
address, one that came as ``https://api.plivo.com`` (TLS mode) gets them there, and
``--public-url`` overrides both. The origin belongs to the request that asked to record, which
the domain keeps as :attr:`Recording.request`; this book remembers it for the request's life.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from emulator.delivery.callbacks import RecordingLinks
from emulator.domain.recording import Recording, RecordingRequest


def account_path(auth_id: str) -> str:
    return f"/v1/Account/{auth_id}/"


def recording_path(auth_id: str, recording_id: str) -> str:
    """The Recording resource: ``/v1/Account/{auth_id}/Recording/{recording_id}/``."""
    return f"{account_path(auth_id)}Recording/{recording_id}/"


class RecordingOrigins:
    def __init__(self, fallback: str) -> None:
        """``fallback``: the origin of a recording no HTTP request asked for (a test driving the domain)."""
        self.fallback = fallback.rstrip("/")
        self._by_request: WeakKeyDictionary[RecordingRequest, str] = WeakKeyDictionary()

    def remember(self, request: RecordingRequest, origin: str) -> None:
        self._by_request[request] = origin.rstrip("/")

    def links(self, recording: Recording) -> RecordingLinks:
        origin = self._by_request.get(recording.request, self.fallback)
        resource = origin + recording_path(recording.auth_id, recording.recording_id)
        return RecordingLinks(
            resource_url=resource, media_url=f"{resource.rstrip('/')}.{recording.file_format}"
        )
