"""crm-as-code: customer records as YAML files in git, checked, planned and reported by `crm`."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    """`crmdata.__version__`, the installed release: pyproject.toml's `version` is the one source (read
    from the package metadata). Looked up when asked for, not on import: importlib.metadata costs every
    `crm` command a few tens of milliseconds of start-up, and only `crm --version` and the site use it."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("crm-as-code")
    except PackageNotFoundError:  # imported from a checkout that was never installed: no release to name
        found = "0+unknown"
    globals()["__version__"] = found
    return found
