"""A calendar feed that changed is written with icalendar only for its new events: the others are kept per owner
(site_builder.pages, kept_answers), and the feed is byte for byte the one a build from nothing writes.

Seen from outside: `crm build` runs in a process of its own counting, in a file, every event icalendar writes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

from tools.synth import generate

AS_OF = "2026-11-24"

_COUNTED = """
import sys
import site_builder.pages as pages
COUNT = sys.argv[1]
written = pages.event_bytes
def counted(*args, **kwargs):
    with open(COUNT, "a", encoding="utf-8") as count:
        count.write("1\\n")
    return written(*args, **kwargs)
pages.event_bytes = counted
from crmdata.cli.main import main
sys.argv = ["crm", *sys.argv[2:]]
main()
"""


def _build(repo: Path, out: Path, count: Path) -> int:
    """`crm build` of `repo` into `out`; how many events icalendar wrote."""
    count.unlink(missing_ok=True)
    command = ["build", "--root", str(repo), "--as-of", AS_OF, "--out", str(out)]
    built = subprocess.run(
        [sys.executable, "-c", _COUNTED, str(count), *command], capture_output=True, text=True, check=False, timeout=600
    )
    assert built.returncode == 0, built.stderr
    return len(count.read_text(encoding="utf-8").splitlines()) if count.exists() else 0


def _feeds(site: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted((site / "calendar").glob("*.ics"))}


def test_a_call_logged_today_writes_only_its_owners_new_events(tmp_path: Path) -> None:
    repo, out, count = tmp_path / "crm", tmp_path / "out", tmp_path / "count"
    generate(repo, 60, 300, 3, date.fromisoformat(AS_OF), core=True)
    first = _build(repo, out, count)
    assert first >= 50  # every event of every feed
    assert _build(repo, out, count) == 0  # nothing changed: every feed as it was
    feeds_before = _feeds(out)

    customer = sorted((repo / "customers").glob("*.yaml"))[5]
    customer_id = customer.stem
    owner = next(line.split(":", 1)[1].strip() for line in customer.read_text(encoding="utf-8").splitlines()
                 if line.startswith("owner:"))  # fmt: skip
    call = repo / "interactions" / AS_OF[:4] / "JL-29990001.yaml"
    call.write_text(
        f"id: JL-29990001\ndate: {AS_OF}\ncustomer: {customer_id}\nchannel: phone\nowner: {owner}\n"
        "topic: 回访\nsummary: 今天打了电话\n",
        encoding="utf-8",
    )
    again = _build(repo, out, count)
    feeds_after = _feeds(out)
    changed = sorted(name for name in feeds_after if feeds_after[name] != feeds_before.get(name))
    assert changed == [f"{owner}.ics"]  # the customer's follow-up moved in its owner's feed only
    assert 0 < again <= 3, again  # its new event(s), not the owner's whole feed

    shutil.rmtree(repo / ".crm-cache")
    assert _build(repo, tmp_path / "full", count) >= first  # from nothing: every event written
    assert _feeds(out) == _feeds(tmp_path / "full")
