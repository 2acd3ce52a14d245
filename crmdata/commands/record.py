"""`crm new` and `crm log`: write a new record without looking up the format (in progress)."""

from __future__ import annotations

import click


@click.command("new")
def new_command() -> None:
    """Placeholder: being written in this session."""
    raise click.ClickException("crm new is not available yet")


@click.command("log")
def log_command() -> None:
    """Placeholder: being written in this session."""
    raise click.ClickException("crm log is not available yet")
