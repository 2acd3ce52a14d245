"""The README, DEVELOPMENT.md and the committed files say what the code does.

The user guide (site_builder/help/) and the reference pages generated from the code are checked by
tests/test_help_pages.py; the README is the front door: the two commands, a team's first 5 minutes, links.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

from crmdata.records.schema import SCHEMA_FILES, schema_for
from tests.conftest import DataRepo, invoke_crm, run_crm

PROJECT = Path(__file__).resolve().parent.parent
README = (PROJECT / "README.md").read_text(encoding="utf-8")
DEVELOPMENT = (PROJECT / "DEVELOPMENT.md").read_text(encoding="utf-8")
README_MAX_LINES = 220
"""Issue 11: a README a newcomer reads to the end (about 200 lines); the guide lives in the site."""
LINK = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(([^)\s]+)\)")
"""A Markdown inline link or image: [text](target) or ![alt](target)."""


def test_readme_starts_with_the_two_commands() -> None:
    """The title, one line saying what it is, then the two commands: nothing to read before trying it."""
    lines = README.splitlines()
    assert lines[0] == "# crm-as-code"
    first_section = next(index for index, line in enumerate(lines) if line.startswith("## "))
    assert lines[first_section] == "## Two commands"
    pitch = [line for line in lines[1:first_section] if line.strip()]
    assert len(pitch) == 1, f"more than a one-line pitch before the two commands: {pitch}"
    first_block = README.split("```sh", 1)[1].split("```", 1)[0]
    assert [line.split()[:2] for line in first_block.strip().splitlines()] == [["make", "demo"], ["make", "test"]]


def test_readme_stays_short() -> None:
    lines = len(README.splitlines())
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines: the guide (site_builder/help/) is for details"


def _without_code_blocks(text: str) -> str:
    return re.sub(r"^```.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)


def _without_code(text: str) -> str:
    """The text outside fenced code blocks and code spans: links in code are examples, not links."""
    return re.sub(r"`[^`\n]*`", "", _without_code_blocks(text))


def _github_anchors(markdown: str) -> set[str]:
    """The anchors GitHub gives a Markdown file's headings: lower case, punctuation dropped, spaces as -."""
    headings = re.findall(r"^#{1,6} (.+)$", _without_code_blocks(markdown), re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-") for heading in headings}


def _local_links(document: str) -> list[tuple[str, str]]:
    """(path, fragment) of every link of a document that points into the repository."""
    found = []
    for target in LINK.findall(_without_code(document)):
        parts = urlsplit(target)
        if parts.scheme or parts.netloc:
            continue
        found.append((unquote(parts.path), parts.fragment))
    return found


def test_every_link_of_the_readme_and_development_md_leads_to_a_file_that_exists() -> None:
    for name, document in (("README.md", README), ("DEVELOPMENT.md", DEVELOPMENT)):
        links = _local_links(document)
        assert links, f"{name} links to nothing in the repository (the test reads no link)"
        for path, fragment in links:
            target = (PROJECT / path) if path else PROJECT / name
            assert target.exists(), f"{name} links to {path}, which is not in the repository"
            assert target.resolve().is_relative_to(PROJECT), f"{name} links outside the repository: {path}"
            if fragment and target.suffix == ".md":
                anchors = _github_anchors(target.read_text(encoding="utf-8"))
                assert fragment in anchors, f"{name} links to {path}#{fragment}: no such heading there"


def test_readme_links_every_guide_page_in_both_languages() -> None:
    from site_builder.help import GUIDE

    for topic in GUIDE:
        if topic.file:
            for language in ("en", "zh"):
                assert f"(site_builder/help/{language}/{topic.slug}.md)" in README, (
                    f"README does not link the guide page {language}/{topic.slug}.md"
                )
    assert "(DEVELOPMENT.md" in README


def test_readme_examples_validate_as_written(tmp_path: Path) -> None:
    """A newcomer copies these: the crm.yaml of the first 5 minutes, the customer and the conversation."""
    blocks = re.findall(r"```yaml\n(.*?)```", README, re.DOTALL)
    customer = next(block for block in blocks if block.startswith("# customers/"))
    interaction = next(block for block in blocks if block.startswith("# interactions/"))
    config = next(re.sub(r"^   ", "", block, flags=re.MULTILINE) for block in blocks if "team:" in block)
    data = DataRepo(tmp_path / "crm")
    data.config(config)
    data.write(customer.splitlines()[0].removeprefix("# "), customer)  # where the README says it goes
    data.write(interaction.splitlines()[0].removeprefix("# "), interaction)
    result = invoke_crm("validate", "--root", str(data.root), "--format", "json", "--no-cache")
    assert result.returncode == 0, result.stdout
    assert json.loads(result.stdout)["errors"] == []


def test_committed_schemas_are_up_to_date() -> None:
    for name, model in SCHEMA_FILES.items():
        committed = json.loads((PROJECT / "schemas" / name).read_text(encoding="utf-8"))
        assert committed == schema_for(model), f"schemas/{name} is stale: run crm schema --out schemas"


def test_pre_commit_hook_runs_a_real_command_on_record_files(tmp_path: Path) -> None:
    hooks = yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(hook for hook in hooks if hook["id"] == "crm-validate")
    pattern = re.compile(hook["files"])
    for path in (
        "crm.yaml",
        "customers/KH-2024001.yaml",
        "interactions/2024/JL-2024001.yaml",
        "interactions/2024/03/JL-1.yaml",
    ):
        assert pattern.search(path), path
    for path in ("README.md", "site/index.html", "customers/notes.txt"):
        assert not pattern.search(path), path
    program, *args = hook["entry"].split()
    assert program == "crm"
    result = run_crm(*args, "--root", str(PROJECT))
    assert result.returncode == 0, result.stdout


def test_makefile_targets_are_the_development_md_ones() -> None:
    """Every target DEVELOPMENT.md's table names exists, and every target of the Makefile is in the table."""
    makefile = (PROJECT / "Makefile").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `make ([\w-]+)` \|", DEVELOPMENT, re.MULTILINE))
    defined = set(re.findall(r"^([a-z][\w-]*):", makefile, re.MULTILINE))
    assert documented, "DEVELOPMENT.md has no make target table (the test reads none)"
    assert documented <= defined, f"documented but missing: {sorted(documented - defined)}"
    assert defined <= documented, f"not in DEVELOPMENT.md's make target table: {sorted(defined - documented)}"
    assert "make test" in (PROJECT / ".ci" / "run").read_text(encoding="utf-8")


def test_development_md_names_every_room_and_states_the_layer_contracts() -> None:
    """The layout tree has a line per room of crmdata, and the layers it states are pyproject.toml's."""
    rooms = sorted(path.name for path in (PROJECT / "crmdata").iterdir() if (path / "__init__.py").is_file())
    assert rooms
    tree = DEVELOPMENT.split("## Layout", 1)[1].split("```text", 1)[1].split("```", 1)[0]
    for room in rooms:
        assert re.search(rf"^\S*\s+{room}/ ", tree, re.MULTILINE), f"crmdata/{room}/ has no line in the layout tree"
    for folder in ("site_builder/", "help/", "tools/synth.py", "tests/", "benchmarks/", "requirements/"):
        assert folder in tree, f"{folder} is not in the layout tree"
    config = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
    layers = next(
        contract["layers"] for contract in config["tool"]["importlinter"]["contracts"] if contract["type"] == "layers"
    )
    stated = " > ".join(layer.replace("crmdata.", "") for layer in layers)
    assert stated in DEVELOPMENT, f"DEVELOPMENT.md does not state the layers as pyproject.toml has them: {stated}"
    table = DEVELOPMENT.split("## What each room may import", 1)[1].split("\n\n| room |", 1)[1].split("\n\n", 1)[0]
    for room in rooms:
        assert f"| `crmdata.{room}` |" in table, f"crmdata.{room} is not in the import table"


def test_readme_documents_every_command() -> None:
    from crmdata.cli.main import main

    for name in main.commands:  # type: ignore[attr-defined]
        assert f"`crm {name}" in README, f"crm {name} is not in the README"
