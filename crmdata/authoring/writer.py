"""Write records as YAML files people read and review: field order of the model, text that stays text.

Every command that creates records (`crm new`, `crm log`, `crm import`) writes through here, so they all:
- order keys as the models (and the guide's examples) do, and leave out what was not given;
- quote text that any YAML reader would take for something else (`0755…`, `no`, `1e3`), write
  multi-line text as a `|` block and datetimes as ISO 8601;
- read the text back with the strict reader before writing it: a record that would not read back as
  the same values is an internal error, never a silently changed file;
- create the file atomically and never overwrite one (another person's record, or a race between two
  `crm` runs, is an error to report, not a file to replace);
- leave no temporary file behind: each is removed in a `finally` (SIGTERM is an exception in `crm`, see
  crmdata.system.errors.Stopped, so those run), and the temporary files of a `crm` run that was killed outright
  (SIGKILL, a power cut) are removed by the next run that writes into the folder.
"""

from __future__ import annotations

import os
import re
import stat
import threading
from datetime import datetime
from enum import Enum
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from pydantic import BaseModel

from crmdata.records.dataset import AnyRecord
from crmdata.records.models import CrmConfig
from crmdata.records.schema import SCHEMA_FILES
from crmdata.records.yamlread import DEFAULT_MAX_FILE_BYTES, read_yaml, reads_as_number_in_yaml12
from crmdata.system.safe_paths import make_folders, write_file

SCHEMA_FOLDER = "schemas"
SCHEMA_FILE = {model: name for name, model in SCHEMA_FILES.items() if model is not CrmConfig}
"""The schema file of each record type, for the modeline a written record starts with."""


class RecordDumper(yaml.CSafeDumper):
    """The C emitter with representers for text and datetimes; never anchors or aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_text(dumper: RecordDumper, text: str) -> yaml.ScalarNode:
    if "\n" in text:
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|")
    if reads_as_number_in_yaml12(text):  # PyYAML (YAML 1.1) would leave 1e3 bare; editors read it as a number
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="'")
    return dumper.represent_str(text)


def _represent_datetime(dumper: RecordDumper, moment: datetime) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", moment.isoformat())


RecordDumper.add_representer(str, _represent_text)
RecordDumper.add_representer(datetime, _represent_datetime)


def plain_data(model: BaseModel) -> dict[str, Any]:
    """The fields that were given, in the model's order, as plain YAML-ready values (enums as their text)."""
    return {name: _plain(getattr(model, name)) for name in type(model).model_fields if name in model.model_fields_set}


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return plain_data(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def schema_line(record_path: str, model: type[BaseModel]) -> str:
    """The comment that gives editors completion: `$schema=` relative from the record's folder to schemas/."""
    depth = len(PurePosixPath(record_path).parent.parts)
    return f"# yaml-language-server: $schema={'../' * depth}{SCHEMA_FOLDER}/{SCHEMA_FILE[model]}\n"


def record_text(record: AnyRecord, record_path: str, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> str:
    """The file's text: the schema line, then the given fields as YAML; checked to read back as the record.

    `max_bytes` is the reader's limit for one record file (`crm validate --max-file-size`): a record
    written bigger would not load, so it is refused here, before anything is written.
    """
    data = plain_data(record)
    body: str = yaml.dump(
        data, Dumper=RecordDumper, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000
    )
    text = schema_line(record_path, type(record)) + body
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise RecordTooLargeError(
            f"the record would be a file of {size:,} bytes, over the limit of {max_bytes:,} bytes for one record; "
            "raise it with --max-file-size SIZE"
        )
    _check_reads_back(text, data, record_path, max_bytes)
    return text


def _check_reads_back(
    text: str, data: dict[str, Any], record_path: str, max_bytes: int = DEFAULT_MAX_FILE_BYTES
) -> None:
    """The strict reader must read the text as exactly the values dumped (types included: a date stays a
    date, text stays text); the record was validated already, so equal values are a valid record."""
    parsed = read_yaml(text.encode("utf-8"), record_path, max_bytes)
    if parsed.problems or parsed.data is None:
        reasons = "; ".join(problem.message for problem in parsed.problems) or "nothing read"
        raise RecordWriteError(f"{record_path}: the written YAML would not read back ({reasons})")
    if parsed.data != data:
        raise RecordWriteError(f"{record_path}: the written YAML would read back as different values")


class RecordWriteError(Exception):
    """A record could not be written as it is: the file exists, or its YAML would not read back."""


class RecordTooLargeError(RecordWriteError):
    """The record's file would be over the reader's size limit; the message names the limit and its option."""


def create_file(path: Path, text: str, *, root: Path) -> None:
    """Create `path` (a record file under the repository `root`) with `text`, atomically, never replacing
    an existing file and never writing through a link.

    The folders from `root` down are made as real folders: a committed link (`interactions/2027` pointing
    elsewhere) is refused, never followed. The text goes to a temporary file in the same folder first,
    which is then hard-linked to its name: the link fails if the name exists, and a reader never sees a
    half-written record (crmdata.system.safe_paths.write_file). The first file a run creates in a folder sweeps
    the folder's stale temporary files first (sweep_stale_temporaries).
    """
    make_folders(root, path.parent.relative_to(root))
    _sweep_once(path.parent)
    write_file(path, text.encode("utf-8"), replace=False, durable=True)


# --- temporary files: never left behind -----------------------------------------------------------------


_TEMPORARY = re.compile(r"\.(?P<name>.+\.yaml)\.(?P<pid>\d+)\.tmp")
"""`.KH-2024001.yaml.4711.tmp`: the temporary file crmdata.system.safe_paths.write_file makes beside a record,
naming the process that writes it."""
_swept: set[Path] = set()
_sweeping = threading.Lock()


def _sweep_once(folder: Path) -> None:
    """Sweep a folder the first time this process writes into it (create_file runs in several threads)."""
    with _sweeping:
        if folder in _swept:
            return
        _swept.add(folder)
        sweep_stale_temporaries(folder)


def sweep_stale_temporaries(folder: Path) -> list[str]:
    """Remove the temporary files that a killed `crm` left in `folder`; the names removed.

    Only files named as create_file names them, and only those whose process is gone: another `crm`
    run writing into the same folder right now keeps its files. A process that cannot be asked (not
    POSIX) keeps them too: a stray file is better than a lost one.
    """
    if os.name != "posix":
        return []
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        match = _TEMPORARY.fullmatch(entry.name)
        if match is None or int(match["pid"]) == os.getpid() or _process_exists(int(match["pid"])):
            continue
        try:
            if not stat.S_ISREG(entry.stat(follow_symlinks=False).st_mode):
                continue
            os.unlink(entry.path)
        except OSError:
            continue
        removed.append(entry.name)
    return removed


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists (POSIX)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # someone else's process; an absurd number is left alone too
    return True
