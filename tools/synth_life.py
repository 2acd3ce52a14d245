"""The rest of the customer life in the synthetic data: maintenance plans, opportunities and contracts.

tools/synth.py plans the customers and their conversations; this module adds what the team agreed with
them (contract §2 v2), consistent with those conversations:

- contracts: a chain of yearly (sometimes two- or three-year) service contracts for every active and stable
  customer, the later ones renewing the earlier (`renews:`), the current one covering the demo day; about a
  third of them end within 90 days (some already renewed, some with a renewal call, some with nothing done);
  project contracts from second deals; contracts of dormant and churned customers, one terminated early;
  payment schedules mostly paid on time, a few late, a few overdue;
- opportunities: the deals of prospects at every stage, the won deals behind contracts, second deals of
  active customers, lost deals with their reasons;
- plans: the handbook's 客户维护计划表 (monthly or quarterly visits, a yearly review, a renewal talk, the
  first call after going live), some postponed, a few cancelled.

A conversation carries a plan, works on an opportunity or concerns a contract by a tag on its skeleton
(`plan:`, `opportunity:`, `contract:` in the written record), and then its topic and summary say so. Tags go
on conversations already near the day concerned; when none is, an earlier contact is moved there: a contact
before the customer's planned last contact may fall on any day from the customer's first allowed day to the
day before that last contact without changing what `crm due` computes (§3 reads only the last contact day),
so every customer keeps the follow-up status synth gave it. Plan occurrences after that last contact can
only be carried out by it; when none is near, the occurrence is missed and the plan falls behind, as the
plans of customers nobody calls do.

Everything comes from its own random source seeded from synth's seed, so synth's own draws do not shift
(`--core` leaves these records out), and the same seed always gives the same bytes. Policy numbers are the
models' own defaults (crm.yaml declares no policy).
"""

from __future__ import annotations

import calendar
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from crmdata.records import models

if TYPE_CHECKING:
    from tools.synth import Customer, Skeleton

POLICY = models.Policy()
RENEWAL_NOTICE_DAYS = POLICY.renewal_notice_days
"""The renewal follow-up's lead time of a contract that gives none (the model's default, 60 days)."""

TEXT_RANK = {"plan": 1, "opportunity": 2, "contract": 3}
"""A conversation about several records speaks of the weightiest: a renewal, then a deal, then the plan."""

RENEWAL_WINDOW_DAYS = 90
"""The demo shows renewals due within this many days of its day (the renewals page's horizon)."""

PLAN_KINDS = frozenset({"followup", "survey"})
"""Conversations that carry out a maintenance plan: calls and visits, satisfaction surveys."""
DEAL_KINDS = frozenset({"sale", "followup"})
"""Conversations that work on an opportunity or a contract's renewal."""

# --------------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------------

SERVICES_BY_TYPE: dict[str, list[str]] = {
    "enterprise": ["系统运维服务", "软件许可及升级服务", "技术支持服务", "数据分析平台订阅", "云资源托管服务"],
    "government": ["政务系统运维服务", "驻场运维服务", "数据治理平台运维", "等保测评服务"],
    "institutional_investor": ["投研数据服务", "风控数据接口服务", "合规报送系统运维", "定制研究报告服务"],
    "individual": ["财富管理顾问服务", "家庭资产配置服务", "税务咨询服务"],
}
EXTRA_PRODUCTS_BY_TYPE: dict[str, list[str]] = {
    "enterprise": ["培训服务", "移动端应用", "数据备份服务", "7×24小时热线"],
    "government": ["培训服务", "信创适配", "数据备份服务"],
    "institutional_investor": ["数据接口", "季度路演支持", "培训服务"],
    "individual": ["年度资产检视", "专属客户经理"],
}
SECOND_DEALS_BY_TYPE: dict[str, list[tuple[str, list[str]]]] = {
    "enterprise": [
        ("二期扩容项目", ["软件许可", "实施服务"]),
        ("数据分析模块增购", ["数据分析平台", "实施服务"]),
        ("移动端审批模块", ["移动端应用", "定制开发"]),
        ("私有化部署改造", ["私有化部署", "实施服务"]),
        ("与ERP系统对接项目", ["定制开发", "接口对接"]),
        ("新增分支机构上线", ["软件许可", "培训服务"]),
    ],
    "government": [
        ("信创适配改造项目", ["信创适配", "系统集成"]),
        ("数据治理二期项目", ["数据治理平台", "实施服务"]),
        ("等保三级整改项目", ["等保测评服务", "安全加固"]),
    ],
    "institutional_investor": [
        ("投研数据接口扩容", ["数据接口", "实施服务"]),
        ("合规报送系统升级", ["合规报送系统", "定制开发"]),
        ("定制资产配置模型", ["定制研究报告", "咨询服务"]),
    ],
    "individual": [
        ("子女教育金规划", ["教育金规划"]),
        ("养老规划方案", ["养老规划服务"]),
        ("家庭资产配置升级", ["家庭资产配置服务"]),
    ],
}
LOST_REASONS = ["价格偏高", "选择了竞品", "预算取消", "需求变更，项目暂停", "决策周期过长，客户暂缓采购"]
LOST_REASON_WEIGHTS = [35, 30, 20, 8, 7]
OPPORTUNITY_NOTES = [
    "等待对方预算审批",
    "客户技术负责人已认可方案",
    "需提供两家同类客户案例",
    "客户要求分期付款",
    "竞品报价更低，需突出服务优势",
    "年底前需完成内部立项",
]
OPEN_STAGES = ["lead", "qualified", "proposal", "negotiation"]
PROSPECT_STAGES = ["lead", "qualified", "proposal", "negotiation", "lost"]
PROSPECT_STAGE_WEIGHTS = [26, 24, 22, 14, 14]
SECOND_STAGE_WEIGHTS = [15, 25, 35, 25]
STAGE_STEPS = {"lead": 1, "qualified": 2, "proposal": 3, "negotiation": 4}
"""How many conversations an open opportunity at this stage has had (at most)."""
OPPORTUNITY_TOPICS = ["需求调研", "方案讲解", "报价确认", "商务谈判", "合同条款确认"]
OPPORTUNITY_SUMMARIES = [
    "就{title}与{{c}}沟通需求，客户介绍了现状和预算，约定下周提交方案。",
    "向{{c}}讲解{title}的方案，客户对实施周期比较关心。",
    "与{{c}}确认{title}报价约{amount}万元，客户将提交内部审批。",
    "与{{c}}就{title}的付款方式和服务条款进行谈判，双方基本达成一致。",
    "与{{c}}确认{title}合同条款，准备签约。",
]
LOST_SUMMARY = "{{c}}告知{title}不再推进：{reason}。"
WON_SUMMARY = "{title}合同已签订，感谢{{c}}的支持，约定实施启动时间。"
RENEWAL_TOPICS = ["续约意向沟通", "续约报价确认", "续约合同条款确认"]
RENEWAL_SUMMARIES = [
    "{title}将于{end}到期，与{{c}}沟通续约安排，客户表示有意续约，等待内部审批。",
    "{title}将于{end}到期，{{c}}希望续约报价有一定优惠，已答应内部申请。",
    "就{title}续约与{{c}}沟通，客户将在月底前答复。",
]
CONTRACT_NOTES = [
    "付款需走客户总部审批流程",
    "发票需在付款前开具",
    "含两次上门培训",
    "服务期内免费升级",
]

