"""Shared fixtures: a data repository written to disk, and the installed `crm` run as a user runs it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

CRM = Path(sys.executable).parent / "crm"

DEFAULT_CONFIG = """\
team:
  ming: {name: 张明}
  hong: {name: 李红}
"""

CUSTOMER = """\
id: KH-2024001
name: 华星科技有限公司
type: enterprise
tier: strategic
stage: active
value: high
owner: ming
since: 2024-01-10
contacts:
  - name: 李雷
    phone: "13800138000"
    primary: true
consent: {given: true, date: 2024-01-10}
"""

INTERACTION = """\
id: JL-2024001
customer: KH-2024001
date: 2024-03-01
channel: phone
owner: ming
topic: 季度回访
"""


@dataclass
class DataRepo:
    """A data repository in a temporary folder; `write` takes YAML as it would be typed."""

    root: Path

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def customer(self, cid: str, extra: str = "", **fields: str) -> None:
        """customers/<cid>.yaml: a valid customer (with consent) whose keyword fields override the defaults;
        `extra` is YAML appended as written."""
        values = {
            "name": "客户" + cid,
            "type": "enterprise",
            "tier": "regular",
            "stage": "active",
            "owner": "ming",
            "since": "2024-01-01",
            **fields,
        }
        body = "".join(f"{key}: {value}\n" for key, value in values.items())
        self.write(f"customers/{cid}.yaml", f"id: {cid}\n{body}consent: {{given: true}}\n{extra}")

    def interaction(self, iid: str, customer: str, day: str, extra: str = "", **fields: str) -> None:
        """interactions/<YYYY>/<iid>.yaml: a phone follow-up by ming; keyword fields and `extra` are added."""
        added = "".join(f"{key}: {value}\n" for key, value in fields.items())
        self.write(
            f"interactions/{day[:4]}/{iid}.yaml",
            f"id: {iid}\ncustomer: {customer}\ndate: {day}\nchannel: phone\nowner: ming\ntopic: 回访\n{added}{extra}",
        )

    def write_bytes(self, relative: str, data: bytes) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path


@pytest.fixture
def repo(tmp_path: Path) -> DataRepo:
    """A valid repository: crm.yaml with two team members, one customer, one interaction."""
    data = DataRepo(tmp_path / "crm")
    data.write("crm.yaml", DEFAULT_CONFIG)
    data.write("customers/KH-2024001.yaml", CUSTOMER)
    data.write("interactions/2024/JL-2024001.yaml", INTERACTION)
    return data


@pytest.fixture
def empty_repo(tmp_path: Path) -> DataRepo:
    """A repository with only crm.yaml."""
    data = DataRepo(tmp_path / "crm")
    data.write("crm.yaml", DEFAULT_CONFIG)
    return data


def run_crm(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed `crm` console script, as a user would, capturing its output."""
    return subprocess.run([str(CRM), *args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(autouse=True)
def _private_cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the cache signing key of test runs out of the developer's home."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
