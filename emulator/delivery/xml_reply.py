"""What a fetched XML document holds: checked, summarised for the journal, never run (yet).

Plivo fetches XML from some URLs: hold and wait music, enter and exit sounds and the recording
prompts (documents of ``<Play>``, ``<Speak>`` and ``<Wait>``, anything else ignored), and a member's
``on_exit_action_url`` (any Plivo XML: what the call does next). The emulator fetches them like
any callback and writes what it found in the journal, so a test can see that its server answered
what Plivo would accept. Parsed with defusedxml: the documents come from the user's server, and an
entity bomb in one must not take the emulator down.
"""

from __future__ import annotations

from typing import Literal
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

# "music": a document of Play, Speak and Wait; "xml": any Plivo XML document.
ReplyKind = Literal["music", "xml"]

MUSIC_VERBS = ("Play", "Speak", "Wait")


def check_reply(body: str | None, truncated: bool, kind: ReplyKind) -> str:
    """One line: the document's verbs in order, or why it is not one Plivo would use."""
    if truncated:
        return "not checked: the answer is longer than the emulator reads"
    if not body or not body.strip():
        return "no XML: the answer is empty" + ("; nothing is played" if kind == "music" else "")
    try:
        root = fromstring(body)
    except ParseError as exc:
        line, column = exc.position
        return f"not XML: line {line}, column {column + 1}: {_reason(exc)}"
    except DefusedXmlException as exc:
        return f"refused: {type(exc).__name__} (entities and DTDs are not allowed)"
    if root.tag != "Response":
        return f"not Plivo XML: the root element is <{root.tag}>, not <Response>"
    verbs = [child.tag for child in root]
    if kind == "music":
        ignored = [verb for verb in verbs if verb not in MUSIC_VERBS]
        played = [verb for verb in verbs if verb in MUSIC_VERBS]
        summary = f"Response: {', '.join(played) or 'nothing to play'}"
        return summary + (f"; ignored (not Play, Speak or Wait): {', '.join(ignored)}" if ignored else "")
    return f"Response: {', '.join(verbs) or 'empty (the call goes on to hang up)'}"


def _reason(exc: ParseError) -> str:
    text = str(exc)
    return text.split(":", 1)[0] if ":" in text else text
