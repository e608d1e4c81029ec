"""Timing shared by the benchmarks (imported as ``_timing``: they run as scripts from here)."""

from __future__ import annotations

import statistics
import time


def repeat_timed(fn, repeats: int):
    """Call ``fn`` ``repeats`` times; return ``(best, median, last result)``, times in seconds.

    The best of several runs is the figure least disturbed by other jobs on the
    machine; the median says how typical it is.
    """
    times = []
    out = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times), out
