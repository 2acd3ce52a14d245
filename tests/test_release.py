"""Releases a team can pin: one version, named everywhere a person copies an install line from, and a
wheel that works installed in a fresh virtual environment outside the checkout."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from crmdata.starter.release import CURRENT, HOME
from tests.conftest import invoke_crm
from tools.dist import build

CHECKOUT = Path(__file__).resolve().parent.parent
VERSION = tomllib.loads((CHECKOUT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
TEMPLATES = CHECKOUT / "crmdata/starter/templates"


def test_crm_version_is_pyprojects() -> None:
    shown = invoke_crm("--version")
    assert shown.returncode == 0
    assert shown.stdout == f"crm {VERSION}\n"
    assert CURRENT.version == VERSION and CURRENT.tag == f"v{VERSION}"


def test_the_changelog_starts_with_this_release() -> None:
    changelog = (CHECKOUT / "CHANGELOG.md").read_text(encoding="utf-8")
    releases = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$", changelog, re.MULTILINE)
    assert releases and releases[0][0] == VERSION, "a release without its changelog entry"
    assert f"[{VERSION}]: {HOME}/" in changelog, "the entry links to its tag"
    assert CURRENT.requirement in changelog


@pytest.mark.parametrize("page", ["README.md", "site_builder/help/zh/start.md", "site_builder/help/en/start.md"])
def test_the_install_lines_people_copy_name_this_release(page: str) -> None:
    text = (CHECKOUT / page).read_text(encoding="utf-8")
    assert f'uv tool install "{CURRENT.requirement}"' in text
    assert f'pipx install "{CURRENT.requirement}"' in text
    assert CURRENT.wheel in text
    others = set(re.findall(r"@v(\d+\.\d+\.\d+)", text)) - {VERSION}
    assert not others, f"{page} names another release: {others}"


def test_the_templates_name_no_release_of_their_own() -> None:
    """crm init fills in the release that runs it: a version written in a template would go stale."""
    for template in TEMPLATES.iterdir():
        assert not re.search(r"\bv?\d+\.\d+\.\d+\b", template.read_text(encoding="utf-8")), template.name


def test_the_wheel_installed_outside_the_checkout_starts_a_repository_and_builds_its_site(tmp_path: Path) -> None:
    """Build the wheel as `make dist` does, install it with the locked run.txt into a new venv in a
    temporary folder, and use it from there: no import can come from the checkout."""
    source = tmp_path / "source"
    tracked = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=CHECKOUT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, tracked):
        path = CHECKOUT / os.fsdecode(name)
        if path.is_file():
            (source / os.fsdecode(name)).parent.mkdir(parents=True, exist_ok=True)
            (source / os.fsdecode(name)).write_bytes(path.read_bytes())
    (wheel,) = build(source, tmp_path / "dist", ("wheel",))
    assert wheel.name == CURRENT.wheel

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env |= {"PATH": f"{venv / 'bin'}{os.pathsep}{env['PATH']}"}
    # uv (locked in requirements/dev.txt) installs from its cache in a second; the cache stays the user's
    # own (conftest moves XDG_CACHE_HOME into the test's folder). What it fetches is pinned by the hashes.
    env.setdefault("UV_CACHE_DIR", str(Path.home() / ".cache" / "uv"))
    uv = [str(Path(sys.executable).parent / "uv"), "pip", "install", "--quiet", "--python", str(python), "--no-deps"]
    for step in (
        [*uv, "--require-hashes", "-r", str(CHECKOUT / "requirements/build.txt")],  # the setuptools jieba needs
        [*uv, "--require-hashes", "--no-build-isolation", "-r", str(CHECKOUT / "requirements/run.txt")],
        [*uv, str(wheel)],
    ):
        done = subprocess.run(step, cwd=tmp_path, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr

    work = tmp_path / "elsewhere"
    work.mkdir()

    def crm(*args: str, cwd: Path = work) -> str:
        done = subprocess.run([str(venv / "bin/crm"), *args], cwd=cwd, env=env, capture_output=True, text=True)
        assert done.returncode == 0, f"crm {' '.join(args)}: {done.stdout}{done.stderr}"
        return done.stdout

    imported = subprocess.run(
        [str(python), "-c", "import crmdata, site_builder; print(crmdata.__file__, site_builder.__file__)"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(CHECKOUT) not in imported and str(venv) in imported
    assert crm("--version") == f"crm {VERSION}\n"
    for host in ("github", "gitlab"):
        crm("init", host, "--host", host, "--team", "ming=张明")
        repository = work / host
        assert CURRENT.requirement in (repository / "README.md").read_text(encoding="utf-8")
        crm("validate", cwd=repository)
    crm("build", cwd=work / "github")
    site = work / "github/site"
    for page in ("index.html", "help/index.html", "help/start/index.html", "help/ci/index.html"):
        assert (site / page).is_file(), page
    assert any((site / "assets").rglob("crm.css")) and any((site / "assets").rglob("crm.js"))


@pytest.mark.parametrize("page", ["site_builder/help/zh/ci.md", "site_builder/help/en/ci.md", "DEVELOPMENT.md"])
def test_pages_that_mention_a_release_mention_this_one(page: str) -> None:
    text = (CHECKOUT / page).read_text(encoding="utf-8")
    others = set(re.findall(r"\bv(\d+\.\d+\.\d+)\b", text)) - {VERSION}
    assert not others, f"{page} names another release: {others}"
