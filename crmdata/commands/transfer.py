"""`crm import` and `crm export`: spreadsheets in and out (in progress)."""

from __future__ import annotations

import click


@click.command("import")
def import_command() -> None:
    """Placeholder: being written in this session."""
    raise click.ClickException("crm import is not available yet")


@click.command("export")
def export_command() -> None:
    """Placeholder: being written in this session."""
    raise click.ClickException("crm export is not available yet")
