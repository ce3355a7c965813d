"""A recording's lane: its callbacks, delivered strictly one after another.

A lane is a queue with the rules of order and nothing else: it says which
callback may go next and records what happened to it; the engine does the
sending and the scheduling. A failed attempt holds the lane until it is
delivered or given up, so a receiver never sees event 3 before event 2
(unless a scenario's out-of-order fault asks for exactly that).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from emulator.delivery.journal import JournalEntry
from emulator.delivery.scenarios import Scenario


@dataclass(frozen=True)
class Reply:
    """A fetched document's answer: its body as read, and its media type ("" when none was given)."""

    body: str
    content_type: str


# Called once a callback is delivered or given up, with its journal entry and, for a fetched
# document, the answer (None when it was not delivered).
Then = Callable[[JournalEntry, Reply | None], None]

log = logging.getLogger(__name__)


@dataclass(eq=False)
class Queued:
    entry: JournalEntry
    scenario: Scenario
    ready: bool = False
    held: bool = False  # an out-of-order fault: waits for the callback after it
    # What happens once it is delivered or given up (a fetch's answer is what a call does next).
    then: Then | None = None
    # A fetched document's answer, whole (the journal keeps the body's start only).
    reply: Reply | None = None


@dataclass(eq=False)
class Lane:
    key: str
    queue: deque[Queued] = field(default_factory=deque)
    busy: bool = False
    finished: bool = False  # the recording's last event is queued: the lane goes once drained
    closed: bool = False  # its account was reset: nothing more is sent or retried

    def enqueue(self, items: list[Queued]) -> None:
        """Append; callbacks held back by an out-of-order fault let these overtake them."""
        held: list[Queued] = []
        while self.queue and self.queue[-1].held:
            tail = self.queue.pop()
            tail.held = False
            held.append(tail)
        self.queue.extend(items)
        self.queue.extend(reversed(held))

    def take_next(self) -> Queued | None:
        """The callback to send now, if the lane is free and its head is due; the lane is then busy."""
        if self.busy or self.closed or not self.queue:
            return None
        head = self.queue[0]
        if not head.ready or head.held:
            return None
        self.busy = True
        return head

    def done(self, item: Queued) -> None:
        """``item`` is settled (delivered or given up): the next one may go."""
        self.busy = False
        if self.queue and self.queue[0] is item:
            self.queue.popleft()

    def retry_later(self, item: Queued) -> None:
        item.ready = False
        self.busy = False

    @property
    def drained(self) -> bool:
        return self.finished and not self.queue

    @property
    def sending(self) -> bool:
        """Whether a callback is in flight, or due and waiting for the lane."""
        return self.busy or bool(self.queue and self.queue[0].ready)


def report_undelivered(lanes: Iterable[Lane], max_lines: int = 1000) -> None:
    """At shutdown: one log line per callback still queued (up to ``max_lines``), and a summary."""
    counts = {"in flight": 0, "retrying": 0, "due": 0, "not yet due": 0}
    lines = 0
    for lane in lanes:
        for position, item in enumerate(lane.queue):
            entry, cb = item.entry, item.entry.callback
            if position == 0 and lane.busy:
                state = "in flight"
            elif entry.attempts and not item.ready:
                state = "retrying"
            elif item.ready:
                state = "due"
            else:
                state = "not yet due"
            counts[state] += 1
            if lines < max_lines:
                lines += 1
                last = entry.attempts[-1].error if entry.attempts else None
                log.warning(
                    "undelivered at shutdown: %s, %s #%d to %s: %s (due %s, %d attempt(s)%s)",
                    f"recording {cb.recording_id}" if cb.recording_id else f"MPC {cb.mpc_uuid}",
                    cb.event_name,
                    cb.sequence,
                    cb.url,
                    state,
                    cb.due.isoformat(),
                    len(entry.attempts),
                    f", last: {last}" if last else "",
                )
    total = sum(counts.values())
    if total:
        more = f" ({total - lines} not listed)" if total > lines else ""
        detail = ", ".join(f"{n} {state}" for state, n in counts.items() if n)
        log.warning("%d callback(s) undelivered at shutdown: %s%s", total, detail, more)
