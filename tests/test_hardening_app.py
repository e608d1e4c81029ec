"""``fairrec app``: this machine only, idle when idle, gone when stopped.

Issue 12 item 7 (bind 127.0.0.1, print only the local URL, no tracebacks in the
browser) and issue 13 item 5 (no file watching: an idle server uses no CPU;
stopping ``fairrec app`` stops its Streamlit child). Reads Linux's /proc.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IDLE_SECONDS = 30


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _listening(port: int) -> list[str]:
    """Local addresses (hex, as /proc/net/tcp* shows them) listening on ``port``."""
    out = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            addr, hex_port = parts[1].split(":")
            if int(hex_port, 16) == port and parts[3] == "0A":  # 0A = LISTEN
                out.append(addr)
    return out


def test_shipped_config_keeps_the_server_local_quiet_and_idle():
    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert cfg["server"]["address"] == "127.0.0.1"
    assert cfg["server"]["fileWatcherType"] == "none"
    assert cfg["client"]["showErrorDetails"] == "none"
    run = [line for line in (ROOT / "scripts" / "run.sh").read_text().splitlines()
           if line.startswith("exec ")]
    assert run and "fairrec app" in run[0] and "--host" not in run[0]  # the default applies


def test_app_binds_localhost_idles_and_stops_with_its_child(tmp_path):
    port = _free_port()
    log = tmp_path / "app.log"
    with open(log, "wb") as fh:
        app = subprocess.Popen([sys.executable, "-m", "fairrec_core.cli", "app", "--headless",
                                "--port", str(port)], cwd=ROOT, stdout=fh,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert app.poll() is None, log.read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health",
                                            timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
        text = log.read_text()
        assert f"http://127.0.0.1:{port}" in text
        assert "Network URL" not in text and "External URL" not in text
        assert _listening(port) == ["0100007F"], _listening(port)  # 127.0.0.1 only
        (server,) = _children(app.pid)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10):
            pass  # one page load, then nobody uses it
        time.sleep(3)
        cpu0, t0 = _cpu_seconds(server), time.monotonic()
        time.sleep(IDLE_SECONDS)
        used = _cpu_seconds(server) - cpu0
        share = used / (time.monotonic() - t0)
        print(f"idle server: {used:.2f} s CPU in {IDLE_SECONDS} s ({share:.1%} of a core)")
        assert share < 0.02, f"the idle server used {share:.1%} of a core"

        app.send_signal(signal.SIGTERM)  # to fairrec app only, not its process group
        app.wait(timeout=30)
        for _ in range(40):
            if not Path(f"/proc/{server}").exists() and not _listening(port):
                break
            time.sleep(0.25)
        assert not Path(f"/proc/{server}").exists(), "the Streamlit child outlived fairrec app"
        assert _listening(port) == []
    finally:
        if app.poll() is None:
            os.killpg(app.pid, signal.SIGKILL)
            app.wait(timeout=15)
