"""The site's plans, pipeline, renewals and receivables: the pages a sales manager reads (issue 13 §5).

A small repository written to disk (the three customers of tests/test_site.py, a monthly plan carried out
twice and postponed, two opportunities of which one won, two contracts: one with an overdue payment and
an overdue renewal, one with its renewal and a payment ahead), built in this process by `crm build` (it
only reads files); what a reader sees is checked in the built HTML.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import Tag

from tests.conftest import DataRepo, invoke_crm
from tests.pagefind_index import fragments
from tests.test_site import BuiltSite, crm_build, write_small_crm

AS_OF = "2026-11-24"


def write_commercial_crm(repo: DataRepo, language: str = "zh") -> None:
    """write_small_crm's customers and conversations, with plans, opportunities and contracts."""
    write_small_crm(repo, language)
    repo.config(
        f"team:\n  ming: {{name: 张明}}\n  hong: {{name: 李红}}\nlanguage: {language}\nsite: {{title: 测试看板}}\n"
    )
    # monthly from 09-10; carried out on 09-12 and 10-11: the current occurrence is 11-10, moved to 11-28
    repo.plan(
        "JH-2026001",
        "KH-2024001",
        "content: [询问运行稳定性, 收集改进建议]",
        goal="知晓系统使用体验",
        date="2026-09-10",
        postponed_to="2026-11-28",
        notes="客户出差，顺延至11月28日",
    )
    repo.interaction("JL-2026010", "KH-2024001", "2026-09-12", plan="JH-2026001", topic="月度回访")
    repo.interaction("JL-2026011", "KH-2024001", "2026-10-11", plan="JH-2026001", topic="月度回访")
    repo.opportunity(
        "SJ-2026001", "KH-2024001", title="二期扩容", stage="negotiation", amount="1234567", expected_close="2026-12-20"
    )
    repo.opportunity(
        "SJ-2026002",
        "KH-2024002",
        title="年度服务",
        stage="won",
        amount="600000",
        expected_close=None,
        closed_on="2026-08-20",
        owner="hong",
    )
    # renewal due 2026-12-31 - 60 days = 11-01: overdue; the 09-01 payment is unpaid: 84 days overdue
    repo.contract(
        "HT-2025001",
        "KH-2024001",
        "payments:\n  - {due: 2026-01-15, amount: 60000, paid_on: 2026-01-20}\n  - {due: 2026-09-01, amount: 60000}\n",
        start="2026-01-01",
        end="2026-12-31",
        signed_on="2025-12-01",
        amount="120000",
    )
    # renewal due 2027-02-28 - 60 days = 2026-12-30: within 90 days, not overdue; a payment due 12-15
    repo.contract(
        "HT-2026002",
        "KH-2024002",
        "payments:\n"
        "  - {due: 2026-09-01, amount: 300000, paid_on: 2026-08-30}\n"
        "  - {due: 2026-12-15, amount: 300000}\n",
        title="年度服务合同",
        start="2026-09-01",
        end="2027-02-28",
        signed_on="2026-08-20",
        amount="600000",
        opportunity="SJ-2026002",
        owner="hong",
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    repo = DataRepo(tmp_path_factory.mktemp("commercial") / "crm")
    write_commercial_crm(repo)
    checked = invoke_crm("validate", "--root", str(repo.root))
    assert checked.returncode == 0, checked.stdout
    out = repo.root / "site"
    result = crm_build(repo, out, env={}, run=invoke_crm)
    assert result.returncode == 0, result.stderr
    return BuiltSite(repo, out, result)


def rows(table: Tag) -> list[list[str]]:
    return [[cell.get_text(" ", strip=True) for cell in row.find_all("td")] for row in table.select("tbody tr")]


def table_after(article: Tag, heading: str) -> Tag:
    """The first table after the heading whose text starts with `heading`."""
    found = next(h for h in article.find_all(["h2", "h3"]) if h.get_text(strip=True).startswith(heading))
    table = found.find_next("table")
    assert isinstance(table, Tag)
    return table


# --- the pages and their place --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "title"), [("plans", "维护计划"), ("pipeline", "商机漏斗"), ("renewals", "续约与回款")]
)
def test_the_new_pages_are_built_in_the_navigation_and_in_the_search_index(
    site: BuiltSite, page: str, title: str
) -> None:
    assert site.article(page).find("h1").get_text(strip=True).startswith(title)  # type: ignore[union-attr]
    nav = site.html("").select_one("nav.md-nav--primary")
    assert nav is not None and title in nav.get_text(" ", strip=True)
    assert f"/{page}/" in fragments(site.out), f"{page}/ is not in the search index"