PLAN_GOALS_BY_TYPE: dict[str, list[tuple[str, list[str]]]] = {
    "enterprise": [
        ("了解系统使用体验", ["询问运行稳定性", "收集改进建议"]),
        ("知晓系统使用体验", ["询问运行稳定性", "确认是否需要培训"]),
        ("回访满意度", ["听取服务评价", "了解问题处理是否及时"]),
        ("季度业务回顾", ["回顾本季度服务情况", "核对回款进度", "了解下季度计划"]),
        ("新功能推介", ["介绍新版本功能", "了解扩容需求"]),
    ],
    "government": [
        ("了解系统使用体验", ["询问运行稳定性", "收集改进建议"]),
        ("回访满意度", ["听取服务评价", "确认验收材料是否齐全"]),
        ("季度运维回顾", ["回顾本季度运维情况", "了解信创改造进度"]),
    ],
    "institutional_investor": [
        ("回访满意度", ["听取服务评价", "了解数据需求变化"]),
        ("季度业务回顾", ["回顾本季度服务情况", "介绍研究报告计划"]),
        ("了解系统使用体验", ["询问接口稳定性", "收集改进建议"]),
    ],
    "individual": [
        ("资产配置回顾", ["回顾持仓表现", "了解风险偏好变化"]),
        ("回访满意度", ["听取服务评价", "了解家庭理财新需求"]),
    ],
}
YEARLY_GOAL = ("年度合作回顾", ["总结年度合作成果", "了解明年预算安排", "邀请参加客户答谢会"])
REACTIVATION_GOAL = ("重新激活沟通", ["了解近期业务变化", "介绍最新服务方案", "约定拜访时间"])
RENEWAL_GOAL = ("续约沟通", ["了解续约意向", "确认下一年度服务范围", "沟通续约报价"])
FIRST_CALL_GOAL = ("上线后首次回访", ["了解上线后运行情况", "确认培训是否到位", "收集初期问题"])
PLAN_SUMMARIES = [
    "按维护计划与{{c}}沟通：{points}。客户反馈系统运行平稳。",
    "按维护计划回访{{c}}：{points}。客户提出两条改进建议，已记录。",
    "执行维护计划，与{{c}}沟通：{points}。客户整体满意。",
]
POSTPONE_NOTES = [
    "客户出差，顺延至{day}",
    "对接人休假，顺延至{day}",
    "客户年底结账繁忙，顺延至{day}",
    "客户内部会议冲突，顺延至{day}",
]
CANCEL_NOTES = ["客户业务调整，暂停回访计划", "已并入季度业务回顾计划", "对接部门撤并，计划取消"]
CHURNED_CANCEL_NOTE = "客户已流失，计划取消"
TERMINATION_NOTE = "客户业务调整，双方协商提前终止合作"


# --------------------------------------------------------------------------------------------------
# The records while they are planned
# --------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class SynPayment:
    """One instalment: due, amount, and the day it was paid (None while unpaid)."""

    due: date
    amount: int
    paid_on: date | None = None


@dataclass(slots=True)
class SynOpportunity:
    """An opportunity before its id is given."""

    cust: Customer
    title: str
    stage: str
    amount: int
    opened: date  # when the deal was first worked on: orders the ids
    seq: int
    expected_close: date | None = None
    closed_on: date | None = None
    lost_reason: str | None = None
    probability: int | None = None
    qualification: dict[str, bool] | None = None
    source: str | None = None
    notes: str | None = None
    id: str = ""


@dataclass(slots=True)
class SynContract:
    """A contract before its id is given."""

    cust: Customer
    title: str
    products: list[str]
    signed_on: date
    start: date
    end: date | None
    amount: int
    seq: int
    payments: list[SynPayment] = field(default_factory=list)
    renews: SynContract | None = None
    opportunity: SynOpportunity | None = None
    notice_days: int | None = None
    terminated_on: date | None = None
    notes: str | None = None
    id: str = ""


