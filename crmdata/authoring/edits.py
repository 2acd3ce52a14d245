"""Change record files in place, changing only the lines the change needs (contract §4).

A person's record file carries more than its values: comments, blank lines, the order of keys, quotes,
flow or block style, CRLF line ends. `crm done`, `crm resolve`, `crm stage` and `crm merge` must leave
all of that as it was outside the lines they change, so a review of the commit shows exactly the change.

How (one mechanism for every edit):
- The file is loaded with ruamel.yaml's round-trip loader (comments, quotes and styles kept), the edit is
  made on that tree, and the tree dumped with the file's own indentation and an unlimited width.
- ruamel still normalises a few things on the way (`key:   value` spacing, some indentations, a missing
  final newline, a leading `---`). So the file is dumped twice, unchanged (the *base*) and edited, and the
  difference between the two, which is the edit alone, is applied to the original lines (a three-way
  merge, as diff3 does it: base, the original, the edited). A line ruamel would merely re-format is
  never touched unless the edit changes that very line. Unchanged lines are kept byte for byte,
  their line ends (CRLF stays CRLF) included; new lines take the file's line end.
- The result is read back by the strict reader and checked against the model, as `crm validate` checks
  a record, and must read as the same values as ruamel's own edited dump (else ruamel's dump is used:
  correct first, minimal second). A result that would not validate is never written: the problems name
  the file, line and field.
- Files are replaced atomically through crmdata.system.safe_paths, never through a symbolic link, and a
  change of several files (`crm merge`) stages every new content first, then replaces them together;
  if a replace fails, the files already replaced are put back.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import os
import re
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError as RoundTripError
from ruamel.yaml.scalarstring import LiteralScalarString, SingleQuotedScalarString
from ruamel.yaml.tokens import CommentToken
from ruamel.yaml.util import load_yaml_guess_indent

from crmdata.authoring.edit_words import EDIT_WORDS
from crmdata.records.locate import PositionIndex, locate_all
from crmdata.records.models.base import Record
from crmdata.records.problems import Problem
from crmdata.records.record_check import check_record
from crmdata.records.vocabulary import Message
from crmdata.records.yamlread import (
    DEFAULT_MAX_FILE_BYTES,
    check_bytes,
    parse_precise,
    read_yaml,
    reads_as_number_in_yaml12,
)
from crmdata.system.safe_paths import is_link, read_own_file, stage_file

_BOM = b"\xef\xbb\xbf"
_WIDTH = 1 << 30
"""ruamel folds a line longer than its width; a record's long line must stay one line."""


class EditRefusedError(Exception):
    """Nothing was written: `said` says why, `problems` (located) are the record's own, shown first."""

    def __init__(self, said: Message, problems: Sequence[Problem] = ()) -> None:
        super().__init__(str(said))
        self.said = said
        self.problems = list(problems)


@dataclass(frozen=True)
class FileChange:
    """One file's change: its bytes before, and after (None: the file is removed)."""

    relative: str
    before: bytes
    after: bytes | None


# --- reading a record file, never through a link ---------------------------------------------------------


def record_path(root: Path, relative: str) -> Path:
    """The record's path under `root`, each folder on the way a real folder and the file a regular file:
    a link anywhere on the way is refused (a checkout may contain one; crm edits only what is there)."""
    parts = PurePosixPath(relative).parts
    folder = root
    for part in parts[:-1]:
        folder = folder / part
        try:
            status = os.lstat(folder)
        except OSError:
            raise EditRefusedError(EDIT_WORDS.say("path_not_real", file=relative)) from None
        if is_link(status) or not stat.S_ISDIR(status.st_mode):
            raise EditRefusedError(EDIT_WORDS.say("path_not_real", file=relative))
    path = folder / parts[-1]
    try:
        status = os.lstat(path)
    except OSError as exc:
        raise EditRefusedError(EDIT_WORDS.say("unreadable", file=relative, reason=exc.strerror or str(exc))) from None
    if is_link(status):
        raise EditRefusedError(EDIT_WORDS.say("record_is_link", file=relative))
    if not stat.S_ISREG(status.st_mode):
        raise EditRefusedError(EDIT_WORDS.say("not_a_file", file=relative))
    return path


