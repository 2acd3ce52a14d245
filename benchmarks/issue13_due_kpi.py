"""Benchmark `crm due` and `crm kpi` against `crm validate` with plans, opportunities and contracts (issue 13).

Goal (issue 13, "Done when"): on 10k customers with 10k contracts, 20k opportunities and 10k plans (and 100k
interactions), `crm due` and `crm kpi` stay within 1.2x of `crm validate`. All run warm (the parse cache in
place, as a user runs them one after another); each is measured --repeat times and the best run counts.
Prints figures; asserts nothing; not part of the test suite.

The customers and interactions come from tools/synth.py; the plans, opportunities and contracts from the
small deterministic generator below (seeded: the same records every time), in a folder of their own under
the temporary directory, reused when complete.

    python benchmarks/issue13_due_kpi.py
    python benchmarks/issue13_due_kpi.py --customers 1000 --interactions 10000 --contracts 1000 \\
        --opportunities 2000 --plans 1000
"""

from __future__ import annotations

import random
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import CRM, Measured, measure, size_parser

AS_OF = date(2026, 11, 24)
SEED = 13
STAGES = ("lead", "qualified", "proposal", "negotiation", "won", "lost")
STAGE_WEIGHTS = (20, 20, 15, 10, 20, 15)
CYCLES = ("weekly", "monthly", "quarterly", "yearly", "once")
CYCLE_WEIGHTS = (5, 45, 30, 15, 5)
GOALS = ("知晓系统使用体验", "了解续约意向", "收集改进建议", "推介新产品", "确认回款进度")
TOPICS = ("询问运行稳定性", "收集改进建议", "确认培训需求", "介绍新版本功能", "了解预算安排")
PROJECTS = ("年度系统运维服务", "二期扩容项目", "数据平台建设", "培训与咨询服务", "软件许可续费")
PRODUCTS = ("软件许可", "运维服务", "实施服务", "培训", "硬件")


def _customers(root: Path) -> list[tuple[str, str]]:
    """(id, owner) of every generated customer, in id order."""
    found = []
    for path in sorted((root / "customers").glob("*.yaml")):
        record = yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
        found.append((record["id"], record["owner"]))
    return found


def _write(folder: Path, record: dict[str, Any]) -> None:
    text = yaml.dump(record, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False)
    (folder / f"{record['id']}.yaml").write_text(text, encoding="utf-8")


def _amount(rng: random.Random) -> int:
    return rng.randrange(10, 2000) * 1000


def _opportunity(rng: random.Random, number: int, customer: tuple[str, str]) -> dict[str, Any]:
    stage = rng.choices(STAGES, STAGE_WEIGHTS)[0]
    record: dict[str, Any] = {
        "id": f"SJ-{number:06d}",
        "customer": customer[0],
        "title": rng.choice(PROJECTS),
        "stage": stage,
        "amount": _amount(rng),
        "owner": customer[1],
    }
    if rng.random() < 0.02:
        record["currency"] = "USD"
    if rng.random() < 0.3:
        record["probability"] = rng.randrange(0, 101, 5)
    if stage in ("won", "lost"):
        record["closed_on"] = AS_OF - timedelta(days=rng.randrange(0, 700))
        if stage == "lost":
            record["lost_reason"] = rng.choice(("价格", "预算取消", "选择了竞争对手"))
    else:
        record["expected_close"] = AS_OF + timedelta(days=rng.randrange(-30, 180))
    return record


def _contract(rng: random.Random, number: int, customer: tuple[str, str], won: dict[str, Any] | None) -> dict[str, Any]:
    start = AS_OF - timedelta(days=rng.randrange(0, 1100))
    amount = won["amount"] if won is not None else _amount(rng)
    record: dict[str, Any] = {
        "id": f"HT-{number:06d}",
        "customer": customer[0],
        "title": rng.choice(PROJECTS),
        "products": rng.sample(PRODUCTS, rng.randrange(1, 3)),
        "signed_on": start - timedelta(days=rng.randrange(0, 20)),
        "start": start,
        "amount": amount,
        "owner": customer[1],
    }
    if won is not None:
        record["opportunity"] = won["id"]
        if "currency" in won:
            record["currency"] = won["currency"]
    if rng.random() < 0.9:
        record["end"] = start + timedelta(days=364)
    instalments = rng.randrange(1, 5)
    payments = []
    for index in range(instalments):
        due = start + timedelta(days=90 * index + 30)
        payment: dict[str, Any] = {"due": due, "amount": amount // instalments}
        if due < AS_OF and rng.random() < 0.9:
            payment["paid_on"] = due + timedelta(days=rng.randrange(-5, 30))
        payments.append(payment)
    record["payments"] = payments
    return record


def _plan(rng: random.Random, number: int, customer: tuple[str, str]) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": f"JH-{number:06d}",
        "customer": customer[0],
        "cycle": rng.choices(CYCLES, CYCLE_WEIGHTS)[0],
        "goal": rng.choice(GOALS),
        "content": rng.sample(TOPICS, 2),
        "owner": customer[1],
        "date": AS_OF - timedelta(days=rng.randrange(0, 400)),
    }
    if rng.random() < 0.05:
        record["status"] = "cancelled"
    return record


