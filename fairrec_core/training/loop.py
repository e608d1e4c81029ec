"""The training loop: epochs of optimiser steps, validation, early stopping, best weights.

The loop knows nothing about any particular model. A model adapter hands it a
:class:`TrainingTask` (its ``nn.Module``, how to draw batches, the loss and
how to validate); the loop owns the optimiser, mixed precision, progress
events, early stopping on the validation metric and restoring the best
weights.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import numpy as np

from fairrec_core.errors import ConfigError
from fairrec_core.training.early_stopping import EarlyStopping
from fairrec_core.training.progress import Callback, ProgressEvent


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
    optimiser = _Optimiser(task, config, device)
    stopper = EarlyStopping(config.patience, config.min_delta)
    amp = optimiser.amp_dtype
    result = TrainResult(device=str(device), amp=None if amp is None else str(amp))
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
        total, count, stop = _run_epoch(task, epoch, optimiser, every,
                                        emit if callbacks else None)
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


def _run_epoch(task: TrainingTask, epoch: int, optimiser: _Optimiser, every: int,
               emit: Callable[..., bool] | None) -> tuple[float, int, bool]:
    """One epoch of steps; returns the summed loss, the step count and whether to stop.

    ``emit`` (None without callbacks) gets a ``step`` event every ``every``
    steps with the mean loss since the previous one.
    """
    task.module.train()
    total, count, window, wcount, stop = 0.0, 0, 0.0, 0, False
    for step, batch in enumerate(task.batches(epoch), start=1):
        value = optimiser.step(task, batch, epoch)
        total, count, window, wcount = total + value, count + 1, window + value, wcount + 1
        if step % every == 0 and emit is not None:
            stop = emit(kind="step", epoch=epoch, step=step, loss=window / wcount) or stop
            window, wcount = 0.0, 0
    return total, count, stop


class _Optimiser:
    """Adam with mixed precision where it applies: one call of :meth:`step` per batch."""

    def __init__(self, task: TrainingTask, config: TrainConfig, device):
        import torch

        self.device = device
        self.amp_dtype = _amp_dtype(config.amp, device)
        self.scaler = (torch.amp.GradScaler("cuda") if self.amp_dtype == torch.float16
                       else None)
        self.opt = _adam(task.param_groups(config.lr), config)

    def step(self, task: TrainingTask, batch, epoch: int) -> float:
        """Forward, backward and update on ``batch``; the loss as a float."""
        import torch

        self.opt.zero_grad(set_to_none=True)
        if self.amp_dtype is not None:
            with torch.autocast(device_type=self.device.type, dtype=self.amp_dtype):
                loss = task.loss(batch)
        else:
            loss = task.loss(batch)
        if self.scaler is not None:
            self.scaler.scale(loss).backward()
            self.scaler.step(self.opt)
            self.scaler.update()
        else:
            loss.backward()
            self.opt.step()
        value = float(loss.detach())
        if not np.isfinite(value):
            raise ConfigError(f"Training diverged (loss = {value}) at epoch {epoch}; "
                              "lower the learning rate.")
        return value


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
