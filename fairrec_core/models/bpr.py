"""BPR matrix factorisation (Rendle et al., UAI 2009) as a fairrec Recommender."""

from __future__ import annotations

from fairrec_core.errors import ConfigError
from fairrec_core.models.base import TorchRecommender


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

    Attributes
    ----------
    module_ : BPRModule
    training_ : TrainResult
    """

    name = "bpr"

    def __init__(self, *, dim: int = 64, epochs: int = 50, batch_size: int = 4096,
                 lr: float = 0.01, reg: float = 1e-4, item_bias: bool = True,
                 patience: int = 5, eval_k: int = 10, max_eval_users: int = 5000,
                 device: str = "auto", amp="auto", seed: int = 0):
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

    def get_params(self) -> dict:
        return {k: getattr(self, k) for k in (
            "dim", "epochs", "batch_size", "lr", "reg", "item_bias", "patience", "eval_k",
            "max_eval_users", "device", "amp", "seed")}

    def _build(self, device):
        from fairrec_core.models._bpr_model import BPRModule

        if int(self.dim) != self.dim or self.dim < 1:
            raise ConfigError(f"dim must be a positive whole number, got {self.dim!r}.")
        return BPRModule(self.n_users_, self.n_items_, int(self.dim),
                         item_bias=bool(self.item_bias)).to(device)

    def _fit(self, dataset, split, train, *, callbacks) -> None:
        from fairrec_core.training import (PairSampler, PairwiseTask, TrainConfig,
                                           seed_everything, train as run_training,
                                           validation_data)

        device = self._resolve_device()
        seed_everything(self.seed)
        self.module_ = self._build(device)
        self._item_cache = None
        sampler = PairSampler(train["user"].to_numpy(), train["item"].to_numpy(),
                              self.n_items_, batch_size=self.batch_size, seed=self.seed)
        task = PairwiseTask(self, sampler, validation_data(self, split), device)
        config = TrainConfig(epochs=self.epochs, lr=self.lr, patience=self.patience,
                             metric_name=f"ndcg@{self.eval_k}", device=str(device),
                             amp=self.amp, seed=self.seed)
        self.training_ = run_training(task, config, callbacks=callbacks)
        self.device_ = str(device)
        self._refresh_cache()

    def _end_epoch(self) -> None:
        self._refresh_cache()

    def _load_state(self, tensors, fitted, folder) -> None:
        self.module_ = self._build("cpu")
        self.module_.load_state_dict(self._torch_state(tensors))
        self.module_.eval()
        self.device_ = "cpu"
        self.training_ = None
        self._item_cache = None
