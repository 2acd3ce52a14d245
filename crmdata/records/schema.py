"""JSON Schema for the record files, generated from the same models `crm validate` uses.

Editors use it (through a `# yaml-language-server: $schema=…` line) for completion and red squiggles,
and any JSON Schema validator can check records with it. The schema is as strict as the models: no
nulls where the reader rejects empty values, no keys the models do not know.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from crmdata.records.models import Contract, CrmConfig, Customer, Interaction, Opportunity, Plan
from crmdata.system.safe_paths import output_folder, write_file

SCHEMA_FILES: dict[str, type[BaseModel]] = {
    "customer.schema.json": Customer,
    "interaction.schema.json": Interaction,
    "plan.schema.json": Plan,
    "opportunity.schema.json": Opportunity,
    "contract.schema.json": Contract,
    "crm.schema.json": CrmConfig,
}
"""Each file `crm schema` writes and its model: one per record type, and crm.yaml's."""


class _NoNullsSchema(GenerateJsonSchema):
    """Optional fields are optional keys, not nullable values: `phone:` with no value is an error."""

    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        return self.generate_inner(schema["schema"])

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        result = super().default_schema(schema)
        if result.get("default") is None or result.get("default") == []:
            result.pop("default", None)
        return result


def schema_for(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one model."""
    schema = model.model_json_schema(schema_generator=_NoNullsSchema)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def write_schemas(out: Path, anchor: Path) -> list[Path]:
    """Write the schema files (SCHEMA_FILES) into `out`; returns their paths.

    `anchor` is the repository (the folder crm runs in): no link below it is followed on the way to
    `out`, and a link in place of a schema file is replaced, never written through (safe_paths).
    """
    folder = output_folder(out, anchor)
    written = []
    for name, model in SCHEMA_FILES.items():
        text = json.dumps(schema_for(model), ensure_ascii=False, indent=2) + "\n"
        write_file(folder / name, text.encode("utf-8"))
        written.append(out / name)
    return written
