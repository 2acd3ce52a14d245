"""`crm validate` answers from the last whole validation's verdict when only facts-keeping edits happened
(crmdata.records.verdict), and never differs from a run without the cache.

Files written by a test are too recent for the stat to be trusted, so the tests that need trusted
entries let two seconds pass once (`_aged`), as tests/test_cache_stat.py does.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import crmdata.records.verdict as verdict_module
from crmdata.records.dataset import AnyRecord, Dataset
from crmdata.records.load import LoadOptions, load
from crmdata.records.problem_words import RECORD_PROBLEMS
from crmdata.records.problems import Place, Problem, error, warning
from crmdata.records.validate import DATASET_RULES, FACT_FIELDS, RECORD_RULES, RULES, Found, run_rules
from crmdata.records.verdict import check
from tests.conftest import DataRepo, invoke_crm

TODAY = date(2026, 11, 24)


def _aged(root: Path) -> None:
    """Let the racy window of every file written so far pass, then validate once: the verdict is kept."""
    time.sleep(2.1)
    assert invoke_crm("validate", "--root", str(root), "--format", "json").returncode in (0, 1)


@pytest.fixture
def whole_runs(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The roots on which the rules across records ran, in this process (the verdict did not answer)."""
    ran: list[Path] = []
    original = verdict_module.found_by_every_rule

    def counting(dataset: Dataset, loaded: list[Problem], today: date) -> Found:
        ran.append(dataset.root)
        return original(dataset, loaded, today)

    monkeypatch.setattr(verdict_module, "found_by_every_rule", counting)
    return ran


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The roots whose every record was loaded, in this process."""
    loaded: list[Path] = []
    original = verdict_module.load

    def counting(root: Path, *args: Any, **kwargs: Any) -> Any:
        loaded.append(root)
        return original(root, *args, **kwargs)

    monkeypatch.setattr(verdict_module, "load", counting)
    return loaded


def _answer(root: Path, *options: str) -> tuple[int, dict[str, object]]:
    result = invoke_crm("validate", "--root", str(root), "--format", "json", *options)
    return result.returncode, json.loads(result.stdout)


def _a_crm_with_every_problem_across_records(repo: DataRepo) -> None:
    """Each rule across records finds something here, and the rules of one record too."""
    repo.customer("KH-1", since="2024-03-01", referred_by="KH-404")
    repo.customer("KH-2", "contacts:\n  - {name: 王五, phone: '13800138000'}", name="华星科技集团")  # look-alike
    repo.customer("KH-3", owner="nobody", consent=None)  # own problems: not on the team, no consent
    repo.interaction("JL-1", "KH-1", "2024-02-01")  # before KH-1's since
    repo.interaction("JL-2", "KH-9", "2024-03-05")  # no such customer
    repo.interaction("JL-3", "KH-1", "2024-03-06", plan="JH-2")  # another customer's plan
    repo.plan("JH-1", "KH-1")
    repo.plan("JH-2", "KH-2")
    repo.opportunity("SJ-1", "KH-1", stage="won", closed_on="2024-05-01")  # won, no contract names it
    repo.contract("HT-1", "KH-1", renews="HT-2")
    repo.contract("HT-2", "KH-1", renews="HT-1")  # a circle
    repo.contract("HT-3", "KH-1", opportunity="SJ-404")
    repo.write("plans/jh-1.yaml", (repo.root / "plans/JH-1.yaml").read_text(encoding="utf-8"))  # id taken


def _facts_only(record: AnyRecord) -> AnyRecord:
    """A copy of the record holding its FACT_FIELDS alone: reading any other required field raises, any
    other field with a default reads the default."""
    model = type(record)
    return model.model_construct(**{name: getattr(record, name) for name in FACT_FIELDS[model]})  # type: ignore[return-value]


def test_the_rules_across_records_read_only_the_facts(repo: DataRepo) -> None:
    _a_crm_with_every_problem_across_records(repo)
    dataset, _problems, _index = load(repo.root, LoadOptions(use_cache=False))
    copies = Dataset(root=dataset.root, config=dataset.config, customer_files=dataset.customer_files,
                     plan_files=dataset.plan_files, opportunity_files=dataset.opportunity_files,
                     contract_files=dataset.contract_files, unvalidated=dataset.unvalidated)  # fmt: skip
    for records, into in (
        (dataset.customers, copies.customers),
        (dataset.interactions, copies.interactions),
        (dataset.plans, copies.plans),
        (dataset.opportunities, copies.opportunities),
        (dataset.contracts, copies.contracts),
    ):
        for record in records:
            copy = _facts_only(record)
            into.append(copy)  # type: ignore[arg-type]
            copies.record_files[id(copy)] = dataset.file_of(record)
    for rule in DATASET_RULES:
        found = list(rule(dataset, TODAY))
        assert found, f"{rule.__name__} finds nothing here: the comparison would prove nothing"
        assert list(rule(copies, TODAY)) == found, rule.__name__


def test_every_rule_is_of_one_kind() -> None:
    assert sorted(rule.__name__ for rule in RULES) == sorted(rule.__name__ for rule in [*RECORD_RULES, *DATASET_RULES])
    assert not {rule.__name__ for rule in RECORD_RULES} & {rule.__name__ for rule in DATASET_RULES}


def test_the_rules_of_one_record_find_in_each_record_what_they_find_in_all(repo: DataRepo) -> None:
    """What makes keeping them per file sound: run on a dataset of one record, a rule of one record finds
    what it found for that record among all the others."""
    _a_crm_with_every_problem_across_records(repo)
    dataset, _problems, _index = load(repo.root, LoadOptions(use_cache=False))
    together = run_rules(RECORD_RULES, dataset, TODAY)
    alone = []
    for record in [*dataset.customers, *dataset.interactions, *dataset.plans, *dataset.opportunities,
                   *dataset.contracts]:  # fmt: skip
        one = Dataset(root=dataset.root, config=dataset.config)
        verdict_module._add(one, dataset.file_of(record), record)
        alone += run_rules(RECORD_RULES, one, TODAY)
    assert together and sorted(together, key=repr) == sorted(alone, key=repr)


def test_a_topic_edited_is_answered_from_the_verdict(repo: DataRepo, whole_runs: list[Path], loads: list[Path]) -> None:
    _a_crm_with_every_problem_across_records(repo)
    _aged(repo.root)
    whole_runs.clear()
    loads.clear()
    repo.interaction("JL-1", "KH-1", "2024-02-01", topic="改过的回访")
    cached = _answer(repo.root)
    assert (whole_runs, loads) == ([], []), "the verdict answered: no record but the edited one was read"
    assert cached == _answer(repo.root, "--no-cache")
    assert len(cached[1]["errors"]) >= 8  # type: ignore[arg-type]
    assert any(w["code"] == "before_since" for w in cached[1]["warnings"])  # type: ignore[attr-defined,index]


def test_a_problem_of_the_edited_record_itself_is_found_and_then_gone(repo: DataRepo, whole_runs: list[Path]) -> None:
    repo.customer("KH-1")
    repo.interaction("JL-1", "KH-1", "2024-03-01")
    _aged(repo.root)
    whole_runs.clear()
    repo.interaction("JL-1", "KH-1", "2024-03-01", owner="nobody", recorded="2024-03-09 10:00")
    code, report = _answer(repo.root)
    assert whole_runs == []
    assert code == 1
    assert [(e["file"], e["field"], e["code"]) for e in report["errors"]] == [  # type: ignore[attr-defined]
        ("interactions/2024/JL-1.yaml", "owner", "not_on_team")
    ]
    assert [(w["field"], w["code"]) for w in report["warnings"]] == [("recorded", "logged_late")]  # type: ignore[attr-defined]
    assert (code, report) == _answer(repo.root, "--no-cache")
    whole_runs.clear()  # that one was
    repo.interaction("JL-1", "KH-1", "2024-03-01")
    assert _answer(repo.root) == (0, {"ok": True, "errors": [], "warnings": []})
    assert whole_runs == []


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda repo: repo.interaction("JL-1", "KH-1", "2024-03-02"), "a date: a fact"),
        (lambda repo: repo.interaction("JL-1", "KH-2", "2024-03-01"), "the customer: a fact"),
        (lambda repo: repo.customer("KH-2", name="华星科技有限公司"), "a name: a fact (look-alikes)"),
        (lambda repo: os.remove(repo.root / "customers/KH-2.yaml"), "a customer deleted"),
        (lambda repo: repo.interaction("JL-1", "KH-1", "2024-03-01", "x: 1"), "a record with an error"),
        (lambda repo: repo.config("team:\n  ming: {name: 张明}\n"), "crm.yaml edited"),
    ],
)
def test_what_the_verdict_cannot_answer_runs_the_whole_validation(
    repo: DataRepo, whole_runs: list[Path], change: object, why: str
) -> None:
    repo.customer("KH-1")
    repo.customer("KH-2")
    repo.interaction("JL-1", "KH-1", "2024-03-01")
    _aged(repo.root)
    whole_runs.clear()
    change(repo)  # type: ignore[operator]
    cached = _answer(repo.root)
    assert whole_runs == [repo.root], why
    assert cached == _answer(repo.root, "--no-cache"), why


def test_another_day_runs_the_whole_validation(repo: DataRepo, whole_runs: list[Path]) -> None:
    """Records dated after today are warned about: the verdict is of its day only."""
    repo.interaction("JL-1", "KH-2024001", "2026-11-25")
    options = LoadOptions()
    assert [problem.field for problem in check(repo.root, options, TODAY).problems] == ["date"]
    assert [problem.field for problem in check(repo.root, options, TODAY).problems] == ["date"]
    assert whole_runs == [repo.root], "the second run: the verdict answered"
    assert check(repo.root, options, date(2026, 11, 25)).problems == []
    assert whole_runs == [repo.root] * 2


def test_many_changed_files_run_the_whole_validation(repo: DataRepo, whole_runs: list[Path]) -> None:
    for number in range(verdict_module.MOST_CHANGED + 1):
        repo.interaction(f"JL-{number}", "KH-2024001", "2024-03-01")
    _aged(repo.root)
    whole_runs.clear()
    for number in range(verdict_module.MOST_CHANGED + 1):
        repo.interaction(f"JL-{number}", "KH-2024001", "2024-03-01", topic="改过")
    cached = _answer(repo.root)
    assert whole_runs == [repo.root]
    assert cached == _answer(repo.root, "--no-cache")


def test_a_verdict_holds_problems_and_nothing_that_runs() -> None:
    class Evil:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, ("true",))

    with pytest.raises(pickle.UnpicklingError, match="not allowed in a verdict"):
        verdict_module._verdict_loads(pickle.dumps({"extra": Evil()}))
    said = RECORD_PROBLEMS.say(
        "likely_duplicate",
        other=Place("customers/KH-2.yaml", ("name",)),
        id="KH-2",
        name="华星",
        shared=RECORD_PROBLEMS.say("same_name_key", key="华星"),
        this="KH-1",
    )
    kept = [warning("customers/KH-1.yaml", said, ("name",)), error("x.yaml", RECORD_PROBLEMS.say("temporary_file"))]
    restored = verdict_module._verdict_loads(pickle.dumps(kept))
    assert restored == kept
    assert [problem.text("zh") for problem in restored] == [problem.text("zh") for problem in kept]


def test_a_verdict_signed_with_another_key_is_not_used(
    repo: DataRepo, whole_runs: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _aged(repo.root)
    whole_runs.clear()
    assert _answer(repo.root)[0] == 0
    assert whole_runs == [], "the control: this user's verdict answers"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "another-user"))
    assert _answer(repo.root)[0] == 0
    assert whole_runs == [repo.root]


def test_a_command_that_loads_the_records_takes_the_rules_from_the_verdict(
    repo: DataRepo, whole_runs: list[Path], loads: list[Path]
) -> None:
    """`crm due` (like the site) needs every record, but not the rules run again for a topic edited."""
    repo.customer("KH-1", since="2024-03-01")
    for number in range(1, 4):
        repo.interaction(f"JL-{number}", "KH-1", f"2024-0{number}-10", next_followup="2024-06-01")
    _aged(repo.root)
    whole_runs.clear()
    loads.clear()
    repo.interaction("JL-2", "KH-1", "2024-02-10", topic="改过的回访", next_followup="2024-06-01")
    due = invoke_crm("due", "--as-of", "2024-06-10", "--format", "json", "--root", str(repo.root))
    assert (whole_runs, loads) == ([], [repo.root])
    fresh = invoke_crm("due", "--as-of", "2024-06-10", "--format", "json", "--root", str(_copied(repo.root)))
    assert (due.returncode, due.stdout) == (fresh.returncode, fresh.stdout)
    assert "KH-1" in due.stdout
    whole_runs.clear()  # the copy's
    repo.interaction("JL-2", "KH-1", "2024-02-28", next_followup="2024-06-01")  # a date: the rules run again
    assert invoke_crm("due", "--as-of", "2024-06-10", "--root", str(repo.root)).returncode == 0
    assert whole_runs == [repo.root]


def test_files_only_touched_keep_the_verdict(repo: DataRepo, whole_runs: list[Path], loads: list[Path]) -> None:
    """A checkout that rewrites many files with the same bytes: too many to trust by their stat, so every
    record is loaded, yet their content keys are the verdict's: the rules need not run again."""
    paths = [repo.interaction(f"JL-{n}", "KH-2024001", "2024-03-01") for n in range(verdict_module.MOST_CHANGED + 1)]
    _aged(repo.root)
    whole_runs.clear()
    loads.clear()
    for path in paths:
        os.utime(path)
    assert _answer(repo.root) == (0, {"ok": True, "errors": [], "warnings": []})
    assert (whole_runs, loads) == ([], [repo.root])


