"""Every line `crm` prints in a Chinese repository is Chinese: on success and on the common ways out.

Each case runs one command line in a `language: zh` repository (in this process, `invoke_crm`, which is
what the console script does) and scans both streams for an English sentence: three or more English
words in a row once the things that stay as written are taken out: quoted values, code spans, paths,
ids, options, revisions, dates and crm's own command lines (`crm validate`). click's `--help` text stays
English (not scanned here), and so do JSON keys and enum values (the contract).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import DataRepo, invoke_crm

KEPT_AS_WRITTEN = re.compile(
    r"`[^`]*`"  # code spans
    r"|'[^']*'|\"[^\"]*\""  # quoted values
    r"|\bcrm(?: [a-z]+)?(?: --?[a-z][\w-]*(?:[ =][^\s，。；：）]+)?)*"  # crm's own command lines, with options
    r"|--?[a-z][\w-]*"  # options
    r"|\S*[/\\]\S*|\S+\.(?:yaml|yml|ics|csv|xlsx|md|json)\b"  # paths and file names
    r"|\b[A-Z]{2,}-\d+\b"  # ids
    r"|\b[0-9a-f]{7,40}\b|\bHEAD\b(?:~\d+)?"  # commits and revisions
)
ENGLISH_SENTENCE = re.compile(r"\b[A-Za-z]{2,}(?:[ ,]+[A-Za-z]{2,}\b){2,}")


def english_in(output: str) -> list[str]:
    """The English sentences left in `output` once what stays as written is taken out."""
    found = []
    for line in output.splitlines():
        rest = KEPT_AS_WRITTEN.sub(" ", line)
        found += [f"{match.group(0)!r} in {line!r}" for match in ENGLISH_SENTENCE.finditer(rest)]
    return found


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(root), *args],
        check=True,
        capture_output=True,
        env={
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@x",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@x",
        },
    )


def _committed(repo: DataRepo) -> None:
    _git(repo.root, "init", "-q", "-b", "main")
    _git(repo.root, "add", "-A")
    _git(repo.root, "commit", "-q", "-m", "records")


def _no_config(repo: DataRepo) -> None:
    (repo.root / "crm.yaml").unlink()


def _existing_calendar(repo: DataRepo) -> None:
    (repo.root / "taken").mkdir()


Setup = Callable[[DataRepo], None]
CASES: list[tuple[str, tuple[str, ...], Setup | None]] = [
    ("validate", ("validate",), None),
    ("due", ("due", "--as-of", "2026-11-24"), None),
    ("due for someone not on the team", ("due", "--owner", "nobody"), None),
    ("kpi", ("kpi", "--as-of", "2026-11-24"), None),
    ("kpi with a bad date", ("kpi", "--as-of", "2026-13-01"), None),
    ("kpi for someone not on the team", ("kpi", "--owner", "nobody"), None),
    ("segments", ("segments", "--as-of", "2026-11-24"), None),
    ("an unknown segment", ("segments", "no_such_segment"), None),
    ("calendar", ("calendar", "--out", "team.ics", "--as-of", "2026-11-24"), None),
    ("calendar into a folder", ("calendar", "--out", "taken"), _existing_calendar),
    ("log", ("log", "KH-2024001", "--channel", "phone", "--topic", "回访", "--date", "2026-11-20"), None),
    ("log for an unknown customer", ("log", "KH-1999999", "--channel", "phone", "--topic", "回访"), None),
    ("log by a name part", ("log", "华星", "--channel", "phone", "--topic", "回访", "--date", "2026-11-20"), None),
    ("log by a name that matches nothing", ("log", "无此客户", "--topic", "回访"), None),
    ("find", ("find", "hxkj"), None),
    ("find nothing", ("find", "无此客户"), None),
    ("show", ("show", "KH-2024001", "--as-of", "2026-11-24"), None),
    ("show as markdown", ("show", "华星", "--as-of", "2026-11-24", "--format", "markdown"), None),
    ("log with a bad date", ("log", "KH-2024001", "--channel", "phone", "--topic", "回访", "--date", "tomorrow"), None),
    ("log without a topic", ("log", "KH-2024001", "--channel", "phone"), None),
    ("new with an id that exists", ("new", "--id", "KH-2024001", "--name", "某公司", "--owner", "ming"), None),
    ("new without crm.yaml", ("new", "--name", "某公司", "--owner", "ming"), _no_config),
    ("diff outside git", ("diff", "main"), None),
    ("diff of an unknown revision", ("diff", "no-such-branch"), _committed),
    ("diff of a range and a head", ("diff", "main...HEAD", "HEAD"), _committed),
    ("diff with no change", ("diff", "main"), _committed),
    ("diff --append without --out", ("diff", "main", "--append"), _committed),
    ("schema", ("schema", "--out", "schemas"), None),
    ("an unknown option", ("due", "--no-such-option"), None),
    ("validate without crm.yaml", ("validate",), _no_config),
    ("build", ("build", "--as-of", "2026-11-24", "--out", "built"), None),
    ("build in a git repository", ("build", "--as-of", "2026-11-24", "--out", "built"), _committed),
    ("build --encrypt without a passphrase", ("build", "--encrypt", "--out", "built"), None),
    ("build into a file", ("build", "--out", "crm.yaml"), None),
    ("import a file that is not there", ("import", "customers", "no-such.xlsx"), None),
    ("export", ("export", "customers", "--out", "customers.xlsx"), None),
]


@pytest.mark.parametrize(("args", "setup"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_a_chinese_repository_reads_no_english_sentence(
    repo: DataRepo, args: tuple[str, ...], setup: Setup | None
) -> None:
    repo.config("team:\n  ming: {name: 张明}\n  hong: {name: 李红}\nlanguage: zh\n")
    if setup is not None:
        setup(repo)
    result = invoke_crm(*args, cwd=repo.root)
    output = result.stdout + result.stderr
    assert output.strip(), "every case prints something"
    assert english_in(output) == []


def test_the_scan_finds_english_and_passes_what_stays_as_written() -> None:
    assert english_in("crm: no customer has the id KH-1")
    assert english_in("Error: Invalid value for '--owner': nobody")
    assert not english_in(
        "crm：没有编号为 KH-1999999 的客户（`crm validate`）：--owner 'no such thing' customers/a.yaml"
    )
    assert not english_in("已写入 schemas/customer.schema.json")
