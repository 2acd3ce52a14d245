"""Where crm-as-code comes from and which release a team pins: the one place that says it.

The version is pyproject.toml's (read from the installed package's metadata, `crmdata.__version__`);
the project's home and the tag naming scheme are here. `crm init` writes the pinned lines of the crm
that runs it into a new repository's CI files and pre-commit config; README.md, the guide and
CHANGELOG.md show the same lines, and a test checks they name the current version.
"""

from __future__ import annotations

from dataclasses import dataclass

from crmdata import __version__

DISTRIBUTION = "crm-as-code"
"""The package name on the install line (`pip install "crm-as-code @ …"`)."""
HOME = "https://github.com/crm-as-code/crm-as-code"
"""The project's repository: releases are its tags, pre-commit fetches the hook from it."""
SOURCE = f"git+{HOME}"
"""What pip, pipx and uv install from."""


def tag(version: str) -> str:
    """The git tag of a release: v0.2.0."""
    return f"v{version}"


@dataclass(frozen=True)
class Release:
    """One release of crm-as-code and the lines that install exactly it."""

    version: str

    @property
    def tag(self) -> str:
        return tag(self.version)

    @property
    def requirement(self) -> str:
        """The pinned requirement pip, pipx and uv read: `crm-as-code @ git+https://…@v0.2.0`."""
        return f"{DISTRIBUTION} @ {SOURCE}@{self.tag}"

    @property
    def wheel(self) -> str:
        """The wheel's file name (`make dist` builds it into dist/)."""
        return f"{DISTRIBUTION.replace('-', '_')}-{self.version}-py3-none-any.whl"

    @property
    def install_lines(self) -> tuple[str, ...]:
        """What a person types to install it: uv, pipx, or the wheel file."""
        return (
            f'uv tool install "{self.requirement}"',
            f'pipx install "{self.requirement}"',
            f"pipx install ./{self.wheel}",
        )


CURRENT = Release(__version__)
"""The release of the crm that is running."""
