"""`crm kpi`: how the team is doing, each KPI with its definition."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from crmdata.cli.choices import optional_owner
from crmdata.cli.common import as_of_option, dump_json, language_of, pad, root_option
from crmdata.cli.output import say, say_lines, styled
from crmdata.cli.records_of_day import at_option, records_of_day, records_option
from crmdata.cli.table import widest
from crmdata.records.models.fields import DEFAULT_CURRENCY
from crmdata.records.money import format_amount
from crmdata.records.report import format_kpi_value
from crmdata.records.vocabulary import phrase, term


def _format(value: object, unit: str, language: str, currency: str) -> str:
    """A KPI value for people; the keys of a table KPI (stages, channels) in the vocabulary's words; an
    amount in crm.yaml's currency (`¥123.5万`)."""
    if isinstance(value, dict):
        if value and all(isinstance(item, dict) for item in value.values()):  # e.g. month -> channel -> count
            totals = {key: sum(item.values()) for key, item in value.items()}
            return _format(totals, unit, language, currency) + phrase("kpi_totals", language)
        shown = (f"{term(key, language)}: {_format(item, unit, language, currency)}" for key, item in value.items())
        return ", ".join(shown)
    if unit == "amount" and isinstance(value, int | float):
        return format_amount(value, currency, language)
    return format_kpi_value(value, unit)


@click.command("kpi")
@root_option
@as_of_option
@records_option
@at_option
@click.option("--owner", default=None, help="Only this team member's KPIs (key or name: ming, 张明).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def kpi_command(
    root: Path, as_of: datetime | None, records: str, at: str | None, owner: str | None, output_format: str
) -> None:
    """Key figures: follow-up compliance, satisfaction, retention, complaints... and every one per owner.

    `crm kpi --format json` prints every KPI at the top level and again under by_owner. In a git repository a
    past --as-of reads the records as they stood at the end of that day (stage, owner, value of that day);
    --records now reads them as they are, --at one revision exactly. stderr says which records were read.

    \b
    Examples:
      crm kpi
      crm kpi --as-of 2026-06-30 --format json
      crm kpi --owner ming
      crm kpi --as-of 2026-06-30 --records now     # today's records, counted as of June 30
      crm kpi --at v2026.06                        # the records of a tag, as of its commit's day
    """
    from crmdata.engine import kpis

    dataset, day = records_of_day(root, as_of, records, at)
    owner = optional_owner(dataset.config, owner)
    if output_format == "json":
        payload = (
            kpis.report(dataset, day)
            if owner is None
            else {"as_of": day.isoformat(), "owner": owner, **kpis.compute(dataset, day, owner)}
        )
        say_lines(dump_json(payload))
        return
    values = kpis.compute(dataset, day, owner)
    language = language_of(dataset)
    heading = (
        phrase("kpi_heading_owner", language, day=day, owner=owner)
        if owner
        else phrase("kpi_heading", language, day=day)
    )
    say(styled(heading, bold=True))
    currency = dataset.config.currency if dataset.config is not None else DEFAULT_CURRENCY
    titles = widest((definition.title(language) for definition in kpis.KPIS), 26)
    names = widest((definition.name for definition in kpis.KPIS), 34)
    for definition in kpis.KPIS:
        value = _format(values.get(definition.name), definition.unit, language, currency)
        say(f"  {pad(definition.title(language), titles)} {pad(definition.name, names)} {value}")
