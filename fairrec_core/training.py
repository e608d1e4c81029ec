"""Training loop shared by the PyTorch models: callbacks, early stopping, devices.

The loop knows nothing about any particular model. A model adapter hands it a
:class:`TrainingTask` (its ``nn.Module``, how to draw batches, the loss and
how to validate); the loop owns seeding, the optimiser, mixed precision,
progress events, early stopping on the validation metric and restoring the
best weights.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import numpy as np

from fairrec_core.errors import ConfigError

DEVICES = ("auto", "cpu", "cuda", "mps")


# ---------------------------------------------------------------------- devices
def resolve_device(device: str = "auto"):
    """Turn ``"auto" | "cpu" | "cuda[:n]" | "mps"`` into a ``torch.device``.

    ``auto`` prefers CUDA, then Apple's MPS, then the CPU. Naming a device
    that is not there is an error rather than a silent fallback, so a user
    who asked for the GPU knows they did not get it.
    """
    import torch

    spec = str(device or "auto").strip().lower()
    if spec == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    base = spec.split(":")[0]
    if base not in DEVICES:
        raise ConfigError(f"Unknown device '{device}'; use auto, cpu, cuda or mps.")
    if base == "cuda" and not torch.cuda.is_available():
        raise ConfigError("device='cuda' was asked for, but PyTorch sees no CUDA GPU on this "
                          "machine (or this PyTorch build is CPU-only). Use device='auto' or "
                          "'cpu'.")
    if base == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise ConfigError("device='mps' was asked for, but Apple's Metal backend is not "
                              "available here. Use device='auto' or 'cpu'.")
    return torch.device(spec)


def seed_everything(seed: int) -> None:
    """Seed torch (CPU and CUDA) so that CPU training is bit-for-bit repeatable."""
    import torch

    torch.manual_seed(int(seed))
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(int(seed))


# ---------------------------------------------------------------------- events
@dataclass(frozen=True)
class ProgressEvent:
    """One report from the training loop to its callbacks.

    Attributes
    ----------
    kind : {"encode", "start", "step", "epoch", "end"}
        ``encode`` comes before ``start`` from models that prepare inputs
        first (the text two-tower encoding item texts); ``step`` and ``steps``
        then count texts encoded and to encode.
    epoch, epochs : int
        Current epoch (1-based; 0 before the first) and the planned number.
    step, steps : int
        Step within the epoch (1-based) and steps per epoch.
    loss : float or None
        Mean training loss since the last event of this kind.
    metric : float or None
        Validation metric after the epoch (``metric_name``), None if no
        validation data.
    best_metric, best_epoch
        Best validation value so far and when it was reached.
    elapsed_s : float
        Seconds since training started.
    stopped_early : bool
        Set on the ``end`` event when early stopping ended training.
    device : str
    """

    kind: str
    epoch: int
    epochs: int
    step: int = 0
    steps: int = 0
    loss: float | None = None
    metric: float | None = None
    metric_name: str = "ndcg@10"
    best_metric: float | None = None
    best_epoch: int | None = None
    elapsed_s: float = 0.0
    stopped_early: bool = False
    device: str = "cpu"

    def to_dict(self) -> dict:
        return asdict(self)


Callback = Callable[[ProgressEvent], Any]


class EarlyStopping:
    """Stop when the validation metric has not improved for ``patience`` epochs.

    Parameters
    ----------
    patience : int
        Epochs without improvement tolerated; 0 disables early stopping.
    min_delta : float
        Smallest increase that counts as an improvement.
    """

    def __init__(self, patience: int = 3, min_delta: float = 0.0):
        if patience < 0:
            raise ConfigError("patience must be 0 (off) or a positive number of epochs.")
        self.patience = int(patience)
        self.min_delta = float(min_delta)
        self.best_metric: float | None = None
        self.best_epoch: int | None = None
        self.bad_epochs = 0

    def update(self, metric: float | None, epoch: int) -> tuple[bool, bool]:
        """Record an epoch's metric; return ``(improved, should_stop)``."""
        if metric is None or not np.isfinite(metric):
            return False, False
        if self.best_metric is None or metric > self.best_metric + self.min_delta:
            self.best_metric, self.best_epoch, self.bad_epochs = float(metric), epoch, 0
            return True, False
        self.bad_epochs += 1
        return False, bool(self.patience) and self.bad_epochs >= self.patience


