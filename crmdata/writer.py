"""Write records as YAML files people read and review: field order of the model, text that stays text.

Every command that creates records (`crm new`, `crm log`, `crm import`) writes through here, so they all:
- order keys as the models (and the README) do, and leave out what was not given;
- quote text that any YAML reader would take for something else (`0755…`, `no`, `1e3`), write
  multi-line text as a `|` block and datetimes as ISO 8601;
- read the text back with the strict reader before writing it: a record that would not read back as
  the same values is an internal error, never a silently changed file;
- create the file atomically and never overwrite one (another person's record, or a race between two
  `crm` runs, is an error to report, not a file to replace).
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from pydantic import BaseModel

from crmdata.models import Customer, Interaction
from crmdata.safe_paths import make_folders, write_file
from crmdata.yamlread import read_yaml, reads_as_number_in_yaml12

SCHEMA_FOLDER = "schemas"
SCHEMA_FILE = {Customer: "customer.schema.json", Interaction: "interaction.schema.json"}


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


def record_text(record: Customer | Interaction, record_path: str) -> str:
    """The file's text: the schema line, then the given fields as YAML; checked to read back as the record."""
    data = plain_data(record)
    body: str = yaml.dump(
        data, Dumper=RecordDumper, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000
    )
    text = schema_line(record_path, type(record)) + body
    _check_reads_back(text, data, record_path)
    return text


def _check_reads_back(text: str, data: dict[str, Any], record_path: str) -> None:
    """The strict reader must read the text as exactly the values dumped (types included: a date stays a
    date, text stays text); the record was validated already, so equal values are a valid record."""
    parsed = read_yaml(text.encode("utf-8"), record_path)
    if parsed.problems or parsed.data is None:
        reasons = "; ".join(problem.message for problem in parsed.problems) or "nothing read"
        raise RecordWriteError(f"{record_path}: the written YAML would not read back ({reasons})")
    if parsed.data != data:
        raise RecordWriteError(f"{record_path}: the written YAML would read back as different values")


class RecordWriteError(Exception):
    """A record could not be written as it is: the file exists, or its YAML would not read back."""


def create_file(path: Path, text: str, *, root: Path) -> None:
    """Create `path` (a record file under the repository `root`) with `text`, atomically, never replacing
    an existing file and never writing through a link.

    The folders from `root` down are made as real folders: a committed link (`interactions/2027` pointing
    elsewhere) is refused, never followed. The text goes to a temporary file in the same folder first,
    which is then hard-linked to its name: the link fails if the name exists, and a reader never sees a
    half-written record (crmdata.safe_paths.write_file).
    """
    make_folders(root, path.parent.relative_to(root))
    write_file(path, text.encode("utf-8"), replace=False, durable=True)
