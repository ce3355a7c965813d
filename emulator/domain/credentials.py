"""An account's credentials, and the auth_id form the SDKs accept (standard library only: the CLI,
the configuration and the SDK helper read them without loading the emulator)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from emulator.domain.errors import InvalidParameter

# What plivo-python accepts client-side: MA or SA followed by 18 characters.
AUTH_ID_PATTERN = re.compile(r"^(MA|SA)[A-Za-z0-9]{18}$")


@dataclass(frozen=True)
class Credentials:
    auth_id: str
    auth_token: str

    def __post_init__(self) -> None:
        if not AUTH_ID_PATTERN.match(self.auth_id):
            raise InvalidParameter(
                "auth_id",
                f"invalid auth_id '{self.auth_id}': it must be 'MA' or 'SA' followed by 18 letters or digits "
                "(the Plivo SDKs refuse anything else)",
            )
        if not self.auth_token:
            raise InvalidParameter("auth_token", f"empty auth_token for {self.auth_id}")

    @classmethod
    def parse(cls, text: str) -> Credentials:
        """``AUTH_ID:AUTH_TOKEN``, as given to ``--account``."""
        auth_id, sep, auth_token = text.strip().partition(":")
        if not sep:
            raise InvalidParameter("account", f"'{text}' is not of the form AUTH_ID:AUTH_TOKEN")
        return cls(auth_id, auth_token)