def read_record(root: Path, relative: str) -> bytes:
    """The bytes of a record file (see record_path), read without following a link."""
    raw = read_own_file(record_path(root, relative))
    if raw is None:
        raise EditRefusedError(EDIT_WORDS.say("unreadable", file=relative, reason="?"))
    return raw


# --- the strict check, as `crm validate` reads a record -------------------------------------------------


class TextIndex(PositionIndex):
    """Positions of keys and values, read from given texts (edited files before they are written), and
    from the files under `root` for any other path."""

    def __init__(self, texts: dict[str, bytes], root: Path = Path(".")) -> None:
        super().__init__(root, DEFAULT_MAX_FILE_BYTES)
        self.texts = texts

    def _read(self, path: str) -> dict[Any, Any]:
        if path not in self.texts:
            return super()._read(path)
        checked, _ = check_bytes(self.texts[path], path, self.max_bytes)
        if checked is None:
            return {}
        return parse_precise(checked, path).positions or {}


def strict_read(
    raw: bytes, relative: str, model: type[Record]
) -> tuple[Record | None, dict[str, Any] | None, list[Problem]]:
    """Read `raw` as `crm validate` reads a record file: the record (None if invalid), its plain data and
    its problems, located (file, line, column, field)."""
    parsed = read_yaml(raw, relative)
    index = TextIndex({relative: raw})
    if parsed.data is None or parsed.problems:
        return None, parsed.data, locate_all(parsed.problems, index)
    record, problems = check_record(model, parsed.data, relative, lambda: index.positions(relative))
    return record, parsed.data, locate_all(problems, index)


def checked_record(raw: bytes, relative: str, model: type[Record]) -> Record:
    """The record in `raw`, or EditRefusedError naming its problems: an edit starts from a valid record."""
    record, _, problems = strict_read(raw, relative, model)
    errors = [problem for problem in problems if problem.is_error]
    if record is None or errors:
        raise EditRefusedError(EDIT_WORDS.say("record_has_errors", file=relative), errors)
    return record


# --- the round trip ---------------------------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    """The lines of `text`, each with its line end (only \\n ends a line here, as in YAML 1.2)."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _bare(line: str) -> str:
    """A line without its line end (\\n or \\r\\n): what two lines are compared by."""
    if line.endswith("\r\n"):
        return line[:-2]
    return line[:-1] if line.endswith("\n") else line


_BLOCK_KEY = re.compile(r"^(?P<indent> *)[^\s#-][^#]*:\s*(#.*)?$")


def _mapping_indent(lines: list[str]) -> int:
    """The indentation of nested mappings (`consent:` then `  given: true`): 2 unless the file says otherwise."""
    for number, line in enumerate(lines):
        match = _BLOCK_KEY.match(_bare(line))
        if match is None:
            continue
        outer = len(match["indent"])
        for following in lines[number + 1 :]:
            text = _bare(following)
            if not text.strip() or text.lstrip().startswith("#"):
                continue
            inner = len(text) - len(text.lstrip(" "))
            if inner > outer and not text.lstrip().startswith("-"):
                return inner - outer
            break
    return 2


