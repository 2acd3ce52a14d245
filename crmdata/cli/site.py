"""`crm build` and `crm serve`: the published site, through mkdocs and the `crm` plugin.

Both validate first and refuse invalid data with `crm validate`'s messages. A data repository needs no
mkdocs.yml of its own: without one the site uses the configuration shipped with site_builder, and the
repository's docs/ folder (if any) for hand-written pages.

`crm build` never writes into the output folder: mkdocs builds into a new folder beside it, which
replaces the output as a whole once the site is complete (site_builder.output), so a build killed at
any moment leaves the previous site whole, and a folder crm did not build is refused, never emptied.
"""

from __future__ import annotations

import errno
import os
import socket
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from crmdata.cli.common import (
    as_of_option,
    forget_loaded,
    language_of,
    resolve_as_of,
    root_option,
    validate_or_exit,
)
from crmdata.cli.mkdocs_log import show_mkdocs_log
from crmdata.cli.output import say, styled
from crmdata.records.cache import cache_folder
from crmdata.records.vocabulary import phrase
from crmdata.system.errors import CrmError, ExitCode, MachineError
from crmdata.system.safe_paths import UnsafePathError, remove_tree

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # mkdocs' banner about its successor, on every run


def _config_file(root: Path) -> Path:
    own = root / "mkdocs.yml"
    if own.is_file():
        return own
    import site_builder

    return Path(site_builder.__file__).parent / "mkdocs.yml"


def _overrides(root: Path, config_file: Path, out: Path | None) -> dict[str, Any]:
    """Options given to mkdocs' load_config on top of the file's."""
    overrides: dict[str, Any] = {}
    if out is not None:
        overrides["site_dir"] = os.path.abspath(out)  # not resolve(): a link given as --out is refused, not followed
    elif config_file.parent != root:
        overrides["site_dir"] = str(root / "site")
    if config_file.parent != root:
        docs = root / "docs"
        if not docs.is_dir():
            docs = cache_folder(root, "site/no-docs")
        overrides["docs_dir"] = str(docs)
    return overrides


def _address_in_use(dev_addr: str) -> MachineError:
    """Not a bug, and the remedy is the user's: one line naming the port and the option."""
    host, _, port = dev_addr.rpartition(":")
    return MachineError(f"port {port} is in use on {host}; choose another with --dev-addr {host}:PORT")


def _check_address(dev_addr: str) -> None:
    """Say that the address cannot be served on before validating and building (a minute for a large
    repository), not after. The server binds as this probe does (SO_REUSEADDR)."""
    host, _, port = dev_addr.rpartition(":")
    host = host.strip("[]")
    if not port.isdigit():
        return  # mkdocs names what is wrong with the address
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, int(port)))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise _address_in_use(dev_addr) from None
            raise MachineError(f"cannot serve on {dev_addr}: {exc.strerror or exc}") from None


@click.command("build")
@root_option
@as_of_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write the site (default: site/ in the repository).",
)
@click.option(
    "--internal",
    is_flag=True,
    help="Show private contact fields (phone, email, address, birthday) unmasked. Never publish it.",
)
@click.option("--strict", is_flag=True, help="Fail on mkdocs warnings, e.g. a broken link in a hand-written page.")
@click.option(
    "--encrypt",
    is_flag=True,
    help="Encrypt every file that carries record text (AES-256-GCM, PBKDF2) with the passphrase in the "
    "environment variable CRM_SITE_PASSWORD (never on the command line); crm.yaml site.encrypt: true does too.",
)
def build_command(
    root: Path, as_of: datetime | None, out: Path | None, internal: bool, strict: bool, encrypt: bool
) -> None:
    """Validate, then write the static site (mkdocs-material) with every CRM page.

    \b
    Examples:
      crm build                           site/ as of today
      crm build --as-of 2026-06-30 --out /tmp/june
      crm build --internal --out internal-site/   unmasked contacts, for the team only
      CRM_SITE_PASSWORD="$SECRET" crm build --encrypt   a site to publish
    """
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    from site_builder.encrypt import ITERATIONS, PASSPHRASE_VARIABLE, SEAL_WORDS, key_salt_hint, publishing_reason

    root = root.resolve()
    validation = validate_or_exit(root)
    language = language_of(validation.dataset)
    config_site = validation.dataset.config.site if validation.dataset.config is not None else None
    encrypt = encrypt or (config_site is not None and config_site.encrypt)
    if encrypt:  # before anything is built: a CI job without its secret writes no site
        _passphrase_or_exit(language)
    show_mkdocs_log(language)
    config_file = _config_file(root)
    try:
        config = load_config(str(config_file), strict=strict, **_overrides(root, config_file, out))
        plugin = config.plugins.get("crm")
        if plugin is None:
            raise CrmError(phrase("site_no_plugin", language, path=config_file), language=language)
        plugin.config.root = str(root)
        plugin.config.as_of = resolve_as_of(as_of).isoformat()
        plugin.config.internal = internal
        plugin.config.encrypt = encrypt
        plugin.validation = validation
        del validation
        forget_loaded()  # the plugin drops the records after rendering; nothing else may keep them alive
        target = _build_in_place_of_output(config, root, language)
    except MkDocsException as problem:
        raise CrmError(str(problem)) from None
    say(phrase("site_written", language, path=target), err=True)
    if plugin.sealed is not None:
        words = SEAL_WORDS.say(
            "site_sealed", count=plugin.sealed.sealed, plain=plugin.sealed.plain, iterations=ITERATIONS
        )
        say(words.text(language), err=True)
        if not plugin.sealed.lasting:
            say(key_salt_hint(language), err=True)
    else:
        reason = publishing_reason(root, language)
        if reason is not None:
            warning = SEAL_WORDS.say("site_unencrypted", reason=reason, variable=PASSPHRASE_VARIABLE)
            say(styled(warning.text(language), fg="yellow", bold=True), err=True)


