"""The loaded repository: the object `crmdata.records.load` returns and every computation downstream reads.

Loaded once and handed to everything (fava's FavaLedger does this): the engine, the sheets, the site.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crmdata.records.models import Contract, CrmConfig, Customer, Interaction, Opportunity, Plan

AnyRecord = Customer | Interaction | Plan | Opportunity | Contract
"""A record of any type (crm.yaml aside)."""


@dataclass
class Dataset:
    """Everything loaded from one repository; handed once to every computation downstream."""

    root: Path
    config: CrmConfig | None
    customers: list[Customer] = field(default_factory=list)
    interactions: list[Interaction] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)
    """Maintenance plans (plans/), valid ones, in file order; likewise opportunities and contracts."""
    opportunities: list[Opportunity] = field(default_factory=list)
    contracts: list[Contract] = field(default_factory=list)
    customer_files: list[str] = field(default_factory=list)
    """Every customer file found, valid or not: references to an invalid one are not reported twice."""
    plan_files: list[str] = field(default_factory=list)
    """Every plan file found, valid or not (as customer_files); likewise opportunity_files, contract_files."""
    opportunity_files: list[str] = field(default_factory=list)
    contract_files: list[str] = field(default_factory=list)
    interaction_files: list[str] = field(default_factory=list, repr=False)
    files_read: int = 0
    unvalidated: list[tuple[str, dict[str, Any]]] = field(default_factory=list, repr=False)
    """(file, data) of records that failed validation: the reference rules still read their well-formed
    ids, so an unknown owner is reported in the same run as the record's other errors."""
    record_files: dict[int, str] = field(default_factory=dict, repr=False)
    """The file of each record, by the record's identity (records are values without a path field)."""
    record_keys: dict[int, bytes] = field(default_factory=dict, repr=False)
    """The content key (the digest of its file's bytes, crmdata.records.cache) of each record read through
    the cache, by the record's identity: the same bytes make the same record, so the site's page keys take
    the key for the record instead of encoding it field by field (site_builder.page_keys)."""

    file_keys: dict[str, bytes] = field(default_factory=dict, repr=False)
    """The content key of each record file read as data, valid or not, by its path: what crm validate's
    verdict is made of (crmdata.records.verdict); filled only for it (LoadOptions.for_verdict), and emptied
    once it is kept."""

    file_stats: dict[str, tuple[int, int, int, int, int, bytes]] = field(default_factory=dict, repr=False)
    """What the stat index of this load saw of each record file it may trust next time: (size, mtime,
    ctime, inode, device, content key) (crmdata.records.cache.StatIndex); as file_keys, for the verdict only."""

    def every_file(self) -> list[str]:
        """Every record file found, valid or not, in the order they are read: customers, interactions, plans,
        opportunities, contracts (crmdata.records.load.RECORD_FOLDERS), each in path order."""
        return [*self.customer_files, *self.interaction_files, *self.plan_files, *self.opportunity_files,
                *self.contract_files]  # fmt: skip

    def file_of(self, record: AnyRecord) -> str:
        """The record's file relative to the root, for messages and edit links."""
        return self.record_files[id(record)]

    def member_name(self, owner: str) -> str:
        """The team member's name from crm.yaml, or the owner id itself when crm.yaml does not know it."""
        if self.config is not None and owner in self.config.team:
            return self.config.team[owner].name
        return owner

    def customer_by_id(self) -> dict[str, Customer]:
        return {customer.id: customer for customer in self.customers}

    def plan_by_id(self) -> dict[str, Plan]:
        return {plan.id: plan for plan in self.plans}

    def opportunity_by_id(self) -> dict[str, Opportunity]:
        return {opportunity.id: opportunity for opportunity in self.opportunities}

    def contract_by_id(self) -> dict[str, Contract]:
        return {contract.id: contract for contract in self.contracts}