class RoundTrip:
    """One record file loaded for editing: `tree` is its top mapping; `result()` the edited file's bytes."""

    def __init__(self, raw: bytes, relative: str) -> None:
        self.relative = relative
        self.source = raw
        self.bom = raw.startswith(_BOM)
        text = raw[len(_BOM) :].decode("utf-8") if self.bom else raw.decode("utf-8")
        self.original = _lines(text)
        first = self.original[0] if self.original else "\n"
        self.newline = "\r\n" if first.endswith("\r\n") else "\n"
        self.final_newline = text.endswith("\n")
        plain = text.replace("\r\n", "\n")
        try:
            _, sequence, offset = load_yaml_guess_indent(plain)
            self.yaml = YAML(typ="rt")
            self.yaml.preserve_quotes = True
            self.yaml.width = _WIDTH
            mapping = _mapping_indent(self.original)
            self.yaml.indent(mapping=mapping, sequence=sequence or mapping, offset=offset or 0)
            self.base = self._dump(self.yaml.load(plain))
            tree = self.yaml.load(plain)
        except RoundTripError as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise EditRefusedError(EDIT_WORDS.say("cannot_round_trip", file=relative, reason=reason)) from None
        if not isinstance(tree, CommentedMap):
            said = EDIT_WORDS.say("cannot_round_trip", file=relative, reason=EDIT_WORDS.say("not_a_mapping"))
            raise EditRefusedError(said)
        self.tree: CommentedMap = tree

    def _dump(self, tree: Any) -> list[str]:
        out = io.StringIO()
        self.yaml.dump(tree, out)
        return _lines(out.getvalue())

    def spliced(self) -> bytes:
        """The original lines with the edit applied: the three-way merge of the module docstring."""
        edited = self._dump(self.tree)
        original = [line if line.endswith("\n") else line + self.newline for line in self.original]
        lines = splice(original, self.base, edited, self.newline)
        return self._encoded(lines, self.final_newline)

    def dumped(self) -> bytes:
        """ruamel's own dump of the edited tree, in the file's line ends: the fallback of `result`."""
        return self._encoded([_bare(line) + self.newline for line in self._dump(self.tree)], True)

    def _encoded(self, lines: list[str], final_newline: bool) -> bytes:
        text = "".join(lines)
        if not final_newline and text.endswith(self.newline):
            text = text[: -len(self.newline)]
        data = text.encode("utf-8")
        return _BOM + data if self.bom else data

    def _expected(self, model: type[Record], full: bytes) -> object:
        """What the minimal result must read as (see _expected), from the three texts' strict readings."""
        readings = []
        for text in (self.source, self._encoded([_bare(line) + self.newline for line in self.base], True), full):
            readings.append(strict_read(text, self.relative, model)[1])
        return _expected(*readings)

    def result(self, model: type[Record]) -> bytes:
        """The edited file, checked: it reads as the edited tree and validates as `model`, else EditRefusedError
        with the problems (file, line, field) and nothing written."""
        minimal = self.spliced()
        full = self.dumped()
        _, minimal_data, _ = strict_read(minimal, self.relative, model)
        chosen = minimal if minimal_data is not None and minimal_data == self._expected(model, full) else full
        record, _, problems = strict_read(chosen, self.relative, model)
        errors = [problem for problem in problems if problem.is_error]
        if record is None or errors:
            raise EditRefusedError(EDIT_WORDS.say("would_not_validate", file=self.relative), errors)
        return chosen


Hunk = tuple[int, int, int, int]
"""(i1, i2, j1, j2): lines i1..i2 of the base are lines j1..j2 of the other text (difflib's opcodes)."""


def _expected(original: object, base: object, edited: object) -> object:
    """The values the edited file must read as: the edited dump's where the edit changed something (base
    and edited differ), the original file's everywhere else (ruamel's re-formatting can change what the
    strict reader reads, e.g. a time written `9:05`; the original lines, kept, read as before)."""
    if base == edited:
        return original
    if isinstance(original, dict) and isinstance(base, dict) and isinstance(edited, dict):
        return {
            key: _expected(original.get(key), base.get(key), edited[key])
            for key in edited
            if key in original or key not in base
        }
    lists = isinstance(original, list) and isinstance(base, list) and isinstance(edited, list)
    if lists and len(original) == len(base) == len(edited):  # type: ignore[arg-type]
        return [_expected(*values) for values in zip(original, base, edited, strict=True)]  # type: ignore[call-overload]
    return edited