# ---------------------------------------------------------------------- loop
class TrainingTask(Protocol):
    """What a model adapter gives the loop."""

    module: Any

    def n_steps(self) -> int: ...

    def batches(self, epoch: int) -> Iterator[Any]: ...

    def loss(self, batch) -> Any: ...

    def evaluate(self) -> float | None: ...

    def end_epoch(self, epoch: int) -> None: ...

    def param_groups(self, lr: float) -> list[dict]: ...


@dataclass
class TrainConfig:
    """Options of the training loop (serialisable; separate from the model)."""

    epochs: int = 20
    lr: float = 0.005
    weight_decay: float = 0.0
    patience: int = 3
    min_delta: float = 0.0
    metric_name: str = "ndcg@10"
    device: str = "auto"
    amp: str | bool = "auto"
    seed: int = 0
    step_events: int = 20

    def validate(self) -> None:
        if int(self.epochs) != self.epochs or self.epochs < 1:
            raise ConfigError(f"epochs must be a positive whole number, got {self.epochs!r}.")
        if not self.lr > 0:
            raise ConfigError(f"The learning rate must be positive, got {self.lr!r}.")
        if self.amp not in ("auto", True, False):
            raise ConfigError("amp must be 'auto', True or False.")


@dataclass
class TrainResult:
    """What happened during training (kept on the model as ``training_``)."""

    history: list[dict] = field(default_factory=list)
    best_epoch: int | None = None
    best_metric: float | None = None
    stopped_early: bool = False
    epochs_run: int = 0
    seconds: float = 0.0
    device: str = "cpu"
    amp: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def encode_reporter(callbacks: Iterable[Callback], *, epochs: int, device: str):
    """A ``progress(done, total)`` function that sends ``encode`` events to ``callbacks``.

    For a model's preparation stage (encoding item texts), which would
    otherwise look like a stalled start; None when there are no callbacks.
    """
    callbacks = list(callbacks)
    if not callbacks:
        return None
    t0 = time.perf_counter()

    def progress(done: int, total: int) -> None:
        ev = ProgressEvent(kind="encode", epoch=0, epochs=int(epochs), step=int(done),
                           steps=int(total), elapsed_s=time.perf_counter() - t0,
                           device=str(device))
        for cb in callbacks:
            cb(ev)
    return progress


