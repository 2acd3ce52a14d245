"""The parse cache: fast re-runs, never stale, and harmless when planted by someone else."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from crmdata.records.cache import ParseCache, content_key
from tests.conftest import DataRepo, invoke_crm

BAD_NAME = """\
id: KH-2024002
name: 王芳
type: individual
tier: regular
stage: active
owner: ming
since: 2024-01-10
consent: {given: true}
cadence_days: 0
"""


def test_a_run_leaves_a_self_ignoring_cache(repo: DataRepo) -> None:
    assert invoke_crm("validate", "--root", str(repo.root)).returncode == 0
    cache = repo.root / ".crm-cache"
    assert len(list((cache / "parse").glob("*.pickle"))) >= 1
    assert (cache / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"


def test_no_cache_writes_nothing(repo: DataRepo) -> None:
    assert invoke_crm("validate", "--no-cache", "--root", str(repo.root)).returncode == 0
    assert not (repo.root / ".crm-cache").exists()


def test_an_edited_file_is_read_again(repo: DataRepo) -> None:
    assert invoke_crm("validate", "--root", str(repo.root)).returncode == 0
    repo.put(
        (repo.root / "interactions/2024/JL-2024001.yaml").read_text().replace("channel: phone", "channel: fax"),
    )
    result = invoke_crm("validate", "--root", str(repo.root))
    assert result.returncode == 1
    assert "interactions/2024/JL-2024001.yaml:4:10: channel: 'fax' 不是可选的值：" in result.stdout


def _poison(root: Path, bad_file: Path, key_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Write a cache saying the bad file's bytes parse to valid data, signed with `key_home`'s key."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(key_home))
    cache = ParseCache(root)
    good = {
        **dict(line.split(": ", 1) for line in BAD_NAME.splitlines() if not line.startswith(("consent", "cadence")))
    }
    cache.put(content_key(bad_file.read_bytes()), good, bad_file.relative_to(root).as_posix())
    cache.save()


def test_a_cache_signed_by_someone_else_is_ignored(
    repo: DataRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = repo.put(BAD_NAME)
    _poison(repo.root, bad, tmp_path / "attacker", monkeypatch)
    victim = tmp_path / "victim"
    monkeypatch.setenv("XDG_CACHE_HOME", str(victim))
    result = invoke_crm("validate", "--root", str(repo.root))
    assert result.returncode == 1
    assert "customers/KH-2024002.yaml:9:15: cadence_days: 至少应为 1，这里是 0" in result.stdout


def test_the_poisoned_cache_would_work_with_its_own_key(
    repo: DataRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control for the test above: the signature, not luck, is what keeps the poison out."""
    bad = repo.put(BAD_NAME)
    _poison(repo.root, bad, tmp_path / "attacker", monkeypatch)
    result = invoke_crm("validate", "--root", str(repo.root))
    assert "cadence_days" not in result.stdout


class _RunsCode:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        import os

        return os.system, (f"touch {self.marker}",)