def _passphrase_or_exit(language: str) -> None:
    """Exit 2 naming CRM_SITE_PASSWORD when it is unset or empty (the flag or crm.yaml asked to encrypt)."""
    from site_builder.encrypt import (
        PASSPHRASE_VARIABLE,
        SEAL_WORDS,
        PassphraseMissingError,
        passphrase_from_environment,
    )

    try:
        passphrase_from_environment()
    except PassphraseMissingError:
        words = SEAL_WORDS.say("passphrase_missing", variable=PASSPHRASE_VARIABLE)
        raise CrmError(words.text(language), ExitCode.USAGE, language=language) from None


def _build_in_place_of_output(config: MkDocsConfig, root: Path, language: str) -> Path:
    """Have mkdocs build into a new folder beside the output, which then replaces the output as a whole
    (site_builder.output); returns the output folder. A link or a folder crm did not build is refused
    (UnsafePathError), a failed build leaves the previous site as it was."""
    from mkdocs.commands.build import build

    from site_builder import output
    from site_builder.plugin import CrmPlugin

    try:
        spare = output.spare_of(root, Path(os.path.abspath(config.site_dir)))
        target, building = output.prepare(Path(config.site_dir), root, spare)
    except UnsafePathError:
        raise
    except OSError as problem:
        reason = problem.strerror or problem
        raise CrmError(
            phrase("site_no_folder", language, path=config.site_dir, reason=reason), language=language
        ) from None
    config.site_dir = str(building)
    plugin = config.plugins["crm"]
    assert isinstance(plugin, CrmPlugin)
    plugin.output = target  # the files of the site there that are still current are reused
    try:
        build(config, dirty=True)  # the plugin tells mkdocs which files are current (site_builder.reuse)
        try:
            output.publish(building, target, spare)
        except OSError as problem:
            reason = problem.strerror or problem
            words = phrase("site_not_replaced", language, path=target, reason=reason)
            raise CrmError(words, language=language) from None
        plugin.remember(target)
    finally:
        plugin.stop_search_index()  # no Pagefind outlives a failed or stopped build
        plugin.output = None  # mkdocs keeps a plugin for the next build in this process (its plugin_cache)
        remove_tree(building)  # a failed build's folder; gone already when the site was published
    return target


@click.command("serve")
@root_option
@as_of_option
@click.option("--internal", is_flag=True, help="Show private contact fields unmasked.")
@click.option("--dev-addr", default="127.0.0.1:8000", show_default=True, help="Address to serve on.")
@click.option(
    "--dirty",
    is_flag=True,
    help="No longer needed (every rebuild redoes only what changed); accepted for older scripts.",
)
def serve_command(root: Path, as_of: datetime | None, internal: bool, dev_addr: str, dirty: bool) -> None:
    """Validate, then serve the site locally; it rebuilds and reloads when a record changes.

    Each rebuild redoes only the pages whose content changed (and the search index parts that hold them);
    the rest of the site, and the search over all of it, stay as they were.

    \b
    Examples:
      crm serve
      crm serve --dev-addr 0.0.0.0:8000 --as-of 2026-06-30
    """
    from mkdocs.commands.serve import serve
    from mkdocs.exceptions import MkDocsException

    root = root.resolve()
    _check_address(dev_addr)
    show_mkdocs_log(language_of(validate_or_exit(root).dataset))
    os.environ["CRM_ROOT"] = str(root)
    os.environ["CRM_INTERNAL"] = "1" if internal else ""
    if as_of is not None:
        os.environ["CRM_AS_OF"] = resolve_as_of(as_of).isoformat()
    config_file = _config_file(root)
    overrides = _overrides(root, config_file, None)
    overrides.pop("site_dir", None)  # mkdocs serve builds into a temporary folder of its own
    try:
        serve(
            str(config_file),
            build_type="dirty",  # the plugin tells mkdocs which files are current (site_builder.reuse)
            dev_addr=dev_addr,
            **overrides,
        )
    except MkDocsException as problem:
        raise CrmError(str(problem)) from None
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:  # taken between the check and the build's end
            raise _address_in_use(dev_addr) from None
        raise
