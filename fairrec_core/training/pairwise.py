"""Pairwise (BPR-style) training: negative sampling, the task the loop runs, the fit."""

from __future__ import annotations

from typing import Any

import numpy as np

from fairrec_core.errors import ConfigError
from fairrec_core.training.loop import TrainConfig, TrainResult, train
from fairrec_core.training.validation import ndcg_on, validation_data


class PairSampler:
    """Shuffled (user, positive, negative) batches for pairwise losses.

    Each negative is drawn uniformly from the items the user has *not*
    interacted with, exactly, without rejection rounds: draw a rank ``r``
    among the user's unseen items and map it to the item through the user's
    sorted seen items. Everything is vectorised per epoch and seeded by
    ``(seed, epoch)``, so an epoch's batches do not depend on earlier ones.
    """

    def __init__(self, users: np.ndarray, items: np.ndarray, n_items: int, *,
                 batch_size: int, seed: int = 0):
        if batch_size < 1:
            raise ConfigError("batch_size must be at least 1.")
        self.users = np.ascontiguousarray(users, dtype=np.int64)
        self.items = np.ascontiguousarray(items, dtype=np.int64)
        self.n_items = int(n_items)
        self.batch_size = int(batch_size)
        self.seed = int(seed)
        keys = np.unique(self.users * self.n_items + self.items)
        ku = keys // self.n_items
        n_users = int(ku.max()) + 1 if keys.size else 0
        self.n_seen = np.bincount(ku, minlength=n_users)
        self.start = np.concatenate([[0], np.cumsum(self.n_seen)])
        # g = u * n_items + (s_m - m) is non-decreasing; the number of seen
        # items "before" the r-th unseen one is a searchsorted away.
        within = np.arange(keys.size) - self.start[ku]
        self.g = ku * self.n_items + (keys - ku * self.n_items - within)

    def __len__(self) -> int:
        return -(-len(self.users) // self.batch_size)

    def negatives(self, users: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """One uniformly drawn unseen item per entry of ``users``."""
        n_unseen = self.n_items - self.n_seen[users]
        r = np.floor(rng.random(users.size) * np.maximum(n_unseen, 1)).astype(np.int64)
        k = np.searchsorted(self.g, users * self.n_items + r, side="right") - self.start[users]
        # A user who has seen everything gets any item: the pair then carries no signal.
        return np.where(n_unseen > 0, r + k, r % self.n_items)

    def epoch(self, epoch: int):
        """Yield ``(users, positives, negatives)`` int64 arrays for one epoch."""
        rng = np.random.default_rng([self.seed, int(epoch)])
        perm = rng.permutation(len(self.users))
        u, i = self.users[perm], self.items[perm]
        j = self.negatives(u, rng)
        for a in range(0, len(u), self.batch_size):
            b = min(len(u), a + self.batch_size)
            yield u[a:b], i[a:b], j[a:b]


class PairwiseTask:
    """A model trained on (user, positive, negative) triples, as the loop sees it.

    The adapter supplies ``module_`` (whose ``forward(u, i, j, reg=...)``
    returns the loss), ``reg``, ``eval_k`` and ``_end_epoch()`` (refresh
    whatever scoring caches it keeps).

    With a fairness ``objective`` (:class:`~fairrec_core.fairtrain.terms.FairnessObjective`)
    the loss is the module's ``pair_losses`` mean plus the term, and each
    epoch's mean unweighted term value goes into the history as
    ``fairness_term``.
    """

    def __init__(self, model, sampler: PairSampler, validation, device, objective=None):
        self.model = model
        self.module = model.module_
        self.sampler = sampler
        self.valid, self.valid_users = validation
        self.device = device
        self.objective = objective
        # A 0-d tensor on the device once the first batch adds to it.
        self._term_sum: Any = None
        self._term_n = 0

    def n_steps(self) -> int:
        return len(self.sampler)

    def param_groups(self, lr: float) -> list[dict]:
        groups = getattr(self.model, "_param_groups", None)
        if groups is not None:
            return groups()
        return [{"params": [p for p in self.module.parameters() if p.requires_grad]}]

    def batches(self, epoch: int):
        import torch

        for arrays in self.sampler.epoch(epoch):
            yield tuple(torch.from_numpy(x).to(self.device, non_blocking=True) for x in arrays)

    def loss(self, batch):
        if self.objective is None:
            return self.module(*batch, reg=self.model.reg)
        losses, penalty = self.module.pair_losses(*batch, reg=self.model.reg)
        # The same operations as the module's forward, so that λ = 0 reproduces
        # plain training bit for bit.
        loss = losses.mean()
        if penalty is not None:
            loss = loss + penalty
        addend, raw = self.objective(self.module, *batch, losses)
        raw = raw.detach()
        # Summed on the device: a per-step .item() would stall a GPU.
        self._term_sum = raw if self._term_sum is None else self._term_sum + raw
        self._term_n += 1
        return loss + addend

    def epoch_stats(self) -> dict:
        """Mean unweighted fairness term of the epoch (empty without an objective)."""
        if self.objective is None or not self._term_n:
            return {}
        value = float(self._term_sum) / self._term_n
        self._term_sum, self._term_n = None, 0
        return {"fairness_term": value}

    def end_epoch(self, epoch: int) -> None:
        self.model._end_epoch()

    def evaluate(self) -> float | None:
        if self.valid is None:
            return None
        return ndcg_on(self.model, self.valid, self.valid_users, self.model.eval_k)


def fit_pairwise(model, sampler: PairSampler, split, device, callbacks) -> TrainResult:
    """Train a pairwise model (BPR-MF, the text two-tower) on ``sampler``'s triples.

    Parameters
    ----------
    model : TorchRecommender
        Its ``module_`` built and on ``device``; ``fairness_`` (resolved, or None
        for the plain loss), ``epochs``, ``lr``, ``patience``, ``eval_k``,
        ``amp``, ``seed`` and ``dim`` set.
    sampler : PairSampler
    split : Split or None
        Its validation part drives early stopping.
    device : torch.device
    callbacks : list of callable
        Receive :class:`~fairrec_core.training.ProgressEvent` objects.

    Returns
    -------
    TrainResult
    """
    objective = None
    if model.fairness_ is not None:
        from fairrec_core.fairtrain.terms import FairnessObjective

        objective = FairnessObjective(model.fairness_, dim=int(model.dim),
                                      seed=model.seed).to(device)
    task = PairwiseTask(model, sampler, validation_data(model, split), device,
                        objective=objective)
    config = TrainConfig(epochs=model.epochs, lr=model.lr, patience=model.patience,
                         metric_name=f"ndcg@{model.eval_k}", device=str(device),
                         amp=model.amp, seed=model.seed)
    return train(task, config, callbacks=callbacks)
