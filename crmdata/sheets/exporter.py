"""Records -> the spreadsheets teams keep, written so that `crm import` reads them back as the same records.

    Dataset -> customers_table / interactions_table / followups_table (pure: a Table of cells)
    -> csv_text / xlsx_bytes (the file formats) -> the command writes them

The layout's own columns come first, in its order (crmdata.sheets.tables), then a column for every other field
that any record uses (stage, owner, value, email, consent ..., and 联系人2, 职位2 ... for further
contacts), so a round trip loses nothing. Values are written as import reads them: Chinese words under
Chinese headers (战略客户, 电话), record values under English ones, ISO dates (date cells in xlsx), lists
joined with ；, todos as `task（2024-03-08前，2024-03-07完成，李红负责）`, owners as their name when the
name reads back as the same key.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from crmdata.engine.schedule import followups
from crmdata.records.dataset import Dataset
from crmdata.records.models import Contract, Customer, Interaction, Opportunity, Plan
from crmdata.records.models.contact import PRIVATE_CONTACT_FIELDS
from crmdata.records.privacy import mask
from crmdata.records.vocabulary import (
    CHANNELS,
    KINDS,
    LABELS,
    OPPORTUNITY_STAGES,
    PLAN_CYCLES,
    REASONS,
    STAGES,
    STATUSES,
    TIERS,
    TYPES,
    VALUES,
    Message,
)
from crmdata.sheets.sheet_words import PLAN_PROGRESS, SHEET_ERRORS
from crmdata.sheets.tables import (
    CONTRACTS,
    CUSTOMERS,
    INTERACTIONS,
    OPPORTUNITIES,
    PLANS,
    Column,
    Layout,
    TodoText,
    looks_like_formula,
    neutralise_formula,
    owner_label,
    write_amount,
    write_bool,
    write_enum,
    write_list,
    write_moment,
    write_payments,
    write_todo,
)

CellValue = str | int | float | date | None
Key = tuple[str, int]
"""A column of an export: (target, contact number); the contact number is 1 except for 联系人2 ..."""


@dataclass
class Table:
    """A sheet: title, header row, rows of cells; notes say what a re-import would not read back."""

    sheet: str
    headers: list[str]
    rows: list[list[CellValue]]
    notes: list[Message] = field(default_factory=list)
    """Worded in crm.yaml's language where they are shown (`crm export` prints them on stderr)."""


def _team(dataset: Dataset) -> dict[str, str]:
    return {key: member.name for key, member in dataset.config.team.items()} if dataset.config else {}


def _header(column: Column, contact: int, english: bool) -> str:
    header = column.en if english else column.zh
    return f"{header}{contact}" if contact > 1 else header


def _table(
    layout: Layout, records: list[dict[Key, CellValue]], always: Sequence[str], english: bool, sheet: str
) -> Table:
    """Columns: the layout's own and `always`, then every other field some record has a value for."""
    keys: list[Key] = [(column.target, 1) for column in layout.columns]
    keys += [(target, 1) for target in always]
    fixed = set(keys)
    used = {key for values in records for key, value in values.items() if value not in (None, "")}
    for column in layout.extra:
        if (column.target, 1) not in fixed and (column.target, 1) in used:
            keys.append((column.target, 1))
    most = max((contact for _, contact in used), default=1)
    contact_columns = [column for column in layout.all_columns if column.per_contact]
    for contact in range(2, most + 1):
        keys += [(column.target, contact) for column in contact_columns if (column.target, contact) in used]
    headers = [_header(layout.column(target), contact, english) for target, contact in keys]
    rows = [[values.get(key) for key in keys] for values in records]
    return Table(sheet=sheet, headers=headers, rows=rows)


# --- customers -------------------------------------------------------------------------------------


