"""Customer pages are rendered again only when their inputs changed (site_builder.page_keys).

Real repositories written to disk, real `crm build`s. The correctness test edits the records, crm.yaml,
the as-of day and git, and after each edit compares, byte for byte, every staged page of the build that
used its keys with the pages a build without keys renders in another process (another hash seed).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import jinja2
import pytest

import site_builder.keyed_pages as keyed_rendering
import site_builder.plugin
import site_builder.render
from crmdata.records.validate import validate
from crmdata.records.vocabulary import PHRASES
from site_builder.page_keys import Fingerprints, fingerprint
from tests.conftest import CrmRun, DataRepo, invoke_crm, run_crm
from tests.test_site_history import commit, git, init_repository

AS_OF = "2026-11-24"


def staging_of(repo: DataRepo) -> Path:
    return repo.root / ".crm-cache" / "site" / "public"


def keys_file(repo: DataRepo) -> Path:
    return repo.root / ".crm-cache" / "site" / "public.keys.json"


def build(repo: DataRepo, *, as_of: str = AS_OF, run: Callable[..., CrmRun] = invoke_crm, seed: str = "") -> CrmRun:
    """`crm build` into the same output folder each time, as a user builds (the previous site's current files
    are reused, site_builder.reuse; what these tests compare is the staged Markdown in the repository's cache)."""
    out = repo.root.parent / "out"
    env = {**os.environ, "PYTHONHASHSEED": seed} if seed else None
    result = run("build", "--root", str(repo.root), "--as-of", as_of, "--out", str(out), env=env)
    assert result.returncode == 0, result.stderr
    return result


def keyed_counts(output: str, language: str = "zh") -> tuple[int, int]:
    """(rendered, current) from the build's line about its customer pages."""
    word = getattr(PHRASES["plugin_keyed_pages"], language)
    pattern = (
        re.escape(word).replace(re.escape("{rendered:,}"), "([0-9,]+)").replace(re.escape("{current:,}"), "([0-9,]+)")
    )
    found = re.findall(pattern, output)
    assert len(found) == 1, f"no single line {word!r} in:\n{output}"
    rendered, current = found[0]
    return int(rendered.replace(",", "")), int(current.replace(",", ""))


def language_of(repo: DataRepo) -> str:
    return "en" if "language: en" in (repo.root / "crm.yaml").read_text(encoding="utf-8") else "zh"


def staged(repo: DataRepo) -> dict[str, bytes]:
    folder = staging_of(repo)
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def kept_results(repo: DataRepo) -> set[str]:
    """The names of the results kept for the next build (site_builder.kept: charts, calendar feeds, KPIs)."""
    site = repo.root / ".crm-cache" / "site"
    return {path.relative_to(site).as_posix() for name in ("public-kept", "public-kpis")
            for path in (site / name).rglob("*") if path.is_file()}  # fmt: skip


def keyed_pages(repo: DataRepo) -> list[str]:
    """The keyed pages: every customer page and every page of a full list (lists/)."""
    return sorted([*customer_pages(repo), *(src for src in staged(repo) if src.startswith("lists/"))])


def customer_pages(repo: DataRepo) -> list[str]:
    return sorted(src for src in staged(repo) if src.startswith("customers/") and src.endswith(".md") and
                  src != "customers/index.md")  # fmt: skip


def write_crm(repo: DataRepo) -> None:
    """Three customers (one referred by another), enough conversations and todos for further pages, plans,
    opportunities and contracts."""
    repo.customer("KH-A", name="甲公司", industry="软件")
    repo.customer("KH-B", name="乙公司", referred_by="KH-A")
    repo.customer("KH-C", name="丙公司", owner="hong")
    for n in range(20):
        repo.interaction(f"JL-A{n:02d}", "KH-A", f"2026-{1 + n // 2:02d}-{10 + n % 2:02d}", satisfaction="4")
    todos = "".join(f"  - {{task: 事项{n}, due: 2026-10-{1 + n % 28:02d}}}\n" for n in range(35))
    repo.interaction("JL-B01", "KH-B", "2026-09-01", "todos:\n" + todos)
    repo.interaction("JL-C01", "KH-C", "2026-11-01", owner="hong", kind="complaint")
    repo.plan("JH-A1", "KH-A")
    repo.opportunity("SJ-B1", "KH-B")
    repo.contract("HT-A1", "KH-A", start="2026-01-01", end="2026-12-31", amount="100000")
    repo.contract("HT-C1", "KH-C", start="2026-02-01", end="2027-01-31", amount="80000", owner="hong")


def test_a_second_build_without_change_renders_no_customer_page_again(repo: DataRepo) -> None:
    write_crm(repo)
    first = build(repo, run=run_crm, seed="1")
    pages = keyed_pages(repo)
    assert "customers/KH-A-2.md" in pages and "customers/KH-B-todos-2.md" in pages  # further pages are keyed too
    assert "lists/todos.md" in pages  # and the full lists
    assert keyed_counts(first.stderr) == (len(pages), 0)
    before = {src: (staging_of(repo) / src).stat().st_mtime_ns for src in pages}
    again = build(repo, run=run_crm, seed="2")  # another process, another hash seed: the same keys
    assert keyed_counts(again.stderr) == (0, len(pages))
    assert {src: (staging_of(repo) / src).stat().st_mtime_ns for src in pages} == before
    repo.interaction("JL-C02", "KH-C", "2026-11-20", owner="hong")
    edited = build(repo)
    rendered, current = keyed_counts(edited.stderr)
    assert rendered + current == len(pages) and current > 0
    changed = {src for src in customer_pages(repo) if (staging_of(repo) / src).stat().st_mtime_ns != before[src]}
    assert changed == {"customers/KH-C.md"}  # of the customer pages, only KH-C's


def test_a_page_whose_staged_file_was_touched_is_rendered_again(repo: DataRepo) -> None:
    write_crm(repo)
    build(repo)
    page = staging_of(repo) / "customers/KH-A.md"
    original = page.read_bytes()
    page.write_bytes(original.replace("甲公司".encode(), "改过".encode()))  # same key, another file
    again = build(repo)
    assert keyed_counts(again.stderr)[0] == 1
    assert page.read_bytes() == original


Edit = Callable[[DataRepo], str | None]
"""An edit of the repository; returns the as-of day of the builds after it when it moves it."""


def edit_customer_field(repo: DataRepo) -> None:
    repo.customer("KH-A", name="甲公司", industry="制造业")


def edit_interaction(repo: DataRepo) -> None:
    repo.interaction("JL-A05", "KH-A", "2026-03-10", satisfaction="2", topic="改过的回访")


def edit_contract_moves_another_customers_suggested_value(repo: DataRepo) -> None:
    repo.contract("HT-B1", "KH-B", start="2026-05-01", end="2027-04-30", amount="900000")


def edit_renewal(repo: DataRepo) -> None:
    repo.contract("HT-A2", "KH-A", "renews: HT-A1", start="2027-01-01", end="2027-12-31", amount="110000",
                  signed_on="2026-11-01")  # fmt: skip


def edit_referrer_renamed(repo: DataRepo) -> None:
    repo.customer("KH-A", name="甲集团", industry="制造业")


def edit_owner_name(repo: DataRepo) -> None:
    repo.config("team:\n  ming: {name: 张明明}\n  hong: {name: 李红}\n")


def edit_language(repo: DataRepo) -> None:
    repo.config("team:\n  ming: {name: 张明明}\n  hong: {name: 李红}\nlanguage: en\n")


def edit_as_of(repo: DataRepo) -> str:
    return "2026-11-25"


def edit_commit(repo: DataRepo) -> str:
    repo.interaction("JL-C03", "KH-C", "2026-11-21", owner="hong", topic="提交后的回访")
    commit(repo.root, "记录回访", author="李红", when="2026-11-22T10:00:00+08:00")
    return "2026-11-25"


def edit_customer_deleted(repo: DataRepo) -> str:
    for path in [repo.root / "customers/KH-C.yaml", *repo.root.glob("interactions/*/JL-C*.yaml"),
                 repo.root / "contracts/HT-C1.yaml"]:  # fmt: skip
        path.unlink()
    return "2026-11-25"


EDITS: list[Edit] = [
    edit_customer_field,
    edit_interaction,
    edit_contract_moves_another_customers_suggested_value,
    edit_renewal,
    edit_referrer_renamed,
    edit_owner_name,
    edit_language,
    edit_as_of,
    edit_commit,
    edit_customer_deleted,
]


def test_after_every_edit_the_pages_kept_by_their_keys_equal_a_build_without_keys(repo: DataRepo) -> None:
    write_crm(repo)
    init_repository(repo.root)
    git(repo.root, "add", ".")
    commit(repo.root, "初始记录", author="张明", when="2026-11-01T10:00:00+08:00")
    as_of = AS_OF
    build(repo, as_of=as_of, run=run_crm)
    kept = 0
    for edit in EDITS:
        as_of = edit(repo) or as_of
        keyed = build(repo, as_of=as_of, run=run_crm)  # with the last build's keys
        kept += keyed_counts(keyed.stderr, language_of(repo))[1]
        with_keys = staged(repo)
        keys_file(repo).unlink()
        fresh = build(repo, as_of=as_of, run=run_crm)  # another process, another hash seed, every page rendered
        assert keyed_counts(fresh.stderr, language_of(repo))[1] == 0
        without_keys = staged(repo)
        differing = sorted(src for src in with_keys.keys() | without_keys.keys()
                           if with_keys.get(src) != without_keys.get(src))  # fmt: skip
        assert not differing, f"after {edit.__name__}, pages kept by their keys differ from a fresh render: {differing}"
    assert kept > 0  # the keys were used: some pages were kept, and they were right


UNDECLARED = "{{ data.timeline_of }}"


def test_a_keyed_template_reading_an_undeclared_input_fails_with_the_page_and_the_name(
    repo: DataRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = resources.files("site_builder").joinpath("templates/customer_timeline.md.j2").read_text("utf-8")
    changed = jinja2.DictLoader({"customer_timeline.md.j2": original + UNDECLARED})

    def loader(package: str, folder: str) -> jinja2.BaseLoader:
        return jinja2.ChoiceLoader([changed, jinja2.PackageLoader(package, folder)])

    monkeypatch.setattr(site_builder.render, "PackageLoader", loader)
    write_crm(repo)
    out = repo.root.parent / "out"
    refused = invoke_crm("build", "--root", str(repo.root), "--as-of", AS_OF, "--out", str(out))
    assert refused.returncode != 0
    assert "customers/KH-A-2.md" in refused.stderr and "data.timeline_of" in refused.stderr, refused.stderr
    assert "Traceback" not in refused.stderr
    assert not keys_file(repo).exists()  # a build that stopped leaves no key


FINGERPRINT_OF = """
import sys
from datetime import date
from crmdata.records.models import Stage
from site_builder.page_keys import fingerprint
value = {"tags": {"甲", "乙", "丙", "alpha", "beta", "gamma"}, "stage": Stage.ACTIVE, "day": date(2026, 11, 24),
         "kinds": frozenset({Stage.ACTIVE, Stage.CHURNED, Stage.DORMANT}), "rows": [("a", 1), ("b", 2.5)]}
if sys.argv[1] == "changed":
    value["tags"].add("delta")
sys.stdout.write(fingerprint(value).hex())
"""


def test_a_fingerprint_is_the_same_in_every_process_and_changes_with_the_value() -> None:
    def in_process(seed: str, variant: str = "same") -> str:
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", FINGERPRINT_OF, variant], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    first = in_process("1")
    assert {in_process(seed) for seed in ("2", "3", "4")} == {first}  # sets' order follows the hash seed
    assert in_process("2", "changed") != first


def test_a_value_without_a_fingerprint_rule_is_refused_by_its_type_name() -> None:
    class Opaque:
        pass

    with pytest.raises(TypeError, match=r"no rule for .*Opaque"):
        fingerprint({"customer": [Opaque()]})


def test_a_record_read_from_a_file_is_fingerprinted_by_the_files_content(repo: DataRepo) -> None:
    """Dataset.record_keys: the same bytes make the same record, so its content key stands for it; a record
    that was not read through the cache (no key) is encoded field by field as before."""
    write_crm(repo)
    dataset = validate(repo.root).dataset
    customer = dataset.customers[0]
    content = dataset.record_keys[id(customer)]
    assert content  # read through the cache: every record of a loaded repository has its key
    by_content = Fingerprints(dataset.record_keys)
    assert by_content({"customer": customer}) != Fingerprints()({"customer": customer})
    copy = customer.model_copy()  # another object: not known by identity, encoded field by field
    assert by_content({"customer": copy}) == Fingerprints()({"customer": customer})
    assert Fingerprints({id(copy): content})({"customer": copy}) == by_content({"customer": customer})


_TWO_PROCESSES = """
import os, sys
import site_builder.keyed_pages as keyed
import site_builder.plugin as plugin
keyed.PARALLEL_CUSTOMERS, keyed.SPARE_MEMORY_MB = 1, 0  # a worker for this small repository
PID_FILE = sys.argv[1]
def noting_its_process():
    with open(PID_FILE, "w", encoding="utf-8") as noted:
        noted.write(str(os.getpid()))
    return keyed.render_worker_share()
plugin.render_worker_share = noting_its_process
plugin.CLAIM_CHUNK = 1  # after an edit, the build and the worker claim one customer at a time
import site_builder.kpis_beside as kpis_beside
in_the_worker = kpis_beside._in_the_worker
def noting_the_kpis_process():
    with open(PID_FILE + ".kpis", "w", encoding="utf-8") as noted:
        noted.write(str(os.getpid()))
    return in_the_worker()
kpis_beside._in_the_worker = noting_the_kpis_process
from crmdata.cli.main import main
sys.argv = ["crm", *sys.argv[2:]]
main()
"""
"""`crm build` in a process of its own (one thread, as crm runs: the worker is forked only then) with a worker
for any number of customers, the worker leaving its pid in the file named first, and the process working out
the KPIs beside the site's data (site_builder.kpis_beside) in that file's name and ".kpis"."""


def test_keyed_pages_rendered_by_two_processes_are_those_one_process_renders(repo: DataRepo, tmp_path: Path) -> None:
    """A third of the customers in a worker (site_builder.keyed_pages): the same staged pages, keys and site,
    and the worker really is another process; the next build finds every page current."""
    write_crm(repo)
    out = repo.root.parent / "out"
    build(repo)
    serial = {src: (staging_of(repo) / src).read_bytes() for src in keyed_pages(repo)}
    site = {path.relative_to(out): path.read_bytes() for path in out.rglob("*.html")}
    assert len(site) > 10
    (repo.root / ".crm-cache" / "site").rename(tmp_path / "serial-cache")  # a first build: most pages to render
    pid_file = tmp_path / "worker.pid"
    command = ["build", "--root", str(repo.root), "--as-of", AS_OF, "--out", str(out)]
    both = subprocess.run(
        [sys.executable, "-c", _TWO_PROCESSES, str(pid_file), *command], capture_output=True, text=True, check=False
    )
    assert both.returncode == 0, both.stderr
    assert keyed_counts(both.stderr) == (len(serial), 0)
    assert int(pid_file.read_text(encoding="utf-8")) != os.getpid()
    assert {src: (staging_of(repo) / src).read_bytes() for src in keyed_pages(repo)} == serial
    assert {path.relative_to(out): path.read_bytes() for path in out.rglob("*.html")} == site
    again = build(repo)
    assert keyed_counts(again.stderr) == (0, len(serial))


def test_a_second_process_only_with_many_customers_and_memory_to_spare(monkeypatch: pytest.MonkeyPatch) -> None:
    assert keyed_rendering.available_memory_mb() > 0  # this machine's MemAvailable, read from /proc/meminfo
    monkeypatch.setattr(keyed_rendering.threading, "active_count", lambda: 2)
    assert not keyed_rendering.worth_a_second_process(10_000)  # a fork beside another thread could hang
    monkeypatch.setattr(keyed_rendering.threading, "active_count", lambda: 1)
    monkeypatch.setattr(keyed_rendering, "available_memory_mb", lambda: 8192)
    assert keyed_rendering.worth_a_second_process(10_000) == (len(os.sched_getaffinity(0)) > 1)
    assert not keyed_rendering.worth_a_second_process(100)
    monkeypatch.setattr(keyed_rendering, "available_memory_mb", lambda: 2048)
    assert not keyed_rendering.worth_a_second_process(10_000)


def test_after_every_edit_a_worker_claiming_customers_keeps_what_one_process_keeps(
    repo: DataRepo, tmp_path: Path
) -> None:
    """CLAIM_CHUNK (site_builder.keyed_pages): once the last build's keys cover the customers, the worker and the
    build claim the customers' pages in turns — their keys, and the few that changed — the worker making the
    calendar feeds first, the build rendering the rest first (one customer a claim here, so both take some).
    After each edit of EDITS, built that way, the staged pages and feeds equal those of a build without keys,
    and the results kept for the next build are the same (the feeds the worker made included); the worker is
    another process; and pages are kept, so the worker did find the current ones."""
    write_crm(repo)
    init_repository(repo.root)
    git(repo.root, "add", ".")
    commit(repo.root, "初始记录", author="张明", when="2026-11-01T10:00:00+08:00")
    pid_file = tmp_path / "worker.pid"

    def with_a_worker(*args: str, env: dict[str, str] | None = None) -> CrmRun:
        pid_file.unlink(missing_ok=True)
        return subprocess.run(
            [sys.executable, "-c", _TWO_PROCESSES, str(pid_file), *args],
            capture_output=True, text=True, check=False, env=env, timeout=300,
        )  # fmt: skip

    as_of = AS_OF
    build(repo, as_of=as_of, run=with_a_worker)  # a first build: a third of the customers in the worker
    kept = 0
    for edit in EDITS:
        as_of = edit(repo) or as_of
        keyed = build(repo, as_of=as_of, run=with_a_worker)
        assert int(pid_file.read_text(encoding="utf-8")) != os.getpid()
        kpis_pid = pid_file.with_name(pid_file.name + ".kpis")
        assert int(kpis_pid.read_text(encoding="utf-8")) not in (os.getpid(), int(pid_file.read_text("utf-8")))
        rendered, current = keyed_counts(keyed.stderr, language_of(repo))
        kept += current
        with_keys = staged(repo)
        kept_by_both = kept_results(repo)
        keys_file(repo).unlink()
        fresh = build(repo, as_of=as_of, run=run_crm)  # one process, every page rendered
        assert keyed_counts(fresh.stderr, language_of(repo)) == (rendered + current, 0)
        assert kept_by_both == kept_results(repo), f"after {edit.__name__}, what the workers made was not kept"
        without_keys = staged(repo)
        differing = sorted(src for src in with_keys.keys() | without_keys.keys()
                           if with_keys.get(src) != without_keys.get(src))  # fmt: skip
        assert not differing, f"after {edit.__name__}, the worker's kept pages differ from a fresh render: {differing}"
        build(repo, as_of=as_of, run=with_a_worker)  # the keys again, for the next edit
    assert kept > 0
