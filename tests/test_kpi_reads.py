"""What the KPIs read of the records (crmdata.engine.kpis.inputs, reads_key, UNREAD_FIELDS): the site takes
the KPIs of the last build when only text no KPI reads has changed (site_builder.kept.KeptKpis), so these tests
hold that claim against a generated repository with every kind of record."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from crmdata.engine import kpis
from crmdata.engine.kpis import UNREAD_FIELDS, inputs, reads_key
from crmdata.records.dataset import Dataset
from crmdata.records.models import Consent, Contact, Contract, Customer, Interaction, Opportunity, Plan
from crmdata.records.validate import validate
from tests.conftest import DataRepo
from tools.synth import generate

AS_OF = date(2026, 11, 24)
FOLDERS = {
    "customers": Customer,
    "interactions": Interaction,
    "plans": Plan,
    "opportunities": Opportunity,
    "contracts": Contract,
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """80 customers with conversations, plans, opportunities and contracts (tools.synth), as of AS_OF."""
    root = tmp_path_factory.mktemp("kpi-reads") / "crm"
    generate(root, 80, 900, 11, AS_OF)
    return root


def _loaded(root: Path) -> Dataset:
    outcome = validate(root, today=AS_OF)
    assert outcome.ok, outcome.errors[:3]
    return outcome.dataset


def _copy_with(source: Path, target: Path, change: Callable[[type, dict[str, Any], int], int]) -> int:
    """`source`'s repository written to `target`, every record's mapping passed through `change` (its model,
    the mapping, a number that varies from file to file, for new text), which returns how many values it
    changed; their sum."""
    changed = 0
    for path in sorted(source.rglob("*.yaml")):
        relative = path.relative_to(source)
        written = target / relative
        written.parent.mkdir(parents=True, exist_ok=True)
        text = path.read_text(encoding="utf-8")
        model = FOLDERS.get(relative.parts[0])
        if model is not None:
            data = yaml.safe_load(text)
            changed += change(model, data, len(written.parent.name) * 100_000 + changed)
            text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        written.write_text(text, encoding="utf-8")
    return changed


def _other_text(data: dict[str, Any], model: type, number: int, seen: set[tuple[type, str]]) -> int:
    """Every field of UNREAD_FIELDS[model] in `data` set to another value (added where it was absent)."""
    changed = 0
    for name in sorted(UNREAD_FIELDS.get(model, frozenset())):
        was = data.get(name)
        data[name] = [f"改过的需求 {number}"] if name in ("needs", "need_changes") else f"改过的文字 {number} {name}"
        changed += data[name] != was
        seen.add((model, name))
    return changed


def _scramble_unread(seen: set[tuple[type, str]]) -> Callable[[type, dict[str, Any], int], int]:
    def change(model: type, data: dict[str, Any], number: int) -> int:
        changed = _other_text(data, model, number, seen)
        for contact in data.get("contacts") or []:
            changed += _other_text(contact, Contact, number, seen)
        if isinstance(data.get("consent"), dict):
            changed += _other_text(data["consent"], Consent, number, seen)
        return changed

    return change


def test_no_kpi_reads_the_fields_it_says_it_does_not(generated: Path, tmp_path: Path) -> None:
    """Every UNREAD_FIELDS field of every record set to other text (added where absent): the KPI report of
    the day (team and owners) and of 30 and 90 days before is the same, and so is each record's reads key."""
    seen: set[tuple[type, str]] = set()
    changed = _copy_with(generated, tmp_path / "scrambled", _scramble_unread(seen))
    listed = {(model, name) for model, names in UNREAD_FIELDS.items() for name in names}
    assert seen == listed  # every field the claim names was changed somewhere
    assert changed > 1000
    original, scrambled = _loaded(generated), _loaded(tmp_path / "scrambled")
    assert kpis.report(scrambled, AS_OF) == kpis.report(original, AS_OF)
    for day in (date(2026, 10, 25), date(2026, 8, 26)):
        assert kpis.compute(scrambled, day) == kpis.compute(original, day)
    before = {(type(record), record.id): reads_key(record) for record in inputs(original, AS_OF)}
    after = {(type(record), record.id): reads_key(record) for record in inputs(scrambled, AS_OF)}
    assert after == before
    assert len(set(before.values())) == len(before)  # keys tell records apart


def test_a_field_the_kpis_read_changes_the_report_and_the_reads_keys(generated: Path, tmp_path: Path) -> None:
    """The control of the test above: the same rewrite of a field the KPIs do read (a conversation's
    satisfaction) changes the report and the reads key of every conversation changed."""

    def unhappy(model: type, data: dict[str, Any], number: int) -> int:
        if model is not Interaction or data.get("satisfaction") in (None, 1):
            return 0
        data["satisfaction"] = 1
        return 1

    assert _copy_with(generated, tmp_path / "unhappy", unhappy) > 10
    original, unhappier = _loaded(generated), _loaded(tmp_path / "unhappy")
    assert kpis.report(unhappier, AS_OF) != kpis.report(original, AS_OF)
    before = {record.id: (record.satisfaction, reads_key(record)) for record in original.interactions}
    for record in unhappier.interactions:
        satisfaction, key = before[record.id]
        assert (reads_key(record) == key) == (record.satisfaction == satisfaction)


