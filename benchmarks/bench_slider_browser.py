"""Benchmark: the What-if λ slider where the user sits (issue 13, item 5/6).

Starts ``streamlit run app.py`` and a headless Debian Chromium, loads a data
set (the bundled sample, or a generated 6,040-user one uploaded through the
Data page), trains the default model (BPR-MF, 3 epochs), builds the What-if
sweep, then focuses the slider and presses ArrowRight ``--changes`` times.
For each press it measures, in the browser's own clock, the time from the
key press to

* **first number**: a number drawn for the new λ on screen (the trade-off
  chart's "λ = x" marker), and
* **done**: that, and no element of the page still marked stale (the whole
  rerun redrawn),

and parses the server time the page reports for the same rerun. The load
average is printed with the figures: the machine may be shared. Because wall
time on a loaded machine mostly measures the queue for the CPU, it also
records the CPU time each key press costs the browser (every Chromium
process) and the Streamlit server: on an idle 2-core machine the wait is
about their sum, and it compares versions fairly under any load (the CPU the idle page and
server use anyway, measured for 3 s before the first key press, is subtracted).

With ``--compare`` it first measures the page as committed (HEAD, copied out
with ``git show HEAD:<path>`` into a temporary folder and served from there)
and then the working tree, in the same run, so both see the same machine load.
Since the slider's numbers are redrawn in the browser from precomputed steps
(``fairrec_core/dashboard/whatif_live.py``), "first number" also counts the
moment that script has written the new step's metric cards (it marks the page
body with ``data-fairrec-lam``).

Run:  .venv/bin/python benchmarks/bench_slider_browser.py [--users 6040] [--changes 20]
          [--compare]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
LABELS = {"interactions": "Interactions (required)", "users": "Users (optional)",
          "items": "Items (optional)"}


def _pct(values, q) -> float:
    return float(np.percentile(np.asarray(values, float), q))


def head_copy(folder: Path, ref: str = "HEAD") -> Path:
    """The committed tree ``ref`` written into ``folder`` file by file, git state untouched."""
    names = subprocess.run(["git", "-C", str(ROOT), "ls-tree", "-r", "--name-only", ref],
                           check=True, capture_output=True, text=True).stdout.splitlines()
    for name in names:
        if name.startswith(("tests/", "benchmarks/data")):
            continue
        blob = subprocess.run(["git", "-C", str(ROOT), "show", f"{ref}:{name}"], check=True,
                              capture_output=True).stdout
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blob)
    return folder


def _server(port: int, autoload: bool, root: Path = ROOT):
    env = {k: v for k, v in os.environ.items() if k != "FAIRREC_AUTOLOAD_SAMPLE"}
    if autoload:
        env["FAIRREC_AUTOLOAD_SAMPLE"] = "1"
    # The copy's fairrec_core before the editable install's (which maps to ROOT).
    env["PYTHONPATH"] = os.pathsep.join([str(root), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(root / "app.py"),
         "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"], cwd=root, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    for _ in range(240):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
            return proc
        except OSError:
            time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGTERM)
    raise RuntimeError("streamlit did not start")


def _generated(n_users: int, folder: Path) -> Path:
    from fairrec_core.data.synthetic import generate

    # MovieLens-1M's user count; ~25 interactions per user as in the sample.
    data = generate(n_users=n_users, n_items=3000, n_interactions=n_users * 25, seed=7)
    data.write(folder)
    return folder


# Installed once in the page: a MutationObserver (no polling, so the measurement
# adds no frames of its own) records the browser's clock when, after a key press,
# "first": a number drawn for the new λ is on screen (the trade-off chart's
# "λ = x" marker label, or the live part's caption "At λ = x: …"), and "done":
# that, and no element of the page is still marked stale by Streamlit (the
# rerun has redrawn them all). "done" always waits for the server's own drawing of
# the new λ (marker or caption): the browser-side redraw of the cards does not count.
_OBSERVE = """() => {
  const hit = (lam) => [...document.querySelectorAll('[data-testid=stPlotlyChart] text, '
      + '[data-testid=stMetricValue], [data-testid=stCaptionContainer]')]
      .some(e => e.textContent.trim() === 'λ = ' + lam
                 || e.textContent.trim().startsWith('At λ = ' + lam + ':'));
  const check = () => {
    const w = window.__bench;
    if (!w || w.done !== null) return;
    const served = hit(w.lam);  // drawn by the server's rerun for this λ
    if (w.first === null && (served || document.body.dataset.fairrecLam === w.lam))
      w.first = performance.now();
    if (served && !document.querySelector('[data-testid=stElementContainer][data-stale=true]'))
      w.done = performance.now();
  };
  new MutationObserver(check).observe(document.body, {subtree: true, childList: true,
      characterData: true, attributes: true,
      attributeFilter: ['data-stale', 'data-fairrec-lam']});
}"""
_ARM = """([lam]) => { window.__bench = {lam, first: null, done: null};
                    return performance.now(); }"""


def _cpu(pids, only: str | None = None) -> float:
    """CPU seconds (user + system) used so far by ``pids`` and all their descendants
    (those whose name contains ``only``, when given)."""
    import psutil

    total = 0.0
    for pid in pids:
        try:
            root = psutil.Process(pid)
            procs = [root] + root.children(recursive=True)
        except psutil.NoSuchProcess:
            continue
        for proc in procs:
            try:
                if only and only not in proc.name():
                    continue
                times = proc.cpu_times()
                total += times.user + times.system
            except psutil.Error:
                pass
    return total


def _screenshot(page, path: str) -> None:
    """The whole page (Streamlit scrolls inside its main container)."""
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll("
        "'[data-testid=stMain], [data-testid=stAppViewContainer]')].map(e => e.scrollHeight))")
    page.set_viewport_size({"width": 1280, "height": int(height)})
    page.wait_for_timeout(1500)  # charts re-layout to the new size
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=path, full_page=True)


def measure(n_users: int | None, changes: int, shot: str | None = None,
            root: Path = ROOT) -> dict:
    """Key press → redraw times (ms) and the page's server times (ms)."""
    from playwright.sync_api import expect, sync_playwright

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    tmp = tempfile.TemporaryDirectory()
    folder = _generated(n_users, Path(tmp.name)) if n_users else None
    proc = _server(port, autoload=folder is None, root=root)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                        args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.set_default_timeout(600_000)
            expect.set_options(timeout=600_000)
            idle = page.locator('[data-testid="stStatusWidget"]')
            nav = page.locator('[data-testid="stSidebarNav"]')
            page.goto(f"http://127.0.0.1:{port}")
            if folder is not None:
                for kind, label in LABELS.items():
                    widget = page.locator('[data-testid="stFileUploader"]', has_text=label)
                    widget.locator("input[type=file]").set_input_files(folder / f"{kind}.csv")
                    expect(idle).to_have_count(0)
            expect(page.get_by_text("Dataset loaded from").first).to_be_visible()
            nav.get_by_role("link", name="Train").click()
            expect(idle).to_have_count(0)
            epochs = page.get_by_role("spinbutton", name="Maximum epochs")
            epochs.fill("3")
            epochs.press("Enter")
            expect(idle).to_have_count(0)
            page.get_by_role("button", name="Train", exact=True).click()
            expect(page.get_by_text("ready in")).to_be_visible()
            expect(idle).to_have_count(0)
            nav.get_by_role("link", name="What-if").click()
            expect(idle).to_have_count(0)
            page.get_by_role("button", name="Build trade-off curve").click()
            slider = page.get_by_role("slider")
            expect(slider).to_be_visible()
            expect(idle).to_have_count(0)
            page.wait_for_timeout(1000)
            page.evaluate(_OBSERVE)
            slider.focus()
            first, done, server, cpu_browser, cpu_server = [], [], [], [], []
            me = os.getpid()  # Playwright's driver and Chromium are our descendants
            # CPU the idle page and server use anyway (subtracted from each step's).
            b0, s0, w0 = _cpu([me], "chrom"), _cpu([proc.pid]), time.perf_counter()
            page.wait_for_timeout(3000)
            wall = time.perf_counter() - w0
            idle_b = (_cpu([me], "chrom") - b0) / wall
            idle_s = (_cpu([proc.pid]) - s0) / wall
            for i in range(1, changes + 1):
                lam = f"{i / 100:.2f}"
                b0, s0, w0 = _cpu([me], "chrom"), _cpu([proc.pid]), time.perf_counter()
                t0 = page.evaluate(_ARM, [lam])
                page.keyboard.press("ArrowRight")
                page.wait_for_function("() => window.__bench.done !== null", polling=100)
                got = page.evaluate("() => window.__bench")
                first.append(got["first"] - t0)
                done.append(got["done"] - t0)
                cap = page.locator('[data-testid=stCaptionContainer]',
                                   has_text="redrew in").first.inner_text()
                server.append(float(re.search(r"redrew in (\d+) ms", cap)[1]))
                expect(idle).to_have_count(0)
                page.wait_for_timeout(300)  # let late paints land in this step's CPU time
                wall = time.perf_counter() - w0
                cpu_browser.append((_cpu([me], "chrom") - b0 - idle_b * wall) * 1000)
                cpu_server.append((_cpu([proc.pid]) - s0 - idle_s * wall) * 1000)
            if shot:
                _screenshot(page, shot)
            browser.close()
        return {"first": first, "done": done, "server": server, "cpu_browser": cpu_browser,
                "cpu_server": cpu_server, "idle": (idle_b, idle_s)}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        tmp.cleanup()


