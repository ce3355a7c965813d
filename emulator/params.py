"""Typed, validated reading of parameters: a request's, the control plane's JSON, a scenario's YAML.

Values are checked with messages that name the parameter and what it allows, raised as
:class:`InvalidParameter` (a 400 in Plivo's shape on the API). No HTTP here: the scenario loader
reads its seeded participants with the same rules as the API.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any, TypeVar
from urllib.parse import urlsplit

from yarl import URL

from emulator.domain.errors import InvalidParameter
from emulator.domain.limits import Limit

E = TypeVar("E", bound=StrEnum)


_URL_HOST = re.compile(r"^[A-Za-z0-9.\-\[\]:]+$")
_NUMERIC_HOST = re.compile(r"^[0-9.]+$")
_DOTTED_QUAD = re.compile(
    r"^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$"
)
# Control characters (C0, DEL, C1), white space and the backslash: no HTTP client sends them as they are,
# and the backslash is read as "/" by some URL parsers and as a plain character by others.
_URL_FORBIDDEN = re.compile(r"[\x00-\x20\x7f-\x9f\\\s]")


class Params:
    """Typed, validated access to one request's parameters.

    Unknown keys are ignored: the SDKs leak their own arguments (``uuid``,
    ``friendly_name``, ``participant_id``, ``transcript``...) into bodies.
    A JSON ``null`` counts as absent.
    """

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = data

    def __contains__(self, name: str) -> bool:
        return self._data.get(name) is not None

    def raw(self, name: str) -> Any:
        return self._data.get(name)

    def text(self, name: str, *, default: str | None = None, max_length: int | None = None) -> str | None:
        value = self._data.get(name)
        if value is None:
            return default
        if not isinstance(value, str):
            raise InvalidParameter(name, f"{name} must be a string (got {_json_type(value)})")
        if max_length is not None and len(value) > max_length:
            raise InvalidParameter(name, f"{name} must be at most {max_length} characters long")
        return value

    def required_text(self, name: str) -> str:
        value = self.text(name)
        if value is None or not value.strip():
            raise InvalidParameter(name, f"{name} is required")
        return value

    def choice(self, name: str, enum: type[E], default: E, *, blank_is_default: bool = False) -> E:
        """A value from a closed set, matched case-insensitively."""
        value = self.text(name)
        if value is None or (blank_is_default and value == ""):
            return default
        return self._member(name, enum, value)

    def optional_choice(self, name: str, enum: type[E]) -> E | None:
        value = self.text(name)
        return None if value is None else self._member(name, enum, value)

    @staticmethod
    def _member(name: str, enum: type[E], value: str) -> E:
        for member in enum:
            if member.value.lower() == value.lower():
                return member
        allowed = ", ".join(m.value for m in enum)
        raise InvalidParameter(name, f"invalid {name} '{value}': allowed values are {allowed}")

    def boolean(self, name: str, default: bool) -> bool:
        value = self._data.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise InvalidParameter(name, f"invalid {name} {_show(value)}: must be true or false")

    def optional_boolean(self, name: str) -> bool | None:
        return self.boolean(name, False) if name in self else None

    def integer(self, name: str, default: int, *, minimum: int, maximum: int | None = None) -> int:
        value = self._data.get(name)
        if value is None:
            return default
        if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,18}", value.strip()):
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            raise InvalidParameter(name, f"invalid {name} {_show(value)}: must be an integer")
        upper = f" and {maximum}" if maximum is not None else ""
        if value < minimum or (maximum is not None and value > maximum):
            bound = f"between {minimum}{upper}" if maximum is not None else f"at least {minimum}"
            raise InvalidParameter(name, f"invalid {name} {value}: must be {bound}")
        return value

    def limited(self, limit: Limit) -> int:
        """A whole number within one of Plivo's documented limits, its default when absent."""
        return self.integer(limit.name, limit.default, minimum=limit.minimum, maximum=limit.maximum)

    def number(self, name: str, default: float, *, minimum: float, maximum: float) -> float:
        value = self._data.get(name)
        if value is None:
            return default
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                raise InvalidParameter(name, f"invalid {name} {_show(value)}: must be a number") from None
        if isinstance(value, bool) or not isinstance(value, int | float) or not minimum <= value <= maximum:
            raise InvalidParameter(
                name, f"invalid {name} {_show(value)}: must be a number from {minimum:g} to {maximum:g}"
            )
        return float(value)

    def url(self, name: str) -> str | None:
        """An http(s) URL with a host; an empty string counts as absent."""
        value = self.text(name)
        if not value:
            return None
        problem = url_problem(value)
        if problem is not None:
            raise InvalidParameter(name, f"invalid {name} {_show(value)}: {problem}")
        return value


def url_problem(value: str) -> str | None:
    """Why ``value`` cannot be a callback URL, or None.

    A URL is accepted only when the callback sender's HTTP client (yarl, for aiohttp) reads the same
    scheme, host and port from it as the standard library does: a URL two parsers disagree on is how a
    callback reaches a host nobody checked.
    """
    if _URL_FORBIDDEN.search(value):
        return "must not hold control characters, white space or backslashes"
    try:
        parts = urlsplit(value)
        port = parts.port
        sent = URL(value, encoded=True)
        sent_port = sent.explicit_port
    except ValueError:
        return "must be an http:// or https:// URL"
    host = parts.hostname
    if (
        parts.scheme.lower() not in ("http", "https")
        or not host
        or not _URL_HOST.match(parts.netloc.rsplit("@", 1)[-1])
    ):
        return "must be an http:// or https:// URL"
    if (sent.host or "").lower().strip("[]") != host.lower() or sent_port != port:
        return "its host is ambiguous (HTTP clients would read it differently)"
    if _NUMERIC_HOST.match(host) and not _DOTTED_QUAD.match(host):
        # 2130706433, 127.1 or 0177.0.0.1: the resolver reads an address in them, the sender refuses them.
        return "a numeric host must be a dotted-quad IPv4 address such as 127.0.0.1"
    return None


def _json_type(value: Any) -> str:
    return {bool: "boolean", int: "number", float: "number", list: "array", dict: "object"}.get(
        type(value), type(value).__name__
    )


def _show(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
