"""YAML scenarios: the timelines of recording callbacks, and how they are chosen.

A scenario says, for the recordings it matches, how long after each API action
its callback is sent, what the recording does on its own (pause, resume, stop,
fail after N seconds), which faults to inject (duplicated or out-of-order
callbacks), how deliveries are retried, and which MPCs to seed. The schema is
in docs/scenarios.md; files are validated when they are loaded, and every
problem is reported as ``file:line: where: what``.
"""

from __future__ import annotations

import dataclasses
import difflib
import fnmatch
import functools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from emulator.domain.backend import Backend
from emulator.domain.credentials import AUTH_ID_PATTERN
from emulator.domain.errors import InvalidParameter
from emulator.domain.events import RecordingEventKind
from emulator.domain.limits import MAX_DURATION, MAX_PARTICIPANTS
from emulator.domain.participant import ParticipantSpec
from emulator.domain.recording import Recording
from emulator.domain.values import Role
from emulator.params import Params
from emulator.specs import mpc_settings, participant_spec
from emulator.unicode import find_lone_surrogate, path_text

EVENT_KEYS = ("initiated", "paused", "resumed", "completed", "failed")
KIND_BY_KEY = {key: RecordingEventKind(key.capitalize()) for key in EVENT_KEYS}


def key_of(kind: RecordingEventKind) -> str:
    """How scenario files name a recording event (``completed``)."""
    return kind.value.lower()


ActionName = Literal["pause", "resume", "stop", "fail"]

_DELAY = {"type": "number", "minimum": 0, "maximum": 86400}
_EVENT_LIST = {"type": "array", "items": {"enum": list(EVENT_KEYS)}, "uniqueItems": True}
_BOOLEAN = {"type": "boolean"}
_TEXT = {"type": "string", "minLength": 1}

SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name"],
    "properties": {
        "version": {"const": 1},
        "name": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"},
        "description": {"type": "string"},
        "default": _BOOLEAN,
        "priority": {"type": "integer", "minimum": -1000, "maximum": 1000},
        "match": {
            "type": "object",
            "additionalProperties": False,
            "minProperties": 1,
            "properties": {
                "mpc_name": _TEXT,
                "member_id": {"type": ["string", "integer"]},
                "level": {"enum": ["mpc", "participant", "call"]},
                "track": {"enum": ["participant", "all"]},
            },
        },
        "timeline": {
            "type": "object",
            "additionalProperties": False,
            "properties": {**{key: _DELAY for key in EVENT_KEYS}, "jitter": _DELAY},
        },
        "recording": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "actions": {
                    "type": "array",
                    "maxItems": 100,
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["after", "do"],
                        "properties": {
                            "after": _DELAY,
                            "do": {"enum": ["pause", "resume", "stop", "fail"]},
                            "reason": {"type": "string"},
                        },
                    },
                }
            },
        },
        "calls": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "ring": _DELAY,
                "answer": {"enum": ["answer", "busy", "no-answer", "failed"]},
                "hangup_after": _DELAY,
            },
        },
        "members": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "ring": _DELAY,
                "drop": {
                    "type": "array",
                    "maxItems": 20,
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["after"],
                        "properties": {"after": _DELAY, "role": {"enum": [r.value for r in Role]}},
                    },
                },
            },
        },
        "transcription": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"delay": _DELAY, "fail": _TEXT},
        },
        "mpc": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"max_duration": {"type": "integer", "minimum": 1, "maximum": 86400}},
        },
        "faults": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"duplicate": _EVENT_LIST, "out_of_order": _EVENT_LIST},
        },
        "delivery": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "timeout": {"type": "number", "exclusiveMinimum": 0, "maximum": 300},
                "retry_backoff": {"type": "array", "items": _DELAY, "maxItems": 10},
            },
        },
        "seed": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["friendly_name"],
                "properties": {
                    "account": {"type": "string", "pattern": AUTH_ID_PATTERN.pattern},
                    "friendly_name": _TEXT,
                    "stay_alone": _BOOLEAN,
                    "max_duration": MAX_DURATION.schema(),
                    "participants": {
                        "type": "array",
                        "maxItems": MAX_PARTICIPANTS.maximum,
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "properties": {
                                "member_id": {"type": ["string", "integer"], "pattern": "^[0-9]+$"},
                                "role": {"enum": [r.value for r in Role]},
                                "from": _TEXT,
                                "to": _TEXT,
                                "call_uuid": _TEXT,
                                "mute": _BOOLEAN,
                                "hold": _BOOLEAN,
                                "coach_mode": _BOOLEAN,
                            },
                        },
                    },
                },
            },
        },
    },
}
_VALIDATOR = Draft202012Validator(SCHEMA)