# --- plans ---------------------------------------------------------------------------------------------------


def test_the_plans_page_shows_this_months_occurrence_by_owner_with_its_postponement(site: BuiltSite) -> None:
    article = site.article("plans")
    assert "本月计划（2026-11-30 前到期）" in article.get_text()
    (row,) = rows(table_after(article, "张明"))
    assert row[0] == "JH-2026001" and row[1] == "华星科技有限公司"
    assert row[2] == "2026-11-28 (顺延，原定 2026-11-10)"
    assert row[3] == "即将到期"
    assert row[4] == "知晓系统使用体验" and row[5] == "询问运行稳定性；收集改进建议"
    assert article.select_one("td .crm-status--due_soon") is not None
    assert "李红" not in [h.get_text(strip=True) for h in article.find_all("h3")], "hong has no plan"


# --- the pipeline --------------------------------------------------------------------------------------------


def test_the_pipeline_page_has_stages_as_columns_with_count_and_formatted_value(site: BuiltSite) -> None:
    article = site.article("pipeline")
    columns = {
        column.select_one(".crm-stage__name").get_text(strip=True): column  # type: ignore[union-attr]
        for column in article.select(".crm-stages .crm-stage")
    }
    assert list(columns) == ["线索", "已确认", "方案", "谈判", "赢单", "输单"]
    negotiation = columns["谈判"].get_text(" ", strip=True)
    assert "¥123.5万" in negotiation and "1 个" in negotiation and "二期扩容" in negotiation
    won = columns["赢单"].get_text(" ", strip=True)
    assert "¥60万" in won and "年度服务" in won
    assert "0 个" in columns["线索"].get_text(" ", strip=True)
    tiles = {
        tile.select_one(".crm-tile__title").get_text(strip=True): tile.select_one(".crm-tile__value").get_text()  # type: ignore[union-attr]
        for tile in article.select(".crm-tile")
    }
    assert tiles["在谈金额"] == "¥123.5万"
    assert tiles["赢单率（近 12 个月）"] == "100%"
    summary = {row[0]: row[1:] for row in rows(table_after(article, "商机漏斗"))}
    assert summary["谈判"] == ["1", "¥123.5万", "¥86.4万"]  # 1,234,567 × 70 %


def test_the_funnel_chart_comes_in_both_schemes_with_a_chinese_text_alternative(site: BuiltSite) -> None:
    article = site.article("pipeline")
    images = article.select("img[src*='pipeline-funnel']")
    assert len(images) == 2
    alt = str(images[0]["alt"])
    assert alt.startswith("商机漏斗（在谈金额）：") and "谈判 1 个，¥123.5万" in alt
    for variant in ("light", "dark"):
        svg = (site.out / "assets" / "charts" / f"pipeline-funnel-{variant}.svg").read_text(encoding="utf-8")
        assert "<desc>商机漏斗" in svg and "谈判" in svg and "¥123.5万" in svg


def test_the_funnel_chart_is_the_same_file_at_every_build(site: BuiltSite, tmp_path: Path) -> None:
    again = crm_build(site.repo, tmp_path / "again", env={}, run=invoke_crm)
    assert again.returncode == 0, again.stderr
    for variant in ("light", "dark"):
        name = f"assets/charts/pipeline-funnel-{variant}.svg"
        assert (tmp_path / "again" / name).read_bytes() == (site.out / name).read_bytes()


# --- renewals and receivables ----------------------------------------------------------------------------------


def test_renewals_and_receivables_list_the_next_90_days_overdue_first(site: BuiltSite) -> None:
    article = site.article("renewals")
    renewals = rows(table_after(article, "待续约（90 天内，逾期在前）"))
    assert [row[0] for row in renewals] == ["HT-2025001", "HT-2026002"]
    assert renewals[0][4:6] == ["2026-11-01", "逾期 (23 天)"] and renewals[0][6] == "¥12万"
    assert renewals[1][4] == "2026-12-30" and renewals[1][6] == "¥60万"
    (overdue,) = rows(table_after(article, "逾期回款"))
    assert overdue[:6] == ["HT-2025001", "华星科技有限公司", "张明", "2026-09-01", "¥60,000", "84"]
    (ahead,) = rows(table_after(article, "90 天内应收"))
    assert ahead[0] == "HT-2026002" and ahead[3:5] == ["2026-12-15", "¥30万"]


# --- a customer page -------------------------------------------------------------------------------------------


