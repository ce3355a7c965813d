"""What an MPC plays while members wait or are held, and what a member's arrival and departure
sound like: URLs of XML documents (``<Play>``, ``<Speak>``, ``<Wait>``) Plivo fetches at those
moments. The emulator fetches them too, and keeps what came back; it plays nothing."""

from __future__ import annotations

from dataclasses import dataclass

from emulator.domain.values import Role, Webhook


@dataclass(frozen=True)
class MPCMusic:
    """The MPC's, taken from the member who creates it (like stay_alone)."""

    wait: Webhook | None = None
    agent_hold: Webhook | None = None
    customer_hold: Webhook | None = None
    start_recording: Webhook | None = None
    stop_recording: Webhook | None = None

    def hold_for(self, role: Role) -> Webhook | None:
        """Agents and customers have their own hold music; supervisors are never put on hold with any."""
        if role is Role.AGENT:
            return self.agent_hold
        if role is Role.CUSTOMER:
            return self.customer_hold
        return None


@dataclass(frozen=True)
class MemberSounds:
    """``enter_sound``/``exit_sound`` when they are URLs (``beep:1``, ``beep:2``, ``none``: nothing
    to fetch)."""

    enter: Webhook | None = None
    exit: Webhook | None = None