def test_a_signed_cache_cannot_run_code(repo: DataRepo, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    cache = ParseCache(repo.root)
    payload = pickle.dumps({b"k" * 16: {"x": _RunsCode(marker)}})
    assert cache.key is not None
    signature = cache.signature(payload)  # signed with the user's own key: only the unpickler stands in the way
    cache.folder.mkdir(parents=True)
    (cache.folder / f"{ord('k'):02x}.pickle").write_bytes(signature + payload)
    assert ParseCache(repo.root).entries == {}
    assert not marker.exists()
    assert invoke_crm("validate", "--root", str(repo.root)).returncode == 0
    assert not marker.exists()


def test_editing_one_file_rewrites_one_shard(tmp_path: Path) -> None:
    """The file's shard (that of its run of names) loses the old content's entry and gains the new one;
    nothing else is written."""
    from datetime import date

    from tools.synth import generate

    root = tmp_path / "crm"
    generate(root, customers=40, interactions=400, seed=5, as_of=date(2026, 11, 24))
    assert invoke_crm("validate", "--root", str(root)).returncode == 0
    shards = root / ".crm-cache" / "parse"
    before = {path.name: path.stat().st_mtime_ns for path in shards.iterdir()}
    assert len(before) > 10  # 600 records in runs of 100 names: about 20 shards
    edited = next((root / "interactions").rglob("*.yaml"))
    edited.write_text(edited.read_text(encoding="utf-8").replace("topic: ", "topic: 改 ", 1), encoding="utf-8")
    assert invoke_crm("validate", "--root", str(root)).returncode == 0
    after = {path.name: path.stat().st_mtime_ns for path in shards.iterdir()}
    rewritten = [name for name in after if after[name] != before.get(name)]
    assert len(rewritten) == 1, rewritten
    edited.unlink()
    assert invoke_crm("validate", "--root", str(root)).returncode == 0
    records = sum(1 for path in root.rglob("*.yaml") if path.parent != root and ".crm-cache" not in path.parts)
    assert records >= 439  # 40 customers and 399 interactions, and the plans, deals and contracts
    assert sum(len(shard) for shard in ParseCache(root).shards) == records, "the deleted file's entry is pruned"


def test_crm_yaml_is_validated_once_and_again_when_it_changes(repo: DataRepo) -> None:
    """The validated crm.yaml is kept by its bytes (crmdata.records.cache.keep_config): a second run takes it
    from the cache, and an edit of crm.yaml is validated again (a mistake in it is reported, not hidden)."""
    from crmdata.records.cache import kept_config

    config_file = repo.root / "crm.yaml"
    assert invoke_crm("validate", "--root", str(repo.root)).returncode == 0
    kept = kept_config(repo.root, config_file.read_bytes())
    assert kept is not None and kept.team.keys() == {"ming", "hong"}
    config_file.write_text(config_file.read_text(encoding="utf-8") + "language: xx\n", encoding="utf-8")
    assert kept_config(repo.root, config_file.read_bytes()) is None  # other bytes: not this one
    result = invoke_crm("validate", "--root", str(repo.root))
    assert result.returncode == 1
    assert "crm.yaml:4:11: language:" in result.stdout


def test_a_kept_crm_yaml_signed_by_someone_else_is_ignored(
    repo: DataRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A forged crm.yaml model (another team) planted for the repository's bytes, signed with another key."""
    from crmdata.records.cache import keep_config
    from crmdata.records.models import CrmConfig

    raw = (repo.root / "crm.yaml").read_bytes()
    forged = CrmConfig.model_validate({"team": {"mallory": {"name": "Mallory"}}})
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "attacker"))
    keep_config(repo.root, raw, forged)
    result = invoke_crm("validate", "--root", str(repo.root))  # the control: with its own key it is used
    assert result.returncode == 1
    assert "mallory" in result.stdout  # ming and hong are not on the forged team
    keep_config(repo.root, raw, forged)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "victim"))
    result = invoke_crm("validate", "--root", str(repo.root))
    assert result.returncode == 0, result.stdout


def test_neighbouring_files_share_a_shard_in_their_order(repo: DataRepo) -> None:
    """A warm load unpickles the records of a run of names together, in file order, so they lie together in
    memory as a cold load builds them (crmdata.records.cache.shard_of says why)."""
    from crmdata.records.cache import shard_of

    paths = [repo.interaction(f"JL-2024001{n:02d}", "KH-2024001", "2024-03-01") for n in range(30)]
    relative = [path.relative_to(repo.root).as_posix() for path in paths]
    assert len({shard_of(path) for path in relative}) == 1
    assert shard_of("interactions/2024/JL-202400299.yaml") != shard_of(relative[0])  # the next run: elsewhere
    assert invoke_crm("validate", "--root", str(repo.root)).returncode == 0
    keys = [content_key(path.read_bytes()) for path in paths]
    assert list(ParseCache(repo.root).shards[shard_of(relative[0])]) == keys
    edited = repo.interaction("JL-202400105", "KH-2024001", "2024-03-01", topic="改过")
    assert invoke_crm("validate", "--root", str(repo.root)).returncode == 0
    # the old record stays while crm validate's verdict, made before the edit, may compare with it
    assert list(ParseCache(repo.root).shards[shard_of(relative[0])]) == [*keys, content_key(edited.read_bytes())]
