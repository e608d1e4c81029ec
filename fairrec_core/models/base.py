"""The Recommender protocol every model follows, and the top-K machinery they share.

A recommender is fitted on a :class:`~fairrec_core.data.Dataset` (optionally
restricted to a :class:`~fairrec_core.data.Split`'s training rows) and then
answers three questions for any batch of users, in dense ids:

* :meth:`Recommender.score` -- raw scores over all (or the given) items;
* :meth:`Recommender.recommend` -- the top ``k`` unseen items and their scores;
* :meth:`Recommender.candidates` -- the same for the ``c`` best candidates a
  re-ranker starts from.

"Unseen" means not among the user's training interactions (``seen_``). Users
are always processed in batches so that the same code serves 10^7 users.

What explainers may ask a model besides that (its vectors, its score for
another history, its text tower) is the public interface of
:mod:`fairrec_core.models.interface`, inherited by every model. The top-K
selection with seen items masked lives in :mod:`fairrec_core.models.top_k`.

Why the PyTorch adapter :class:`TorchRecommender` stays here rather than in
a module of its own: other modules import it from ``models.base``, and a
re-export from here would be an import cycle.
"""

from __future__ import annotations

import warnings
from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from fairrec_core.data.validation import Issue
from fairrec_core.errors import ConfigError, NotFittedError
from fairrec_core.models.interface import ExplanationInterface, PooledVectors
from fairrec_core.models.top_k import (
    as_float32_numpy,
    batch_slices,
    binary_csr,
    check_dense_ids,
    top_k_masked,
)

if TYPE_CHECKING:
    from fairrec_core.training import TrainResult

#: Scores held in memory at once while ranking: a batch of users times the
#: catalogue stays near 64 MB of float32 whatever the catalogue size.
SCORE_BUDGET = 1 << 24