def customer_values(
    customer: Customer, number: int, english: bool, team: Mapping[str, str], redact: bool = False
) -> dict[Key, CellValue]:
    """One customer's cells. Redacted, the private fields are masked (138****8000): for a sheet that
    leaves the team; import refuses masked values."""
    values: dict[Key, CellValue] = {
        ("seq", 1): number,
        ("id", 1): customer.id,
        ("name", 1): customer.name,
        ("industry", 1): customer.industry,
        ("tier", 1): write_enum(TIERS, customer.tier, english),
        ("since", 1): customer.since,
        ("source", 1): customer.source,
        ("needs", 1): write_list(customer.needs) or None,
        ("notes", 1): customer.notes,
        ("type", 1): write_enum(TYPES, customer.type, english),
        ("stage", 1): write_enum(STAGES, customer.stage, english),
        ("value", 1): write_enum(VALUES, customer.value, english),
        ("owner", 1): owner_label(team, customer.owner),
        ("referred_by", 1): customer.referred_by,
        ("tags", 1): write_list(customer.tags) or None,
        ("cadence_days", 1): customer.cadence_days,
        ("churned_on", 1): customer.churned_on,
        ("churn_reason", 1): customer.churn_reason,
    }
    if customer.consent is not None:
        values[("consent", 1)] = write_bool(customer.consent.given, english)
        values[("consent_date", 1)] = customer.consent.date
        values[("consent_note", 1)] = customer.consent.note
    for number_of_contact, contact in enumerate(customer.contacts, start=1):
        private: dict[str, str | date | None] = {name: getattr(contact, name) for name in PRIVATE_CONTACT_FIELDS}
        if redact:
            private = {name: mask(name, value) if value else value for name, value in private.items()}
        phone, email = private["phone"], private["email"]
        values[("contact", number_of_contact)] = contact.name
        values[("title", number_of_contact)] = contact.title
        values[("contact_info", number_of_contact)] = phone or email
        values[("email", number_of_contact)] = email if phone else None
        values[("address", number_of_contact)] = private["address"]
        values[("birthday", number_of_contact)] = private["birthday"]
        values[("primary", number_of_contact)] = write_bool(True, english) if contact.primary else None
    return values


def customers_table(dataset: Dataset, english: bool, redact: bool = False) -> Table:
    team = _team(dataset)
    records = [
        customer_values(customer, number, english, team, redact)
        for number, customer in enumerate(dataset.customers, start=1)
    ]
    sheet = CUSTOMERS.sheet_en if english else CUSTOMERS.sheet_zh
    table = _table(CUSTOMERS, records, ("type", "stage", "value", "owner"), english, sheet)
    for customer in dataset.customers:
        table.notes += _list_notes(dataset, customer, {"needs": customer.needs, "tags": customer.tags})
    return table


def _list_notes(
    dataset: Dataset, record: Customer | Interaction | Plan | Contract, lists: Mapping[str, Sequence[str]]
) -> list[Message]:
    """A list item with a line break reads back as two items: say so rather than change data silently."""
    return [
        SHEET_ERRORS.say("line_break_in_list", file=dataset.file_of(record), name=name, index=index)
        for name, items in lists.items()
        for index, item in enumerate(items)
        if "\n" in item or "\r" in item
    ]


# --- interactions ----------------------------------------------------------------------------------


def interaction_values(
    interaction: Interaction, english: bool, team: Mapping[str, str], names: Mapping[str, str]
) -> dict[Key, CellValue]:
    todos = [
        write_todo(TodoText(todo.task, todo.due, todo.done, todo.owner), english, team) for todo in interaction.todos
    ]
    return {
        ("id", 1): interaction.id,
        ("customer", 1): interaction.customer,
        ("date", 1): write_moment(interaction.date),
        ("channel", 1): write_enum(CHANNELS, interaction.channel, english),
        ("topic", 1): interaction.topic,
        ("summary", 1): interaction.summary,
        ("feedback", 1): interaction.feedback,
        ("need_changes", 1): write_list(interaction.need_changes) or None,
        ("todos", 1): write_list(todos) or None,
        ("owner", 1): owner_label(team, interaction.owner),
        ("next_followup", 1): interaction.next_followup,
        ("customer_name", 1): names.get(interaction.customer),
        ("kind", 1): write_enum(KINDS, interaction.kind, english),
        ("satisfaction", 1): interaction.satisfaction,
        ("recorded", 1): write_moment(interaction.recorded) if interaction.recorded else None,
        ("resolved", 1): interaction.resolved,
        ("plan", 1): interaction.plan,
        ("opportunity", 1): interaction.opportunity,
        ("contract", 1): interaction.contract,
    }


def interactions_table(dataset: Dataset, english: bool) -> Table:
    team = _team(dataset)
    names = {customer.id: customer.name for customer in dataset.customers}
    records = [interaction_values(interaction, english, team, names) for interaction in dataset.interactions]
    sheet = INTERACTIONS.sheet_en if english else INTERACTIONS.sheet_zh
    table = _table(INTERACTIONS, records, ("customer_name", "kind"), english, sheet)
    for interaction in dataset.interactions:
        lists = {"need_changes": interaction.need_changes, "todos": [todo.task for todo in interaction.todos]}
        table.notes += _list_notes(dataset, interaction, lists)
    return table


# --- plans, opportunities, contracts ---------------------------------------------------------------


