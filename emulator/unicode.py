"""Text that cannot be stored: lone UTF-16 surrogates.

JSON (``"\\ud800"``) and YAML (``"\\ud800"``) can both spell a code point that no UTF-8 text can
hold. Python keeps it in a ``str`` until the first time the value is encoded: an answer, a
callback, a journal read. Every input is checked here before anything is stored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")

Path = tuple[str | int, ...]


def has_lone_surrogate(text: str) -> bool:
    return _SURROGATE.search(text) is not None


def find_lone_surrogate(data: Any) -> Path | None:
    """The path (keys and list indexes) of the first string or key holding a lone surrogate.

    Iterative, so a deeply nested document cannot exhaust the stack here.
    """
    stack: list[tuple[Path, Any]] = [((), data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if has_lone_surrogate(value):
                return path
        elif isinstance(value, Mapping):
            for key, inner in value.items():
                if isinstance(key, str) and has_lone_surrogate(key):
                    return (*path, key)
                stack.append(((*path, key), inner))
        elif isinstance(value, list | tuple):
            stack.extend(((*path, i), inner) for i, inner in enumerate(value))
    return None


def path_text(path: Path) -> str:
    """``participants[0].from``; a key that is itself unprintable is shown escaped."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            shown = ascii(part)[1:-1] if has_lone_surrogate(part) else part
            text += f".{shown}" if text else shown
    return text or "body"