# The timings of Plivo's usual behaviour, used wherever a scenario does not say.
DEFAULT_DELAYS: Mapping[RecordingEventKind, float] = {
    RecordingEventKind.INITIATED: 1.0,
    RecordingEventKind.PAUSED: 0.5,
    RecordingEventKind.RESUMED: 0.5,
    RecordingEventKind.COMPLETED: 3.0,
    RecordingEventKind.FAILED: 1.0,
}


# ---------------------------------------------------------------------- model


@dataclass(frozen=True)
class Match:
    mpc_name: str | None = None
    member_id: str | None = None
    level: Literal["mpc", "participant", "call"] | None = None
    track: Literal["participant", "all"] | None = None

    def matches(self, recording: Recording) -> bool:
        participant = recording.member_id is not None
        if self.level is not None and self.level != recording.scope.value:
            return False
        if self.member_id is not None and not (
            participant and fnmatch.fnmatchcase(recording.member_id or "", self.member_id)
        ):
            return False
        if self.track is not None and recording.track_type != self.track:
            return False
        return self.matches_mpc(recording.mpc_name)

    def matches_mpc(self, mpc_name: str) -> bool:
        return self.mpc_name is None or fnmatch.fnmatchcase(mpc_name, self.mpc_name)


@dataclass(frozen=True)
class Action:
    after: float
    do: ActionName
    reason: str | None = None


@dataclass(frozen=True)
class Delivery:
    timeout: float = 5.0
    retry_backoff: tuple[float, ...] = (1.0, 2.0, 4.0)


@dataclass(frozen=True)
class Drop:
    """Members (of ``role``, or every member) hang up ``after`` seconds in the MPC."""

    after: float
    role: Role | None = None


@dataclass(frozen=True)
class MemberPlan:
    """How members dialled by add-participant behave: how long their call rings before they answer
    and join, and who hangs up on their own."""

    ring: float = 0.0
    drops: tuple[Drop, ...] = ()

    def drop_for(self, role: Role) -> float | None:
        """When a member of ``role`` drops (the first rule that applies), if it does."""
        return next((d.after for d in self.drops if d.role in (None, role)), None)


FarEndOutcome = Literal["answer", "busy", "no-answer", "failed"]


@dataclass(frozen=True)
class FarEnd:
    """The other end of a call the Call API places: how long it rings, whether it answers (or is
    busy, never picks up, cannot be reached), and when it hangs up once answered (None: never)."""

    ring: float = 2.0
    answer: FarEndOutcome = "answer"
    hangup_after: float | None = None


@dataclass(frozen=True)
class TranscriptionPlan:
    """How long a transcription takes once ordered, and whether it fails (with this error)."""

    delay: float = 5.0
    fail: str | None = None


