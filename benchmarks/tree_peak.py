"""Run a command and report its wall time and the peak memory of its whole process tree.

``/usr/bin/time -v`` reports only the largest single process; a Ray audit's memory is
spread over the driver, Ray's own processes and its workers. This samples the resident
memory of the command and every process below it every 0.2 s and prints the peaks of
their sum, of the largest one and of the command's own process.

Run: ``.venv/bin/python benchmarks/tree_peak.py <command> [args ...]``.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import psutil


def main(argv: list[str]) -> int:
    proc = subprocess.Popen(argv)
    peaks = {"tree": 0, "largest": 0, "driver": 0, "procs": 0}
    stop = threading.Event()

    def sample() -> None:
        root = psutil.Process(proc.pid)
        while not stop.is_set():
            try:
                rss = {}
                for p in [root, *root.children(recursive=True)]:
                    try:
                        rss[p.pid] = p.memory_info().rss
                    except psutil.Error:  # exited between listing and reading
                        pass
                peaks["tree"] = max(peaks["tree"], sum(rss.values()))
                peaks["largest"] = max(peaks["largest"], max(rss.values(), default=0))
                peaks["driver"] = max(peaks["driver"], rss.get(proc.pid, 0))
                peaks["procs"] = max(peaks["procs"], len(rss))
            except psutil.Error:
                pass
            time.sleep(0.2)

    threading.Thread(target=sample, daemon=True).start()
    t0 = time.time()
    rc = proc.wait()
    stop.set()
    gib = 2 ** 30
    print(f"rc={rc} wall={time.time() - t0:.1f}s tree_peak={peaks['tree'] / gib:.2f}GiB "
          f"largest={peaks['largest'] / gib:.2f}GiB driver={peaks['driver'] / gib:.2f}GiB "
          f"procs={peaks['procs']}", file=sys.stderr)
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
