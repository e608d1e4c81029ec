"""BPR matrix factorisation (Rendle et al., UAI 2009) as a fairrec Recommender."""

from __future__ import annotations

import numpy as np

from fairrec_core.errors import ConfigError
from fairrec_core.models.base import TorchRecommender
from fairrec_core.models.foldin import FoldIn, fit_foldin


class BPR(TorchRecommender):
    """Matrix factorisation trained with the Bayesian personalised ranking loss.

    Every training interaction is a positive; each is paired with one item
    the user has not interacted with, drawn uniformly. Training stops early
    when validation NDCG@``eval_k`` stops improving, and the best epoch's
    weights are kept.

    Parameters
    ----------
    dim : int, default 64
        Latent factors per user and item.
    epochs : int, default 50
        Upper bound on passes over the training interactions.
    batch_size : int, default 4096
    lr : float, default 0.01
        Adam learning rate.
    reg : float, default 1e-4
        L2 penalty on the factors of each batch's users and items.
    item_bias : bool, default True
    patience : int, default 5
        Epochs without validation improvement before stopping (0 = never).
    eval_k : int, default 10
        Cut-off of the validation NDCG.
    max_eval_users : int, default 5000
        Validation users per epoch (a seeded sample beyond this).
    device : str, default "auto"
        ``auto`` (CUDA, then MPS, then CPU), ``cpu``, ``cuda`` or ``mps``.
    amp : "auto" or bool, default "auto"
        Mixed precision; only ever used on CUDA.
    seed : int, default 0
    fairness : FairnessConfig, dict or None, default None
        A fairness term added to the loss with its weight λ_train
        (:mod:`fairrec_core.fairtrain`): ``{"term": "user-loss", "attribute":
        "gender", "weight": 0.5}``. Checked against the data before training;
        weight 0 gives exactly the plain model.

    Attributes
    ----------
    module_ : BPRModule
    training_ : TrainResult
    fairness_ : ResolvedFairness or None
        The fairness term as bound to the training data (groups, protected
        group, target share).
    """

    name = "bpr"
    #: User vectors are free parameters: other histories are answered by a fold-in estimate.
    history_dependence = "folded"

    def __init__(self, *, dim: int = 64, epochs: int = 50, batch_size: int = 4096,
                 lr: float = 0.01, reg: float = 1e-4, item_bias: bool = True,
                 patience: int = 5, eval_k: int = 10, max_eval_users: int = 5000,
                 device: str = "auto", amp="auto", seed: int = 0, fairness=None):
        self.dim = dim
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.reg = reg
        self.item_bias = item_bias
        self.patience = patience
        self.eval_k = eval_k
        self.max_eval_users = max_eval_users
        self.device = device
        self.amp = amp
        self.seed = seed
        self.fairness = fairness

    def get_params(self) -> dict:
        params = {k: getattr(self, k) for k in (
            "dim", "epochs", "batch_size", "lr", "reg", "item_bias", "patience", "eval_k",
            "max_eval_users", "device", "amp", "seed")}
        params["fairness"] = _fairness_dict(self.fairness)
        return params

    def foldin(self) -> FoldIn:
        """The amortised fold-in map of the fitted model (fitted on first use, then kept).

        See :mod:`fairrec_core.models.foldin`; it answers :meth:`user_vector`
        and :meth:`score_history` for histories other than the user's own.
        """
        self._check_fitted()
        cached = getattr(self, "_foldin", None)
        if cached is None or cached[0] is not self.module_ or cached[1] is not self.seen_:
            fold = fit_foldin(self.user_vectors(), self.item_vectors()[0], self.seen_)
            cached = self._foldin = (self.module_, self.seen_, fold)
        return cached[2]

    def history_r2(self) -> float | None:
        """Held-out R² of the scores the fold-in implies (see :class:`FoldIn`)."""
        return self.foldin().r2

    def _history_parts(self, history, user):
        fold = self.foldin()
        q = self.item_vectors()[0]
        g = q[history] @ fold.M
        w = np.ones(history.size)
        if user is None:
            return fold.c, g, w
        own = self.seen_.indices[self.seen_.indptr[user]:self.seen_.indptr[user + 1]]
        own_mean = q[own].mean(0) if own.size else np.zeros(q.shape[1])
        # What the map does not explain of the learned vector stays with the user, so
        # their own history gives back the model's own vector exactly.
        a = self.user_vectors([user])[0] - own_mean @ fold.M
        return a, g, w

    def _build(self, device):
        from fairrec_core.models._bpr_model import BPRModule

        if int(self.dim) != self.dim or self.dim < 1:
            raise ConfigError(f"dim must be a positive whole number, got {self.dim!r}.")
        return BPRModule(self.n_users_, self.n_items_, int(self.dim),
                         item_bias=bool(self.item_bias)).to(device)

    def _fit(self, dataset, split, train, *, callbacks) -> None:
        from fairrec_core.training import PairSampler, fit_pairwise, seed_everything

        device = self._resolve_device()
        # Bad fairness settings fail here, before anything is built or trained.
        self.fairness_ = _resolve_fairness(self.fairness, dataset, train)
        seed_everything(self.seed)
        self.module_ = self._build(device)
        self._item_cache = None
        sampler = PairSampler(train["user"].to_numpy(), train["item"].to_numpy(),
                              self.n_items_, batch_size=self.batch_size, seed=self.seed)
        self.training_ = fit_pairwise(self, sampler, split, device, callbacks)
        self.device_ = str(device)
        self._refresh_cache()

    def _end_epoch(self) -> None:
        self._refresh_cache()

    def _fitted_config(self) -> dict:
        fairness = getattr(self, "fairness_", None)
        if fairness is not None:
            return {"fairness": fairness.to_dict()}
        # A loaded checkpoint keeps the record it was saved with.
        record = getattr(self, "_fairness_record", None)
        return {} if record is None else {"fairness": record}

    def _load_state(self, tensors, fitted, folder) -> None:
        self.module_ = self._build("cpu")
        self.module_.load_state_dict(self._torch_state(tensors))
        self.fairness_, self._fairness_record = None, (fitted or {}).get("fairness")
        self.module_.eval()
        self.device_ = "cpu"
        self.training_ = None
        self._item_cache = None


def _fairness_dict(value) -> dict | None:
    """The fairness setting as a plain dict (JSON, checkpoints), checked."""
    import dataclasses

    from fairrec_core.fairtrain.spec import as_fairness_config

    cfg = as_fairness_config(value, where="BPR fairness")
    return None if cfg is None else dataclasses.asdict(cfg)


def _resolve_fairness(value, dataset, train):
    if value is None:
        return None
    from fairrec_core.fairtrain.spec import resolve_fairness

    return resolve_fairness(value, dataset, train)