def splice(original: list[str], base: list[str], edited: list[str], newline: str) -> list[str]:
    """diff3 by lines: the changes from `base` to `edited` applied to `original`.

    `base` is ruamel's dump of the unchanged file, `edited` its dump after the edit; `original` is the
    file's own lines (each with its line end). Lines are compared without their line ends. The hunks of
    base -> original (ruamel's re-formatting, undone) and base -> edited (the edit) are applied to the
    base together: base lines outside every hunk are written as the original has them, an original hunk
    as the original has it, an edit hunk as the edit made it (in the file's line end). Where the two
    overlap (the edit changes a line ruamel also re-formats) the edit wins over the whole stretch.
    """
    bare_base = [_bare(line) for line in base]
    ours = [(hunk, False) for hunk in _hunks(bare_base, [_bare(line) for line in original])]
    theirs = [(hunk, True) for hunk in _hunks(bare_base, [_bare(line) for line in edited])]
    result: list[str] = []
    position = 0  # in the base
    at = 0  # the original's line of that base position
    for cluster in _clusters(sorted(ours + theirs, key=lambda item: (item[0][0], item[0][1], item[1]))):
        start = min(hunk[0] for hunk, _ in cluster)
        end = max(hunk[1] for hunk, _ in cluster)
        result += original[at : at + start - position]
        at += start - position
        grown = sum((hunk[3] - hunk[2]) - (hunk[1] - hunk[0]) for hunk, edit in cluster if not edit)
        edits = [hunk for hunk, edit in cluster if edit]
        if not edits:
            result += original[at : at + end - start + grown]
        else:
            first, last = edits[0], edits[-1]
            lines = edited[first[2] - (first[0] - start) : last[3] + (end - last[1])]
            result += [_bare(line) + newline for line in lines]
        at += end - start + grown
        position = end
    result += original[at:]
    return result


def _hunks(first: list[str], second: list[str]) -> list[Hunk]:
    """The hunks of `first` -> `second`; n lines replaced by n lines are n hunks of one line, so a line
    re-formatted next to an edited one stays apart from it."""
    hunks: list[Hunk] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, first, second, autojunk=False).get_opcodes():
        if tag == "replace" and i2 - i1 == j2 - j1:
            hunks += [(i1 + step, i1 + step + 1, j1 + step, j1 + step + 1) for step in range(i2 - i1)]
        elif tag != "equal":
            hunks.append((i1, i2, j1, j2))
    return hunks


def _clusters(hunks: list[tuple[Hunk, bool]]) -> list[list[tuple[Hunk, bool]]]:
    """Hunks (sorted by where they start) grouped where they overlap. An insertion overlaps a hunk only
    strictly inside it: at its edge it simply comes before or after."""
    clusters: list[list[tuple[Hunk, bool]]] = []
    for item in hunks:
        hunk = item[0]
        if clusters:
            low = min(other[0] for other, _ in clusters[-1])
            high = max(other[1] for other, _ in clusters[-1])
            if _overlap(hunk[0], hunk[1], low, high):
                clusters[-1].append(item)
                continue
        clusters.append([item])
    return clusters


def _overlap(start: int, end: int, low: int, high: int) -> bool:
    if start == end:
        return low < start < high
    if low == high:
        return start < low < end
    return start < high and low < end


# --- edits on the tree ------------------------------------------------------------------------------------


def yaml_text(text: str) -> str:
    """Text as a new value in a record: quoted when a YAML reader (1.1 or 1.2) would read it as anything
    but this text (`no`, `0755`, `1e3`, `2024-01-01`), a `|` block when it has line breaks."""
    if "\n" in text:
        block: str = LiteralScalarString(text)
        return block
    try:
        plain = yaml.safe_load(text)
    except yaml.YAMLError:
        plain = None
    if plain != text or reads_as_number_in_yaml12(text) or text != text.strip():
        quoted: str = SingleQuotedScalarString(text)
        return quoted
    return text


def set_value(mapping: CommentedMap, key: str, value: object, order: Sequence[str]) -> None:
    """Set `key` in `mapping`: in place when it is there; else inserted after the last key that comes
    before it in `order` (the model's field order), or at the end when none does."""
    if key in mapping:
        mapping[key] = value
        return
    rank = {name: number for number, name in enumerate(order)}
    place = 0
    for position, existing in enumerate(mapping):
        if existing in rank and key in rank and rank[existing] < rank[key]:
            place = position + 1
    if key not in rank:
        place = len(mapping)
    mapping.insert(place, key, value)
    if place > 0:
        _move_comment_lines(mapping, list(mapping)[place - 1], key)


def _move_comment_lines(mapping: CommentedMap, previous: object, key: str) -> None:
    """Comment lines and blank lines after the value of `previous` move after the new `key`.

    ruamel keeps such lines with the last value before them (often deep inside a list): a key inserted
    after `previous` would land after them, away from its neighbours and before the comment that
    introduces the next key. Moved, the new line follows `previous` directly; an end-of-line comment
    stays where it is.
    """
    holder = _last_comment(mapping, previous)
    if holder is None:
        return
    entry, slot = holder
    token = entry[slot]
    text = str(token.value)
    cut = text.find("\n")
    if cut < 0 or cut == len(text) - 1:
        return
    token.value = text[: cut + 1]
    moved = CommentToken("\n" + text[cut + 1 :], token.start_mark, None)
    mapping.ca.items[key] = [None, None, moved, None]