@dataclass(slots=True)
class SynPlan:
    """A maintenance plan before its id is given."""

    cust: Customer
    cycle: str
    goal: str
    content: list[str]
    start: date
    seq: int
    postponed_to: date | None = None
    cancelled: bool = False
    notes: str | None = None
    id: str = ""


# --------------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later (or earlier), clipped to the month's end (contract §2)."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


CYCLE_MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}


def occurrences(start: date, cycle: str, until: date) -> list[date]:
    """A plan's occurrences on or before `until`: start, then start + k cycles, each from start (§2)."""
    if cycle == "once":
        return [start] if start <= until else []
    out: list[date] = []
    k = 0
    while (day := add_months(start, k * CYCLE_MONTHS[cycle])) <= until:
        out.append(day)
        k += 1
    return out


def _days(day: date, n: int) -> date:
    """Shift a date by n days."""
    return day + timedelta(days=n)


def _chinese_day(day: date) -> str:
    """12月5日: how a note names a day."""
    return f"{day.month}月{day.day}日"


def _id_width(counts: Iterable[int]) -> int:
    """Sequence width: 3 digits, wider when a year holds more than 999 records (as synth's ids)."""
    return max([3] + [len(str(n)) for n in counts])


def _number_ids(prefix: str, items: Sequence[Any], day_of: Any) -> None:
    """PREFIX-<year><seq>, numbered in date order within each year (then creation order)."""
    per_year: dict[int, int] = {}
    for item in items:
        year = day_of(item).year
        per_year[year] = per_year.get(year, 0) + 1
    width = _id_width(per_year.values())
    seq: dict[int, int] = {}
    for item in sorted(items, key=lambda item: (day_of(item), item.seq)):
        year = day_of(item).year
        seq[year] = seq.get(year, 0) + 1
        item.id = f"{prefix}-{year}{seq[year]:0{width}d}"


# --------------------------------------------------------------------------------------------------
# The planner
# --------------------------------------------------------------------------------------------------


