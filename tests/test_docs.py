"""The documentation and the committed files say what the code does."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from crmdata.records.models import (
    Consent,
    Contact,
    CrmConfig,
    Customer,
    Interaction,
    Policy,
    SegmentFilter,
    SegmentSpec,
    StageCadence,
    TeamMember,
    Todo,
)
from crmdata.records.schema import SCHEMA_FILES, schema_for
from tests.conftest import run_crm

PROJECT = Path(__file__).resolve().parent.parent
README = (PROJECT / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_the_two_commands() -> None:
    first_block = README.split("```sh", 1)[1].split("```", 1)[0]
    assert [line.split()[:2] for line in first_block.strip().splitlines()] == [["make", "demo"], ["make", "test"]]


def _table_keys(heading: str) -> set[str]:
    section = README.split(heading, 1)[1]
    table = section.split("\n\n| key |", 1)[1].split("\n\n", 1)[0]
    return {match.group(1) for match in re.finditer(r"^\| (\w+) \|", table, re.MULTILINE)}


def test_readme_tables_list_every_record_field() -> None:
    assert _table_keys("### A customer") == set(Customer.model_fields)
    assert _table_keys("### An interaction") == set(Interaction.model_fields)


def test_readme_names_every_nested_and_config_field() -> None:
    for model in (Contact, Consent, Todo, TeamMember, Policy, StageCadence, CrmConfig, SegmentSpec, SegmentFilter):
        for name in model.model_fields:
            assert re.search(rf"\b{name}\b", README), f"README does not mention {model.__name__}.{name}"


def test_readme_policy_defaults_are_the_models_defaults() -> None:
    block = README.split("### `crm.yaml`", 1)[1].split("```yaml", 1)[1].split("```", 1)[0]
    documented = yaml.safe_load(block)
    assert documented["policy"] == Policy().model_dump(mode="json")


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


def test_makefile_targets_are_the_readme_commands() -> None:
    makefile = (PROJECT / "Makefile").read_text(encoding="utf-8")
    for target in re.findall(r"^\| `make ([\w-]+)` \|", README, re.MULTILINE):
        assert re.search(rf"^{target}:", makefile, re.MULTILINE), f"make {target} is documented but missing"
    assert "make test" in (PROJECT / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_defines_every_kpi_with_its_docstring() -> None:
    from crmdata.engine import kpis

    for definition in kpis.KPIS:
        text = " ".join(definition.definition.split()).replace("|", "\\|")
        assert f"| `{definition.name}` | {definition.title_zh} | {text} |" in README, (
            f"README's KPI table is missing or out of date for {definition.name}"
        )


def test_readme_documents_every_command() -> None:
    from crmdata.cli.main import main

    for name in main.commands:  # type: ignore[attr-defined]
        assert f"`crm {name}" in README, f"crm {name} is not in the README"


def _yaml_block_after(heading: str) -> str:
    return README.split(heading, 1)[1].split("```yaml", 1)[1].split("```", 1)[0]


def test_readme_record_examples_validate_as_written(tmp_path: Path) -> None:
    """A new user copies these: crm.yaml, the customer and the interaction must pass crm validate."""
    root = tmp_path / "crm"
    (root / "customers").mkdir(parents=True)
    (root / "interactions" / "2024").mkdir(parents=True)
    (root / "crm.yaml").write_text(_yaml_block_after("### `crm.yaml`"), encoding="utf-8")
    (root / "customers" / "KH-2024001.yaml").write_text(_yaml_block_after("### A customer"), encoding="utf-8")
    interaction = _yaml_block_after("### An interaction")
    (root / "interactions" / "2024" / "JL-2024001.yaml").write_text(interaction, encoding="utf-8")
    result = run_crm("validate", "--root", str(root), "--format", "json")
    assert result.returncode == 0, result.stdout
    assert json.loads(result.stdout) == {"ok": True, "errors": [], "warnings": []}