def train(task: TrainingTask, config: TrainConfig, *,
          callbacks: Iterable[Callback] = ()) -> TrainResult:
    """Run the loop: epochs of steps, validation after each epoch, early stopping.

    A callback returning ``True`` stops training after the current event (a
    dashboard's Stop button); early stopping restores the best epoch's weights.
    """
    import torch

    config.validate()
    callbacks = list(callbacks)
    device = next(iter(task.module.parameters())).device
    amp_dtype = _amp_dtype(config.amp, device)
    scaler = (torch.amp.GradScaler("cuda") if amp_dtype == torch.float16 else None)
    opt = _adam(task.param_groups(config.lr), config)
    stopper = EarlyStopping(config.patience, config.min_delta)
    result = TrainResult(device=str(device), amp=None if amp_dtype is None else str(amp_dtype))
    best_state = None
    n_steps = max(1, task.n_steps())
    every = max(1, n_steps // max(1, config.step_events))
    t0 = time.perf_counter()

    def emit(**kw) -> bool:
        ev = ProgressEvent(epochs=config.epochs, steps=n_steps, metric_name=config.metric_name,
                           best_metric=stopper.best_metric, best_epoch=stopper.best_epoch,
                           elapsed_s=time.perf_counter() - t0, device=str(device), **kw)
        return any(cb(ev) is True for cb in callbacks)

    stop = emit(kind="start", epoch=0)
    for epoch in range(1, config.epochs + 1):
        if stop:
            break
        task.module.train()
        total, count, window, wcount = 0.0, 0, 0.0, 0
        for step, batch in enumerate(task.batches(epoch), start=1):
            opt.zero_grad(set_to_none=True)
            if amp_dtype is not None:
                with torch.autocast(device_type=device.type, dtype=amp_dtype):
                    loss = task.loss(batch)
            else:
                loss = task.loss(batch)
            if scaler is not None:
                scaler.scale(loss).backward()
                scaler.step(opt)
                scaler.update()
            else:
                loss.backward()
                opt.step()
            value = float(loss.detach())
            if not np.isfinite(value):
                raise ConfigError(f"Training diverged (loss = {value}) at epoch {epoch}; "
                                  "lower the learning rate.")
            total, count, window, wcount = total + value, count + 1, window + value, wcount + 1
            if step % every == 0 and callbacks:
                stop = emit(kind="step", epoch=epoch, step=step, loss=window / wcount) or stop
                window, wcount = 0.0, 0
        task.end_epoch(epoch)
        task.module.eval()
        with torch.no_grad():
            metric = task.evaluate()
        improved, should_stop = stopper.update(metric, epoch)
        if improved and config.patience:
            best_state = {k: v.detach().clone() for k, v in task.module.state_dict().items()}
        row = {"epoch": epoch, "loss": total / max(1, count), config.metric_name: metric,
               "seconds": time.perf_counter() - t0}
        stats = getattr(task, "epoch_stats", None)
        if stats is not None:
            row.update(stats())
        result.history.append(row)
        result.epochs_run = epoch
        stop = emit(kind="epoch", epoch=epoch, step=count, loss=row["loss"],
                    metric=metric) or stop
        if should_stop:
            result.stopped_early = True
            break
    # best_state and best_epoch are set together.
    if (best_state is not None and stopper.best_epoch is not None
            and stopper.best_epoch != result.epochs_run):
        task.module.load_state_dict(best_state)
        task.end_epoch(stopper.best_epoch)
    task.module.eval()
    result.best_epoch, result.best_metric = stopper.best_epoch, stopper.best_metric
    result.seconds = time.perf_counter() - t0
    emit(kind="end", epoch=result.epochs_run, stopped_early=result.stopped_early,
         metric=stopper.best_metric)
    return result


def _adam(groups, config):
    """Adam, fused into one kernel where this torch build supports it.

    Fusing matters on CPU: the unfused update of the embedding tables costs
    more than the forward and backward passes of a BPR step.
    """
    import torch

    try:
        return torch.optim.Adam(groups, lr=config.lr, weight_decay=config.weight_decay,
                                fused=True)
    except (RuntimeError, TypeError, ValueError):
        return torch.optim.Adam(groups, lr=config.lr, weight_decay=config.weight_decay)


def _amp_dtype(amp, device):
    """Mixed precision only on CUDA: bfloat16 where supported, else float16."""
    import torch

    if device.type != "cuda" or amp is False:
        return None
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16


# ---------------------------------------------------------------------- validation
def validation_users(valid, *, max_users: int | None, seed: int) -> np.ndarray:
    """Users with validation positives, subsampled (seeded) to ``max_users``."""
    users = np.flatnonzero(np.diff(valid.indptr) > 0)
    if max_users and users.size > max_users:
        users = np.sort(np.random.default_rng(seed).choice(users, max_users, replace=False))
    return users


def ndcg_on(model, truth, users: np.ndarray, k: int = 10) -> float | None:
    """Mean NDCG@k of ``model``'s unseen-item lists for ``users`` against ``truth`` rows."""
    from fairrec_core.metrics.ranking import ranking_metrics

    if users.size == 0:
        return None
    k = min(k, model.n_items_)
    top, _ = model.recommend(users, k)
    res = ranking_metrics(top, truth[users], k=k)
    return float(np.nanmean(res.per_user["ndcg"].to_numpy()))


# ---------------------------------------------------------------------- sampling
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


# ---------------------------------------------------------------------- pairwise task
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


def validation_data(model, split):
    """Validation positives and users for ``model``; a recorded warning when there are none."""
    if split is None:
        return None, np.empty(0, dtype=np.int64)
    valid = split.valid_matrix()
    users = validation_users(valid, max_users=model.max_eval_users, seed=model.seed)
    if users.size == 0:
        model._warn("no_validation_users",
                    "No user has a validation positive, so the model cannot be validated "
                    "while it trains: it runs all epochs without early stopping. Use a split "
                    "with a validation part (e.g. valid_n=1, or ratios 8:1:1).")
        return None, users
    return valid, users
