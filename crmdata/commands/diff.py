"""`crm diff BASE [HEAD]`: what a change does to the CRM, as Markdown for a pull request (in progress)."""

from __future__ import annotations

import click


@click.command("diff")
def diff_command() -> None:
    """Placeholder: being written in this session."""
    raise click.ClickException("crm diff is not available yet")
