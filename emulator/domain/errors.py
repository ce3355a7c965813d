"""Domain errors as types, so the HTTP layer maps each family to one status code (its own table).

The messages are written for the developer reading them in a failing test: they
name the object, its current state and what would have been allowed.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the emulated API reports to its caller."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """An MPC, member or recording that does not exist for this account."""


class InvalidState(DomainError):
    """The object exists, but the operation is not allowed in its current state."""


class MPCNotInitialized(InvalidState):
    """Starting an MPC that is not in the Initialized state.

    Its own type because Plivo answers it unlike other state errors (the HTTP layer's table says how).
    """


class InvalidParameter(DomainError):
    """A request value that is missing, of the wrong type or outside its allowed set."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(message)
        self.param = param


class Conflict(DomainError):
    """A create that clashes with an existing object (control plane only)."""