def _last_comment(container: CommentedMap | CommentedSeq, key: Any) -> tuple[list[Any], int] | None:
    """Where ruamel keeps the comment that follows the entry `key` of `container`: on the deepest last
    entry of its value when that is a block collection, else on the entry itself (slot 2 of a mapping's
    entry, slot 0 of a list's)."""
    value = container[key]
    if isinstance(value, CommentedMap | CommentedSeq) and len(value) and not value.fa.flow_style():
        last = list(value)[-1] if isinstance(value, CommentedMap) else len(value) - 1
        found = _last_comment(value, last)
        if found is not None:
            return found
    slot = 2 if isinstance(container, CommentedMap) else 0
    entry = container.ca.items.get(key)
    if entry is not None and entry[slot] is not None:
        return entry, slot
    return None


def model_order(model: type[Record]) -> list[str]:
    """The model's fields in their order: where a new key goes."""
    return list(model.model_fields)


@dataclass
class Edit:
    """One record file to change: `change` edits its tree; `result` is then the checked new bytes."""

    root: Path
    relative: str
    model: type[Record]
    before: bytes = field(init=False)
    record: Record = field(init=False)
    document: RoundTrip = field(init=False)

    def __post_init__(self) -> None:
        self.before = read_record(self.root, self.relative)
        self.record = checked_record(self.before, self.relative, self.model)
        self.document = RoundTrip(self.before, self.relative)

    @property
    def tree(self) -> CommentedMap:
        return self.document.tree

    def change(self) -> FileChange:
        """The checked change (EditRefusedError when the edited record would not validate)."""
        return FileChange(self.relative, self.before, self.document.result(self.model))


def edit_file(
    root: Path, relative: str, model: type[Record], change: Callable[[CommentedMap, Record], None]
) -> FileChange:
    """Read, edit (`change(tree, record)`), check and write one record file; the change made."""
    edit = Edit(root, relative, model)
    change(edit.tree, edit.record)
    made = edit.change()
    write_changes(root, [made])
    return made


# --- writing: all or nothing ------------------------------------------------------------------------------


def write_changes(root: Path, changes: Sequence[FileChange]) -> None:
    """Write every change, or none: each file still as it was read (else nothing is written), every new
    content staged in a temporary file beside its file, then each put in place by a rename (a link is
    replaced, never followed), removals last. A failure on the way puts back what was already replaced."""
    paths = {change.relative: record_path(root, change.relative) for change in changes}
    for change in changes:
        if read_own_file(paths[change.relative]) != change.before:
            raise EditRefusedError(EDIT_WORDS.say("changed_meanwhile", file=change.relative))
    staged: dict[str, Path] = {}
    done: list[FileChange] = []
    try:
        for change in changes:
            if change.after is not None:
                mode = stat.S_IMODE(os.lstat(paths[change.relative]).st_mode)
                staged[change.relative] = stage_file(paths[change.relative], change.after, mode=mode)
        for change in changes:
            if change.after is not None:
                os.replace(staged[change.relative], paths[change.relative])
                del staged[change.relative]
                done.append(change)
        for change in changes:
            if change.after is None:
                os.unlink(paths[change.relative])
                done.append(change)
    except OSError as exc:
        _put_back(root, done, paths)
        failed = exc.filename if isinstance(exc.filename, str) else ""
        raise EditRefusedError(
            EDIT_WORDS.say("not_written", file=failed or changes[0].relative, reason=exc.strerror or str(exc))
        ) from None
    finally:
        for temporary in staged.values():
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def _put_back(root: Path, done: list[FileChange], paths: dict[str, Path]) -> None:
    """Undo the changes already made (best effort: the disk that failed one write may fail these)."""
    for change in reversed(done):
        with contextlib.suppress(OSError):
            temporary = stage_file(paths[change.relative], change.before)
            os.replace(temporary, paths[change.relative])
