"""A custom segment declared in crm.yaml: a name, a title, and a small declarative filter.

```yaml
segments:
  key_accounts:
    title: 重点客户
    where:
      tier: strategic              # equals
      stage: [active, stable]      # in list
      tags_any: [制造业, 能源]      # has at least one of these tags
      tags_all: [大客户]            # has all of these tags
      flags: [high_value]          # computed flags that must all hold
```
Every condition given must hold. Filters are data, validated like records: a typo is an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, GetJsonSchemaHandler
from pydantic_core import CoreSchema

from crmdata.records.models.base import Record
from crmdata.records.models.enums import CustomerType, Stage, Tier, Value
from crmdata.records.models.fields import Name, OwnerId, Text


class Flag(StrEnum):
    """Computed facts about a customer, usable in filters and shown as segments of their own."""

    NEW = "new"
    SILENT = "silent"
    AT_RISK = "at_risk"
    HIGH_VALUE = "high_value"
    WIN_BACK = "win_back"
    OVERDUE = "overdue"
    VALUE_DIFFERS = "value_differs"


def _listify(value: Any) -> Any:
    """`tier: strategic` means the same as `tier: [strategic]`."""
    return value if isinstance(value, list) else [value]


@dataclass(frozen=True)
class _OneOrMany:
    """JSON Schema of a choice written as one value or a list of them, worked out when a schema is asked for
    (`crm schema`), not when crm starts: pydantic's TypeAdapter and its plugin loader cost every command
    ~15 ms of start-up (issue 16). The schema replaces pydantic's own, as WithJsonSchema does."""

    item: Any

    def __get_pydantic_json_schema__(self, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> dict[str, Any]:
        from pydantic import TypeAdapter

        schema = TypeAdapter(self.item).json_schema()
        return {"anyOf": [schema, {"type": "array", "items": schema, "minItems": 1}]}


TypeChoices = Annotated[list[CustomerType], BeforeValidator(_listify), Field(min_length=1), _OneOrMany(CustomerType)]
TierChoices = Annotated[list[Tier], BeforeValidator(_listify), Field(min_length=1), _OneOrMany(Tier)]
StageChoices = Annotated[list[Stage], BeforeValidator(_listify), Field(min_length=1), _OneOrMany(Stage)]
ValueChoices = Annotated[list[Value], BeforeValidator(_listify), Field(min_length=1), _OneOrMany(Value)]
OwnerChoices = Annotated[list[OwnerId], BeforeValidator(_listify), Field(min_length=1), _OneOrMany(OwnerId)]
TextChoices = Annotated[list[Text], BeforeValidator(_listify), Field(min_length=1), _OneOrMany(Text)]


class SegmentFilter(Record):
    """Conditions on a customer; all given must hold. A list means "any of these"."""

    type: TypeChoices | None = Field(None, description="客户类型 — one type or a list")
    tier: TierChoices | None = Field(None, description="客户分级 — one tier or a list")
    stage: StageChoices | None = Field(None, description="阶段 — one stage or a list")
    value: ValueChoices | None = Field(None, description="客户价值 — one value or a list")
    owner: OwnerChoices | None = Field(None, description="负责人 — one owner or a list")
    industry: TextChoices | None = Field(None, description="所属行业 — one industry or a list")
    source: TextChoices | None = Field(None, description="客户来源 — one source or a list")
    tags_any: list[Text] = Field(default_factory=list, description="has at least one of these tags")
    tags_all: list[Text] = Field(default_factory=list, description="has every one of these tags")
    flags: list[Flag] = Field(
        default_factory=list,
        description="computed flags that must all hold: new, silent, at_risk, high_value, win_back, overdue, "
        "value_differs",
    )


class SegmentSpec(Record):
    """A named group of customers, shown with its members on the site and by `crm segments`."""

    title: Name | None = Field(None, description="名称 — shown instead of the key")
    description: Text | None = Field(None, description="说明 — what the segment is for")
    where: SegmentFilter = Field(description="条件 — the filter customers must pass")