@dataclass(frozen=True)
class SeedMPC:
    friendly_name: str
    account: str | None = None
    # The MPC-wide settings (stay_alone, max_duration) ride on each participant, as in add-participant.
    participants: tuple[ParticipantSpec, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class Scenario:
    name: str
    source: str = "<built-in>"
    description: str = ""
    default: bool = False
    priority: int = 0
    match: Match | None = None
    delays: Mapping[RecordingEventKind, float] = field(default_factory=lambda: dict(DEFAULT_DELAYS))
    jitter: float = 0.0
    actions: tuple[Action, ...] = ()
    transcription: TranscriptionPlan = TranscriptionPlan()
    members: MemberPlan = MemberPlan()
    calls: FarEnd = FarEnd()
    mpc_max_duration: int | None = None
    duplicate: frozenset[RecordingEventKind] = frozenset()
    out_of_order: frozenset[RecordingEventKind] = frozenset()
    delivery: Delivery = Delivery()
    seeds: tuple[SeedMPC, ...] = ()

    def delay(self, kind: RecordingEventKind) -> float:
        return self.delays[kind]

    def summary(self) -> dict[str, Any]:
        match = self.match
        return {
            "name": self.name,
            "source": self.source,
            "description": self.description,
            "default": self.default,
            "priority": self.priority,
            "match": None if match is None else {k: v for k, v in vars(match).items() if v is not None},
            "timeline": {**{key_of(k): v for k, v in self.delays.items()}, "jitter": self.jitter},
            "actions": [{"after": a.after, "do": a.do, "reason": a.reason} for a in self.actions],
            "transcription": {"delay": self.transcription.delay, "fail": self.transcription.fail},
            "calls": {
                "ring": self.calls.ring,
                "answer": self.calls.answer,
                "hangup_after": self.calls.hangup_after,
            },
            "members": {
                "ring": self.members.ring,
                "drop": [{"after": d.after, "role": d.role} for d in self.members.drops],
            },
            "mpc_max_duration": self.mpc_max_duration,
            "faults": {
                "duplicate": sorted(key_of(k) for k in self.duplicate),
                "out_of_order": sorted(key_of(k) for k in self.out_of_order),
            },
            "delivery": {
                "timeout": self.delivery.timeout,
                "retry_backoff": list(self.delivery.retry_backoff),
            },
            "seed": [s.friendly_name for s in self.seeds],
        }


class ScenarioSet:
    """The loaded scenarios, and the rule that picks one for a recording."""

    def __init__(self, scenarios: Iterable[Scenario]) -> None:
        self.by_name: dict[str, Scenario] = {s.name: s for s in scenarios}
        defaults = [s for s in self.by_name.values() if s.default]
        self.default = defaults[-1] if defaults else Scenario(name="built-in-default", default=True)
        # Highest priority first; ties keep load order.
        self._matching = sorted(
            (s for s in self.by_name.values() if s.match is not None), key=lambda s: -s.priority
        )

    def __iter__(self) -> Iterator[Scenario]:
        return iter(self.by_name.values())

    def get(self, name: str) -> Scenario | None:
        return self.by_name.get(name)

    def for_recording(
        self, recording: Recording, named: str | None = None, account_choice: str | None = None
    ) -> Scenario:
        """The request's named scenario, else the account's choice, else the best match, else the default."""
        for name in (named, account_choice):
            if name is not None and name in self.by_name:
                return self.by_name[name]
        for scenario in self._matching:
            assert scenario.match is not None
            if scenario.match.matches(recording):
                return scenario
        return self.default

    def for_mpc(self, mpc_name: str, account_choice: str | None = None) -> Scenario:
        """The account's choice, else the best match on the MPC's name alone, else the default."""
        if account_choice is not None and account_choice in self.by_name:
            return self.by_name[account_choice]
        for scenario in self._matching:
            assert scenario.match is not None
            if scenario.match.mpc_name is not None and scenario.match.matches_mpc(mpc_name):
                return scenario
        return self.default

    def mpc_max_duration(self, mpc_name: str) -> int | None:
        """The max_duration a matching scenario imposes on an MPC, if any."""
        for scenario in self._matching:
            assert scenario.match is not None
            if scenario.mpc_max_duration is not None and scenario.match.matches_mpc(mpc_name):
                return scenario.mpc_max_duration
        if self.default.mpc_max_duration is not None:
            return self.default.mpc_max_duration
        return None

    def seeds(self) -> list[SeedMPC]:
        return [seed for scenario in self for seed in scenario.seeds]


# --------------------------------------------------------------------- loading


class ScenarioError(Exception):
    """One problem in one scenario file, with the line it is on."""

    def __init__(self, source: str, line: int, where: str, message: str) -> None:
        self.source, self.line, self.where, self.message = source, line, where, message
        # The file's other problems, after this first one (a file is checked whole).
        self.also: tuple[ScenarioError, ...] = ()
        super().__init__(str(self))

    @property
    def every(self) -> list[ScenarioError]:
        return [self, *self.also]

    def __str__(self) -> str:
        where = f" {self.where}:" if self.where else ""
        return f"{self.source}:{self.line}:{where} {self.message}"


class ScenarioErrors(Exception):
    def __init__(self, errors: Sequence[ScenarioError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


def _path_text(path: Iterable[str | int]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _line_of(document: Any, path: Sequence[str | int]) -> int:
    """1-based line of the node at ``path`` (the deepest one that exists)."""
    node, line = document, 1
    if isinstance(node, CommentedMap | CommentedSeq):
        line = node.lc.line + 1
    for part in path:
        if isinstance(node, CommentedMap) and part in node:
            line = node.lc.key(part)[0] + 1
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
            line = node.lc.item(part)[0] + 1
            node = node[part]
        else:
            break
    return line


def _plain(node: Any) -> Any:
    """ruamel's round-trip nodes as plain JSON-like values, for the schema validator."""
    if isinstance(node, Mapping):
        return {str(k) if not isinstance(k, str) else k: _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, bool | int | float | str) or node is None:
        return node
    return str(node)


def _schema_at(path: Sequence[str | int]) -> dict[str, Any]:
    schema = SCHEMA
    for part in path:
        if isinstance(part, int):
            schema = schema.get("items", {})
        else:
            schema = schema.get("properties", {}).get(part, {})
    return schema


def _schema_error(source: str, document: Any, error: ValidationError) -> ScenarioError:
    path = list(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = list(_schema_at(path).get("properties", {}))
        unknown = [k for k in error.instance if k not in allowed]
        key = unknown[0] if unknown else ""
        hint = difflib.get_close_matches(str(key), allowed, n=1)
        suggestion = f"; did you mean '{hint[0]}'?" if hint else f"; allowed: {', '.join(allowed)}"
        return ScenarioError(
            source, _line_of(document, [*path, key]), _path_text(path), f"unknown key '{key}'{suggestion}"
        )
    if error.validator == "required":
        return ScenarioError(source, _line_of(document, path), _path_text(path), error.message)
    return ScenarioError(source, _line_of(document, path), _path_text(path), error.message)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    return yaml


def parse_scenario(text: str, source: str) -> Scenario:
    """One scenario from YAML text; raises ScenarioError naming the first problem (by line), with
    the file's other schema problems in its ``also``."""
    try:
        document = _yaml().load(text)
    except MarkedYAMLError as exc:
        problem = exc.problem or exc.context or "invalid YAML"
        mark = exc.problem_mark or exc.context_mark
        if ("<stream end>" in problem or "end of stream" in problem) and exc.context_mark is not None:
            # Something left open (a bracket, a quote): point at where it was opened.
            mark, problem = exc.context_mark, f"{problem} ({exc.context})"
        line = mark.line + 1 if mark is not None else 1
        raise ScenarioError(source, line, "", f"YAML syntax error: {problem}") from None
    except YAMLError as exc:
        # A ReaderError (a control character, say) knows its position, not its line.
        position = getattr(exc, "position", None)
        line = text[:position].count("\n") + 1 if isinstance(position, int) else 1
        raise ScenarioError(source, line, "", f"YAML error: {str(exc).splitlines()[0]}") from None
    if document is None:
        raise ScenarioError(source, 1, "", "empty file: a scenario needs at least a name")
    if not isinstance(document, CommentedMap):
        raise ScenarioError(source, 1, "", "a scenario must be a mapping of keys (name, timeline, ...)")
    plain = _plain(document)
    surrogate = find_lone_surrogate(plain)
    if surrogate is not None:
        raise ScenarioError(
            source,
            _line_of(document, list(surrogate)),
            path_text(surrogate),
            "holds a lone UTF-16 surrogate (an unpaired \\uD800-\\uDFFF escape), which is not a character",
        )
    errors = sorted(
        _VALIDATOR.iter_errors(plain), key=lambda e: (_line_of(document, list(e.absolute_path)), e.path)
    )
    if errors:
        found: dict[tuple[int, str], ScenarioError] = {}
        for error in errors:
            problem = _schema_error(source, document, error)
            found.setdefault((problem.line, problem.where), problem)  # one line per place
        first, *rest = found.values()
        first.also = tuple(rest)
        raise first
    return _build(plain, document, source)


def _build(data: dict[str, Any], document: Any, source: str) -> Scenario:
    timeline = data.get("timeline", {})
    match = data.get("match")
    faults = data.get("faults", {})
    delivery = data.get("delivery", {})
    actions = tuple(
        Action(float(a["after"]), a["do"], a.get("reason"))
        for a in data.get("recording", {}).get("actions", [])
    )
    seeds = tuple(_seed(seed, document, source, index) for index, seed in enumerate(data.get("seed", [])))
    transcription = data.get("transcription", {})
    members = data.get("members", {})
    drops = tuple(
        Drop(float(d["after"]), Role(d["role"]) if "role" in d else None) for d in members.get("drop", [])
    )
    return Scenario(
        name=data["name"],
        source=source,
        description=data.get("description", ""),
        default=data.get("default", False),
        priority=data.get("priority", 0),
        match=None
        if match is None
        else Match(
            mpc_name=match.get("mpc_name"),
            member_id=str(match["member_id"]) if "member_id" in match else None,
            level=match.get("level"),
            track=match.get("track"),
        ),
        delays={kind: float(timeline.get(key, DEFAULT_DELAYS[kind])) for key, kind in KIND_BY_KEY.items()},
        jitter=float(timeline.get("jitter", 0.0)),
        actions=actions,
        transcription=TranscriptionPlan(
            float(transcription.get("delay", TranscriptionPlan.delay)), transcription.get("fail")
        ),
        members=MemberPlan(float(members.get("ring", 0.0)), drops),
        calls=_far_end(data.get("calls", {})),
        mpc_max_duration=data.get("mpc", {}).get("max_duration"),
        duplicate=frozenset(KIND_BY_KEY[k] for k in faults.get("duplicate", [])),
        out_of_order=frozenset(KIND_BY_KEY[k] for k in faults.get("out_of_order", [])),
        delivery=Delivery(
            timeout=float(delivery.get("timeout", Delivery.timeout)),
            retry_backoff=tuple(float(b) for b in delivery.get("retry_backoff", Delivery.retry_backoff)),
        ),
        seeds=seeds,
    )


def _far_end(calls: dict[str, Any]) -> FarEnd:
    after = calls.get("hangup_after")
    return FarEnd(
        float(calls.get("ring", FarEnd.ring)),
        calls.get("answer", FarEnd.answer),
        None if after is None else float(after),
    )


def _seed(seed: dict[str, Any], document: Any, source: str, index: int) -> SeedMPC:
    """A seeded MPC, its participants read by the API's own builder (defaults, limits, member ids)."""
    settings = mpc_settings(Params(seed))
    participants = []
    for number, raw in enumerate(seed.get("participants", [])):
        try:
            participants.append(participant_spec(Params(raw), settings, member_ids=True))
        except InvalidParameter as exc:
            path: list[str | int] = ["seed", index, "participants", number]
            raise ScenarioError(source, _line_of(document, path), _path_text(path), exc.message) from None
    return SeedMPC(
        friendly_name=seed["friendly_name"],
        account=seed.get("account"),
        participants=tuple(participants),
        line=_line_of(document, ["seed", index]),
    )


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    return [path]


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def load_paths(paths: Iterable[Path]) -> list[Scenario]:
    """Every scenario in the given files and directories; all problems at once in ScenarioErrors."""
    scenarios: list[Scenario] = []
    errors: list[ScenarioError] = []
    seen: dict[str, Scenario] = {}
    defaults: list[Scenario] = []
    for root in paths:
        if not root.exists():
            errors.append(ScenarioError(_display(root), 0, "", "no such file or directory"))
            continue
        for file in _files(root):
            source = _display(file)
            try:
                scenario = parse_scenario(file.read_text(encoding="utf-8"), source)
            except ScenarioError as exc:
                errors.extend(exc.every)
                continue
            except (OSError, UnicodeDecodeError) as exc:
                errors.append(ScenarioError(source, 0, "", f"cannot read: {exc}"))
                continue
            if scenario.name in seen:
                errors.append(
                    ScenarioError(
                        source,
                        1,
                        "name",
                        f"scenario '{scenario.name}' is already defined in {seen[scenario.name].source}",
                    )
                )
                continue
            if scenario.default and defaults:
                errors.append(
                    ScenarioError(
                        source,
                        1,
                        "default",
                        f"'{defaults[0].name}' ({defaults[0].source}) is already the default",
                    )
                )
                continue
            seen[scenario.name] = scenario
            defaults += [scenario] if scenario.default else []
            scenarios.append(scenario)
    if errors:
        raise ScenarioErrors(errors)
    return scenarios


@functools.cache
def _shipped_files() -> list[tuple[str, str]]:
    """(name, text) of each shipped scenario: package data when installed, ``scenarios/`` in a checkout."""
    try:
        package = resources.files("emulator.builtin_scenarios")
        entries = [(e.name, e) for e in package.iterdir()]
    except ModuleNotFoundError:
        checkout = Path(__file__).resolve().parents[2] / "scenarios"
        entries = [(p.name, p) for p in checkout.iterdir()] if checkout.is_dir() else []
    return [
        (name, entry.read_text(encoding="utf-8"))
        for name, entry in sorted(entries, key=lambda item: item[0])
        if name.endswith((".yaml", ".yml"))
    ]


def builtin_scenarios() -> list[Scenario]:
    """The scenarios shipped in ``scenarios/`` (installed as ``emulator.builtin_scenarios``)."""
    return [parse_scenario(text, f"scenarios/{name}") for name, text in _shipped_files()]


def load_scenarios(paths: Iterable[Path] = (), *, include_builtin: bool = True) -> ScenarioSet:
    """The shipped scenarios, then the user's: a user scenario replaces a shipped one of the same name,
    and a user default replaces the shipped default."""
    user = load_paths(paths)
    names = {s.name for s in user}
    user_default = any(s.default for s in user)
    shipped = []
    if include_builtin:
        for scenario in builtin_scenarios():
            if scenario.name in names:
                continue
            if scenario.default and user_default:
                scenario = dataclasses.replace(scenario, default=False)
            shipped.append(scenario)
    return ScenarioSet([*shipped, *user])


def check_seed_accounts(scenarios: ScenarioSet, backend: Backend) -> None:
    """Seeds may name only configured accounts (checked once the accounts are known)."""
    known = {a.auth_id for a in backend.accounts}
    errors = [
        ScenarioError(scenario.source, seed.line, "seed.account", f"account {seed.account} is not configured")
        for scenario in scenarios
        for seed in scenario.seeds
        if seed.account is not None and seed.account not in known
    ]
    if errors:
        raise ScenarioErrors(errors)
