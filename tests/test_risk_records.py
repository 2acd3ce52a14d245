"""The churn-risk signals contracts and opportunities give (SPEC v2): renewal near with no conversation,
payment overdue, opportunity lost; each with its weight and its words. as_of 2024-11-10 throughout."""

from __future__ import annotations

from datetime import date

from crmdata.engine.risk_words import risk_signal_text
from crmdata.engine.segments import RiskSignal, risks
from crmdata.records.load import LoadOptions
from crmdata.records.validate import validate
from tests.conftest import DataRepo

AS_OF = date(2024, 11, 10)
NEW_SIGNALS = ("renewal_near_silent", "payment_overdue", "opportunity_lost")


def signals(repo: DataRepo, customer: str) -> dict[str, RiskSignal]:
    outcome = validate(repo.root, LoadOptions(use_cache=False))
    assert outcome.ok, [str(problem) for problem in outcome.problems]
    found = risks(outcome.dataset, AS_OF)[customer].signals
    return {signal.name: signal for signal in found if signal.name in NEW_SIGNALS}


def test_a_renewal_near_with_no_conversation_for_30_days_is_a_signal(repo: DataRepo) -> None:
    repo.customer("KH-R")
    repo.contract("HT-R", "KH-R")  # ends 2024-12-31: renewal due 11-01, so the renewal is near on 11-10
    repo.interaction("JL-R1", "KH-R", "2024-10-01")  # 40 days before as_of
    (signal,) = signals(repo, "KH-R").values()
    assert (signal.name, signal.weight, dict(signal.figures)) == ("renewal_near_silent", 2, {"days": 51})  # to 12-31
    assert risk_signal_text(signal, "zh") == "合同 51 天后结束，30 天内没有沟通"
    assert risk_signal_text(signal, "en") == "a contract ends in 51 days with no contact for 30 days"
    repo.interaction("JL-R2", "KH-R", "2024-10-20", kind="care")  # a greeting is no conversation about it
    assert set(signals(repo, "KH-R")) == {"renewal_near_silent"}
    repo.interaction("JL-R2", "KH-R", "2024-10-20", kind="care", contract="HT-R")  # naming the contract is
    assert signals(repo, "KH-R") == {}
    repo.interaction("JL-R2", "KH-R", "2024-10-20")  # a contact 21 days ago
    assert signals(repo, "KH-R") == {}


def test_a_renewal_not_yet_due_or_after_the_end_or_renewed_is_no_signal(repo: DataRepo) -> None:
    repo.customer("KH-R")
    repo.contract("HT-R", "KH-R", end="2025-01-31")  # renewal due 2024-12-02: not yet
    repo.contract("HT-S", "KH-R", end="2024-11-09")  # ended yesterday: past the renewal's window
    repo.contract("HT-T", "KH-R", end="2024-12-31")
    repo.contract("HT-U", "KH-R", renews="HT-T", start="2025-01-01", end="2025-12-31")
    assert "renewal_near_silent" not in signals(repo, "KH-R")


def test_overdue_payments_are_a_signal_with_their_count_and_the_oldest_days(repo: DataRepo) -> None:
    repo.customer("KH-P")
    repo.contract(
        "HT-P",
        "KH-P",
        "payments:\n  - {due: 2024-09-30, amount: 100}\n  - {due: 2024-10-31, amount: 100}\n"
        "  - {due: 2024-11-30, amount: 100}",
    )
    repo.interaction("JL-P1", "KH-P", "2024-11-01")  # talked to: no renewal signal
    signal = signals(repo, "KH-P")["payment_overdue"]
    assert (signal.weight, dict(signal.figures)) == (1, {"count": 2, "days": 41})  # 09-30 .. 11-10: 31 + 10
    assert risk_signal_text(signal, "zh") == "2 笔回款逾期，最久 41 天"


def test_an_opportunity_lost_in_the_last_90_days_is_a_signal(repo: DataRepo) -> None:
    repo.customer("KH-O")
    repo.opportunity("SJ-O1", "KH-O", stage="lost", closed_on="2024-09-01")  # 70 days: 30 + 31 + 9
    repo.customer("KH-Q")
    repo.opportunity("SJ-Q1", "KH-Q", stage="lost", closed_on="2024-08-12")  # 90 days: not in the last 90
    repo.opportunity("SJ-Q2", "KH-Q", stage="won", closed_on="2024-11-01")
    signal = signals(repo, "KH-O")["opportunity_lost"]
    assert (signal.weight, dict(signal.figures)) == (1, {"days": 70})
    assert risk_signal_text(signal, "en") == "an opportunity lost 70 days ago"
    assert signals(repo, "KH-Q") == {}
