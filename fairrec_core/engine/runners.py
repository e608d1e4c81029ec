"""Where the blocks are folded: in this process, or as Ray Data batches.

Both runners fold the same blocks with the same function
(:func:`fairrec_core.engine.blocks.block_partial`) and merge the partial
totals, so their results differ only by floating-point summation order.

The Ray runner makes a Ray Dataset of the user blocks
(``ray.data.from_arrow``: one block per user range, so the data is
partitioned by user), maps every batch to its serialised partial totals
(``map_batches``, Arrow batch format) and merges the few small partials on
the driver. Without an address it starts a local Ray (``num_cpus`` workers,
no dashboard) and shuts it down afterwards; with an address
(``ray://head:10001`` or ``auto``) it joins that cluster and leaves it
running. A worker that dies mid-batch is retried by Ray (``max_retries``
times); when retries are exhausted the run fails with
:class:`EngineError` and nothing is returned.
"""

from __future__ import annotations

import logging
import pickle
import warnings
from dataclasses import dataclass

from fairrec_core.errors import FairrecError

from .blocks import block_partial
from .partials import BatchContext, Partial, merge_all


class EngineError(FairrecError):
    """The distributed engine could not complete the audit (no report is written)."""


@dataclass
class RayOptions:
    """How to reach Ray.

    Attributes
    ----------
    address : str or None
        A running cluster (``ray://host:10001``, ``auto``); None starts a
        local Ray for this run.
    num_cpus : int
        CPUs of the local Ray (ignored with an address).
    max_retries : int
        Retries of a batch whose worker died.
    """

    address: str | None = None
    num_cpus: int = 2
    max_retries: int = 3


def run_local(blocks, ctx: BatchContext) -> Partial:
    """Fold the blocks one after another in this process."""
    return merge_all(block_partial(b, ctx) for b in blocks)


def _fold(batch, ctx: BatchContext):
    """The Ray Data batch function: one batch in, its pickled partial out."""
    import numpy as np

    partial = block_partial(batch, ctx)
    return {"partial": np.array([pickle.dumps(partial, protocol=5)], dtype=object)}


def check_reachable(address: str | None, timeout: float = 5.0) -> None:
    """Raise :class:`EngineError` unless something listens at a cluster address.

    Ray, given an address nobody answers at, waits about a minute and may
    then abort the whole process from its C++ core; a plain TCP connection
    first turns that into a clear error in seconds. ``auto``/``local`` and
    addresses without a port are left to Ray.

    Parameters
    ----------
    address : str or None
        ``ray://host:port`` (Ray Client) or ``host:port`` (the head's GCS).
    timeout : float
        Seconds to wait for the connection.
    """
    if not address or address in ("auto", "local"):
        return
    host, sep, port = address.removeprefix("ray://").rpartition(":")
    if not sep or not port.isdigit():
        return
    import socket

    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as exc:
        raise EngineError(
            f"No Ray cluster answers at {address} ({exc.strerror or exc}). Check --ray-address "
            "(e.g. ray://head-node:10001 for Ray Client, or head-node:6379) and that the "
            "cluster is running and reachable from here. No report was written.") from None


def _start(options: RayOptions):
    import ray

    if ray.is_initialized():
        return False
    check_reachable(options.address)
    try:
        if options.address:
            ray.init(address=options.address, include_dashboard=False, log_to_driver=False)
        else:
            ray.init(num_cpus=options.num_cpus, include_dashboard=False,
                     log_to_driver=False, configure_logging=False)
    except Exception as exc:  # Ray raises ConnectionError, RuntimeError, ValueError...
        where = f"the Ray cluster at {options.address}" if options.address else "a local Ray"
        raise EngineError(f"Could not start or reach {where}: {exc}. Check --ray-address "
                          "(e.g. ray://head-node:10001) and that the cluster runs the same "
                          "Ray and fairrec versions.") from None
    return True


def run_ray(blocks, ctx: BatchContext, options: RayOptions | None = None) -> Partial:
    """Fold the blocks as Ray Data batches and merge their partial totals.

    Raises
    ------
    EngineError
        Ray could not be started or reached, a batch failed after its
        retries (e.g. its worker was killed every time), or the merged
        totals do not cover every block's users.
    """
    try:
        import ray
        import ray.data
    except ImportError:
        raise EngineError("The Ray engine needs Ray: pip install 'fairrec[ray]' (or "
                          "'ray[data]').") from None
    options = options or RayOptions()
    started = _start(options)
    try:
        data_ctx = ray.data.DataContext.get_current()
        data_ctx.enable_progress_bars = False
        logging.getLogger("ray.data").setLevel(logging.WARNING)
        ds = ray.data.from_arrow(list(blocks))
        with warnings.catch_warnings():
            # Ray Data retries a lost task forever by default; a bounded number
            # turns a worker that dies every time (out of memory) into a clear
            # error. Ray 2.60 has no named parameter for it yet, only the
            # deprecated remote-args form.
            warnings.simplefilter("ignore", DeprecationWarning)
            # One batch per block keeps a user's rows together and the partials few.
            # (Ray's signature does not model fn_kwargs: _fold's ctx arrives through it.)
            out = ds.map_batches(_fold, fn_kwargs={"ctx": ctx},  # type: ignore[arg-type]
                                 batch_format="pyarrow",
                                 batch_size=None, max_retries=options.max_retries)
            rows = out.take_all()
    except EngineError:
        raise
    except Exception as exc:
        raise EngineError(
            f"The Ray engine stopped: a batch failed after {options.max_retries} retries "
            f"({type(exc).__name__}: {str(exc).splitlines()[0][:300]}). A worker may have been "
            "lost (out of memory, node gone). No report was written; rerun, or give the "
            "cluster more memory.") from None
    finally:
        if started:
            ray.shutdown()
    return merge_all(pickle.loads(r["partial"]) for r in rows)


def check_complete(total: Partial, n_users: int) -> None:
    """Raise :class:`EngineError` unless the totals cover users 0..n_users−1 exactly once."""
    expected = n_users * (n_users - 1) // 2
    if total.n_users != n_users or total.user_sum != expected:
        raise EngineError(
            f"The engine's totals cover {total.n_users} users, expected {n_users}: some "
            "batches were lost or counted twice. No report was written.")
