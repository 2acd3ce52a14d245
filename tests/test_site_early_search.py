"""After an edit, the edited customer's part of the search index is indexed before mkdocs writes any page
(site_builder.early_search), and taken into the site only when its index pages are those mkdocs' pages give.

Seen from outside: `crm build` runs in a process of its own with EarlyParts.take noting what it decided, and
the site after the edit must equal, file for file, a site built from nothing, its search finding the edit — with
the prediction right (the early index taken) and made wrong on purpose (the part indexed again)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import file_digests
from tests.pagefind_index import searchable_text
from tools.synth import generate

AS_OF = "2026-11-24"
EDIT = "feedback: 早到的索引找得到这句话 earlyword\n"

_WATCHED = """
import json, os, sys
import site_builder.early_search as early
import site_builder.plugin as plugin
NOTES, WRONG = sys.argv[1], sys.argv[2]
if os.environ.get("EARLY_PAGES"):
    plugin.EARLY_PAGES = int(os.environ["EARLY_PAGES"])
take, predicted = early.EarlyParts.take, early.predicted_pages
def noting(self, part, digest, into):
    counts = take(self, part, digest, into)
    with open(NOTES, "a", encoding="utf-8") as notes:
        notes.write(json.dumps([part, counts is not None]) + "\\n")
    return counts
def predicting(*args):
    parts = predicted(*args)
    if WRONG:  # a word the page does not hold, in every predicted index page
        parts = {part: {path: text.replace("</div>", f" {WRONG}</div>") for path, text in pages.items()}
                 for part, pages in parts.items()}
    with open(NOTES, "a", encoding="utf-8") as notes:
        notes.write(json.dumps(["predicted", sorted(parts)]) + "\\n")
    return parts
early.EarlyParts.take = noting
plugin.predicted_pages = predicting
from crmdata.cli.main import main
sys.argv = ["crm", *sys.argv[3:]]
main()
"""
"""`crm build` noting, in the file named first, each part predicted and whether its early index was taken; with
a second argument, every prediction made wrong by that word; the environment's EARLY_PAGES lowers that limit."""


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """120 customers (three parts of the search index) with conversations, as of AS_OF."""
    root = tmp_path_factory.mktemp("early-search") / "crm"
    generate(root, 120, 600, 5, date.fromisoformat(AS_OF), core=True)
    return root


def _build(
    repo: Path, out: Path, notes: Path, wrong: str = "", early_pages: int | None = None
) -> subprocess.CompletedProcess[str]:
    command = ["build", "--root", str(repo), "--as-of", AS_OF, "--out", str(out)]
    env = {**os.environ, "EARLY_PAGES": "" if early_pages is None else str(early_pages)}
    built = subprocess.run(
        [sys.executable, "-c", _WATCHED, str(notes), wrong, *command],
        capture_output=True, text=True, check=False, timeout=600, env=env,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    return built


def _notes(notes: Path) -> list[list[object]]:
    return [json.loads(line) for line in notes.read_text(encoding="utf-8").splitlines()] if notes.exists() else []


@pytest.mark.parametrize("wrong", ["", "mispredictedword"], ids=["predicted-right", "predicted-wrong"])
def test_the_edited_customers_part_indexed_early_gives_the_site_built_from_nothing(
    generated: Path, tmp_path: Path, wrong: str
) -> None:
    repo = tmp_path / "crm"
    shutil.copytree(generated, repo)
    out, notes = tmp_path / "out", tmp_path / "notes.jsonl"
    _build(repo, out, notes)
    assert not any(note[0] != "predicted" for note in _notes(notes))  # a first build: nothing early
    conversation = sorted((repo / "interactions").rglob("*.yaml"))[17]
    conversation.write_text(conversation.read_text(encoding="utf-8") + EDIT, encoding="utf-8")
    notes.unlink(missing_ok=True)
    _build(repo, out, notes, wrong)
    predicted = [note[1] for note in _notes(notes) if note[0] == "predicted"]
    taken = [note for note in _notes(notes) if note[0] != "predicted"]
    assert predicted == [[taken[0][0]]] and len(taken) == 1, _notes(notes)  # one part predicted, then decided
    assert taken[0][1] is (not wrong)  # taken when right, indexed again when wrong
    assert "earlyword" in searchable_text(out)
    assert wrong == "" or wrong not in searchable_text(out)
    assert not (repo / ".crm-cache" / "site" / "public-early").exists()  # the scratch folder is gone

    shutil.rmtree(repo / ".crm-cache")
    full = tmp_path / "full"
    _build(repo, full, tmp_path / "full-notes.jsonl")
    mine, theirs = file_digests(out), file_digests(full)
    assert mine.keys() == theirs.keys()
    assert sorted(path for path in mine if mine[path] != theirs[path]) == []


def test_pages_the_index_does_not_take_do_not_count_against_the_early_limit(generated: Path, tmp_path: Path) -> None:
    """A call logged today rewrites its customer's page and, around it, pages the search does not index (the
    owner's lists and morning) or indexes in the main part (the dashboard, the owner): only the customer pages
    count against EARLY_PAGES, so the customer's part is still indexed early when the others are many."""
    repo = tmp_path / "crm"
    shutil.copytree(generated, repo)
    out, notes = tmp_path / "out", tmp_path / "notes.jsonl"
    _build(repo, out, notes)
    like = sorted((repo / "interactions").rglob("*.yaml"))[17].read_text(encoding="utf-8")
    kept = [line for line in like.splitlines() if line.split(":", 1)[0] in ("customer", "channel", "owner")]
    logged = repo / "interactions" / AS_OF[:4] / "JL-29991231.yaml"
    logged.parent.mkdir(parents=True, exist_ok=True)
    logged.write_text(f"id: JL-29991231\ndate: {AS_OF}\ntopic: 今天的回访 todaysword\n" + "\n".join(kept) + "\n")
    notes.unlink(missing_ok=True)
    built = _build(repo, out, notes, early_pages=2)
    rewritten = re.search(r"(\d+) changed", built.stderr) or re.search(r"（(\d+) 个有改动", built.stderr)
    assert rewritten is not None and int(rewritten.group(1)) > 2, built.stderr  # more pages than the limit
    taken = [note for note in _notes(notes) if note[0] != "predicted"]
    assert [note[1] for note in taken] == [True], _notes(notes)
    assert "todaysword" in searchable_text(out)

    shutil.rmtree(repo / ".crm-cache")
    full = tmp_path / "full"
    _build(repo, full, tmp_path / "full-notes.jsonl")
    mine, theirs = file_digests(out), file_digests(full)
    assert sorted(path for path in mine if mine[path] != theirs[path]) == [] and mine.keys() == theirs.keys()