def test_a_customer_page_shows_its_plan_opportunities_and_contracts_with_the_payment_schedule(
    site: BuiltSite,
) -> None:
    article = site.article("customers/KH-2024001")
    (plan,) = rows(table_after(article, "维护计划"))
    assert plan[0] == "JH-2026001" and plan[1] == "每月" and plan[2] == "2026-11-28 (顺延，原定 2026-11-10)"
    assert "已执行 2 次" in plan[3]
    (opportunity,) = rows(table_after(article, "商机"))
    assert opportunity[:4] == ["SJ-2026001", "谈判", "¥123.5万", "70%"]
    contract = table_after(article, "系统运维服务 (HT-2025001)")
    fields = {row[0]: row[1] for row in rows(contract)}
    assert fields["合作周期"] == "2026-01-01 – 2026-12-31"
    assert fields["合同金额"] == "¥12万 (已回款 ¥60,000 / ¥12万)"
    assert fields["续约跟进日"] == "2026-11-01 逾期 (23 天)"
    schedule = contract.find_next("table")
    assert isinstance(schedule, Tag)
    assert rows(schedule) == [["2026-01-15", "¥60,000", "已回款 2026-01-20"], ["2026-09-01", "¥60,000", "逾期 84 天"]]


def test_a_customer_page_shows_the_suggested_value_beside_the_typed_one_where_they_differ(site: BuiltSite) -> None:
    def value_row(customer: str) -> str:
        profile = {row[0]: row[1] for row in rows(table_after(site.article(f"customers/{customer}"), "基本信息"))}
        return profile["客户价值"]

    assert value_row("KH-2024001") == "高 (按近 12 个月合同金额建议：低)"  # typed high; 17 % of the revenue
    assert value_row("KH-2024002") == "中 (按近 12 个月合同金额建议：高)"
    page = site.article("customers/KH-2023001").get_text(" ", strip=True)
    assert "建议" not in page, "no contract, no suggestion"
    assert "维护计划" not in page and "合同" not in page, "no such records, no empty sections"


# --- dashboard and owners --------------------------------------------------------------------------------------


def test_the_dashboard_has_tiles_for_pipeline_renewals_and_receivables(site: BuiltSite) -> None:
    tiles: dict[str, str] = {}
    for tile in site.article("").select("a.crm-tile"):
        # a tile names its KPI in its class (crm-tile--<key>); its link leads to the list behind it (issue 15)
        key = next(str(name) for name in tile["class"] if str(name).startswith("crm-tile--"))
        tiles[key.removeprefix("crm-tile--")] = tile.select_one(".crm-tile__value").get_text()  # type: ignore[union-attr]
    assert tiles["pipeline_open_value"] == "¥123.5万"
    assert tiles["renewals_due"] == "1"  # HT-2025001 overdue; HT-2026002's renewal is five weeks off
    assert tiles["receivables_overdue"] == "¥60,000"


def test_an_owner_page_shows_the_owners_share_of_the_team(site: BuiltSite) -> None:
    share = {row[0]: row[1:] for row in rows(table_after(site.article("owners/ming"), "占团队份额"))}
    assert share["商机金额"] == ["¥123.5万", "¥123.5万", "100%"]
    share = {row[0]: row[1:] for row in rows(table_after(site.article("owners/hong"), "占团队份额"))}
    assert share["商机金额"] == ["¥0", "¥123.5万", "0%"]


# --- English ----------------------------------------------------------------------------------------------------


def test_an_english_site_words_the_pages_and_amounts_in_english(tmp_path: Path) -> None:
    repo = DataRepo(tmp_path / "crm")
    write_commercial_crm(repo, language="en")
    out = tmp_path / "site"
    result = crm_build(repo, out, env={}, run=invoke_crm)
    assert result.returncode == 0, result.stderr
    built = BuiltSite(repo, out, result)
    pipeline = built.article("pipeline")
    assert pipeline.find("h1").get_text(strip=True).startswith("Pipeline")  # type: ignore[union-attr]
    summary = {row[0]: row[1:] for row in rows(table_after(pipeline, "Pipeline funnel"))}
    assert summary["Negotiation"][:2] == ["1", "¥1,234,567"]
    alt = str(pipeline.select_one("img[src*='pipeline-funnel']")["alt"])  # type: ignore[index]
    assert alt.startswith("Pipeline funnel (open value): ") and "Negotiation 1, ¥1,234,567" in alt
    renewals = built.article("renewals").get_text(" ", strip=True)
    assert "Renewals due (next 90 days, overdue first)" in renewals and "Overdue payments" in renewals
    customer = built.article("customers/KH-2024001").get_text(" ", strip=True)
    assert "paid ¥60,000 of ¥120,000" in customer and "84 days overdue" in customer
    assert "postponed from 2026-11-10" in built.article("plans").get_text(" ", strip=True)