def _copied(root: Path) -> Path:
    """A copy of the repository without its cache."""
    copy = root.parent / "copy"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".crm-cache"))
    return copy


def test_what_the_verdict_is_made_of_is_not_held_for_the_rest_of_the_command(repo: DataRepo) -> None:
    """Each file's stat and content key (152k entries at 10,000 customers) are the verdict's: a command that
    goes on to build a site must not carry them."""
    dataset = verdict_module.validated(repo.root).dataset
    assert (dataset.file_keys, dataset.file_stats) == ({}, {})
    assert (repo.root / ".crm-cache" / "verdict" / "index.pickle").is_file(), "the verdict was kept"
    plain, _problems, _index = load(repo.root, LoadOptions())
    assert (plain.file_keys, plain.file_stats) == ({}, {})
    kept, _problems, _index = load(repo.root, LoadOptions(for_verdict=True))
    assert set(kept.file_keys) == {"customers/KH-2024001.yaml", "interactions/2024/JL-2024001.yaml"}


@pytest.mark.parametrize("added", ["JL-4", "JL-1"], ids=["new-id", "an-id-taken"])
def test_a_record_added_takes_the_rules_of_one_record_from_the_verdict(
    repo: DataRepo, whole_runs: list[Path], monkeypatch: pytest.MonkeyPatch, added: str
) -> None:
    """A conversation logged (a file added, none removed): a command that loads the records takes every other
    file's RECORD_RULES findings from the verdict, puts the new record alone through them and runs the rules
    across records on the whole set, which finds the id the new file takes from another; the problems are
    those of a run without the cache, and the verdict is kept again for the next command."""
    _a_crm_with_every_problem_across_records(repo)
    _aged(repo.root)
    checked: list[tuple[str, int]] = []
    original = verdict_module.run_rules

    def counting(rules: list[Any], dataset: Dataset, today: date) -> list[Problem]:
        checked.append(("record" if rules is RECORD_RULES else "across", len(list(dataset.interactions))))
        return original(rules, dataset, today)

    monkeypatch.setattr(verdict_module, "run_rules", counting)
    whole_runs.clear()
    name = "JL-4" if added == "JL-4" else "JL-9"  # JL-9.yaml holding JL-1: its own file name problem too
    repo.write(f"interactions/2024/{name}.yaml", f"id: {added}\ndate: 2024-03-08\ncustomer: KH-9\nchannel: phone\n"
               "owner: ming\ntopic: 回访\n")  # fmt: skip
    answered = verdict_module.validated(repo.root)  # today: the day _aged's `crm validate` kept its verdict for
    fresh = validate_uncached(repo.root)
    assert whole_runs == []
    assert checked == [("record", 1), ("across", len(fresh.dataset.interactions))]  # the new one, then all
    assert [(p.file, p.message) for p in answered.errors] == [(p.file, p.message) for p in fresh.errors]
    assert [(p.file, p.message) for p in answered.warnings] == [(p.file, p.message) for p in fresh.warnings]
    checked.clear()
    again = verdict_module.validated(repo.root)
    assert (whole_runs, checked) == ([], [("record", 0)])  # the verdict kept with the new file
    assert [(p.file, p.message) for p in again.errors] == [(p.file, p.message) for p in fresh.errors]


def validate_uncached(root: Path) -> Any:
    from crmdata.records.validate import validate

    return validate(root, LoadOptions(use_cache=False))
