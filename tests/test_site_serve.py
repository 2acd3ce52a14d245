"""`crm serve`: the site on localhost, rebuilt when a record changes (the same as `mkdocs serve`)."""

from __future__ import annotations

import html
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.conftest import CRM, DataRepo
from tests.test_site import write_small_crm


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return html.unescape(response.read().decode("utf-8"))
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def _wait_for(url: str, wanted: str, seconds: float) -> str:
    deadline = time.monotonic() + seconds
    page = None
    while time.monotonic() < deadline:
        page = _fetch(url)
        if page is not None and wanted in page:
            return page
        time.sleep(0.3)
    raise AssertionError(f"{url} never showed {wanted!r} within {seconds} s; last page: {(page or '')[:300]}")


def _serve(repo: DataRepo, port: int) -> subprocess.Popen[str]:
    """`crm serve` of the repository as of 2026-11-24 on localhost:port, its output in one pipe."""
    return subprocess.Popen(
        [str(CRM), "serve", "--root", str(repo.root), "--as-of", "2026-11-24", "--dev-addr", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ},
    )


def test_serve_shows_the_site_and_rebuilds_when_a_record_changes(tmp_path: Path) -> None:
    repo = DataRepo(tmp_path / "crm")
    write_small_crm(repo)
    port = _free_port()
    server = _serve(repo, port)
    try:
        page = _wait_for(f"http://127.0.0.1:{port}/customers/KH-2024001/", "华星科技有限公司", 60)
        assert "138****8000" in page
        customer = repo.root / "customers" / "KH-2024001.yaml"
        customer.write_text(customer.read_text(encoding="utf-8").replace("华星科技有限公司", "华星智能科技"), "utf-8")
        _wait_for(f"http://127.0.0.1:{port}/customers/KH-2024001/", "华星智能科技", 60)
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert "Traceback" not in output


def test_serve_refuses_invalid_data(tmp_path: Path) -> None:
    repo = DataRepo(tmp_path / "crm")
    write_small_crm(repo)
    repo.put("id: KH-2024009\nname: 坏记录\ntype: enterprise\ntier: vip\n")
    result = subprocess.run([str(CRM), "serve", "--root", str(repo.root)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "customers/KH-2024009.yaml:4:7: tier:" in result.stderr


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_serve_rebuilds_only_what_changed_and_keeps_the_whole_site_and_search(tmp_path: Path) -> None:
    """Each save rebuilds the pages whose content changed (site_builder.reuse) in the served folder: the other
    pages and the search index over all of them stay, and a deleted customer's page goes."""
    repo = DataRepo(tmp_path / "crm")
    write_small_crm(repo)
    repo.put("id: KH-2026050\nname: 临时客户\ntype: enterprise\ntier: potential\nstage: prospecting\nowner: hong\n")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _serve(repo, port)
    try:
        _wait_for(f"{base}/customers/KH-2026050/", "临时客户", 60)
        (repo.root / "customers" / "KH-2026050.yaml").unlink()
        customer = repo.root / "customers" / "KH-2024001.yaml"
        customer.write_text(customer.read_text(encoding="utf-8").replace("华星科技有限公司", "华星智能科技"), "utf-8")
        _wait_for(f"{base}/customers/KH-2024001/", "华星智能科技", 60)
        deadline = time.monotonic() + 30
        while _status(f"{base}/customers/KH-2026050/") != 404 and time.monotonic() < deadline:
            time.sleep(0.3)
        assert _status(f"{base}/customers/KH-2026050/") == 404
        assert _status(f"{base}/customers/KH-2024002/") == 200  # built before the edit, still served
        assert _status(f"{base}/pagefind/pagefind-entry.json") == 200
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert "Traceback" not in output
    assert "沿用上次构建中未变的" in output  # the rebuild after the edit reused the unchanged pages
    assert "dirty" not in output  # mkdocs' warning about its own rule for dirty builds is not about this one
