"""Training shared by the PyTorch models: the loop, progress events, early stopping, devices.

Submodules by responsibility:

* :mod:`~fairrec_core.training.loop` -- :func:`train`, :class:`TrainConfig`,
  :class:`TrainResult`, the :class:`TrainingTask` protocol;
* :mod:`~fairrec_core.training.progress` -- :class:`ProgressEvent` and
  callbacks;
* :mod:`~fairrec_core.training.early_stopping` -- :class:`EarlyStopping`;
* :mod:`~fairrec_core.training.devices` -- device choice and seeding;
* :mod:`~fairrec_core.training.validation` -- validation users and NDCG;
* :mod:`~fairrec_core.training.pairwise` -- negative sampling and the
  pairwise task and fit of BPR-MF and the two-tower.

Everything is re-exported here, so ``from fairrec_core.training import X``
works for every public name.
"""

from fairrec_core.training.devices import DEVICES, resolve_device, seed_everything
from fairrec_core.training.early_stopping import EarlyStopping
from fairrec_core.training.loop import TrainConfig, TrainingTask, TrainResult, train
from fairrec_core.training.pairwise import PairSampler, PairwiseTask, fit_pairwise
from fairrec_core.training.progress import Callback, ProgressEvent, encode_reporter
from fairrec_core.training.validation import ndcg_on, validation_data, validation_users

__all__ = [
    "DEVICES", "Callback", "EarlyStopping", "PairSampler", "PairwiseTask", "ProgressEvent",
    "TrainConfig", "TrainResult", "TrainingTask", "encode_reporter", "fit_pairwise", "ndcg_on",
    "resolve_device", "seed_everything", "train", "validation_data", "validation_users",
]
