"""Our JSON Schema agrees with an independent validator (check-jsonschema) and with `crm validate`.

`crm schema` writes the schema files; check-jsonschema reads the records with its own YAML 1.2 parser
(dates and datetimes stay strings, checked by `format` and `pattern`). Whatever `crm validate` accepts,
check-jsonschema must accept; the typical mistakes must be rejected by both.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DataRepo, invoke_crm
from tests.test_plan_opportunity_contract import CONTRACT, OPPORTUNITY, SEED_PLAN

CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
SCHEMA_NAMES = (
    "customer.schema.json",
    "interaction.schema.json",
    "plan.schema.json",
    "opportunity.schema.json",
    "contract.schema.json",
    "crm.schema.json",
)
FOLDER_SCHEMAS = {
    "customers": "customer.schema.json",
    "plans": "plan.schema.json",
    "opportunities": "opportunity.schema.json",
    "contracts": "contract.schema.json",
}
"""The schema of each flat record folder's files (interactions/ has sub-folders: interaction.schema.json)."""


def check_jsonschema(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), "--color", "never", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def schemas(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder `crm schema --out` wrote the schema files into."""
    out = tmp_path_factory.mktemp("schemas")
    result = invoke_crm("schema", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return out


def schema_for(schemas: Path, relative: str) -> Path:
    if relative == "crm.yaml":
        return schemas / "crm.schema.json"
    folder = relative.partition("/")[0]
    return schemas / FOLDER_SCHEMAS.get(folder, "interaction.schema.json")


def crm_validate(repo_root: Path) -> dict[str, object]:
    result = invoke_crm("validate", "--root", str(repo_root), "--format", "json", "--no-cache")
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (0, 1), result.stderr
    report: dict[str, object] = json.loads(result.stdout)
    return report


# ---------------------------------------------------------------------------------------------
# 1. the schema files


def test_schema_files_are_valid_json_schema(schemas: Path) -> None:
    assert sorted(path.name for path in schemas.iterdir()) == sorted(SCHEMA_NAMES)
    for name in SCHEMA_NAMES:
        schema = json.loads((schemas / name).read_text(encoding="utf-8"))
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["type"] == "object"
        assert schema["additionalProperties"] is False
    result = check_jsonschema("--check-metaschema", *(schemas / name for name in SCHEMA_NAMES))
    assert result.returncode == 0, result.stdout + result.stderr


# ---------------------------------------------------------------------------------------------
# 2. what crm validate accepts, check-jsonschema accepts


FULL_CONFIG = """\
team:
  ming: {name: 张明, email: ming@example.com}
  hong: {name: 李红}
language: en
policy:
  first_contact_days: 7
  new_customer_days: 90
  new_cadence_days: 30
  cadence_days: {prospecting: 30, active: 30, stable: 90, dormant: 30}
  high_value_cadence_days: 15
  silent_after_days: 90
  record_within_hours: 24
  due_soon_days: 7
  renewal_notice_days: 45
site: {title: 客户关系看板 · Ünïcödé, redact: false}
currency: USD
"""

FULL_CUSTOMER = """\
id: KH-2024002
name: 深圳市华星科技有限公司
type: enterprise
tier: strategic
stage: active
value: high
owner: ming
since: 2024-01-10
industry: 电子制造
source: 客户转介绍
referred_by: KH-2024001
contacts:
  - name: 李雷
    title: 采购总监
    phone: "13800138000"
    email: lilei@example.com
    address: 深圳市南山区科技园 1 号
    birthday: 1985-06-01
    primary: true
  - name: Zoë Müller
    title: CFO
    phone: "0755-12345678"
    primary: false
needs: [降低采购成本, 缩短交付周期]
tags:
  - 上市公司
  - 价格敏感
consent:
  given: true
  date: 2024-01-10
  note: 签约时书面同意 ✍️
cadence_days: 20
notes: "备注: 每年三月续签; 联系人偏好微信 😀"
"""

QUOTED_DATES_CUSTOMER = """\
id: KH-2024003
name: "Ωmega Ltd — 欧米伽"
type: institutional_investor
tier: regular
stage: stable
value: low
owner: hong
since: "2023-05-06"
contacts:
  - name: 王芳
    birthday: "1990-12-31"
consent: {given: false, date: "2023-05-06"}
"""

CHURNED_CUSTOMER = """\
id: KH-2024004
name: 个人客户 张三
type: individual
tier: potential
stage: churned
owner: ming
since: 2022-03-01
churned_on: 2024-02-01
churn_reason: "价格: 竞争对手报价更低"
consent: {given: true}
"""

PROSPECT = """\
id: kh_2024005
name: 某市政务服务中心
type: government
tier: potential
stage: prospecting
owner: hong
"""

FULL_INTERACTION = """\
id: JL-2024002
customer: KH-2024001
date: 2024-02-20T15:30:00+08:00
channel: visit
kind: complaint
owner: ming
topic: 交付延迟投诉
summary: 客户反映二月批次延迟 3 天。
feedback: "希望: 下次提前告知"
need_changes:
  - 需要每周进度报告
satisfaction: 3
todos:
  - task: 发送整改方案
    due: 2024-02-23
    owner: hong
    done: 2024-02-22
  - task: 回访确认
    due: "2024-03-01"
next_followup: 2024-03-01
recorded: 2024-02-20T18:00:00+08:00
resolved: 2024-02-25
"""

REFERRING_INTERACTION = """\
id: JL-2024007
customer: KH-2024001
date: 2024-05-12
channel: phone
owner: ming
topic: 月度维护回访
plan: JH-2024001
opportunity: SJ-2024001
contract: HT-2024001
"""

WON_OPPORTUNITY = """\
id: SJ-2024002
customer: KH-2024001
title: "Renewal 2025"
stage: won
amount: 98000.5
currency: USD
probability: 100
closed_on: "2024-11-30"
lost_reason: ""
owner: hong
"""

RENEWAL_CONTRACT = """\
id: HT-2024002
customer: KH-2024001
title: 2025 年度系统运维服务
start: 2025-01-01
amount: 98000.5
currency: USD
renewal_notice_days: 0
renews: HT-2024001
opportunity: SJ-2024002
payments:
  - due: "2025-01-15"
    amount: 0
    paid_on: 2025-01-15
terminated_on: 2025-06-30
owner: hong
notes: 提前终止
"""

PLAIN_DATE_INTERACTION = """\
id: JL-2024003
customer: KH-2024001
date: 2024-02-21
channel: im
kind: care
owner: hong
topic: 节日问候 🎉
recorded: 2024-02-21 20:15:00
"""

QUOTED_DATE_INTERACTION = """\
id: JL-2024004
customer: KH-2024001
date: "2024-02-22"
channel: email
owner: ming
topic: 报价
recorded: "2024-02-22T09:00:00Z"
next_followup: "2024-02-29"
"""

SPACE_DATETIME_INTERACTION = """\
id: JL-2024005
customer: KH-2024001
date: 2024-02-20 15:30
channel: phone
owner: ming
topic: 电话回访
"""

SPACE_RECORDED_INTERACTION = """\
id: JL-2024006
customer: KH-2024001
date: 2024-02-20T15:30
channel: phone
owner: ming
topic: 电话回访
recorded: 2024-02-20 16:45
"""


@pytest.mark.parametrize(
    ("relative", "text"),
    [
        pytest.param("crm.yaml", FULL_CONFIG, id="crm-yaml-every-key"),
        pytest.param("customers/KH-2024002.yaml", FULL_CUSTOMER, id="customer-every-field"),
        pytest.param("customers/KH-2024003.yaml", QUOTED_DATES_CUSTOMER, id="customer-quoted-dates"),
        pytest.param("customers/KH-2024004.yaml", CHURNED_CUSTOMER, id="customer-churned"),
        pytest.param("customers/kh_2024005.yaml", PROSPECT, id="customer-prospect-without-since"),
        pytest.param("interactions/2024/JL-2024002.yaml", FULL_INTERACTION, id="interaction-every-field"),
        pytest.param("interactions/2024/JL-2024003.yaml", PLAIN_DATE_INTERACTION, id="interaction-plain-date"),
        pytest.param("interactions/2024/JL-2024004.yaml", QUOTED_DATE_INTERACTION, id="interaction-quoted-dates"),
        pytest.param(
            "interactions/2024/JL-2024005.yaml",
            SPACE_DATETIME_INTERACTION,
            id="interaction-date-space-hh-mm",
        ),
        pytest.param(
            "interactions/2024/JL-2024006.yaml",
            SPACE_RECORDED_INTERACTION,
            id="interaction-recorded-space-hh-mm",
        ),
        pytest.param("plans/JH-2024001.yaml", SEED_PLAN, id="plan-the-handbooks-row"),
        pytest.param("opportunities/SJ-2024001.yaml", OPPORTUNITY, id="opportunity-open"),
        pytest.param("contracts/HT-2024001.yaml", CONTRACT, id="contract-with-payments"),
    ],
)
def test_valid_record_is_accepted_by_both(repo: DataRepo, schemas: Path, relative: str, text: str) -> None:
    # The `repo` fixture holds customer KH-2024001 (referred to above) and team members ming and hong.
    path = repo.write(relative, text)
    checked = check_jsonschema("--schemafile", schema_for(schemas, relative), path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    report = crm_validate(repo.root)
    assert report["errors"] == []
    assert report["ok"] is True


def test_all_valid_records_together(repo: DataRepo, schemas: Path) -> None:
    """The same records in one repository: one check-jsonschema run per record kind."""
    records = {
        "crm.yaml": FULL_CONFIG,
        "customers/KH-2024002.yaml": FULL_CUSTOMER,
        "customers/KH-2024003.yaml": QUOTED_DATES_CUSTOMER,
        "customers/KH-2024004.yaml": CHURNED_CUSTOMER,
        "customers/kh_2024005.yaml": PROSPECT,
        "interactions/2024/JL-2024002.yaml": FULL_INTERACTION,
        "interactions/2024/JL-2024003.yaml": PLAIN_DATE_INTERACTION,
        "interactions/2024/JL-2024004.yaml": QUOTED_DATE_INTERACTION,
        "interactions/2024/JL-2024007.yaml": REFERRING_INTERACTION,
        "plans/JH-2024001.yaml": SEED_PLAN,
        "opportunities/SJ-2024001.yaml": OPPORTUNITY,
        "opportunities/SJ-2024002.yaml": WON_OPPORTUNITY,
        "contracts/HT-2024001.yaml": CONTRACT,
        "contracts/HT-2024002.yaml": RENEWAL_CONTRACT,
    }
    for relative, text in records.items():
        repo.write(relative, text)
    report = crm_validate(repo.root)
    assert report["errors"] == []
    check_repository(repo.root, schemas)


def check_repository(root: Path, schemas: Path) -> None:
    """check-jsonschema accepts crm.yaml and every record file under `root` (customers and interactions
    must be there; plans, opportunities and contracts when the repository has any)."""
    groups = {
        "crm.schema.json": [root / "crm.yaml"],
        "interaction.schema.json": sorted((root / "interactions").rglob("*.yaml")),
        **{schema: sorted((root / folder).glob("*.yaml")) for folder, schema in FOLDER_SCHEMAS.items()},
    }
    for schema, files in groups.items():
        assert files or schema in ("plan.schema.json", "opportunity.schema.json", "contract.schema.json"), schema
        for start in range(0, len(files), 500):  # keep command lines short
            result = check_jsonschema("--schemafile", schemas / schema, *files[start : start + 500])
            assert result.returncode == 0, result.stdout + result.stderr


def test_demo_data_is_accepted_by_both(schemas: Path) -> None:
    if not (PROJECT_ROOT / "customers").is_dir():
        pytest.skip(f"no demo data: {PROJECT_ROOT / 'customers'} does not exist")
    report = crm_validate(PROJECT_ROOT)  # --no-cache: write nothing into the project
    assert report["errors"] == []
    check_repository(PROJECT_ROOT, schemas)


# ---------------------------------------------------------------------------------------------
# 3. the typical mistakes: both reject


CUSTOMER = """\
id: KH-1
name: 华星科技
type: enterprise
tier: strategic
stage: active
owner: ming
since: 2024-01-10
consent: {given: true}
"""


@pytest.mark.parametrize(
    ("text", "field"),
    [
        pytest.param(CUSTOMER.replace("stage: active", "stage: actve"), "stage", id="wrong-enum"),
        pytest.param(CUSTOMER + "industy: 制造业\n", "industy", id="unknown-key"),
        pytest.param(
            CUSTOMER + 'contacts:\n  - name: 李雷\n    phnoe: "13800138000"\n',
            "contacts[0].phnoe",
            id="unknown-key-in-contact",
        ),
        pytest.param(CUSTOMER.replace("tier: strategic\n", ""), "tier", id="missing-required"),
        pytest.param(
            CUSTOMER + "contacts:\n  - name: 李雷\n    phone: 13800138000\n", "contacts[0].phone", id="unquoted-phone"
        ),
        pytest.param(
            CUSTOMER + "contacts:\n  - name: 李雷\n    primary: yes\n", "contacts[0].primary", id="primary-yes"
        ),
        pytest.param(CUSTOMER.replace("since: 2024-01-10", "since: 2024-02-30"), "since", id="impossible-date"),
        pytest.param(CUSTOMER + "industry:\n", "industry", id="null-value"),
        pytest.param(CUSTOMER + 'notes: "备注\\e[2J"\n', "notes", id="escape-sequence"),
        pytest.param(CUSTOMER + 'industry: "制造\\u202e"\n', "industry", id="bidi-override"),
    ],
)
def test_mistake_is_rejected_by_both(empty_repo: DataRepo, schemas: Path, text: str, field: str) -> None:
    path = empty_repo.put(text)
    checked = check_jsonschema("--schemafile", schemas / "customer.schema.json", path)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert "Schema validation errors were encountered" in checked.stdout + checked.stderr
    report = crm_validate(empty_repo.root)
    assert report["ok"] is False
    errors = report["errors"]
    assert isinstance(errors, list)
    assert [(error["file"], error["field"]) for error in errors] == [("customers/KH-1.yaml", field)]


@pytest.mark.parametrize(
    ("folder", "text", "field"),
    [
        pytest.param("plans", SEED_PLAN.replace("cycle: monthly", "cycle: 每月"), "cycle", id="plan-cycle-in-words"),
        pytest.param("plans", SEED_PLAN + "time: 10:00\n", "time", id="plan-unknown-key"),
        pytest.param("plans", SEED_PLAN.replace("goal: 知晓系统使用体验\n", ""), "goal", id="plan-missing-goal"),
        pytest.param("opportunities", OPPORTUNITY.replace("amount: 380000", "amount: -1"), "amount", id="negative"),
        pytest.param("opportunities", OPPORTUNITY.replace("amount: 380000", 'amount: "380000"'), "amount", id="text"),
        pytest.param("opportunities", OPPORTUNITY.replace("amount: 380000", "amount: true"), "amount", id="bool"),
        pytest.param("opportunities", OPPORTUNITY.replace("currency: CNY", "currency: cny"), "currency", id="cny"),
        pytest.param("opportunities", OPPORTUNITY + "probability: 120\n", "probability", id="probability-120"),
        pytest.param(
            "opportunities", OPPORTUNITY.replace("need: false", "need: yes"), "qualification.need", id="need-yes"
        ),
        pytest.param(
            "contracts", CONTRACT.replace("amount: 60000.0}", "amount: 60000.0, paid: true}"), "payments[1].paid",
            id="payment-unknown-key",
        ),
        pytest.param(
            "contracts", CONTRACT.replace("renewal_notice_days: 90", "renewal_notice_days: 400"),
            "renewal_notice_days", id="notice-400",
        ),
        pytest.param("contracts", CONTRACT.replace("renews", "x") + "renews: con\n", "renews", id="reserved-renews"),
    ],
)  # fmt: skip
def test_mistake_in_a_plan_opportunity_or_contract_is_rejected_by_both(
    repo: DataRepo, schemas: Path, folder: str, text: str, field: str
) -> None:
    path = repo.put(text, folder=folder)
    checked = check_jsonschema("--schemafile", schema_for(schemas, f"{folder}/x.yaml"), path)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    report = crm_validate(repo.root)
    errors = report["errors"]
    assert isinstance(errors, list)
    assert [(error["file"], error["field"]) for error in errors] == [(path.relative_to(repo.root).as_posix(), field)]


# ---------------------------------------------------------------------------------------------
# Edge values: both tools give the same verdict. Known disagreements are strict xfails whose reason says
# which side is off.


INTERACTION_BASE = """\
id: JL-1
customer: KH-2024001
date: 2024-03-01
channel: phone
owner: ming
topic: 季度回访
"""

SCHEMA_DATETIME_PATTERN_ONLY = (
    "schema too lax: a datetime is checked by a pattern only, so check-jsonschema accepts February 30"
)


def disagreement(line: str, reason: str, case_id: str) -> object:
    return pytest.param(line, id=case_id, marks=pytest.mark.xfail(strict=True, reason=reason))


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("date: 2024-2-5 10:00:00", id="one-digit-month-and-day"),
        pytest.param("date: 2024-02-20 15:30:00 +8", id="one-digit-offset"),
        pytest.param("date: 2024-02-20   15:30:00", id="several-spaces"),
        pytest.param("date: 2024-02-20T15:30:00.1234567", id="seven-fraction-digits"),
        pytest.param("topic: 1e3", id="yaml-1.2-float"),
        pytest.param("topic: 0o17", id="yaml-1.2-octal"),
        disagreement("date: 2024-02-30 15:30", SCHEMA_DATETIME_PATTERN_ONLY, "impossible-datetime-text"),
        disagreement("date: 2024-02-30T10:00:00", SCHEMA_DATETIME_PATTERN_ONLY, "impossible-yaml-timestamp"),
        disagreement(
            "satisfaction: 5.0",
            "schema too lax: JSON Schema counts 5.0 as an integer; crm wants a whole number written as one",
            "integer-written-as-float",
        ),
        pytest.param("date: 2024-02-20T15:30:00+08:00", id="iso-datetime"),
        pytest.param("date: 2024-02-20 15:30:00", id="yaml-timestamp"),
        pytest.param("date: 2024-02-31", id="impossible-date"),
        pytest.param("topic: 12.5", id="float-as-text"),
        pytest.param("satisfaction: 6", id="satisfaction-6"),
        pytest.param("owner: Con", id="reserved-owner"),
        pytest.param("customer: INDEX", id="reserved-customer-id"),
        pytest.param('topic: "回访\\e]0;title\\a"', id="escape-sequence-in-text"),
        pytest.param('summary: "a\\x9bb"', id="c1-control-in-free-text"),
        pytest.param('topic: "回访\\u202e"', id="bidi-override"),
        pytest.param('topic: "回访\\u200f"', id="bidi-mark-is-allowed"),
        pytest.param('topic: "第一行\\n第二行"', id="line-break-in-a-topic"),
        pytest.param('summary: "第一行\\n\\t第二行"', id="line-break-and-tab-in-free-text"),
    ],
)
def test_edge_values_get_the_same_verdict(repo: DataRepo, schemas: Path, line: str) -> None:
    """One line of a valid interaction replaced: crm validate and check-jsonschema both accept or both reject."""
    key = line.split(":")[0]
    lines = [row for row in INTERACTION_BASE.splitlines() if not row.startswith(f"{key}:")]
    repo.put("\n".join([*lines, line]) + "\n")
    checked = check_jsonschema(
        "--schemafile", schemas / "interaction.schema.json", repo.root / "interactions/2024/JL-1.yaml"
    )
    assert checked.returncode in (0, 1), checked.stdout + checked.stderr
    report = crm_validate(repo.root)
    assert report["ok"] is (checked.returncode == 0)