def add_records(root: Path, contracts: int, opportunities: int, plans: int) -> None:
    """Write the plans, opportunities and contracts: every won opportunity gets a contract (as the validator
    asks), up to `contracts`; the remaining contracts stand alone."""
    rng = random.Random(SEED)
    customers = _customers(root)
    folders = {name: root / name for name in ("plans", "opportunities", "contracts")}
    for folder in folders.values():
        folder.mkdir(exist_ok=True)
    won = []
    for number in range(1, opportunities + 1):
        record = _opportunity(rng, number, rng.choice(customers))
        if record["stage"] == "won" and len(won) < contracts:
            won.append(record)
        elif record["stage"] == "won":  # no contract left for it: keep it open instead
            record["stage"] = "negotiation"
            record["expected_close"] = record.pop("closed_on")
        _write(folders["opportunities"], record)
    by_id = dict(customers)
    for number in range(1, contracts + 1):
        deal = won[number - 1] if number <= len(won) else None
        customer = (deal["customer"], by_id[deal["customer"]]) if deal is not None else rng.choice(customers)
        _write(folders["contracts"], _contract(rng, number, customer, deal))
    for number in range(1, plans + 1):
        _write(folders["plans"], _plan(rng, number, rng.choice(customers)))


def data_set(customers: int, interactions: int, contracts: int, opportunities: int, plans: int) -> Path:
    """The generated repository, reused when a complete one is there (its contracts are written last)."""
    from tools.synth import generate

    root = Path(tempfile.gettempdir()) / f"crm-bench13-{customers}-{interactions}-{contracts}-{opportunities}-{plans}"
    if len(list((root / "contracts").glob("*.yaml"))) == contracts and (root / "crm.yaml").exists():
        return root
    print(f"generating into {root} ...", flush=True)
    generate(root, customers, interactions, seed=7, as_of=AS_OF)
    add_records(root, contracts, opportunities, plans)
    return root


def best(command: list[str], repeat: int) -> Measured:
    return min((measure(command) for _ in range(repeat)), key=lambda run: run.seconds)


def main() -> None:
    parser = size_parser(__doc__)
    parser.add_argument("--contracts", type=int, default=10_000)
    parser.add_argument("--opportunities", type=int, default=20_000)
    parser.add_argument("--plans", type=int, default=10_000)
    args = parser.parse_args()

    root = data_set(args.customers, args.interactions, args.contracts, args.opportunities, args.plans)
    base = ["--root", str(root)]
    day = ["--as-of", AS_OF.isoformat()]
    first = measure([str(CRM), "validate", *base, "--format", "json"])  # writes the parse cache, as a user has it
    print(f"data: {root}  (first validate {first.seconds:.2f} s, exit {first.exit_code})")
    validate = best([str(CRM), "validate", *base, "--format", "json"], args.repeat)
    print(f"crm validate (warm)      : {validate.seconds:6.2f} s  peak {validate.peak_mb:,.0f} MB")
    for name, command in (
        ("crm due --format json", ["due", *base, *day, "--format", "json"]),
        ("crm due (text)", ["due", *base, *day]),
        ("crm kpi --format json", ["kpi", *base, *day, "--format", "json"]),
        ("crm kpi (text)", ["kpi", *base, *day]),
    ):
        run = best([str(CRM), *command], args.repeat)
        print(
            f"{name:25s}: {run.seconds:6.2f} s  = {run.seconds / validate.seconds:.2f}x validate (goal <= 1.20x)"
            f"  peak {run.peak_mb:,.0f} MB  exit {run.exit_code}"
        )


if __name__ == "__main__":
    main()