class Life:
    """Plans the plans, opportunities and contracts of every customer and tags their conversations."""

    def __init__(
        self, customers: list[Customer], skeletons: list[Skeleton], seed: int, as_of: date, window_start: date
    ) -> None:
        self.rng = random.Random(f"life:{seed}")
        self.customers = customers
        self.as_of = as_of
        self.window_start = window_start
        self.talks: dict[int, list[Skeleton]] = {}
        for s in skeletons:
            self.talks.setdefault(s.cust.idx, []).append(s)
        self.plans: list[SynPlan] = []
        self.opportunities: list[SynOpportunity] = []
        self.contracts: list[SynContract] = []
        self._seq = 0
        self._lost = 0
        self._voice: dict[int, int] = {}  # id(skeleton) -> TEXT_RANK of the record its topic speaks of

    # ---- entry point --------------------------------------------------------------------------

    def run(self) -> None:
        """Plan everything, then number it; the skeletons carry their tags afterwards."""
        rng = self.rng
        live = [c for c in self.customers if c.stage in ("active", "stable") and c.since is not None]
        # Renewals due soon need a contract that began a year ago: customers of more than a year.
        settled = [c for c in live if c.since is not None and c.since <= add_months(self.as_of, -12)]
        quota = min(len(settled), max(3, round(0.3 * len(live))))
        soon = rng.sample(settled, quota)
        renewal_mode = {c.idx: ("renewed", "called", "silent")[i % 3] for i, c in enumerate(soon)}
        churned = [c for c in self.customers if c.stage == "churned" and c.churned_on is not None]
        terminated = {c.idx for i, c in enumerate(churned) if i == 0 or rng.random() < 0.1}
        for c in self.customers:
            if c.stage in ("active", "stable") and c.since is not None:
                self._active(c, renewal_mode.get(c.idx))
            elif c.stage == "prospecting":
                self._prospect(c)
            elif c.stage == "dormant":
                self._dormant(c)
            elif c.stage == "churned":
                self._churned(c, c.idx in terminated)
        self._settle_payments()
        self._postpone_and_cancel()
        for c in self.customers:
            days = [s.day for s in self.talks.get(c.idx, [])]
            c.first_day = min(days) if days else None
        _number_ids("JH", self.plans, lambda p: p.start)
        _number_ids("SJ", self.opportunities, lambda o: o.opened)
        _number_ids("HT", self.contracts, lambda k: k.signed_on)

    def _next_seq(self) -> int:
        """Creation order: the ids' tie breaker."""
        self._seq += 1
        return self._seq

    # ---- per stage ----------------------------------------------------------------------------

    def _active(self, c: Customer, renewal: str | None) -> None:
        """A service chain covering today, maybe a second deal, open and lost deals, and plans."""
        rng, as_of = self.rng, self.as_of
        current = self._service_chain(c, renewal)
        if current.end is None or current.end > _days(as_of, RENEWAL_WINDOW_DAYS):
            renewal = None
        if renewal == "renewed":
            signed = max(_days(as_of, -rng.randint(1, 20)), _days(current.end or as_of, -RENEWAL_WINDOW_DAYS))
            self._renewal_call(current, _days(signed, -30), signed)
            self._renew(current, signed)
        elif renewal == "called":
            end = current.end or as_of
            call = self._renewal_call(current, _days(end, -self._notice(current) - 25), as_of)
            if rng.random() < 0.6:
                self._renewal_plan(current, call)
        elif renewal == "silent" and rng.random() < 0.6:
            self._renewal_plan(current, None)
        if c.since is not None and (as_of - c.since).days < 120:
            self._first_call_plan(c)
        if rng.random() < 0.88:
            cycle = "monthly" if c.value == "high" or c.tier == "strategic" else rng.choice(("quarterly", "monthly"))
            if c.stage == "stable":
                cycle = "quarterly"
            self._cycle_plan(c, cycle, rng.choice(PLAN_GOALS_BY_TYPE[c.type]))
            if rng.random() < 0.25:
                self._cycle_plan(c, "yearly", YEARLY_GOAL)
        if rng.random() < 0.25:
            self._second_deal(c)
        for _ in range(rng.choices((0, 1, 2), weights=(30, 50, 20))[0]):
            self._open_opportunity(c, rng.choices(OPEN_STAGES, weights=SECOND_STAGE_WEIGHTS)[0], second=True)
        for _ in range(rng.choices((0, 1, 2), weights=(45, 40, 15))[0]):
            self._lost_opportunity(c, second=True)

    def _prospect(self, c: Customer) -> None:
        """One or two deals at any stage before a first contract (a lost one among them)."""
        rng = self.rng
        for _ in range(rng.choices((1, 2), weights=(70, 30))[0]):
            stage = rng.choices(PROSPECT_STAGES, weights=PROSPECT_STAGE_WEIGHTS)[0]
            if stage == "lost":
                self._lost_opportunity(c, second=False)
            else:
                self._open_opportunity(c, stage, second=False)

    def _dormant(self, c: Customer) -> None:
        """Half still have a long contract running; most have a reactivation plan nobody carries out."""
        rng, as_of = self.rng, self.as_of
        if rng.random() < 0.5 and c.since is not None:
            term = rng.choice((24, 36))
            end = _days(as_of, rng.randint(30, 500))
            start = max(add_months(_days(end, 1), -term), c.since)
            self._contract(c, self._service(c), start, end, renews=None)
        if rng.random() < 0.3:
            self._lost_opportunity(c, second=True)
        if rng.random() < 0.6:
            # Made when the silence was noticed: mostly missed since, some only starting.
            start = _days(as_of, -rng.randint(10, 75) if rng.random() < 0.65 else rng.randint(3, 20))
            start = start.replace(day=min(start.day, 28))
            goal, points = REACTIVATION_GOAL
            self.plans.append(SynPlan(c, "monthly", goal, list(points), start, self._next_seq()))

    def _churned(self, c: Customer, terminate: bool) -> None:
        """The contract that ended (or, for one, was ended early) and the renewal that was lost."""
        rng = self.rng
        churned_on = c.churned_on
        if churned_on is None or c.since is None:
            return
        if terminate:
            start = max(add_months(churned_on, -rng.randint(3, 9)), c.since)
            end = _days(add_months(start, 12), -1)
            contract = self._contract(c, self._service(c), start, end, renews=None)
            contract.terminated_on = churned_on
            contract.notes = TERMINATION_NOTE
            contract.payments = [p for p in contract.payments if p.due <= churned_on]
        elif rng.random() < 0.6:
            end = _days(churned_on, -rng.randint(0, 30))
            start = max(add_months(_days(end, 1), -12), c.since)
            if (end - start).days >= 90:
                contract = self._contract(c, self._service(c), start, end, renews=None)
                self._lost_opportunity(c, second=True, title=f"{contract.title}续约", closed=end)
        if rng.random() < 0.4:
            plan = self._cycle_plan(c, "quarterly", rng.choice(PLAN_GOALS_BY_TYPE[c.type]))
            if plan is not None:
                plan.cancelled = True
                plan.notes = CHURNED_CANCEL_NOTE

    # ---- contracts ----------------------------------------------------------------------------

    def _service(self, c: Customer) -> list[str]:
        """A service contract's products: the main service, sometimes with an extra."""
        rng = self.rng
        products = [rng.choice(SERVICES_BY_TYPE[c.type])]
        if rng.random() < 0.45:
            products.append(rng.choice(EXTRA_PRODUCTS_BY_TYPE[c.type]))
        return products

    def _amount(self, c: Customer, scale: float = 1.0) -> int:
        """A contract or deal amount in CNY: 5万 to 300万 by the customer's tier, rounded like a quote."""
        rng = self.rng
        if c.type == "individual":
            low, high = 50, 300
        else:
            low, high = {"strategic": (600, 3000), "regular": (120, 900), "potential": (50, 300)}[c.tier]
        thousands = max(50, min(3000, round(rng.randint(low, high) * scale)))
        step = 10 if thousands >= 1000 else 5 if thousands >= 200 else 1
        return thousands // step * step * 1000

    def _notice(self, contract: SynContract) -> int:
        """Days before the end the renewal is due: the contract's own, else the policy's default."""
        return contract.notice_days if contract.notice_days is not None else RENEWAL_NOTICE_DAYS

    def _contract(
        self, c: Customer, products: list[str], start: date, end: date | None, *, renews: SynContract | None
    ) -> SynContract:
        """A service contract from start to end with its payment schedule (paid later by _settle_payments)."""
        rng = self.rng
        months = 12 if end is None else max(1, round((end - start).days / 30.4))
        if end is None:
            title = products[0]
        elif 11 <= months <= 13:
            title = f"{start.year} 年度{products[0]}"
        else:
            title = f"{products[0]}（{start.year}—{end.year}）"
        amount = self._amount(c, months / 12 if months < 12 else min(2.0, months / 12))
        signed = (
            _days(start, -rng.randint(3, 25)) if renews is None else _days(renews.end or start, -rng.randint(8, 45))
        )
        signed = min(signed, self.as_of)
        contract = SynContract(c, title, products, signed, start, end, amount, self._next_seq(), renews=renews)
        if c.tier == "strategic" and rng.random() < 0.4:
            contract.notice_days = 90
        if rng.random() < 0.3:
            contract.notes = rng.choice(CONTRACT_NOTES)
        contract.payments = self._schedule(amount, start, months)
        self.contracts.append(contract)
        return contract

    def _schedule(self, amount: int, start: date, months: int) -> list[SynPayment]:
        """Instalments summing to the amount exactly: once, in halves, or quarterly over the term."""
        rng = self.rng
        n = rng.choices((1, 2, 4), weights=(30, 45, 25))[0] if months >= 12 else rng.choice((1, 2))
        step = max(1, months // n)
        share = amount // n // 1000 * 1000
        out = [SynPayment(_days(add_months(start, k * step), 15), share) for k in range(n)]
        out[-1].amount = amount - share * (n - 1)
        return out

    def _service_chain(self, c: Customer, renewal: str | None) -> SynContract:
        """1-3 contracts renewing one another, the last covering today; returns the current one."""
        rng, as_of = self.rng, self.as_of
        since = c.since or as_of
        term = 12 if renewal is not None else rng.choices((12, 24, 36), weights=(82, 12, 6))[0]
        if renewal is not None:
            end = _days(as_of, rng.randint(5, RENEWAL_WINDOW_DAYS))
        else:
            end = _days(as_of, rng.randint(RENEWAL_WINDOW_DAYS + 1, (add_months(as_of, term) - as_of).days - 1))
        start = add_months(_days(end, 1), -term)
        if start < since:  # a new customer: its first contract starts the day it became one
            start, end = since, _days(add_months(since, term), -1)
        starts = [start]
        for _ in range(rng.choices((0, 1, 2), weights=(65, 28, 7))[0]):
            earlier = max(add_months(starts[0], -12), since)
            if (starts[0] - earlier).days < 180:
                break
            starts.insert(0, earlier)
        products = self._service(c)
        previous: SynContract | None = None
        for i, first in enumerate(starts):
            last = _days(starts[i + 1], -1) if i + 1 < len(starts) else end
            previous = self._contract(c, products, first, last, renews=previous)
            if i == 0 and previous.signed_on >= _days(self.window_start, 45):
                self._won_opportunity(c, previous)
            if i > 0 and rng.random() < 0.6 and previous.renews is not None:
                old = previous.renews
                self._renewal_call(old, _days(old.end or first, -75), _days(previous.signed_on, 0))
        assert previous is not None
        return previous

    def _renew(self, current: SynContract, signed: date) -> SynContract:
        """The renewal already signed: next year's contract starting the day after the current one ends."""
        start = _days(current.end or self.as_of, 1)
        renewal = self._contract(
            current.cust, current.products, start, _days(add_months(start, 12), -1), renews=current
        )
        renewal.signed_on = signed
        return renewal

    def _renewal_call(self, contract: SynContract, lo: date, hi: date) -> Skeleton | None:
        """Tag a conversation in [lo, hi] as the contract's renewal call."""
        rng = self.rng
        s = self._tag(contract.cust, lo, hi, DEAL_KINDS, near=hi, about="contract")
        if s is not None:
            s.contract = contract
            end = contract.end or self.as_of
            summary = rng.choice(RENEWAL_SUMMARIES).format(title=contract.title, end=_chinese_day(end))
            self._say(s, "contract", rng.choice(RENEWAL_TOPICS), summary)
        return s

    def _second_deal(self, c: Customer) -> None:
        """A won second deal (增购, 二期): an open-ended project contract paid by milestones."""
        rng, as_of = self.rng, self.as_of
        since = c.since or as_of
        lo = max(_days(since, 60), _days(self.window_start, 90))
        hi = _days(as_of, -10)
        if lo > hi:
            return
        closed = _days(lo, rng.randint(0, (hi - lo).days))
        title, products = rng.choice(SECOND_DEALS_BY_TYPE[c.type])
        amount = self._amount(c, 0.6)
        opportunity = self._opportunity(c, title, "won", amount, _days(closed, -rng.randint(30, 120)))
        opportunity.closed_on = closed
        opportunity.qualification = {"budget": True, "authority": True, "need": True}
        self.opportunities.append(opportunity)
        self._work_on(opportunity, closed, 3)
        start = _days(closed, rng.randint(3, 20))
        contract = SynContract(c, title, list(products), closed, start, None, amount, self._next_seq())
        contract.opportunity = opportunity
        contract.notes = "按验收节点付款：首付款30%，上线验收60%，质保金10%"
        first, second = amount * 3 // 10 // 1000 * 1000, amount * 6 // 10 // 1000 * 1000
        contract.payments = [
            SynPayment(_days(closed, 15), first),
            SynPayment(add_months(start, 4), second),
            SynPayment(add_months(start, 12), amount - first - second),
        ]
        self.contracts.append(contract)

    def _settle_payments(self) -> None:
        """Pay the instalments due before today: mostly on time, a few late, a few still overdue."""
        rng, as_of = self.rng, self.as_of
        past = [p for k in self.contracts for p in k.payments if p.due < as_of]
        recent = [p for p in past if (as_of - p.due).days <= 150]
        rng.shuffle(recent)
        overdue = {id(p) for p in recent[: max(3, round(0.05 * len(past)))]}
        rest = [p for p in past if id(p) not in overdue]
        late = {id(p) for p in rng.sample(rest, min(len(rest), max(3, round(0.1 * len(past)))))}
        signed_of = {id(p): k.signed_on for k in self.contracts for p in k.payments}
        for p in past:
            if id(p) in overdue:
                continue
            if id(p) in late:
                p.paid_on = min(_days(p.due, rng.randint(5, 45)), _days(as_of, -1))
            else:
                p.paid_on = max(_days(p.due, -rng.randint(0, 7)), signed_of[id(p)])

    # ---- opportunities ------------------------------------------------------------------------

    def _opportunity(self, c: Customer, title: str, stage: str, amount: int, opened: date) -> SynOpportunity:
        """A new opportunity record of the customer's owner."""
        rng = self.rng
        opportunity = SynOpportunity(c, title, stage, amount, opened, self._next_seq())
        if rng.random() < 0.7:
            opportunity.source = rng.choice(("客户转介绍", "行业展会", "老客户复购", "官网咨询", "电话营销", "招投标"))
        return opportunity

    def _won_opportunity(self, c: Customer, contract: SynContract) -> None:
        """The deal behind a customer's first contract."""
        rng = self.rng
        opened = _days(contract.signed_on, -rng.randint(30, 120))
        opportunity = self._opportunity(c, contract.title, "won", contract.amount, opened)
        opportunity.closed_on = contract.signed_on
        opportunity.qualification = {"budget": True, "authority": True, "need": True}
        contract.opportunity = opportunity
        self.opportunities.append(opportunity)
        self._work_on(opportunity, contract.signed_on, 2)

    def _open_opportunity(self, c: Customer, stage: str, *, second: bool) -> None:
        """A deal still being worked on, with the conversations its stage has needed."""
        rng, as_of = self.rng, self.as_of
        if second:
            title, _ = rng.choice(SECOND_DEALS_BY_TYPE[c.type])
        else:
            title = f"{rng.choice(SERVICES_BY_TYPE[c.type]).removesuffix('服务')}采购项目"
        talks = self.talks.get(c.idx, [])
        first = min((s.day for s in talks), default=_days(as_of, -rng.randint(5, 60)))
        earliest = max(first, _days(as_of, -240), c.since or first)
        opened = min(as_of, _days(earliest, rng.randint(0, max(0, (as_of - earliest).days // 2))))
        opportunity = self._opportunity(c, title, stage, self._amount(c, 0.7 if second else 1.0), opened)
        slipped = rng.random() < 0.06
        opportunity.expected_close = (
            _days(as_of, -rng.randint(3, 30))
            if slipped
            else _days(as_of, rng.randint(15, 60) * (5 - STAGE_STEPS[stage]))
        )
        opportunity.qualification = self._qualification(stage)
        if stage in ("proposal", "negotiation") and rng.random() < 0.3:
            opportunity.probability = STAGE_STEPS[stage] * 15 + rng.choice((0, 5, 10))
        if rng.random() < 0.4:
            opportunity.notes = rng.choice(OPPORTUNITY_NOTES)
        self.opportunities.append(opportunity)
        self._work_on(opportunity, as_of, STAGE_STEPS[stage])

    def _lost_opportunity(
        self, c: Customer, *, second: bool, title: str | None = None, closed: date | None = None
    ) -> None:
        """A deal lost, with its reason, after a conversation or two."""
        rng, as_of = self.rng, self.as_of
        if title is None:
            title = (
                rng.choice(SECOND_DEALS_BY_TYPE[c.type])[0]
                if second
                else f"{rng.choice(SERVICES_BY_TYPE[c.type]).removesuffix('服务')}采购项目"
            )
        if closed is None:
            lo = max(c.since or _days(as_of, -240), _days(self.window_start, 30))
            hi = min(_days(as_of, -5), c.churned_on or as_of)
            if lo > hi:
                return
            closed = _days(lo, rng.randint(0, (hi - lo).days))
        opportunity = self._opportunity(c, title, "lost", self._amount(c, 0.7), _days(closed, -rng.randint(20, 120)))
        opportunity.closed_on = closed
        # The first three lost deals give the three reasons every team meets; the rest by their weights.
        reason = (
            LOST_REASONS[self._lost] if self._lost < 3 else rng.choices(LOST_REASONS, weights=LOST_REASON_WEIGHTS)[0]
        )
        self._lost += 1
        opportunity.lost_reason = reason
        opportunity.qualification = self._qualification(rng.choice(OPEN_STAGES))
        self.opportunities.append(opportunity)
        talks = self._work_on(opportunity, closed, 2)
        if talks:
            self._say(talks[-1], "opportunity", "报价确认", LOST_SUMMARY.format(title=title, reason=reason))

    def _qualification(self, stage: str) -> dict[str, bool] | None:
        """What is known of the buyer: more the further the deal is (有购买需求 first, then 有购买力, 有决定权)."""
        rng = self.rng
        known = STAGE_STEPS.get(stage, 4)
        if known == 1 and rng.random() < 0.5:
            return None
        return {
            "budget": known >= 3 or (known == 2 and rng.random() < 0.5),
            "authority": known >= 4 or (known == 3 and rng.random() < 0.6),
            "need": True,
        }

    def _work_on(self, opportunity: SynOpportunity, until: date, count: int) -> list[Skeleton]:
        """Tag up to `count` conversations between the deal's opening and `until` as working on it."""
        talks: list[Skeleton] = []
        lo = opportunity.opened
        span = max(0, (until - lo).days)
        for k in range(count):
            near = _days(lo, span * (k + 1) // count)
            s = self._tag(opportunity.cust, lo, until, DEAL_KINDS, near=near, about="opportunity")
            if s is None:
                break
            s.opportunity = opportunity
            talks.append(s)
        talks.sort(key=lambda s: (s.day, s.seq))
        for step, s in enumerate(talks):
            topic = OPPORTUNITY_TOPICS[min(step, len(OPPORTUNITY_TOPICS) - 1)]
            template = OPPORTUNITY_SUMMARIES[OPPORTUNITY_TOPICS.index(topic)]
            summary = template.format(title=opportunity.title, amount=round(opportunity.amount / 10000))
            self._say(s, "opportunity", topic, summary)
        if opportunity.stage == "won" and talks:
            self._say(talks[-1], "opportunity", "合同签订", WON_SUMMARY.format(title=opportunity.title))
        return talks

    # ---- plans --------------------------------------------------------------------------------

    def _cycle_plan(self, c: Customer, cycle: str, goal: tuple[str, list[str]]) -> SynPlan | None:
        """A repeating plan whose occurrences the customer's contacts carry out; the latest lands on the last contact.

        Anchoring the schedule at the planned last contact keeps plans and follow-ups telling the same story:
        a customer called on time is on plan; one nobody called for months has missed occurrences.
        """
        rng, as_of = self.rng, self.as_of
        talks = self.talks.get(c.idx, [])
        last = c.last if c.last is not None else (c.hi if c.stage == "churned" else None)
        if last is None or not talks:
            return None
        # The main plan's latest occurrence is the last contact; a second plan's a conversation of the past year
        # no plan has taken yet.
        taken = any(s.plan is not None and s.day == last for s in talks)
        if taken:
            year = [s for s in talks if s.kind in PLAN_KINDS and s.plan is None and s.day >= _days(last, -365)]
            if not year:
                return None
            last = rng.choice(year).day
        anchor = _days(last, -rng.randint(0, 3))
        anchor = anchor.replace(day=min(anchor.day, 28))
        floor = max(c.since or self.window_start, c.lo)
        movable = sum(1 for s in talks if s.role in ("contact", "churned") and s.kind in PLAN_KINDS and _untagged(s))
        if cycle == "monthly" and movable < 3:
            cycle = "quarterly"
        step = CYCLE_MONTHS[cycle]
        most = {"monthly": 8, "quarterly": 5, "yearly": 2}[cycle]
        count = max(1, min(rng.randint(1, most), 1 + movable))
        start = add_months(anchor, -(count - 1) * step)
        while count > 1 and start < floor:
            count -= 1
            start = add_months(anchor, -(count - 1) * step)
        if start < floor:
            return None
        goal_text, points = goal
        content = list(points) if rng.random() < 0.8 else list(points[:1])
        plan = SynPlan(c, cycle, goal_text, content, start, self._next_seq())
        self.plans.append(plan)
        behind = rng.random() < 0.08
        due = [day for day in occurrences(start, cycle, as_of) if day < as_of]
        if behind and due:
            due = due[: -rng.choice((1, 1, 2))]
        for day in due:
            # The anchor occurrence falls on the last contact, whatever it was about (a complaint aside).
            kinds = PLAN_KINDS | {"sale", "onboarding", "referral"} if day == anchor else PLAN_KINDS
            self._tag(c, max(_days(day, -6), start), _days(day, 6), kinds, near=day, carry=plan)
        return plan

    def _first_call_plan(self, c: Customer) -> None:
        """A new customer's first call after going live: a plan for once, done when a conversation was near it."""
        rng = self.rng
        if c.since is None:
            return
        day = _days(c.since, rng.randint(7, 14))
        plan = SynPlan(c, "once", FIRST_CALL_GOAL[0], list(FIRST_CALL_GOAL[1]), day, self._next_seq())
        self.plans.append(plan)
        if day < self.as_of:
            self._tag(c, day, _days(day, 10), PLAN_KINDS | {"onboarding"}, near=day, carry=plan)

    def _renewal_plan(self, contract: SynContract, call: Skeleton | None) -> None:
        """A once plan to talk about the renewal around its due day; the renewal call carries it out."""
        rng = self.rng
        end = contract.end or self.as_of
        day = max(_days(end, -self._notice(contract) + rng.randint(-10, 10)), contract.start)
        if call is not None:
            day = max(min(day, call.day), contract.start)
        plan = SynPlan(contract.cust, "once", RENEWAL_GOAL[0], list(RENEWAL_GOAL[1]), day, self._next_seq())
        self.plans.append(plan)
        if call is not None:
            call.plan = plan

    def _postpone_and_cancel(self) -> None:
        """Postpone the current occurrence of some plans (客户出差，顺延至…) and cancel a few."""
        rng, as_of = self.rng, self.as_of
        carried: dict[int, int] = {}
        for talks in self.talks.values():
            for s in talks:
                if s.plan is not None:
                    carried[id(s.plan)] = carried.get(id(s.plan), 0) + 1
        open_plans = [p for p in self.plans if not p.cancelled and p.cycle != "once"]
        rng.shuffle(open_plans)
        current = {id(p): add_months(p.start, carried.get(id(p), 0) * CYCLE_MONTHS[p.cycle]) for p in open_plans}
        # Only an occurrence at hand is postponed: one due in the past weeks or the coming month.
        at_hand = [p for p in open_plans if _days(as_of, -45) <= current[id(p)] <= _days(as_of, 30)]
        postponed = at_hand[: max(2, round(0.15 * len(open_plans)))]
        for plan in postponed:
            plan.postponed_to = _days(current[id(plan)], rng.randint(2, 14))
            plan.notes = rng.choice(POSTPONE_NOTES).format(day=_chinese_day(plan.postponed_to))
        rest = [p for p in open_plans if p not in postponed]
        for plan in rest[: max(1, round(0.05 * len(open_plans)))]:
            plan.cancelled = True
            plan.notes = rng.choice(CANCEL_NOTES)

    # ---- tagging conversations ----------------------------------------------------------------

    def _tag(
        self,
        c: Customer,
        lo: date,
        hi: date,
        kinds: frozenset[str],
        *,
        near: date,
        carry: SynPlan | None = None,
        about: str = "plan",
    ) -> Skeleton | None:
        """A conversation of c in [lo, hi] nearest `near` that is not yet `about` such a record (preferably about
        nothing yet); else an earlier contact moved there. A deal and a renewal never share a conversation; a
        plan's visit may also be where a deal or the renewal was discussed.

        With `carry`, the conversation carries out that plan (its topic and summary say so unless it speaks of
        a deal or renewal); the caller tags deals itself. None when no conversation fits: the day goes without.
        """
        rng = self.rng
        talks = self.talks.get(c.idx, [])
        hi = min(hi, self.as_of)
        fits = [s for s in talks if lo <= s.day <= hi and s.kind in kinds and _free_for(s, about)]
        s = (
            min(fits, key=lambda s: (not _untagged(s), abs((s.day - near).days), s.seq))
            if fits
            else self._move(c, talks, lo, hi, kinds, near)
        )
        if s is None:
            return None
        s.owner = c.owner
        if carry is not None:
            s.plan = carry
            self._say(s, "plan", carry.goal, rng.choice(PLAN_SUMMARIES).format(points="、".join(carry.content)))
        return s

    def _say(self, s: Skeleton, about: str, topic: str, summary: str) -> None:
        """Give the conversation this topic and summary unless it already speaks of a weightier record."""
        rank = TEXT_RANK[about]
        if self._voice.get(id(s), 0) <= rank:
            self._voice[id(s)] = rank
            s.topic, s.summary = topic, summary

    def _move(
        self, c: Customer, talks: list[Skeleton], lo: date, hi: date, kinds: frozenset[str], near: date
    ) -> Skeleton | None:
        """Move a free earlier contact of c to a day in [lo, hi] near `near` (see the module docstring)."""
        rng = self.rng
        if c.stage == "churned":
            movable_hi = _days(c.hi, -1)
        else:
            movable_hi = _days(c.last if c.last is not None else self.as_of, -1)
        lo, hi = max(lo, c.lo), min(hi, movable_hi)
        if lo > hi:
            return None
        free = [
            s
            for s in talks
            if s.role in ("contact", "churned")
            and s.day <= movable_hi
            and not s.late
            and s.kind in kinds
            and _untagged(s)
        ]
        if not free:
            return None
        s = rng.choice(free)
        day = min(max(_days(near, rng.randint(-2, 3)), lo), hi)
        shift = day - s.day
        s.day = day
        if s.nf is not None:
            s.nf += shift
        return s

    # ---- records ------------------------------------------------------------------------------

    def plan_records(self) -> list[dict[str, Any]]:
        """plans/<id>.yaml dicts, keys in the contract's order, defaults (once, active) left out."""
        out: list[dict[str, Any]] = []
        for plan in sorted(self.plans, key=lambda p: p.id):
            r: dict[str, Any] = {"id": plan.id, "customer": plan.cust.id}
            if plan.cycle != "once":
                r["cycle"] = plan.cycle
            r.update(goal=plan.goal, content=plan.content, owner=plan.cust.owner, date=plan.start)
            if plan.postponed_to is not None:
                r["postponed_to"] = plan.postponed_to
            if plan.cancelled:
                r["status"] = "cancelled"
            if plan.notes is not None:
                r["notes"] = plan.notes
            out.append(r)
        return out

    def opportunity_records(self) -> list[dict[str, Any]]:
        """opportunities/<id>.yaml dicts, keys in the contract's order; currency and probability by default."""
        out: list[dict[str, Any]] = []
        for o in sorted(self.opportunities, key=lambda o: o.id):
            r: dict[str, Any] = {
                "id": o.id,
                "customer": o.cust.id,
                "title": o.title,
                "stage": o.stage,
                "amount": o.amount,
            }
            optional: list[tuple[str, object]] = [
                ("probability", o.probability),
                ("expected_close", o.expected_close),
                ("closed_on", o.closed_on),
                ("lost_reason", o.lost_reason),
                ("qualification", o.qualification),
            ]
            r.update((key, value) for key, value in optional if value is not None)
            r["owner"] = o.cust.owner
            r.update((key, value) for key, value in (("source", o.source), ("notes", o.notes)) if value is not None)
            out.append(r)
        return out

    def contract_records(self) -> list[dict[str, Any]]:
        """contracts/<id>.yaml dicts, keys in the contract's order; currency and notice days by default."""
        out: list[dict[str, Any]] = []
        for k in sorted(self.contracts, key=lambda k: k.id):
            r: dict[str, Any] = {
                "id": k.id,
                "customer": k.cust.id,
                "title": k.title,
                "products": k.products,
                "signed_on": k.signed_on,
                "start": k.start,
            }
            if k.end is not None:
                r["end"] = k.end
            r["amount"] = k.amount
            if k.notice_days is not None:
                r["renewal_notice_days"] = k.notice_days
            if k.renews is not None:
                r["renews"] = k.renews.id
            if k.opportunity is not None:
                r["opportunity"] = k.opportunity.id
            r["payments"] = [
                {"due": p.due, "amount": p.amount} | ({"paid_on": p.paid_on} if p.paid_on is not None else {})
                for p in k.payments
            ]
            if k.terminated_on is not None:
                r["terminated_on"] = k.terminated_on
            r["owner"] = k.cust.owner
            if k.notes is not None:
                r["notes"] = k.notes
            out.append(r)
        return out


def _untagged(s: Skeleton) -> bool:
    """Not yet about a plan, an opportunity or a contract."""
    return s.plan is None and s.opportunity is None and s.contract is None


def _free_for(s: Skeleton, about: str) -> bool:
    """Whether the conversation may also be about a record of this kind (see Life._tag)."""
    if about == "plan":
        return s.plan is None
    return s.opportunity is None and s.contract is None