class Recommender(ExplanationInterface, ABC):
    """Base class of every fairrec model.

    Subclasses implement :meth:`_fit` and :meth:`_score_block`; this class
    supplies input checks, seen-item masking and batched top-K selection.

    Attributes
    ----------
    n_users_, n_items_ : int
        Sizes of the dense id spaces the model was fitted on.
    user_ids_, item_ids_ : list of str
        Original ids by dense position (kept for checkpoints).
    seen_ : scipy.sparse.csr_matrix of bool-like float32
        Training interactions; :meth:`recommend` never returns these.
    warnings_ : list of Issue
        Problems met while fitting that did not stop it.
    """

    #: Registry name; also written into checkpoints.
    name: str = ""
    #: Whether :meth:`recommend` removes training items by default.
    exclude_seen: bool = True

    # ------------------------------------------------------------------ fitting
    def fit(self, dataset, split=None, *, callbacks=None) -> Recommender:
        """Fit on ``dataset``.

        Parameters
        ----------
        dataset : Dataset
            Indexed data (ids, interactions, item texts, ...).
        split : Split, optional
            When given, only ``split.train`` is used for fitting and
            ``split.valid`` positives drive validation (early stopping);
            afterwards validation items count as seen, like training items.
            Otherwise every interaction of ``dataset`` trains the model.
        callbacks : list of callable, optional
            Receive :class:`~fairrec_core.training.ProgressEvent` objects
            (models that train iteratively).

        Returns
        -------
        self
        """
        train = dataset.interactions if split is None else split.train
        if len(train) == 0:
            raise ConfigError("There are no training interactions to fit a model on.")
        if split is not None and (split.n_users != dataset.n_users
                                  or split.n_items != dataset.n_items):
            raise ConfigError("The split was made from other data than the dataset given "
                              "to fit: their user or item counts differ.")
        self.warnings_: list[Issue] = []
        self.n_users_ = int(dataset.n_users)
        self.n_items_ = int(dataset.n_items)
        self.user_ids_ = [str(x) for x in dataset.user_ids]
        self.item_ids_ = [str(x) for x in dataset.item_ids]
        self.seen_ = binary_csr(train["user"].to_numpy(), train["item"].to_numpy(),
                                 (self.n_users_, self.n_items_))
        try:
            self._fit(dataset, split, train, callbacks=list(callbacks or []))
        except BaseException:
            # A failed fit must not leave a model that looks fitted.
            del self.seen_
            raise
        if split is not None and len(split.valid):
            # Validation interactions happened before the test ones: a deployed
            # model would know them, so from now on they count as seen and are
            # never recommended (RecBole masks them the same way at test time).
            known = pd.concat([train[["user", "item"]], split.valid[["user", "item"]]])
            self.seen_ = binary_csr(known["user"].to_numpy(), known["item"].to_numpy(),
                                     (self.n_users_, self.n_items_))
            self._seen_changed()
        return self

    def _seen_changed(self) -> None:
        """Hook for models whose user representation reads ``seen_``."""

    @abstractmethod
    def _fit(self, dataset, split, train, *, callbacks) -> None:
        """Model-specific fitting; ``seen_`` and the sizes are already set."""

    def _warn(self, code: str, message: str, count: int = 0) -> None:
        """Record a warning (it travels into reports) and emit it."""
        self.warnings_.append(Issue.warning("model", None, code, message, count=count))
        warnings.warn(message, UserWarning, stacklevel=3)

    @property
    def is_fitted(self) -> bool:
        return hasattr(self, "seen_")

    def _check_fitted(self) -> None:
        if not self.is_fitted:
            raise NotFittedError(f"The {self.name or type(self).__name__} model has not been "
                                 "trained yet: call fit(dataset) or load a checkpoint first.")

    # ------------------------------------------------------------------ scoring
    @abstractmethod
    def _score_block(self, users: np.ndarray, items: np.ndarray | None):
        """Scores of ``users`` x ``items`` (all items when None).

        Returns a float32 numpy array or torch tensor; higher is better and
        ``-inf`` means "cannot be recommended".
        """

    def score(self, users=None, items=None) -> np.ndarray:
        """Raw model scores, seen items included.

        Parameters
        ----------
        users : array-like of int, optional
            Dense user ids; all users when omitted.
        items : array-like of int, optional
            Dense item ids; all items when omitted.

        Returns
        -------
        numpy.ndarray of float32, shape (len(users), len(items))
        """
        self._check_fitted()
        users = self._users(users)
        items = None if items is None else self._items(items)
        width = self.n_items_ if items is None else len(items)
        out = np.empty((len(users), width), dtype=np.float32)
        for a, b in batch_slices(len(users), self._batch_users(None)):
            out[a:b] = as_float32_numpy(self._score_block(users[a:b], items))
        return out

    def recommend(self, users=None, k: int = 10, *, exclude_seen: bool | None = None,
                  batch_size: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` items per user, best first.

        Parameters
        ----------
        users : array-like of int, optional
            Dense user ids; all users when omitted.
        k : int, default 10
            List length; must not exceed the catalogue.
        exclude_seen : bool, optional
            Leave out each user's training items (the model's default when None).
        batch_size : int, optional
            Users scored at once; chosen from the catalogue size when None.

        Returns
        -------
        items : numpy.ndarray of int64, shape (len(users), k)
            Dense item ids; ``-1`` where a user has fewer than ``k`` items left.
        scores : numpy.ndarray of float32, shape (len(users), k)
            NaN where ``items`` is ``-1``.
        """
        self._check_fitted()
        users = self._users(users)
        k = self._check_k(k)
        ids = np.empty((len(users), k), dtype=np.int64)
        scores = np.empty((len(users), k), dtype=np.float32)
        for sl, i, s in self.iter_recommend(users, k, exclude_seen=exclude_seen,
                                            batch_size=batch_size):
            ids[sl] = i
            scores[sl] = s
        return ids, scores

    def candidates(self, users=None, c: int = 100, *, exclude_seen: bool | None = None,
                   batch_size: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The ``c`` best unseen items per user with scores, for re-ranking.

        Same contract as :meth:`recommend`, with a longer default list; ``c``
        is capped at the catalogue size with a warning rather than an error,
        because a re-ranker asking for 100 candidates from 60 items is normal.
        """
        self._check_fitted()
        if isinstance(c, (int, np.integer)) and c > self.n_items_:
            warnings.warn(f"Asked for {c} candidates but the catalogue has {self.n_items_} "
                          "items; returning all of them.", UserWarning, stacklevel=2)
            c = self.n_items_
        return self.recommend(users, c, exclude_seen=exclude_seen, batch_size=batch_size)

    def iter_recommend(self, users=None, k: int = 10, *, exclude_seen: bool | None = None,
                       batch_size: int | None = None
                       ) -> Iterator[tuple[slice, np.ndarray, np.ndarray]]:
        """Yield ``(rows, items, scores)`` batch by batch (streaming form of recommend)."""
        self._check_fitted()
        users = self._users(users)
        k = self._check_k(k)
        exclude = self.exclude_seen if exclude_seen is None else bool(exclude_seen)
        for a, b in batch_slices(len(users), self._batch_users(batch_size)):
            ids, sc = self._top_block(users[a:b], k, exclude)
            yield slice(a, b), ids, sc

    def _top_block(self, users: np.ndarray, k: int, exclude: bool):
        scores = self._score_block(users, None)
        return top_k_masked(scores, self.seen_ if exclude else None, users, k)

    # ------------------------------------------------------------------ checks
    def _users(self, users) -> np.ndarray:
        if users is None:
            return np.arange(self.n_users_, dtype=np.int64)
        return check_dense_ids(users, self.n_users_, "user")

    def _items(self, items) -> np.ndarray:
        return check_dense_ids(items, self.n_items_, "item")

    def _check_k(self, k) -> int:
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ConfigError(f"k must be a positive whole number, got {k!r}.")
        if k > self.n_items_:
            raise ConfigError(f"k = {k} is larger than the catalogue, which has "
                              f"{self.n_items_} items; ask for at most {self.n_items_}.")
        return int(k)

    def _batch_users(self, batch_size: int | None) -> int:
        if batch_size is not None:
            if batch_size < 1:
                raise ConfigError("batch_size must be at least 1.")
            return int(batch_size)
        return max(1, SCORE_BUDGET // max(1, self.n_items_))

    # ------------------------------------------------------------------ persistence
    def get_params(self) -> dict:
        """Constructor parameters (JSON-serialisable), as scikit-learn names them."""
        return {}

    def _fitted_config(self) -> dict:
        """Extra JSON facts about the fitted state, stored in checkpoints."""
        return {}

    def _state_tensors(self) -> dict:
        """Arrays (numpy or torch) that, with the config, rebuild the fitted model."""
        return {}

    def _load_state(self, tensors: dict, fitted: dict, folder) -> None:
        """Inverse of :meth:`_state_tensors`; ``seen_`` and sizes are already set."""

    def _save_files(self, folder) -> None:
        """Extra files a checkpoint needs besides config and weights (default: none)."""

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({params})"


class TorchRecommender(PooledVectors, Recommender):
    """Shared adapter logic of the PyTorch models (BPR-MF, text two-tower).

    Subclasses build an ``nn.Module`` exposing ``user_vectors(users)`` and
    ``item_matrix() -> (V, b)``; scores are ``U @ V.T + b``. The item matrix
    is computed once after training (and after each epoch, for validation)
    and kept on the model's device, so ranking all users is one batched
    matrix product per block of users.

    Attributes
    ----------
    module_ : torch.nn.Module
    device_ : str
    training_ : TrainResult or None
        History of the fit (None for a model loaded from a checkpoint).
    """

    # Set by fit or a checkpoint load; the subclass's module has the methods above.
    module_: Any
    device_: str
    training_: TrainResult | None
    # (V, b) tensors on the model's device, None until computed or after a move.
    _item_cache: Any

    def _resolve_device(self):
        from fairrec_core.training import resolve_device

        return resolve_device(getattr(self, "device", "auto"))

    def _refresh_cache(self) -> None:
        import torch

        with torch.no_grad():
            v, b = self.module_.item_matrix()
            self._item_cache = (v.detach().float(), b.detach().float())

    def _user_matrix(self, users: np.ndarray):
        import torch

        u = torch.from_numpy(np.ascontiguousarray(users)).to(self._device_obj())
        return self.module_.user_vectors(u).float()

    def _device_obj(self):
        return next(self.module_.parameters()).device

    def _score_block(self, users, items):
        import torch

        if getattr(self, "_item_cache", None) is None:
            self._refresh_cache()
        with torch.no_grad():
            v, b = self._item_cache
            if items is not None:
                idx = torch.from_numpy(items).to(v.device)
                v, b = v[idx], b[idx]
            return torch.addmm(b.unsqueeze(0), self._user_matrix(users), v.T)

    def to(self, device: str = "cpu") -> TorchRecommender:
        """Move the fitted model to ``device`` (``auto``, ``cpu``, ``cuda``, ``mps``)."""
        from fairrec_core.training import resolve_device

        self._check_fitted()
        self.module_.to(resolve_device(device))
        self.device_ = str(self._device_obj())
        self._item_cache = None
        return self

    def _state_tensors(self) -> dict:
        return {k: v.detach().cpu().contiguous() for k, v in self.module_.state_dict().items()}

    @staticmethod
    def _torch_state(arrays: dict) -> dict:
        """numpy arrays read from safetensors as torch tensors (copied: writable)."""
        import torch

        return {k: torch.from_numpy(np.array(v)) for k, v in arrays.items()}
