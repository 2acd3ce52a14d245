"""crm-as-code: customer records as YAML files in git, checked, planned and reported by `crm`."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("crm-as-code")
    """The installed release: pyproject.toml's `version` is the one source (read from the package metadata)."""
except PackageNotFoundError:  # imported from a checkout that was never installed: no release to name
    __version__ = "0+unknown"
