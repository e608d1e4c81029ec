"""Error boundaries log the traceback for whoever runs fairrec; the user reads a sentence."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

from fairrec_core.dashboard import data_session as ds
from fairrec_core.dashboard import pipeline_session as ps


def _boom():
    raise ZeroDivisionError("deliberate failure inside an action")


def test_dashboard_action_failure_is_logged_with_traceback(caplog):
    state: dict = {}
    with caplog.at_level(logging.ERROR, logger="fairrec"):
        assert ps.guarded(state, "err", _boom) is None
    assert "ZeroDivisionError" in state["err"] and "Traceback" not in state["err"]
    rec = [r for r in caplog.records if r.name == "fairrec.dashboard"]
    assert rec and rec[0].exc_info and rec[0].exc_info[0] is ZeroDivisionError


def test_upload_reading_failure_is_logged_with_traceback(caplog):
    state: dict = {ds.FILES: {"interactions": ds.FileInput("interactions", "i.csv", b"u,i\n1,2\n")}}

    def reader(*_args):
        raise RuntimeError("reader exploded")

    with caplog.at_level(logging.ERROR, logger="fairrec"):
        ds.refresh(state, reader=reader)
    assert "reader exploded" in state[ds.LOAD_ERROR]
    rec = [r for r in caplog.records if r.name == "fairrec.dashboard"]
    assert rec and rec[0].exc_info[0] is RuntimeError


def test_cli_writes_the_traceback_to_the_log_file_not_the_terminal(tmp_path):
    # Expected errors (bad data, bad options) are plain messages; an unexpected one is
    # forced by injecting a failure into the generator the command calls.
    log = tmp_path / "fairrec.log"
    code = ("import sys, fairrec_core.data.synthetic as s\n"
            "def bad(**kw):\n    raise ZeroDivisionError('boom')\n"
            "s.generate = bad\n"
            "from fairrec_core.cli.main import main\n"
            "sys.exit(main(['sample-data', '--out', %r]))\n" % str(tmp_path / "out"))
    env = {k: v for k, v in os.environ.items() if k != "FAIRREC_DEBUG"}
    env["FAIRREC_LOG_FILE"] = str(log)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=120)
    assert out.returncode == 2
    assert "stopped unexpectedly" in out.stderr and "Traceback" not in out.stderr
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "ZeroDivisionError: boom" in text
