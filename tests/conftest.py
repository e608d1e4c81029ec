"""Shared fixtures: a live `streamlit run` server and a Chromium page; one torch thread."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def streamlit_server(tmp_path_factory):
    """Base URL of ``streamlit run app.py`` on a free port; stopped afterwards."""
    # Installed by scripts/test.sh; a missing browser is a broken setup, not a skip.
    assert CHROMIUM.exists(), (f"{CHROMIUM} is absent: install Debian's chromium package "
                               "(scripts/test.sh does)")
    port = _free_port()
    log_path = tmp_path_factory.mktemp("streamlit") / "server.log"
    env = {k: v for k, v in os.environ.items() if k != "FAIRREC_AUTOLOAD_SAMPLE"}
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "serve_dashboard.py", "run", "app.py",
             "--server.headless", "true", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)  # its own process group, killed as a whole below
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail("streamlit exited early:\n" + log_path.read_text(errors="replace"))
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("streamlit did not answer /_stcore/health within 90 s:\n"
                            + log_path.read_text(errors="replace"))
            time.sleep(0.5)
        yield url
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=15)


@pytest.fixture
def browser_page(streamlit_server):
    """A Playwright page (1280x800) in headless Debian Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.set_default_timeout(60_000)
        try:
            yield page
        finally:
            context.close()
            browser.close()


@pytest.fixture(scope="module")
def one_torch_thread():
    """Torch on one thread for a module's tests (``pytest.mark.usefixtures``), then restored.

    Tiny models run their many small matrix products fastest on one thread; on a
    shared, oversubscribed CPU the hand-offs between threads cost more than the
    arithmetic (two spinning threads made them ~70x slower).
    """
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
