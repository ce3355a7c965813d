"""Seeded generation of every identifier and realistic value the emulator invents.

Each account owns an :class:`IdFactory` seeded from ``(run seed, auth_id)``, so an
account's ids depend only on the calls made on that account: two pytest-xdist
workers sharing one emulator each see the same ids run after run, whatever the
interleaving. Resetting an account re-seeds its factory.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime

from faker import Faker

# 100 ns ticks between the UUID epoch (1582-10-15) and the Unix epoch.
_UUID_EPOCH_OFFSET = 0x01B21DD213814000
_UUID1_BASE = datetime(2026, 1, 1, tzinfo=UTC)


def derive_seed(seed: int, namespace: str) -> int:
    digest = hashlib.sha256(f"{seed}:{namespace}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


class IdFactory:
    """Plivo-shaped identifiers and Faker-made values from one seeded stream."""

    def __init__(self, seed: int, namespace: str) -> None:
        self._seed = seed
        self._namespace = namespace
        self._faker = Faker("en_US")
        self.reseed()

    def reseed(self) -> None:
        self._faker.seed_instance(derive_seed(self._seed, self._namespace))
        rnd = self._faker.random
        # Plivo's time-based ids carry a Docker-style MAC (02:42:ac:11:xx:xx) as node.
        self._node = 0x0242AC110000 | rnd.getrandbits(16)
        self._clock_seq = rnd.getrandbits(14)
        base = int(_UUID1_BASE.timestamp() * 10_000_000) + _UUID_EPOCH_OFFSET
        self._ticks = base + rnd.randrange(0, 300 * 24 * 3600 * 10_000_000)
        self._member_counter = rnd.randrange(10, 200)

    def time_uuid(self) -> str:
        """A version-1 UUID, the shape of Plivo's api_id, recording_id and request_uuid."""
        self._ticks += self._faker.random.randrange(1, 50_000)
        t = self._ticks
        fields = (
            t & 0xFFFFFFFF,
            (t >> 32) & 0xFFFF,
            ((t >> 48) & 0x0FFF) | 0x1000,
            ((self._clock_seq >> 8) & 0x3F) | 0x80,
            self._clock_seq & 0xFF,
            self._node,
        )
        return str(uuid.UUID(fields=fields))

    def random_uuid(self) -> str:
        """A version-4 UUID, the shape of Plivo's mpc_uuid and call_uuid."""
        return str(uuid.UUID(int=self._faker.random.getrandbits(128), version=4))

    def member_id(self) -> str:
        self._member_counter += 1
        return str(self._member_counter)

    def phone_number(self) -> str:
        """A North American number in Plivo's format: country code, no plus sign."""
        return self._faker.numerify("1%##%######")

    def friendly_name(self) -> str:
        return f"{self._faker.word()}-{self._faker.word()}-{self._faker.numerify('####')}"