def plan_values(plan: Plan, english: bool, team: Mapping[str, str], names: Mapping[str, str]) -> dict[Key, CellValue]:
    """One plan as the plan table writes it. 完成状态 says the plan's own status (计划中 or 已取消): what was
    carried out is in the conversations that name the plan, which the interactions sheet holds. 顺延至 is
    always a column of its own, so that a re-import reads it from there, never from the words of 备注."""
    return {
        ("id", 1): plan.id,
        ("customer", 1): plan.customer,
        ("cycle", 1): write_enum(PLAN_CYCLES, plan.cycle, english),
        ("goal", 1): plan.goal,
        ("content", 1): write_list(plan.content) or None,
        ("owner", 1): owner_label(team, plan.owner),
        ("date", 1): plan.date,
        ("status", 1): write_enum(PLAN_PROGRESS, plan.status, english),
        ("notes", 1): plan.notes,
        ("postponed_to", 1): plan.postponed_to,
        ("customer_name", 1): names.get(plan.customer),
    }


def opportunity_values(
    opportunity: Opportunity, english: bool, team: Mapping[str, str], names: Mapping[str, str]
) -> dict[Key, CellValue]:
    values: dict[Key, CellValue] = {
        ("id", 1): opportunity.id,
        ("customer", 1): opportunity.customer,
        ("title", 1): opportunity.title,
        ("stage", 1): write_enum(OPPORTUNITY_STAGES, opportunity.stage, english),
        ("amount", 1): write_amount(opportunity.amount),
        ("currency", 1): opportunity.currency,
        ("probability", 1): opportunity.probability,
        ("expected_close", 1): opportunity.expected_close,
        ("closed_on", 1): opportunity.closed_on,
        ("lost_reason", 1): opportunity.lost_reason,
        ("owner", 1): owner_label(team, opportunity.owner),
        ("source", 1): opportunity.source,
        ("notes", 1): opportunity.notes,
        ("customer_name", 1): names.get(opportunity.customer),
    }
    if opportunity.qualification is not None:
        for part in ("budget", "authority", "need"):
            values[(part, 1)] = write_bool(getattr(opportunity.qualification, part), english)
    return values


def contract_values(
    contract: Contract, english: bool, team: Mapping[str, str], names: Mapping[str, str]
) -> dict[Key, CellValue]:
    payments = [payment.model_dump() for payment in contract.payments]
    return {
        ("id", 1): contract.id,
        ("customer", 1): contract.customer,
        ("title", 1): contract.title,
        ("products", 1): write_list(contract.products) or None,
        ("signed_on", 1): contract.signed_on,
        ("start", 1): contract.start,
        ("end", 1): contract.end,
        ("amount", 1): write_amount(contract.amount),
        ("currency", 1): contract.currency,
        ("payments", 1): write_payments(payments, english),
        ("renews", 1): contract.renews,
        ("owner", 1): owner_label(team, contract.owner),
        ("notes", 1): contract.notes,
        ("customer_name", 1): names.get(contract.customer),
        ("opportunity", 1): contract.opportunity,
        ("renewal_notice_days", 1): contract.renewal_notice_days,
        ("terminated_on", 1): contract.terminated_on,
    }


def plans_table(dataset: Dataset, english: bool) -> Table:
    """The customer maintenance plan table (客户维护计划表)."""
    team, names = _team(dataset), _names(dataset)
    records = [plan_values(plan, english, team, names) for plan in dataset.plans]
    table = _table(
        PLANS, records, ("postponed_to", "customer_name"), english, PLANS.sheet_en if english else PLANS.sheet_zh
    )
    for plan in dataset.plans:
        table.notes += _list_notes(dataset, plan, {"content": plan.content})
    return table


def opportunities_table(dataset: Dataset, english: bool) -> Table:
    team, names = _team(dataset), _names(dataset)
    records = [opportunity_values(opportunity, english, team, names) for opportunity in dataset.opportunities]
    sheet = OPPORTUNITIES.sheet_en if english else OPPORTUNITIES.sheet_zh
    return _table(OPPORTUNITIES, records, ("customer_name",), english, sheet)


def contracts_table(dataset: Dataset, english: bool) -> Table:
    team, names = _team(dataset), _names(dataset)
    records = [contract_values(contract, english, team, names) for contract in dataset.contracts]
    table = _table(
        CONTRACTS, records, ("customer_name",), english, CONTRACTS.sheet_en if english else CONTRACTS.sheet_zh
    )
    for contract in dataset.contracts:
        table.notes += _list_notes(dataset, contract, {"products": contract.products})
    return table


def _names(dataset: Dataset) -> dict[str, str]:
    return {customer.id: customer.name for customer in dataset.customers}


RECORD_TABLES: dict[str, Callable[[Dataset, bool], Table]] = {
    "interactions": lambda dataset, english: interactions_table(dataset, english),
    "plans": plans_table,
    "opportunities": opportunities_table,
    "contracts": contracts_table,
}
"""The record sheets besides customers (which may be --redact-ed), by `crm export` kind."""


