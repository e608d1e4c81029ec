"""An unreachable ``--ray-address``: a clear error, exit code 2, no report.

In its own module: the Ray tests share a running local Ray, and an engine
that finds Ray running uses it whatever the address.
"""

from __future__ import annotations

import socket
import time

import pytest

from fairrec_core.engine import EngineError, check_reachable
from tests.test_engine_local import SAMPLE


def _closed_port() -> int:
    """A local port nobody listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_check_reachable_names_the_address_quickly():
    port = _closed_port()
    t0 = time.perf_counter()
    with pytest.raises(EngineError, match=rf"No Ray cluster answers at ray://127.0.0.1:{port}"):
        check_reachable(f"ray://127.0.0.1:{port}")
    assert time.perf_counter() - t0 < 5  # refused at once, not Ray's minute of retries
    with socket.socket() as listening:  # something answers: no error
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        check_reachable(f"127.0.0.1:{listening.getsockname()[1]}")
    check_reachable("auto")  # left to Ray


def test_cli_with_an_unreachable_ray_address_exits_2_without_a_report(tmp_path, capsys):
    from fairrec_core.cli.audit import main

    out = tmp_path / "out"
    address = f"ray://127.0.0.1:{_closed_port()}"
    argv = [f"--{k}={SAMPLE / (k + '.csv')}" for k in ("interactions", "users", "items",
                                                        "recommendations")] + [
        "--model", "imported", "--rerank", "none", "--no-sweep", "--n-boot", "20",
        "--formats", "json", "--no-progress", "--ray-address", address, "--out", str(out)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"No Ray cluster answers at {address}" in err and "--ray-address" in err
    assert "No report was written" in err
    assert not (out / "report.json").exists()
