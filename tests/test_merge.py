"""`crm merge DUPLICATE INTO` on a real repository: every reference in every record type rewritten, what
only the duplicate knew kept, its file removed, the result valid; refusals and --dry-run write nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import DataRepo, changed_lines, invoke_crm


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*.yaml"))
        if ".crm-cache" not in path.parts
    }


@pytest.fixture
def twins(repo: DataRepo) -> DataRepo:
    """KH-2024001 (from conftest) and its duplicate KH-2024009, referenced from every record type."""
    repo.put(
        """\
        # 重复录入的客户
        id: KH-2024009
        name: 华星科技
        type: enterprise
        tier: regular
        stage: active
        owner: hong
        since: 2024-02-01
        industry: 制造业
        source: 行业展会
        tags: [华南, 出口]
        needs:
          - 降低成本
        contacts:
          - name: 李雷
            email: lilei@example.com
          - name: 韩梅梅
            phone: "13900139000"
            primary: true
        consent: {given: true}
        notes: 展会上认识
        """
    )
    repo.customer("KH-2024002", "# 由重复客户介绍\n", referred_by="KH-2024009")
    repo.interaction("JL-2024009", "'KH-2024009'", "2024-03-05", "# 展会后第一次电话\n")
    repo.plan("JH-2024001", "KH-2024009")
    repo.opportunity("SJ-2024001", "KH-2024009")
    repo.contract("HT-2024001", "KH-2024009", "payments:\n  - {due: 2024-06-30, amount: 60000}\n")
    return repo


def test_merge_rewrites_every_reference_and_keeps_what_only_the_duplicate_knew(twins: DataRepo) -> None:
    root = twins.root
    assert invoke_crm("validate", "--root", str(root)).returncode == 0
    before = _snapshot(root)
    result = invoke_crm("merge", "KH-2024009", "KH-2024001", "--root", str(root))
    assert result.returncode == 0, result.stderr
    after = _snapshot(root)
    assert "customers/KH-2024009.yaml" not in after
    assert set(before) - set(after) == {"customers/KH-2024009.yaml"}
    changed = {path for path in after if after[path] != before[path]}
    assert changed == {
        "customers/KH-2024001.yaml",
        "customers/KH-2024002.yaml",
        "interactions/2024/JL-2024009.yaml",
        "plans/JH-2024001.yaml",
        "opportunities/SJ-2024001.yaml",
        "contracts/HT-2024001.yaml",
    }
    for path in ("plans/JH-2024001.yaml", "opportunities/SJ-2024001.yaml", "contracts/HT-2024001.yaml"):
        assert changed_lines(before[path], after[path]) == ([b"customer: KH-2024009\n"], [b"customer: KH-2024001\n"])
    interaction = "interactions/2024/JL-2024009.yaml"
    assert changed_lines(before[interaction], after[interaction]) == (
        [b"customer: 'KH-2024009'\n"],
        [b"customer: 'KH-2024001'\n"],
    )
    referred = "customers/KH-2024002.yaml"
    assert changed_lines(before[referred], after[referred]) == (
        [b"referred_by: KH-2024009\n"],
        [b"referred_by: KH-2024001\n"],
    )
    into = after["customers/KH-2024001.yaml"].decode()
    removed, _added = changed_lines(before["customers/KH-2024001.yaml"], after["customers/KH-2024001.yaml"])
    assert removed == []
    assert "industry: 制造业\n" in into and "source: 行业展会\n" in into
    assert "    email: lilei@example.com\n" in into  # the same person: INTO's 李雷 gains the e-mail
    assert into.count("name: 李雷") == 1
    assert "  - name: 韩梅梅\n" in into
    assert into.count("primary: true") == 1  # INTO's primary contact stays the only one
    assert "降低成本" in into and "华南" in into and "出口" in into
    assert "notes: 展会上认识\n" in into
    assert "since: 2024-02-01" not in into  # INTO's own fields win
    assert "owner: ming\n" in into
    assert all(line.decode() in into for line in before["customers/KH-2024001.yaml"].splitlines(keepends=True))
    assert invoke_crm("validate", "--root", str(root)).returncode == 0


def test_dry_run_names_the_files_and_writes_nothing(twins: DataRepo) -> None:
    before = _snapshot(twins.root)
    result = invoke_crm("merge", "KH-2024009", "KH-2024001", "--dry-run", "--root", str(twins.root))
    assert result.returncode == 0, result.stderr
    for path in ("plans/JH-2024001.yaml", "contracts/HT-2024001.yaml", "customers/KH-2024002.yaml"):
        assert path in result.stdout
    assert "customers/KH-2024009.yaml" in result.stdout
    assert _snapshot(twins.root) == before


def test_into_referred_by_the_duplicate_loses_the_referral(twins: DataRepo) -> None:
    result = invoke_crm("merge", "KH-2024001", "KH-2024002", "--root", str(twins.root))
    assert result.returncode == 0, result.stderr  # KH-2024002 was referred by KH-2024009, not by KH-2024001
    result = invoke_crm("merge", "KH-2024009", "KH-2024002", "--root", str(twins.root))
    assert result.returncode == 0, result.stderr
    assert "referred_by" not in (twins.root / "customers" / "KH-2024002.yaml").read_text(encoding="utf-8")
    assert invoke_crm("validate", "--root", str(twins.root)).returncode == 0


def test_a_merge_whose_result_would_not_validate_writes_nothing(twins: DataRepo) -> None:
    # Each customer's notes fit the 1 MiB limit of one record file; both joined in INTO's would not.
    big = "长" * 200_000  # 600,000 bytes of UTF-8
    twins.customer("KH-2024003", f"notes: {big}一")
    twins.customer("KH-2024004", f"notes: {big}二")
    assert invoke_crm("validate", "--root", str(twins.root)).returncode == 0
    before = _snapshot(twins.root)
    result = invoke_crm("merge", "KH-2024004", "KH-2024003", "--root", str(twins.root))
    assert result.returncode == 1
    assert "customers/KH-2024003.yaml:1:1:" in result.stderr
    assert "--max-file-size" in result.stderr
    assert _snapshot(twins.root) == before


def test_merge_refusals_write_nothing(twins: DataRepo) -> None:
    before = _snapshot(twins.root)
    refusals = {  # merging a customer into itself: 1; an unknown customer: 2, a usage error as in crm log
        ("KH-2024009", "KH-2024009"): 1,
        ("KH-1999999", "KH-2024001"): 2,
        ("KH-2024009", "KH-1999999"): 2,
    }
    for args, code in refusals.items():
        result = invoke_crm("merge", *args, "--root", str(twins.root))
        assert result.returncode == code, args
        assert "Traceback" not in result.stderr
        assert _snapshot(twins.root) == before


def test_merge_needs_a_valid_repository(twins: DataRepo) -> None:
    twins.write("interactions/2024/JL-2024077.yaml", "id: JL-2024077\ncustomer: [broken\n")
    before = _snapshot(twins.root)
    result = invoke_crm("merge", "KH-2024009", "KH-2024001", "--root", str(twins.root))
    assert result.returncode == 1
    assert "JL-2024077" in result.stderr
    assert _snapshot(twins.root) == before


def test_a_write_failing_half_way_puts_back_every_file(twins: DataRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from crmdata.authoring import edits

    real_replace = os.replace
    replaced: list[str] = []

    def failing_replace(source: str | Path, target: str | Path) -> None:
        if "contracts" in str(target) and Path(source).name.endswith(".tmp"):
            raise OSError(28, "No space left on device", str(target))
        replaced.append(str(target))
        real_replace(source, target)

    before = _snapshot(twins.root)
    monkeypatch.setattr(edits.os, "replace", failing_replace)
    result = invoke_crm("merge", "KH-2024009", "KH-2024001", "--root", str(twins.root))
    assert result.returncode == 1
    assert "No space left on device" in result.stderr
    assert replaced  # some files were replaced before the failure, and put back
    assert _snapshot(twins.root) == before
    assert not [path for path in twins.root.rglob("*") if path.name.endswith(".tmp")]
