"""The committed demo data set: valid, covering the practice, and exactly what the generator makes."""

from __future__ import annotations

import filecmp
import json
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from crmdata.records.load import LoadOptions
from crmdata.records.models import Channel, CustomerType, InteractionKind, Stage, Tier, Value
from crmdata.records.validate import validate
from tests.conftest import invoke_crm
from tools.synth import generate

PROJECT = Path(__file__).resolve().parent.parent
DEMO_AS_OF = date(2026, 11, 24)


def test_demo_data_validates_with_only_its_two_deliberate_warnings() -> None:
    result = invoke_crm("validate", "--root", str(PROJECT), "--format", "json", "--no-cache")
    assert result.returncode == 0
    report = json.loads(result.stdout)
    assert report["errors"] == []
    assert sorted((warning["file"], warning["field"]) for warning in report["warnings"]) == [
        ("customers/KH-2025001.yaml", "id"),
        ("interactions/2026/JL-2026148.yaml", "recorded"),
    ]


def test_demo_data_covers_the_practice() -> None:
    dataset = validate(PROJECT, LoadOptions(use_cache=False)).dataset
    customers, interactions = dataset.customers, dataset.interactions
    assert len(customers) >= 30 and len(interactions) >= 300
    assert {c.type for c in customers} == set(CustomerType)
    assert {c.tier for c in customers} == set(Tier)
    assert {c.stage for c in customers} == set(Stage)
    assert {c.value for c in customers} == set(Value)
    assert {i.channel for i in interactions} == set(Channel)
    assert {i.kind for i in interactions} == set(InteractionKind)
    assert all(DEMO_AS_OF - timedelta(days=2 * 366) <= i.day <= DEMO_AS_OF for i in interactions)
    todos = [todo for interaction in interactions for todo in interaction.todos]
    assert any(todo.done for todo in todos) and any(todo.done is None for todo in todos)
    complaints = [i for i in interactions if i.kind is InteractionKind.COMPLAINT]
    assert any(c.resolved for c in complaints) and any(c.resolved is None for c in complaints)
    assert sum(i.satisfaction is not None for i in interactions) > 100
    names = Counter(c.name for c in customers)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in name) for name in names), "demo names are Chinese"


def test_demo_data_is_what_the_generator_makes(tmp_path: Path) -> None:
    generate(tmp_path, customers=36, interactions=360, seed=7, as_of=DEMO_AS_OF)
    for folder in ("customers", "interactions"):
        comparison = filecmp.dircmp(PROJECT / folder, tmp_path / folder)
        assert _differences(comparison) == [], f"{folder}/ differs from the generator: run make demo-data"
    assert (PROJECT / "crm.yaml").read_bytes() == (tmp_path / "crm.yaml").read_bytes()


def _differences(comparison: filecmp.dircmp[str]) -> list[str]:
    found = [*comparison.left_only, *comparison.right_only, *comparison.diff_files]
    for sub in comparison.subdirs.values():
        found.extend(_differences(sub))
    return found
