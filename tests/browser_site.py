"""The demo site built once per test run and served on 127.0.0.1, and Debian's chromium driven by playwright: the
fixtures every browser test module shares (registered for the whole suite by tests/conftest.py).

One build and one browser for the session: the site is read, never changed, by the tests that use it; a test
that needs a site of its own builds it with `built_and_served`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import Browser, Page, sync_playwright

PROJECT = Path(__file__).resolve().parents[1]
ARTIFACTS = PROJECT / "test-artifacts"
CRM = Path(sys.executable).parent / "crm"
DEMO_AS_OF = dt.date(2026, 11, 24)  # the Makefile's DEMO_AS_OF: the day the demo data set describes

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # without these chromium phones home, which a closed network refuses
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


# ---------------------------------------------------------------------------------------------------------------
# the built site, its server, the browser


@dataclass(frozen=True)
class Site:
    folder: Path
    url: str

    def html(self, path: str) -> BeautifulSoup:
        """The built page at a site path ("customers/" or "customers/KH-2024001/") as HTML."""
        file = self.folder / path.lstrip("/") / "index.html" if not path.endswith(".html") else self.folder / path
        return BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


RECORD_FOLDERS = ("customers", "interactions", "plans", "opportunities", "contracts")
"""The demo's records; docs/ (the team's own handbook) is the users' writing too and stays out of the copies."""


def demo_copy(root: Path, rewrite_config: Callable[[str], str]) -> Path:
    """The demo's records copied into `root`, with crm.yaml as `rewrite_config` makes it from the demo's: for a
    site built from the same records with one setting changed."""
    root.mkdir()
    for folder in RECORD_FOLDERS:
        shutil.copytree(PROJECT / folder, root / folder)
    config = (PROJECT / "crm.yaml").read_text(encoding="utf-8")
    (root / "crm.yaml").write_text(rewrite_config(config), encoding="utf-8")
    return root


def build_site(root: Path, out: Path, work: Path) -> None:
    """`crm build` of a repository as of DEMO_AS_OF into `out`, with a parse cache of its own under `work`."""
    env = {**os.environ, "XDG_CACHE_HOME": str(work / "xdg-cache")}
    built = subprocess.run(
        [str(CRM), "build", "--root", str(root), "--as-of", DEMO_AS_OF.isoformat(), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )
    assert built.returncode == 0, f"crm build failed:\n{built.stdout}\n{built.stderr}"


@contextlib.contextmanager
def built_and_served(root: Path, work: Path) -> Iterator[Site]:
    """`crm build` of a repository as of DEMO_AS_OF, served over HTTP (material's search needs http)."""
    out = work / "site"
    build_site(root, out, work)
    with serving(out) as served:
        yield served


@contextlib.contextmanager
def serving(out: Path) -> Iterator[Site]:
    """A built site served over HTTP on a free port of this machine."""
    handler = functools.partial(_QuietHandler, directory=str(out))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(out, f"http://127.0.0.1:{server.server_address[1]}/")
    finally:
        server.shutdown()
        server.server_close()


DEMO_COMMITTED = "2026-01-05T10:00:00+08:00"
"""When the demo repository of the browser tests committed its records: long enough before DEMO_AS_OF that its
"30 days ago" and "90 days ago" are known (site_builder.past_kpis reads the records of each day from git)."""


def demo_repository(root: Path) -> Path:
    """The demo (records, crm.yaml and docs/) in a git repository of its own with one commit, DEMO_COMMITTED.
    In this project's repository the demo's history begins with the project's (2026-11-24), so a site built
    there in place knows no record before that day and shows no value of 30 days ago."""
    demo_copy(root, lambda config: config)
    shutil.copytree(PROJECT / "docs", root / "docs")
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "demo",
           "GIT_AUTHOR_EMAIL": "demo@example.com", "GIT_COMMITTER_NAME": "demo",
           "GIT_COMMITTER_EMAIL": "demo@example.com", "GIT_AUTHOR_DATE": DEMO_COMMITTED,
           "GIT_COMMITTER_DATE": DEMO_COMMITTED}  # fmt: skip
    for command in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "the demo"]):
        subprocess.run(["git", *command], cwd=root, env=env, check=True, capture_output=True)
    return root


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The demo site as `crm build` writes it, from the demo committed in a repository of its own."""
    work = tmp_path_factory.mktemp("browser")
    with built_and_served(demo_repository(work / "demo"), work) as served:
        yield served


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium. Run `make browser-deps` "
            "(apt-get install chromium fonts-noto-cjk); these tests never skip.",
            pytrace=False,
        )
    fc_list = shutil.which("fc-list")
    fonts = subprocess.run([fc_list, ":lang=zh"], capture_output=True, text=True, check=False) if fc_list else None
    if fonts is None or not fonts.stdout.strip():
        pytest.fail(
            "no font with Chinese glyphs (fc-list :lang=zh finds none): the site would show boxes. "
            "Run `make browser-deps` (apt-get install fonts-noto-cjk).",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Tab:
    """A browser page plus what went wrong in it: console errors, uncaught exceptions, failed requests
    (refused, or answered with an HTTP error)."""

    page: Page
    site: Site
    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    requested: list[str] = field(default_factory=list)

    def open(self, path: str = "") -> None:
        self.page.goto(self.site.url + path, wait_until="networkidle")

    def assert_clean(self) -> None:
        assert self.errors == [], f"errors in the browser console: {self.errors}"
        assert self.failed == [], f"failed requests: {self.failed}"
        server = urlsplit(self.site.url).netloc
        elsewhere = [url for url in self.requested if urlsplit(url).netloc != server and not url.startswith("data:")]
        assert elsewhere == [], f"the site loads from other hosts than {server}: {elsewhere}"

    def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=ARTIFACTS / name, full_page=True)


@pytest.fixture
def tab_factory(browser: Browser, site: Site) -> Iterator[Callable[..., Tab]]:
    contexts = []

    def make(viewport: dict[str, int] = DESKTOP) -> Tab:
        context = browser.new_context(viewport=viewport, color_scheme="light", locale="zh-CN")
        contexts.append(context)
        tab = Tab(context.new_page(), site)
        tab.page.on("console", lambda message: message.type == "error" and tab.errors.append(message.text))
        tab.page.on("pageerror", lambda error: tab.errors.append(f"uncaught: {error}"))
        tab.page.on("requestfailed", lambda request: tab.failed.append(f"{request.url}: {request.failure}"))
        tab.page.on(
            "response",
            lambda response: response.status >= 400 and tab.failed.append(f"{response.url}: HTTP {response.status}"),
        )
        tab.page.on("request", lambda request: tab.requested.append(request.url))
        return tab

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def tab(tab_factory: Callable[..., Tab]) -> Tab:
    return tab_factory()