def _table(out: dict) -> None:
    print(f"Idle CPU use (subtracted below): browser {out['idle'][0]:.0%} of a core, "
          f"server {out['idle'][1]:.0%}.")
    print("| measured | p50 | p95 | max |")
    print("|---|---|---|---|")
    for name, key in (("key press → first metric redrawn (browser)", "first"),
                      ("key press → whole live part redrawn (browser)", "done"),
                      ("server time of the rerun (page caption)", "server"),
                      ("CPU time per key press: browser (all Chromium processes, idle "
                       "use subtracted)", "cpu_browser"),
                      ("CPU time per key press: Streamlit server (idle use subtracted)",
                       "cpu_server")):
        v = out[key]
        print(f"| {name} | {statistics.median(v):.0f} ms | {_pct(v, 95):.0f} ms | "
              f"{max(v):.0f} ms |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=0,
                    help="generate a data set with this many users (default: the sample)")
    ap.add_argument("--changes", type=int, default=20, help="key presses timed (default 20)")
    ap.add_argument("--screenshot", help="save a full-page PNG of the What-if page here")
    ap.add_argument("--compare", action="store_true",
                    help="measure a commit (a copy made with git show) first, then this tree")
    ap.add_argument("--before", default="HEAD",
                    help="the commit --compare measures first (default HEAD)")
    args = ap.parse_args()
    data = f"generated, {args.users:,} users" if args.users else "sample data (2,000 users)"
    runs = [(f"before ({args.before})", True), ("after (working tree)", False)] if args.compare \
        else [("this tree", False)]
    for name, before in runs:
        with tempfile.TemporaryDirectory() as tmp:
            root = head_copy(Path(tmp), args.before) if before else ROOT
            load0 = os.getloadavg()
            out = measure(args.users or None, args.changes,
                          None if before else args.screenshot, root=root)
            load1 = os.getloadavg()
        print(f"\n### {name}\nMachine: {platform.machine()}, {os.cpu_count()} cores, Python "
              f"{platform.python_version()}; load average (1 min) {load0[0]:.2f} before, "
              f"{load1[0]:.2f} after; data: {data}; {args.changes} key presses.")
        _table(out)


if __name__ == "__main__":
    main()
