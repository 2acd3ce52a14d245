"""Strict YAML reading: plain data out, every surprise reported with its line and column.

PyYAML alone accepts too much for hand-edited records: it keeps the last of two duplicate keys, reads
`no` as false and `0755123456` as an octal number, expands aliases (a "billion laughs" file can blow up
anything that walks the data), builds arbitrary types from explicit tags, and raises a bare
`ValueError` for `2024-02-30` or `RecursionError` for deep nesting. This module reads a file in two
ways that share one scalar converter:

* `parse_fast` — libyaml's C composer plus a small walker; it gives up (returns None) at the first
  thing that is not plain, boring YAML. Nearly every record takes only this path.
Both refuse empty values (`industry:` with nothing after it): in a hand-edited record that is an
unfinished edit, and dropping the key lets the models report what is really missing.

* `parse_precise` — an event-driven builder with an explicit stack that records the position of every
  key and value and reports every problem. Used for files the fast path gave up on and for files that
  have problems further down the line (so positions are computed only where someone will read them).

`read_yaml` puts the two together: it returns the data and the problems, never raises on bad input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, cast

import yaml
from yaml import events
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from crmdata.records.problem_words import RECORD_PROBLEMS
from crmdata.records.problems import Loc, Problem, error
from crmdata.records.vocabulary import Message

try:
    from yaml import CSafeLoader as _Loader

    HAVE_LIBYAML = True
except ImportError:  # pragma: no cover - exercised only where libyaml is missing
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

    HAVE_LIBYAML = False

TAG_STR = "tag:yaml.org,2002:str"
TAG_INT = "tag:yaml.org,2002:int"
TAG_FLOAT = "tag:yaml.org,2002:float"
TAG_BOOL = "tag:yaml.org,2002:bool"
TAG_NULL = "tag:yaml.org,2002:null"
TAG_TIMESTAMP = "tag:yaml.org,2002:timestamp"
TAG_MERGE = "tag:yaml.org,2002:merge"
TAG_MAP = "tag:yaml.org,2002:map"
TAG_SEQ = "tag:yaml.org,2002:seq"

MAX_DEPTH = 20
"""Records nest four levels at most; anything much deeper is a mistake or an attack."""


DEFAULT_MAX_FILE_BYTES = 1024 * 1024
"""A customer record is a few kilobytes; a megabyte is generous and stops runaway files."""

# Markers of YAML features records never need. A file containing one of these bytes skips the fast
# path; the precise path then decides whether it is an anchor/alias/tag/merge key or just text.
_FAST_PATH_SPOILERS = (b"&", b"*", b"!", b"<<")
_PLAIN_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_ISO_TIMESTAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?: ?(?:Z|[+-]\d{2}(?::?\d{2})?))?)?"
)
# What YAML 1.2 (editors, check-jsonschema) reads as a number although YAML 1.1 reads it as text.
_YAML12_NUMBER = re.compile(
    r"[-+]?(?:[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|\.(?:inf|Inf|INF))"
    r"|\.(?:nan|NaN|NAN)"
)
_NUMBER_START = frozenset("0123456789+-.")
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_CONSTRUCTOR = SafeConstructor()
_RESOLVER = Resolver()


class INVALID:
    """Stands in for a value the reader rejected, so later checks do not report it a second time."""


class ScalarError(ValueError):
    """A scalar YAML reads as something the user almost certainly did not mean; `said` says what."""

    def __init__(self, said: Message) -> None:
        super().__init__(str(said))
        self.said = said


@dataclass(frozen=True)
class Position:
    """Where a value (and the key that names it) starts, 1-based, plus its text as written."""

    line: int
    column: int
    key_line: int
    key_column: int
    raw: str | None = None


@dataclass
class ParsedFile:
    """What reading one file produced. `data` is None when nothing usable could be read."""

    data: dict[str, Any] | None
    problems: list[Problem] = field(default_factory=list)
    positions: dict[Loc, Position] | None = None


def reads_as_number_in_yaml12(text: str) -> bool:
    """Whether YAML 1.2 tools read this unquoted text as a number (so it must be quoted as text)."""
    return bool(text) and text[0] in _NUMBER_START and _YAML12_NUMBER.fullmatch(text) is not None


def convert_scalar(tag: str, value: str) -> object:
    """Turn a resolved plain (unquoted) scalar into a Python value, refusing YAML 1.1's surprises.

    Only forms that YAML 1.1 (PyYAML) and YAML 1.2 (editors, check-jsonschema) read alike pass: decimal
    integers, `true`/`false`, ISO 8601 dates and times, and text that neither reads as a number.
    """
    if tag == TAG_STR:
        if reads_as_number_in_yaml12(value):
            raise ScalarError(RECORD_PROBLEMS.say("yaml12_number", value=value))
        return value
    if tag == TAG_INT:
        if _PLAIN_DECIMAL.fullmatch(value):
            return int(value)
        raise ScalarError(_non_decimal_message(value))
    if tag == TAG_BOOL:
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        meaning = "true" if value.lower() in ("yes", "on", "y") else "false"
        raise ScalarError(RECORD_PROBLEMS.say("yaml11_boolean", value=value, meaning=meaning))
    if tag == TAG_NULL:
        return None
    if tag == TAG_TIMESTAMP:
        if not _ISO_TIMESTAMP.fullmatch(value):
            raise ScalarError(RECORD_PROBLEMS.say("not_iso_date", value=value))
        try:
            return _CONSTRUCTOR.construct_yaml_timestamp(ScalarNode(tag, value))
        except ValueError as exc:
            raise ScalarError(RECORD_PROBLEMS.say("yaml_not_real_date", value=value, reason=str(exc))) from exc
    if tag == TAG_FLOAT:
        if ":" in value:
            raise ScalarError(RECORD_PROBLEMS.say("base60_float", value=value))
        return _CONSTRUCTOR.construct_yaml_float(ScalarNode(tag, value))
    raise ScalarError(RECORD_PROBLEMS.say("unsupported_type", tag=tag))


def _non_decimal_message(value: str) -> Message:
    number = _CONSTRUCTOR.construct_yaml_int(ScalarNode(TAG_INT, value))
    if ":" in value:
        form = "base60_number"
    elif value.lstrip("+-").startswith(("0x", "0b")):
        form = "hex_number"
    elif "_" in value:
        form = "plain_number"
    else:
        form = "octal_number"
    return RECORD_PROBLEMS.say("yaml11_number", value=value, form=RECORD_PROBLEMS.say(form, number=number))


# ---------------------------------------------------------------------------------------------
# Fast path


class _GiveUpError(Exception):
    """The fast path met something unusual; the precise path will say what exactly."""


def parse_fast(data: bytes) -> dict[str, Any] | None:
    """Parse with libyaml's composer; None when the file needs the precise path.

    Returns only when the file is one mapping of plain keys to plain values, with no duplicate keys,
    no YAML 1.1 surprises and no anchors, aliases, tags or merge keys (ruled out by the byte scan).
    """
    if any(marker in data for marker in _FAST_PATH_SPOILERS):
        return None
    loader = _Loader(data)
    try:
        node = loader.get_single_node()
        if not isinstance(node, MappingNode):
            return None
        return cast(dict[str, Any], _fast_value(node, 1))
    except Exception:  # any YAMLError, ScalarError, RecursionError...: let the precise path explain
        return None
    finally:
        loader.dispose()


def _fast_value(node: object, depth: int) -> object:
    node_type = type(node)
    if node_type is ScalarNode:
        scalar = cast(ScalarNode, node)
        if (
            scalar.style
        ):  # quoted or block text (plain is "" in libyaml, None in pure Python): a string, whatever it looks like
            return scalar.value
        return convert_scalar(scalar.tag, scalar.value)
    if depth > MAX_DEPTH:
        raise _GiveUpError
    if node_type is MappingNode:
        mapping = cast(MappingNode, node)
        if mapping.tag != TAG_MAP:
            raise _GiveUpError
        result: dict[str, object] = {}
        for key_node, value_node in mapping.value:
            if type(key_node) is not ScalarNode or key_node.tag != TAG_STR:
                raise _GiveUpError
            key = key_node.value
            if key in result:
                raise _GiveUpError
            value = _fast_value(value_node, depth + 1)
            if value is None:
                raise _GiveUpError
            result[key] = value
        return result
    if node_type is SequenceNode:
        sequence = cast(SequenceNode, node)
        if sequence.tag != TAG_SEQ:
            raise _GiveUpError
        return [_fast_value(item, depth + 1) for item in sequence.value]
    raise _GiveUpError


# ---------------------------------------------------------------------------------------------
# Precise path


_SKIP = object()
"""Placeholder key for a mapping entry whose key was rejected: its value is read and dropped."""


@dataclass
class _Frame:
    container: dict[str, object] | list[object]
    loc: Loc
    key: object = None
    key_position: tuple[int, int] = (0, 0)
    first_seen: dict[str, int] = field(default_factory=dict)


class _PreciseBuilder:
    """Builds plain data from the event stream, recording positions and collecting problems."""

    def __init__(self, path: str, *, rereading: bool = False) -> None:
        self.path = path
        self.rereading = rereading  # reading the text before a libyaml error again (once, never deeper)
        self.problems: list[Problem] = []
        self.positions: dict[Loc, Position] = {(): Position(1, 1, 1, 1)}
        self.stack: list[_Frame] = []
        self.root: object = None
        self.documents = 0
        self.skip_depth = 0  # > 0 while inside a collection that was reported and is skipped
        self.skip_is_key = False  # whether that collection stands where a key should be

    def problem(self, mark: Any, message: Message, loc: Loc = (), *, at_key: bool = False) -> None:
        self.problems.append(error(self.path, message, loc, at_key=at_key).at(mark.line + 1, mark.column + 1))

    def run(self, data: bytes) -> ParsedFile:
        loader = _Loader(data)
        try:
            while loader.check_event():
                event = loader.get_event()
                if event is None or not self.handle(event):
                    return ParsedFile(None, self.problems, self.positions)  # the rest cannot be trusted
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            too_deep = _nesting_problem_before(data, mark, self.path) if not self.rereading else None
            if too_deep is not None:
                self.problems.append(too_deep)
                return ParsedFile(None, self.problems, self.positions)
            message = _syntax_message(exc, data)
            if mark is not None:
                self.problem(mark, message)
            else:  # pragma: no cover - libyaml always gives a mark
                self.problems.append(error(self.path, message).at(1, 1))
            return ParsedFile(None, self.problems, self.positions)
        except yaml.YAMLError as exc:
            said = RECORD_PROBLEMS.say("syntax_error", detail=str(exc), started="", tabs="")
            self.problems.append(error(self.path, said).at(1, 1))
            return ParsedFile(None, self.problems, self.positions)
        finally:
            loader.dispose()
        if self.documents == 0 or self.root is None:
            if not self.problems:
                self.problems.append(error(self.path, RECORD_PROBLEMS.say("empty_file")).at(1, 1))
            return ParsedFile(None, self.problems, self.positions)
        if self.root is INVALID:
            return ParsedFile(None, self.problems, self.positions)
        if not isinstance(self.root, dict):
            found = RECORD_PROBLEMS.say("found_list" if isinstance(self.root, list) else "found_single_value")
            self.problems.append(error(self.path, RECORD_PROBLEMS.say("top_not_mapping", found=found)).at(1, 1))
            return ParsedFile(None, self.problems, self.positions)
        return ParsedFile(self.root, self.problems, self.positions)

    def handle(self, event: events.Event) -> bool:
        """Process one event; False stops reading (the rest of the file cannot be trusted)."""
        if isinstance(event, events.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                self.problem(
                    event.start_mark,
                    RECORD_PROBLEMS.say("second_document"),
                )
                return False
            return True
        if isinstance(event, events.CollectionStartEvent):
            return self.start_collection(event)
        if isinstance(event, events.CollectionEndEvent):
            if self.skip_depth:
                self.skip_depth -= 1
                if self.skip_depth == 0 and self.skip_is_key:
                    self.stack[-1].key = _SKIP  # the value that follows a rejected key is read and dropped
                return True
            self.stack.pop()
            return True
        if isinstance(event, events.ScalarEvent):
            if self.skip_depth:
                return True
            self.check_anchor_and_tag(event)
            self.scalar(event)
            return True
        if isinstance(event, events.AliasEvent):
            if self.skip_depth:
                return True
            self.problem(
                event.start_mark,
                RECORD_PROBLEMS.say("alias", anchor=event.anchor),
                self.next_loc(),
            )
            self.attach(INVALID, event.start_mark, None)
            return True
        return True  # stream and document boundaries carry nothing else

    def check_anchor_and_tag(self, event: events.NodeEvent) -> None:
        loc = self.next_loc()
        if event.anchor is not None:
            self.problem(
                event.start_mark,
                RECORD_PROBLEMS.say("anchor", anchor=event.anchor),
                loc,
            )
        tag = getattr(event, "tag", None)
        if tag is not None:
            self.problem(event.start_mark, RECORD_PROBLEMS.say("explicit_tag", tag=_short_tag(tag)), loc)

    def next_loc(self) -> Loc:
        """The loc of the value about to be attached (keys report at their mapping's loc)."""
        if not self.stack:
            return ()
        frame = self.stack[-1]
        if isinstance(frame.container, list):
            return (*frame.loc, len(frame.container))
        if isinstance(frame.key, str):
            return (*frame.loc, frame.key)
        return frame.loc

    def expecting_key(self) -> bool:
        return bool(self.stack) and isinstance(self.stack[-1].container, dict) and self.stack[-1].key is None

    def start_collection(self, event: events.CollectionStartEvent) -> bool:
        if self.skip_depth:
            self.skip_depth += 1
            return True
        self.check_anchor_and_tag(event)
        if len(self.stack) >= MAX_DEPTH:
            self.problem(event.start_mark, RECORD_PROBLEMS.say("too_deep", depth=MAX_DEPTH))
            return False
        if self.expecting_key():
            self.problem(
                event.start_mark,
                RECORD_PROBLEMS.say("key_not_scalar"),
                self.stack[-1].loc,
                at_key=True,
            )
            self.skip_depth, self.skip_is_key = 1, True
            return True
        if event.tag is not None:  # reported by check_anchor_and_tag; its items are not read
            self.attach(INVALID, event.start_mark, None)
            self.skip_depth, self.skip_is_key = 1, False
            return True
        container: dict[str, object] | list[object] = {} if isinstance(event, events.MappingStartEvent) else []
        loc = self.next_loc()
        self.attach(container, event.start_mark, None)
        self.stack.append(_Frame(container, loc))
        return True

    def scalar(self, event: events.ScalarEvent) -> None:
        tagged = event.tag is not None  # already reported by check_anchor_and_tag
        tag = TAG_STR if tagged else _RESOLVER.resolve(ScalarNode, event.value, event.implicit)  # type: ignore[no-untyped-call]
        frame = self.stack[-1] if self.stack else None
        if frame is not None and isinstance(frame.container, dict) and frame.key is None:
            self.key(frame, event, tag)
            return
        value: object = INVALID
        if not tagged and not event.implicit[0]:  # quoted or block text: a string, whatever it looks like
            value = event.value
        elif not tagged:
            try:
                value = convert_scalar(tag, event.value)
            except ScalarError as exc:
                self.problem(event.start_mark, exc.said, self.next_loc())
        self.attach(value, event.start_mark, event.value)

    def key(self, frame: _Frame, event: events.ScalarEvent, tag: str) -> None:
        mark: Any = event.start_mark
        text = event.value
        if tag == TAG_MERGE:
            self.problem(
                mark,
                RECORD_PROBLEMS.say("merge_key"),
                (*frame.loc, text),
                at_key=True,
            )
            frame.key = _SKIP
            return
        if tag != TAG_STR:
            kind = {TAG_BOOL: "found_a_boolean", TAG_NULL: "found_null", TAG_TIMESTAMP: "found_date"}.get(
                tag, "found_a_number"
            )
            self.problem(
                mark,
                RECORD_PROBLEMS.say("key_not_text", key=text, kind=RECORD_PROBLEMS.say(kind)),
                (*frame.loc, text),
                at_key=True,
            )
            frame.key = _SKIP
            return
        assert isinstance(frame.container, dict)
        if text in frame.first_seen:
            self.problem(
                mark,
                RECORD_PROBLEMS.say("duplicate_key", key=repr(text), line=frame.first_seen[text]),
                (*frame.loc, text),
                at_key=True,
            )
            frame.key = _SKIP
            return
        frame.first_seen[text] = mark.line + 1
        frame.key = text
        frame.key_position = (mark.line + 1, mark.column + 1)

    def attach(self, value: object, mark: Any, raw: str | None) -> None:
        line, column = mark.line + 1, mark.column + 1
        if not self.stack:
            self.root = value
            return
        frame = self.stack[-1]
        if isinstance(frame.container, list):
            loc = (*frame.loc, len(frame.container))
            frame.container.append(value)
            self.positions[loc] = Position(line, column, line, column, raw)
            return
        key = frame.key
        frame.key = None
        if key is _SKIP or not isinstance(key, str):
            return
        loc = (*frame.loc, key)
        if value is None:  # `key:` with nothing after it: an unfinished edit, never a meaningful null
            self.problems.append(error(self.path, RECORD_PROBLEMS.say("no_value"), loc).at(line, column))
            value = INVALID
        frame.container[key] = value
        key_line, key_column = frame.key_position
        self.positions[loc] = Position(line, column, key_line, key_column, raw)


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag


def _nesting_problem_before(data: bytes, mark: Any, path: str) -> Problem | None:
    """Our nesting limit, when the text before libyaml's error already breaks it; else None.

    libyaml reads ahead of the events it hands out (a `[` may start a flow key), and since 0.2.5 it
    stops at its own nesting limit (about 1,000 levels) before our builder sees level 21. Reading the text
    up to libyaml's error again lets our check speak first, at the line and column of level 21, whatever
    libyaml's own limits are.
    """
    if mark is None or not isinstance(getattr(mark, "index", None), int):
        return None
    prefix = data.decode("utf-8", errors="replace")[: mark.index].encode("utf-8")
    builder = _PreciseBuilder(path, rereading=True)
    builder.run(prefix)
    return next((problem for problem in builder.problems if problem.code == "too_deep"), None)


def _syntax_message(exc: yaml.MarkedYAMLError, data: bytes) -> Message:
    """libyaml's own words (English: what it found) inside a sentence in the reader's language."""
    parts = [part for part in (exc.context, exc.problem) if part]
    detail: Message | str = ", ".join(parts) if parts else RECORD_PROBLEMS.say("invalid_yaml")
    context, problem = exc.context_mark, exc.problem_mark
    started: Message | str = ""
    if context is not None and problem is not None and context.line != problem.line:
        started = RECORD_PROBLEMS.say("syntax_started", line=context.line + 1, column=context.column + 1)
    tabs: Message | str = ""
    if problem is not None and b"\t" in _line_of(data, problem.line):
        tabs = RECORD_PROBLEMS.say("syntax_tabs")
    return RECORD_PROBLEMS.say("syntax_error", detail=detail, started=started, tabs=tabs)


def _line_of(data: bytes, index: int) -> bytes:
    lines = data.splitlines()
    return lines[index] if 0 <= index < len(lines) else b""


def parse_precise(data: bytes, path: str) -> ParsedFile:
    """Read a file reporting every problem with its position; also returns every value's position."""
    return _PreciseBuilder(path).run(data)


# ---------------------------------------------------------------------------------------------
# Bytes to data


_UTF8_BOM = b"\xef\xbb\xbf"


def check_bytes(raw: bytes, path: str, max_bytes: int) -> tuple[bytes | None, Problem | None]:
    """Check size and encoding; return the bytes to parse (BOM removed) or a problem."""
    if len(raw) > max_bytes:
        return None, error(path, RECORD_PROBLEMS.say("too_big", size=len(raw), limit=max_bytes)).at(1, 1)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, error(path, RECORD_PROBLEMS.say("utf16")).at(1, 1)
    if raw.startswith(_UTF8_BOM):
        raw = raw[len(_UTF8_BOM) :]
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        column = len(raw[line_start : exc.start].decode("utf-8", "replace")) + 1
        hint: Message | str = ""
        try:
            if any("\u4e00" <= char <= "\u9fff" for char in raw.decode("gb18030")):
                hint = RECORD_PROBLEMS.say("looks_gbk")
        except UnicodeDecodeError:
            pass
        said = RECORD_PROBLEMS.say("not_utf8", hint=hint, byte=f"{raw[exc.start]:02X}")
        return None, error(path, said).at(line, column)
    if not raw.strip():
        return None, error(path, RECORD_PROBLEMS.say("empty_file")).at(1, 1)
    return raw, None


def read_yaml(raw: bytes, path: str, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> ParsedFile:
    """Bytes of one record file to data and problems: the fast path when it can, else the precise one."""
    checked, problem = check_bytes(raw, path, max_bytes)
    if checked is None:
        assert problem is not None
        return ParsedFile(None, [problem])
    data = parse_fast(checked)
    if data is not None:
        return ParsedFile(data)
    return parse_precise(checked, path)
