"""A past commit's dataset built from the working tree's loaded records plus what git says differs
(crmdata.git.snapshots) is the dataset `crm kpi --at` loads from a scratch copy of that commit: the same valid
records in the same order, the same crm.yaml, the same KPIs. Checked on a generated repository with a history
of every kind of change, and a working tree with uncommitted edits, new and deleted files."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from crmdata.engine import kpis
from crmdata.git import gitrev
from crmdata.git.records_at import load_commit
from crmdata.git.snapshots import Snapshots, record_folder
from crmdata.records.dataset import Dataset
from crmdata.records.verdict import validated
from tests.test_site_history import commit, git, init_repository
from tools.synth import generate

AS_OF = date(2026, 11, 24)
TODAY = date(2026, 11, 29)


def _records(dataset: Dataset) -> list[tuple[str, object]]:
    return [
        (dataset.file_of(record), record)
        for records in (
            dataset.customers,
            dataset.interactions,
            dataset.plans,
            dataset.opportunities,
            dataset.contracts,
        )
        for record in records
    ]


def _switch(path: Path, field: str, *values: str) -> None:
    """Set a top-level field of a record file to the first of `values` it does not hold already."""
    text = path.read_text(encoding="utf-8")
    held = re.search(rf"^{field}: (\S+)", text, flags=re.MULTILINE)
    assert held is not None, (path, field)
    value = next(value for value in values if value != held.group(1))
    path.write_text(text[: held.start(1)] + value + text[held.end(1) :], encoding="utf-8")


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A generated CRM committed on 2026-01-05, then a commit a month of every kind of change; the working
    tree then edited without committing. Returns the root and the commits, oldest first."""
    root = tmp_path_factory.mktemp("snapshots") / "crm"
    generate(root, 40, 200, 5, AS_OF, core=True)
    init_repository(root)
    commits = []

    def landed(subject: str, month: int) -> None:
        commit(root, subject, author="张明", when=f"2026-{month:02d}-05T10:00:00+08:00")
        commits.append(git(root, "rev-parse", "HEAD").strip())

    landed("start", 1)
    customers = sorted((root / "customers").glob("*.yaml"))
    interactions = sorted((root / "interactions").rglob("*.yaml"))
    first = customers[0].read_bytes()
    _switch(customers[0], "stage", "dormant", "stable")
    owners = re.findall(r"^  (\w+):", (root / "crm.yaml").read_text(encoding="utf-8"), flags=re.MULTILINE)
    _switch(customers[1], "owner", *owners)
    landed("a stage and an owner", 2)
    interactions[3].unlink()
    (root / "interactions" / "2026").mkdir(exist_ok=True)
    interactions[4].rename(root / "interactions" / "2026" / "JL-moved.yaml")
    landed("one removed, one moved", 3)
    (root / "customers" / "KH-broken.yaml").write_text("id: KH-broken\nstage: nowhere\n", encoding="utf-8")
    (root / "customers" / "KH-stray.yml").write_text("id: KH-stray\n", encoding="utf-8")
    (root / "interactions" / ".hidden").mkdir()
    (root / "interactions" / ".hidden" / "JL-hidden.yaml").write_bytes(interactions[5].read_bytes())
    (root / "customers" / "KH-link.yaml").symlink_to(customers[2].name)
    landed("a broken record, a stray file, a hidden folder, a link", 4)
    config = root / "crm.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("team:\n", "team:\n  xin: {name: 王新}\n", 1))
    _switch(customers[2], "tier", "strategic", "regular")
    landed("a new team member", 5)
    (root / "customers" / "KH-broken.yaml").unlink()
    customers[0].write_bytes(first)  # back as it was at the start
    landed("mended", 6)
    _switch(customers[3], "stage", "stable", "active")  # the working tree: edited, added, deleted
    (root / "customers" / "KH-new.yaml").write_text(
        customers[4].read_text(encoding="utf-8").replace(customers[4].stem, "KH-new"), encoding="utf-8"
    )
    interactions[6].unlink()
    git(root, "add", str(customers[3]))  # one of them staged
    return root, commits


def test_every_kind_of_path_is_read_as_load_reads_it() -> None:
    assert record_folder("customers/KH-1.yaml") == "customers"
    assert record_folder("customers/sub/KH-1.yaml") is None
    assert record_folder("customers/KH-1.yml") is None
    assert record_folder("customers/.KH-1.yaml") is None
    assert record_folder("interactions/2026/05/JL-1.yaml") == "interactions"
    assert record_folder("interactions/.old/JL-1.yaml") is None
    assert record_folder("crm.yaml") is None


def test_a_past_commits_dataset_equals_the_one_read_from_its_own_files(history: tuple[Path, list[str]]) -> None:
    root, commits = history
    current = validated(root, today=TODAY).dataset
    repo = gitrev.repository(root)
    snapshots = Snapshots(repo, current)
    for commit_id in [*commits, commits[2], commits[0]]:  # each once, then again out of order
        built = snapshots.dataset_at(commit_id)
        loaded = load_commit(repo, commit_id, root, TODAY)
        assert loaded is not None
        expected = loaded.dataset
        assert _records(built) == _records(expected), commit_id
        assert built.config == expected.config
        assert kpis.report(built, AS_OF) == kpis.report(expected, AS_OF)
    last = snapshots.dataset_at(commits[-1])
    shared = {id(record) for record in current.customers} & {id(record) for record in last.customers}
    assert len(shared) >= len(current.customers) - 3  # the working tree's records, not copies
    assert "KH-new" not in {customer.id for customer in last.customers}  # uncommitted: not in the past


def test_content_keys_follow_the_records(history: tuple[Path, list[str]]) -> None:
    """Every record of a snapshot has the content key of its file at that commit (the site's kept KPIs and
    page keys read them)."""
    root, commits = history
    current = validated(root, today=TODAY).dataset
    repo = gitrev.repository(root)
    built = Snapshots(repo, current).dataset_at(commits[1])
    loaded = load_commit(repo, commits[1], root, TODAY)
    assert loaded is not None
    theirs = {path: loaded.dataset.record_keys[id(record)] for path, record in _records(loaded.dataset)}
    mine = {path: built.record_keys.get(id(record)) for path, record in _records(built)}
    assert mine == theirs


def test_a_huge_blob_is_read_no_further_than_the_limit(tmp_path: Path) -> None:
    """A commit's 3 MB file: read_blobs with a limit keeps its first limit + 1 bytes (a reader then says it is
    too large, as load() says of such a file) and the blobs after it in the same stream are read whole."""
    root = tmp_path / "repo"
    init_repository(root)
    (root / "customers").mkdir()
    (root / "customers" / "KH-big.yaml").write_bytes(b"notes: " + b"x" * 3_000_000 + b"\n")
    (root / "customers" / "KH-small.yaml").write_bytes(b"id: KH-small\n")
    commit(root, "a huge file", author="张明", when="2026-03-01T09:00:00+08:00")
    repo = gitrev.repository(root)
    big, small = (git(root, "rev-parse", f"HEAD:customers/{name}").strip() for name in ("KH-big.yaml", "KH-small.yaml"))
    bounded = gitrev.read_blobs(repo, [big, small], max_bytes=1000)
    assert len(bounded[big]) == 1001 and bounded[small] == b"id: KH-small\n"
    assert len(gitrev.read_blobs(repo, [big, small])[big]) == 3_000_008  # no limit: the whole blob
