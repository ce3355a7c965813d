"""How a request names its objects: an MPC by name or uuid, and one, several or all members.

Reading them out of a URL path is the HTTP layer's job (:mod:`emulator.http.paths`); the
domain only resolves them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class MPCRef:
    """``name_{friendly_name}`` (the ongoing MPC of that name) or ``uuid_{mpc_uuid}`` (any MPC)."""

    by: Literal["name", "uuid"]
    value: str


@dataclass(frozen=True)
class MemberSelector:
    """One member id, several, or every active member (``all``)."""

    everyone: bool
    member_ids: tuple[str, ...] = ()

    @classmethod
    def all(cls) -> MemberSelector:
        return cls(everyone=True)

    @classmethod
    def of(cls, *member_ids: str) -> MemberSelector:
        return cls(everyone=False, member_ids=tuple(dict.fromkeys(member_ids)))
