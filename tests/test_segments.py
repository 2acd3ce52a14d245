"""Segments and the churn early warning, on small repositories with hand-checked answers."""

from __future__ import annotations

import string
from datetime import date

from crmdata.engine.risk_words import risk_signal_text
from crmdata.engine.schedule import followups, open_complaints, overdue_todos
from crmdata.engine.segments import customer_facts, matches, risks, segments
from crmdata.engine.value import suggested_values
from crmdata.records.models import Flag, SegmentFilter
from crmdata.records.validate import validate
from crmdata.records.vocabulary import SIGNAL_DETAILS, SIGNALS
from tests.conftest import DataRepo

AS_OF = date(2026, 11, 24)
CONFIG = "team:\n  ming: {name: 张明}\n"


def _dataset(repo: DataRepo):  # type: ignore[no-untyped-def]
    outcome = validate(repo.root)
    assert outcome.ok, outcome.errors
    return outcome.dataset


def _a_customer_for_each_signal(repo: DataRepo) -> None:
    """KH-SILENT (silent, overdue), KH-SAD (satisfaction falling), KH-ANGRY (complaint, unkept todo, dormant)."""
    repo.config(CONFIG)
    # silent: last contact 2026-07-01, 146 days before as_of (>= 90) -> silent 3; due 2026-07-31 -> overdue 2
    repo.customer("KH-SILENT")
    repo.interaction("JL-1", "KH-SILENT", "2026-07-01")
    # falling satisfaction: 5, 5 then 3 (3 <= mean(5, 5) - 1) -> 2; contacted recently, so no other signal
    repo.customer("KH-SAD", stage="stable")
    repo.interaction("JL-2", "KH-SAD", "2026-09-01", "satisfaction: 5\n")
    repo.interaction("JL-3", "KH-SAD", "2026-10-01", "satisfaction: 5\n")
    repo.interaction("JL-4", "KH-SAD", "2026-11-20", "satisfaction: 3\n")
    # open complaint (2) + an overdue todo (1) + dormant stage (1), contacted 2026-11-20: not silent, not overdue
    repo.customer("KH-ANGRY", stage="dormant")
    repo.interaction("JL-5", "KH-ANGRY", "2026-11-20", "kind: complaint\ntodos:\n  - {task: 退款, due: 2026-11-22}\n")


def test_each_risk_signal_and_its_weight(empty_repo: DataRepo) -> None:
    repo = empty_repo
    _a_customer_for_each_signal(repo)
    scored = risks(_dataset(repo), AS_OF)
    silent = scored["KH-SILENT"]
    assert [(s.name, s.weight) for s in silent.signals] == [("silent", 3), ("overdue", 2)]
    assert silent.score == 5 and silent.at_risk
    assert silent.signals[0].figures == {"days": 146}
    assert risk_signal_text(silent.signals[0], "en") == "no contact for 146 days"
    assert risk_signal_text(silent.signals[0], "zh") == "146 天没有联系"
    sad = scored["KH-SAD"]
    assert [(s.name, s.weight) for s in sad.signals] == [("satisfaction_falling", 2)]
    assert sad.signals[0].figures == {"latest": 3, "earlier_average": 5.0}
    assert risk_signal_text(sad.signals[0], "en") == "satisfaction fell to 3 from an average of 5.0"
    assert risk_signal_text(sad.signals[0], "zh") == "满意度从平均 5.0 降到 3"
    assert not sad.at_risk  # 2 < 3
    angry = scored["KH-ANGRY"]
    assert [(s.name, s.weight) for s in angry.signals] == [("open_complaint", 2), ("dormant", 1), ("unkept_todos", 1)]
    assert angry.score == 4 and angry.at_risk
    assert [dict(s.figures) for s in angry.signals] == [{"count": 1}, {}, {"count": 1}]
    assert [risk_signal_text(s, "en") for s in angry.signals] == [
        "1 open complaint(s)",
        "stage is dormant",
        "1 overdue todo(s)",
    ]
    assert [risk_signal_text(s, "zh") for s in angry.signals] == ["1 条未解决投诉", "阶段为休眠期", "1 项待办逾期"]


def test_facts_given_the_answers_the_site_has_are_the_facts_worked_out(empty_repo: DataRepo) -> None:
    """customer_facts and risks take followups', suggested_values', open_complaints' and overdue_todos' answers
    from a caller that has them (the site): the same facts, and the answers given are the ones used."""
    repo = empty_repo
    _a_customer_for_each_signal(repo)
    ds = _dataset(repo)
    plans, complaints, todos = followups(ds, AS_OF), open_complaints(ds, AS_OF), overdue_todos(ds, AS_OF)
    given = customer_facts(ds, AS_OF, plans, suggested=suggested_values(ds, AS_OF), complaints=complaints, todos=todos)
    assert given == customer_facts(ds, AS_OF)
    assert complaints and todos
    angry = risks(ds, AS_OF, complaints=[], todos=[])["KH-ANGRY"]
    assert [s.name for s in angry.signals] == ["dormant"]


def test_a_customer_never_contacted_is_silent_for_ever(empty_repo: DataRepo) -> None:
    repo = empty_repo
    repo.config(CONFIG)
    repo.customer("KH-NEVER")  # since 2024, never contacted: silent, and its first contact is overdue
    signal = risks(_dataset(repo), AS_OF)["KH-NEVER"].signals[0]
    assert (signal.name, dict(signal.figures)) == ("silent", {})
    assert (risk_signal_text(signal, "en"), risk_signal_text(signal, "zh")) == ("no contact yet", "尚未联系")