def test_kpi_inputs_are_the_records_a_day_can_read(repo: DataRepo) -> None:
    """inputs(): every customer, plan, opportunity and contract whatever its dates, and the conversations up
    to the day only."""
    generate(repo.root, 12, 120, 5, AS_OF)
    dataset = _loaded(repo.root)
    day = date(2026, 6, 30)
    chosen = inputs(dataset, day)
    conversations = [record for record in chosen if isinstance(record, Interaction)]
    assert conversations == [interaction for interaction in dataset.interactions if interaction.day <= day]
    assert 0 < len(conversations) < len(dataset.interactions)
    others = [record for record in chosen if not isinstance(record, Interaction)]
    assert others == [*dataset.customers, *dataset.plans, *dataset.opportunities, *dataset.contracts]


def test_kept_kpis_take_the_last_values_only_when_they_can_vouch_for_them(repo: DataRepo) -> None:
    """site_builder.kept.KeptKpis in-process: the same records, or records whose new content differs in
    free text only, give the kept values; another code, a field the KPIs read, or a record without a
    content key (not read from a file: nothing is known of it) computes them again."""
    from site_builder.kept import KeptKpis

    generate(repo.root, 12, 120, 5, AS_OF)
    dataset = _loaded(repo.root)
    first = KeptKpis(repo.root, "public", b"code")
    values = first.report(dataset, AS_OF)
    assert not first.reused_today and values == kpis.report(dataset, AS_OF)

    def report(dataset: Dataset, code: bytes = b"code") -> bool:
        kept = KeptKpis(repo.root, "public", code)
        assert kept.report(dataset, AS_OF) == kpis.report(dataset, AS_OF)
        return kept.reused_today

    assert report(_loaded(repo.root))
    assert not report(dataset, b"other code")
    talk = sorted((repo.root / "interactions").rglob("*.yaml"))[0]
    data = yaml.safe_load(talk.read_text(encoding="utf-8"))
    talk.write_text(yaml.safe_dump({**data, "feedback": "改过的反馈"}, allow_unicode=True), encoding="utf-8")
    assert report(_loaded(repo.root))
    talk.write_text(
        yaml.safe_dump({**data, "satisfaction": 1 if data.get("satisfaction") != 1 else 2}, allow_unicode=True),
        encoding="utf-8",
    )
    assert not report(_loaded(repo.root))
    unknown = _loaded(repo.root)
    unknown.record_keys.pop(id(unknown.customers[0]))
    assert not report(unknown)


def test_reads_keys_after_edits_inserts_and_removals_are_those_worked_out_afresh(tmp_path: Path) -> None:
    """KeptKpis takes the reads keys of the records whose content is unchanged from the last entry, looking one
    by one only between the two key lists' common beginning and end: after any mix of edits, additions and
    removals (at the ends too, and none) the keys are those of every record worked out again, and only records
    with new content are worked out."""
    import hashlib
    import random

    from site_builder.kept import KeptKpis, _common_keys, _KpiEntry

    def key(text: str, salt: bytes) -> bytes:
        return hashlib.blake2b(text.encode(), digest_size=16, key=salt).digest()

    class Counting(KeptKpis):
        """Records are texts here: the content key and the reads key are digests of the text."""

        def __init__(self, root: Path) -> None:
            super().__init__(root, "public", b"code")
            self.worked: list[str] = []

        def _reads_key(self, record: Any) -> bytes:
            self.worked.append(record)
            return key(record, b"reads")

    rng = random.Random(7)
    for trial in range(300):
        old = [f"r{number}" for number in range(rng.randrange(0, 40))]
        new = list(old)
        for _ in range(rng.randrange(0, 4)):
            what = rng.choice(("edit", "insert", "remove"))
            at = rng.randrange(0, len(new) + 1)
            if what == "insert" or not new:
                new.insert(at, f"added{trial}-{at}-{rng.random()}")
            elif what == "remove":
                del new[min(at, len(new) - 1)]
            else:
                new[min(at, len(new) - 1)] += "-edited"
        before = _KpiEntry(
            b"".join(key(text, b"content") for text in old), b"".join(key(text, b"reads") for text in old), {}
        )
        contents = [key(text, b"content") for text in new]
        kept = Counting(tmp_path)
        reads = kept._reads_keys(new, contents, b"".join(contents), before)  # type: ignore[arg-type]
        assert reads == b"".join(key(text, b"reads") for text in new), (old, new)
        assert set(kept.worked) <= set(new) - set(old), (old, new, kept.worked)
    assert _common_keys(b"a" * 32, b"a" * 16 + b"b" * 16) == 1
    assert _common_keys(b"a" * 16 + b"b" * 16, b"b" * 16, at_end=True) == 1
    assert _common_keys(b"", b"a" * 16) == 0
