"""The satisfaction analysis engine (crmdata.engine.satisfaction): real records on disk, validated, grouped."""

from __future__ import annotations

from datetime import date

from crmdata.engine.satisfaction import MIN_GROUP, month_keys, satisfaction_report
from crmdata.records.dataset import Dataset
from crmdata.records.load import LoadOptions
from crmdata.records.validate import validate
from tests.conftest import DataRepo

AS_OF = date(2026, 11, 24)


def load(repo: DataRepo) -> Dataset:
    outcome = validate(repo.root, LoadOptions(use_cache=False))
    assert outcome.ok, [str(problem) for problem in outcome.errors]
    return outcome.dataset


def scored_repo(repo: DataRepo) -> DataRepo:
    """Two customers: a strategic manufacturer scored by phone (5, 4, 4, 5, 2) and a small retailer on
    WeChat (1, 2); one old score outside the window, one after as_of, two complaints about 发票."""
    repo.customer("KH-2024002", industry="制造", tier="strategic", type="enterprise")
    repo.customer("KH-2024003", industry="零售", tier="regular", type="individual", owner="hong")
    for n, (day, score) in enumerate(
        [("2026-01-05", 5), ("2026-03-05", 4), ("2026-03-20", 4), ("2026-07-01", 5), ("2026-11-20", 2)]
    ):
        repo.interaction(f"JL-2026{n + 10:03d}", "KH-2024002", day, satisfaction=str(score))
    repo.interaction("JL-2026100", "KH-2024003", "2026-05-02", channel="im", owner="hong", satisfaction="1")
    repo.interaction(
        "JL-2026101", "KH-2024003", "2026-06-02", channel="im", owner="hong", kind="complaint",
        topic="发票  开错", satisfaction="2",
    )  # fmt: skip
    repo.interaction(
        "JL-2026102", "KH-2024003", "2026-08-02", kind="complaint", topic="发票 开错", resolved="2026-08-10"
    )
    repo.interaction("JL-2025100", "KH-2024002", "2025-10-31", satisfaction="1")  # before the window
    repo.interaction("JL-2026200", "KH-2024002", "2026-11-25", satisfaction="1")  # after as_of
    return repo


def test_the_window_is_the_twelve_months_up_to_as_of() -> None:
    assert month_keys(AS_OF) == ["2025-12", *(f"2026-{m:02d}" for m in range(1, 12))]


def test_scores_are_grouped_by_each_factor_with_their_count_and_mean(repo: DataRepo) -> None:
    report = satisfaction_report(load(scored_repo(repo)), AS_OF)
    assert report.start == date(2025, 12, 1)
    assert report.count == 7 and report.mean == (5 + 4 + 4 + 5 + 2 + 1 + 2) / 7
    channel = {group.key: group for group in report.groups["channel"]}
    assert (channel["phone"].count, channel["phone"].mean, channel["phone"].low) == (5, 4.0, 1)
    assert (channel["im"].count, channel["im"].mean, channel["im"].low) == (2, 1.5, 2)
    assert [group.key for group in report.groups["channel"]] == ["phone", "im"]  # the larger first
    assert {g.key: g.count for g in report.groups["owner"]} == {"ming": 5, "hong": 2}
    assert {g.key: g.mean for g in report.groups["industry"]} == {"制造": 4.0, "零售": 1.5}
    assert {g.key: g.count for g in report.groups["type"]} == {"enterprise": 5, "individual": 2}
    assert {g.key: g.count for g in report.groups["tier"]} == {"strategic": 5, "regular": 2}
    assert {g.key: g.count for g in report.groups["kind"]} == {"followup": 6, "complaint": 1}


def test_a_group_under_the_minimum_is_flagged_too_small_to_judge(repo: DataRepo) -> None:
    report = satisfaction_report(load(scored_repo(repo)), AS_OF)
    channel = {group.key: group for group in report.groups["channel"]}
    assert MIN_GROUP == 5
    assert not channel["phone"].too_small  # exactly five scores
    assert channel["im"].too_small


def test_the_months_give_each_months_mean_and_a_gap_where_none_was_scored(repo: DataRepo) -> None:
    report = satisfaction_report(load(scored_repo(repo)), AS_OF)
    months = {month.month: month for month in report.months}
    assert len(report.months) == 12
    assert (months["2026-03"].count, months["2026-03"].mean) == (2, 4.0)
    assert (months["2026-02"].count, months["2026-02"].mean) == (0, None)
    assert (months["2026-11"].count, months["2026-11"].mean) == (1, 2.0)  # the score after as_of is not in it


def test_complaints_are_counted_by_topic_with_the_open_ones(repo: DataRepo) -> None:
    report = satisfaction_report(load(scored_repo(repo)), AS_OF)
    assert report.complaints == 2
    assert [(topic.topic, topic.count, topic.open) for topic in report.topics] == [("发票 开错", 2, 1)]
    assert report.topics_more == 0


def test_nothing_scored_gives_empty_groups_and_no_mean(repo: DataRepo) -> None:
    report = satisfaction_report(load(repo), AS_OF)
    assert report.count == 0 and report.mean is None
    assert all(groups == [] for groups in report.groups.values())
    assert all(month.mean is None for month in report.months)