# --- follow-ups ------------------------------------------------------------------------------------

FOLLOWUP_COLUMNS = (
    ("customer_id", "customer"),
    ("customer_name", "name"),
    ("owner", "owner"),
    ("followup_due", "due"),
    ("reason", "reason"),
    ("status", "status"),
    ("days_overdue", "days_overdue"),
    ("silent", "silent"),
    ("last_contact", "last_contact"),
    ("interval_days", "interval_days"),
)
"""(label, JSON key) of each column: Chinese headers are the vocabulary's labels, English ones the keys of
`crm due --format json`, as English headers are the record's field names in the other sheets."""


def followups_table(dataset: Dataset, as_of: date, english: bool) -> Table:
    """The `crm due` list as a sheet: every customer not churned, by due date then id (a report: import
    does not read it). Reasons and statuses are the vocabulary's words under Chinese headers."""
    team = _team(dataset)
    rows: list[list[CellValue]] = [
        [
            plan.customer,
            plan.name,
            owner_label(team, plan.owner),
            plan.due,
            write_enum(REASONS, plan.reason.value, english),
            write_enum(STATUSES, plan.status.value, english),
            plan.days_overdue,
            write_bool(plan.silent, english),
            plan.last_contact,
            plan.interval_days,
        ]
        for plan in followups(dataset, as_of)
    ]
    headers = [key if english else LABELS[label].zh for label, key in FOLLOWUP_COLUMNS]
    sheet = "followups" if english else LABELS["followups"].zh
    return Table(sheet=sheet, headers=headers, rows=rows)


# --- file formats ----------------------------------------------------------------------------------


def csv_cell(value: CellValue) -> str:
    """A cell's CSV text. Text that Excel would run as a formula (= + - @ tab or line break first) gets a
    leading quote, which `crm import` takes off again (crmdata.sheets.tables.neutralise_formula): a record's
    text must never become a formula on someone's desk. Numbers (satisfaction, 序号) stay numbers."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return neutralise_formula(value) if isinstance(value, str) else str(value)


class _Rows(list[str]):
    """Collects the rows a csv.writer writes (one write call per row) without their CR LF ending."""

    def write(self, text: str) -> None:
        if not text.endswith("\r\n"):  # never: csv.writer writes each row whole, ending it as told
            raise ValueError(f"a CSV row must end with CR LF: {text!r}")
        self.append(text[:-2])


def csv_text(table: Table, line_end: str = "\r\n") -> str:
    """The table as CSV ending its rows with `line_end` (LF on standard output), every field quoted as the
    csv module quotes for CR LF: a CR or LF inside a value stays in its cell, whatever the row ending.
    (csv.writer quotes a field only for the characters of its own line terminator: with LF it leaves a
    lone CR bare, and a reader starts a new row there.)"""
    rows = _Rows()
    writer = csv.writer(rows, lineterminator="\r\n")
    writer.writerow(table.headers)
    writer.writerows([csv_cell(value) for value in row] for row in table.rows)
    return "".join(row + line_end for row in rows)


def xlsx_bytes(table: Table) -> bytes:
    """The table as an .xlsx workbook: text stays text (a leading = is not a formula, a phone number not
    a number), dates are date cells, the header row is bold and frozen."""
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
    from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]
    from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(table.sheet[:31])
    sheet.freeze_panes = "A2"
    for index, width in enumerate(_widths(table), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")

    def header(text: str) -> Any:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        return cell

    def cell(value: CellValue) -> Any:
        if not isinstance(value, str):
            return value
        text = ILLEGAL_CHARACTERS_RE.sub("", value)
        formula_like = looks_like_formula(text)
        if not (formula_like or text in ERROR_CODES or "\n" in text):
            return text
        special = WriteOnlyCell(sheet, value=text)
        special.data_type = "s"  # text, even when it starts with = or reads as an error code
        if formula_like:  # what Excel stores for '=1+1 typed by hand: the value exact, kept text when edited
            special.quotePrefix = True
        if "\n" in text:
            special.alignment = wrap
        return special

    sheet.append([header(text) for text in table.headers])
    for row in table.rows:
        sheet.append([cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _widths(table: Table) -> list[float]:
    """Column widths that fit the header and the first rows (Chinese characters count double)."""

    def display_width(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)

    widths = []
    for index, heading in enumerate(table.headers):
        sample = [table.rows[n][index] for n in range(min(len(table.rows), 200))]
        texts = [heading, *(csv_cell(value).split("\n")[0] for value in sample)]
        widths.append(min(50.0, max(8.0, max(display_width(text) for text in texts) + 2.0)))
    return widths