def test_every_risk_signal_has_words_in_every_language() -> None:
    """Each signal is worded by the vocabulary, the same figures in each language's wording."""
    for name in SIGNALS.words:
        wordings = [word for key, word in SIGNAL_DETAILS.items() if key in (name, f"{name}_never")]
        assert wordings, name
        for word in wordings:
            assert _figures(word.zh) == _figures(word.en), (name, word)


def _figures(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


def test_flags_new_high_value_win_back_and_future_customers(empty_repo: DataRepo) -> None:
    repo = empty_repo
    repo.config(CONFIG)
    repo.customer("KH-NEW", since="2026-10-01")  # 54 days before as_of < 90: new
    repo.customer("KH-OLD", value="high")  # since 2024: not new; high value
    repo.customer("KH-GONE", stage="churned", value="high", churned_on="2026-05-01", churn_reason="预算削减")
    repo.customer("KH-LATER", since="2026-12-01")  # after as_of: not a customer yet
    facts = {fact.customer.id: fact.flags for fact in customer_facts(_dataset(repo), AS_OF)}
    assert set(facts) == {"KH-NEW", "KH-OLD", "KH-GONE"}
    assert Flag.NEW in facts["KH-NEW"] and Flag.NEW not in facts["KH-OLD"]
    assert Flag.HIGH_VALUE in facts["KH-OLD"]
    assert facts["KH-GONE"] == {Flag.WIN_BACK}  # churned: not high value, not scheduled


def test_filters_combine_every_condition(empty_repo: DataRepo) -> None:
    repo = empty_repo
    repo.config(CONFIG)
    repo.customer("KH-1", tier="strategic", tags="[制造业, 大客户]")
    repo.customer("KH-2", tier="strategic", tags="[能源]")
    repo.customer("KH-3", tier="regular", tags="[制造业, 大客户]")
    ds = _dataset(repo)
    facts = customer_facts(ds, AS_OF)

    def members(**where: object) -> list[str]:
        chosen = SegmentFilter.model_validate(where)
        return [fact.customer.id for fact in facts if matches(fact, chosen)]

    assert members(tier="strategic") == ["KH-1", "KH-2"]
    assert members(tier=["strategic", "regular"], tags_any=["制造业"]) == ["KH-1", "KH-3"]
    assert members(tags_all=["制造业", "大客户"]) == ["KH-1", "KH-3"]
    assert members(tags_all=["制造业", "能源"]) == []
    assert members(tier="strategic", tags_any=["能源", "大客户"]) == ["KH-1", "KH-2"]
    assert members(flags=["overdue"]) == ["KH-1", "KH-2", "KH-3"]  # never contacted since 2024-01-01
    assert members() == ["KH-1", "KH-2", "KH-3"]


def test_dimension_segments_list_each_value(empty_repo: DataRepo) -> None:
    repo = empty_repo
    repo.config(CONFIG)
    repo.customer("KH-1", industry="能源", tags="[a, b]")
    repo.customer("KH-2", industry="能源", tags="[b]")
    found = {segment.key: segment.members for segment in segments(_dataset(repo), AS_OF)}
    assert found["industry:能源"] == ("KH-1", "KH-2")
    assert found["tags:a"] == ("KH-1",) and found["tags:b"] == ("KH-1", "KH-2")
    assert "source:" not in "".join(found)  # no source given: no empty segment


def test_falling_satisfaction_is_the_latest_against_the_exact_mean_of_the_earlier() -> None:
    """_satisfaction_falling divides a sum of whole scores (Python's int division is correctly rounded), as
    statistics.mean's exact fraction rounded to a float: the same number for every list of scores."""
    import random
    import statistics

    from crmdata.engine.segments import _satisfaction_falling

    rng = random.Random(11)
    for _ in range(3000):
        scores = [rng.randint(1, 5) for _ in range(rng.randint(0, 14))]
        expected = None
        if len(scores) >= 2:
            earlier = float(statistics.mean(scores[:-1]))
            expected = (scores[-1], earlier) if scores[-1] <= earlier - 1 else None
        assert _satisfaction_falling(scores) == expected


def test_the_latest_score_is_the_last_by_day_then_id(empty_repo: DataRepo) -> None:
    """Scores count in order of day, then id (not of files: JL-0 is dated before JL-A and JL-B), and a score
    older than a year is left out."""
    repo = empty_repo
    repo.config(CONFIG)
    repo.customer("KH-SAD", stage="stable")
    repo.interaction("JL-2024-1", "KH-SAD", "2025-11-01", "satisfaction: 1\n")  # more than a year before
    repo.interaction("JL-B", "KH-SAD", "2026-11-20", "satisfaction: 5\n")
    repo.interaction("JL-A", "KH-SAD", "2026-11-20", "satisfaction: 2\n")
    repo.interaction("JL-0", "KH-SAD", "2026-10-01", "satisfaction: 4\n")
    signals = risks(_dataset(repo), AS_OF)["KH-SAD"].signals
    assert [s.name for s in signals] == []  # 5 (JL-B, after JL-A) is not below the mean of 4 and 2
    (repo.root / "interactions" / "2026" / "JL-B.yaml").unlink()
    signals = risks(_dataset(repo), AS_OF)["KH-SAD"].signals
    assert [(s.name, s.figures) for s in signals] == [("satisfaction_falling", {"latest": 2, "earlier_average": 4.0})]
