"""Scoring a trained model for every user as Ray Data batches (issue 17, Deliver 2).

A fitted recommender (BPR, the two-tower model, any picklable
:class:`~fairrec_core.models.base.Recommender`) is put in Ray's object store
once; a pool of actors each loads it once and answers batches of user
indices with :meth:`Recommender.recommend`. Where the cluster has GPUs, one
actor per GPU asks Ray for a whole GPU and moves a torch model onto it;
otherwise one actor per CPU.

The top-K lists are identical to the local ``model.recommend(None, k)``:
every Ray batch starts at a multiple of the model's own scoring batch and
spans whole model batches, so each actor scores exactly the user blocks
the local call scores, with the same code.
"""

from __future__ import annotations

import logging
import pickle
import warnings

import numpy as np

from .runners import EngineError, RayOptions, _start


def actor_resources(cluster: dict, *, max_actors: int | None = None) -> dict:
    """``map_batches`` resources for the scoring actors on a cluster.

    Parameters
    ----------
    cluster : dict
        ``ray.cluster_resources()``.
    max_actors : int, optional
        Cap on the number of actors.

    Returns
    -------
    dict
        ``{"num_gpus": 1, "concurrency": n_gpus}`` when the cluster has at
        least one GPU, else ``{"num_cpus": 1, "concurrency": n_cpus}``.
    """
    gpus = int(cluster.get("GPU", 0))
    if gpus >= 1:
        out = {"num_gpus": 1, "concurrency": gpus}
    else:
        out = {"num_cpus": 1, "concurrency": max(1, int(cluster.get("CPU", 1)))}
    if max_actors is not None:
        out["concurrency"] = max(1, min(out["concurrency"], int(max_actors)))
    return out


class _Scorer:
    """A Ray Data actor: loads the model once, answers batches of user indices."""

    def __init__(self, model_ref, k: int, unit: int, use_gpu: bool):
        import ray

        self.model = ray.get(model_ref[0])  # wrapped in a list: Ray would not resolve it
        self.k, self.unit = k, unit
        if use_gpu and hasattr(self.model, "to"):
            self.model.to("cuda")

    def __call__(self, batch: dict) -> dict:
        out = []
        for a, b in zip(batch["start"], batch["stop"]):
            ids, scores = self.model.recommend(np.arange(a, b, dtype=np.int64), self.k,
                                               batch_size=self.unit)
            out.append(pickle.dumps((ids, scores), protocol=5))
        return {"start": np.asarray(batch["start"]), "lists": np.array(out, dtype=object)}


def user_ranges(n_users: int, unit: int,
                users_per_batch: int | None = None) -> list[tuple[int, int]]:
    """Ray batches of users: each starts at a multiple of the model's scoring batch
    (``unit``) and spans whole ones, so an actor slices users exactly as the local
    ``recommend`` does."""
    size = unit * max(1, (users_per_batch or unit) // unit)
    return [(a, min(a + size, n_users)) for a in range(0, n_users, size)]


def recommend_ray(model, k: int, *, batch_size: int | None = None,
                  ray_options: RayOptions | None = None, users_per_batch: int | None = None,
                  max_actors: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Every user's top-``k`` from a fitted model, scored as Ray Data batches.

    Parameters
    ----------
    model : Recommender
        Fitted and picklable.
    k : int
        List length.
    batch_size : int, optional
        Users the model scores at once, as for ``model.recommend``.
    ray_options : RayOptions, optional
        Cluster address or local CPUs; a local Ray starts and stops for the
        call when none runs.
    users_per_batch : int, optional
        Users per Ray batch, rounded down to whole model batches.
    max_actors : int, optional
        Cap on the scoring actors (default: one per GPU, else per CPU).

    Returns
    -------
    items, scores : numpy.ndarray, shape (n_users, k)
        As ``model.recommend(None, k, batch_size=batch_size)``.

    Raises
    ------
    EngineError
        Ray could not be started or reached, or a batch failed.
    """
    try:
        import ray
        import ray.data
    except ImportError:
        raise EngineError("Scoring on Ray needs Ray: pip install 'fairrec[ray]'.") from None
    model._check_fitted()  # fail here, not inside an actor
    k = model._check_k(k)
    unit = model._batch_users(batch_size)  # the local call's own slicing
    n_users = int(model.n_users_)
    options = ray_options or RayOptions()
    started = _start(options)
    try:
        ray.data.DataContext.get_current().enable_progress_bars = False
        logging.getLogger("ray.data").setLevel(logging.WARNING)
        ranges = user_ranges(n_users, unit, users_per_batch)
        # No more actors than batches: an idle actor pool only warns.
        res = actor_resources(ray.cluster_resources(),
                              max_actors=min(max_actors or len(ranges), len(ranges)))
        ds = ray.data.from_items([{"start": a, "stop": b} for a, b in ranges])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # remote args, as in runners
            out = ds.map_batches(
                _Scorer,
                fn_constructor_kwargs={"model_ref": [ray.put(model)], "k": k,
                                       "unit": unit, "use_gpu": "num_gpus" in res},
                batch_size=1, batch_format="numpy", max_restarts=options.max_retries,
                max_task_retries=options.max_retries, **res)
            rows = out.take_all()
    except EngineError:
        raise
    except Exception as exc:
        raise EngineError(f"Scoring on Ray stopped ({type(exc).__name__}: "
                          f"{str(exc).splitlines()[0][:300]}).") from None
    finally:
        if started:
            ray.shutdown()
    return _gather(rows, n_users, k)


def _gather(rows, n_users: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Put the actors' batches (in any order) back in user order; check every user came."""
    ids = np.full((n_users, k), -1, dtype=np.int64)
    scores = np.full((n_users, k), np.nan, dtype=np.float32)
    seen = np.zeros(n_users, dtype=bool)
    for r in rows:
        a = int(r["start"])
        block_ids, block_scores = pickle.loads(r["lists"])
        b = a + block_ids.shape[0]
        ids[a:b], scores[a:b], seen[a:b] = block_ids, block_scores, True
    if not seen.all():
        raise EngineError(f"Scoring on Ray returned {int(seen.sum())} of {n_users} users.")
    return ids, scores
