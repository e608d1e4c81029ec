"""LLM ranker: a local causal language model re-ranks each user's candidates from a prompt.

For every user a base recommender (popularity by default) proposes C unseen
candidates. The language model reads an instruction prompt built from the
user's profile, in FaiRLLM's style (Zhang et al., RecSys 2023: "I am a
{attribute} fan of ... Please provide me with a list of ... that you think I
might like"), and each candidate is scored by the log-likelihood of its title
as the continuation. The prompt's key/value cache is computed once per user
and shared by all candidates (:mod:`fairrec_core.llm._lm_scoring`).

Any local folder that ``transformers.AutoModelForCausalLM`` loads works
(Llama, SmolLM2, Qwen, GPT-2, ...), including a GGUF file inside it
(``gguf_file``; needs the ``gguf`` and ``accelerate`` packages and is
dequantised to float32). Code shipped inside a model folder is never run.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from fairrec_core.errors import ConfigError, NotFittedError
from fairrec_core.llm.profile import Profiles, ProfileTemplate

DEFAULT_PROMPT = ("I am a customer of an online shop. About me: {profile} Please recommend a "
                  "product that you think I might like. Please answer with the product title "
                  "only.\nRecommended product:")


def load_causal_lm(path, *, gguf_file: str | None = None):
    """``(tokenizer, model)`` of a local causal LM folder, on the CPU in eval mode.

    Raises
    ------
    ConfigError
        The folder does not exist, ships custom code, or holds a model that
        is not a causal language model (e.g. a sentence encoder).
    """
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer
    from transformers.models.auto.modeling_auto import MODEL_FOR_CAUSAL_LM_MAPPING_NAMES

    folder = Path(str(path)).expanduser()
    if not folder.is_dir():
        raise ConfigError(f"The language-model folder '{path}' does not exist; name a local "
                          "folder holding a causal language model (config.json and weights, "
                          "or a .gguf file).")
    if gguf_file is not None and not (folder / gguf_file).is_file():
        raise ConfigError(f"The GGUF file '{gguf_file}' is not in the folder '{path}'.")
    if gguf_file is None and not (folder / "config.json").is_file():
        ggufs = sorted(p.name for p in folder.glob("*.gguf"))
        if len(ggufs) != 1:
            raise ConfigError(f"The folder '{path}' has no config.json"
                              + (" and several .gguf files; name one with gguf_file."
                                 if ggufs else "; it is not a Hugging Face model folder."))
        gguf_file = ggufs[0]
    if gguf_file is None:
        from fairrec_core.models.checkpoint_checks import refuse_custom_code

        refuse_custom_code(folder)
    kw: dict[str, object] = {"trust_remote_code": False}
    if gguf_file is not None:
        kw["gguf_file"] = gguf_file
    try:
        config = AutoConfig.from_pretrained(str(folder), **kw)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"'{path}' could not be read as a model folder: "
                          f"{str(exc).splitlines()[0]}") from exc
    causal_classes = set(MODEL_FOR_CAUSAL_LM_MAPPING_NAMES.values())
    archs = getattr(config, "architectures", None) or []
    # BERT has a causal head class too, but a folder saved as BertModel is an encoder.
    if config.model_type not in MODEL_FOR_CAUSAL_LM_MAPPING_NAMES or (
            archs and not causal_classes.intersection(archs)):
        raise ConfigError(f"The model in '{path}' is a {config.model_type} model, which is not "
                          "a causal (text-generating) language model, so it cannot score "
                          "product titles. Name a folder with a causal LM such as SmolLM2, "
                          "Llama, Qwen or GPT-2.")
    tokenizer = AutoTokenizer.from_pretrained(str(folder), **kw)
    model = AutoModelForCausalLM.from_pretrained(str(folder), **kw)
    model.eval()
    return tokenizer, model


class LLMRanker:
    """Re-rank base candidates with a causal LM reading the user's profile.

    Parameters
    ----------
    model_path : str
        Local folder of a causal LM.
    gguf_file : str, optional
        A GGUF file inside ``model_path`` (default: the only one, when the
        folder has no config.json).
    template : ProfileTemplate, optional
        Default: :meth:`ProfileTemplate.default_for` the users table.
    n_candidates : int, default 20
        Candidates per user from the base recommender.
    prompt : str
        Instruction with a ``{profile}`` slot.
    reduce : {"mean", "sum"}, default "mean"
        Mean log-probability per title token, or the total (favours short titles).
    batch_size : int, default 64
        Candidates scored at once.
    device : str, default "auto"
    max_title_tokens : int, default 32

    Attributes
    ----------
    template_, train_, base_, tokenizer_, lm_, device_
    """

    name = "llm-ranker"

    def __init__(self, model_path, *, gguf_file: str | None = None,
                 template: ProfileTemplate | None = None, n_candidates: int = 20,
                 prompt: str = DEFAULT_PROMPT, reduce: str = "mean", batch_size: int = 64,
                 device: str = "auto", max_title_tokens: int = 32):
        self.model_path = model_path
        self.gguf_file = gguf_file
        self.template = template
        self.n_candidates = n_candidates
        self.prompt = prompt
        self.reduce = reduce
        self.batch_size = batch_size
        self.device = device
        self.max_title_tokens = max_title_tokens

    def fit(self, dataset, split=None, *, base=None) -> LLMRanker:
        """Load the LM, fit (or take) the base recommender and tokenize every title once.

        Parameters
        ----------
        dataset : Dataset
        split : Split, optional
            Profiles read only ``split.train``; default all interactions.
        base : Recommender, optional
            Fitted candidate generator; default a popularity model fitted here.
        """
        from fairrec_core.llm.profile import _titles
        from fairrec_core.training import resolve_device

        if "{profile}" not in self.prompt:
            raise ConfigError("The LLM ranker's prompt must contain {profile}.")
        if self.reduce not in ("mean", "sum"):
            raise ConfigError("reduce must be 'mean' or 'sum'.")
        self.template_ = self.template or ProfileTemplate.default_for(dataset.users)
        self.template_.check(dataset.users)
        self.train_ = dataset.interactions if split is None else split.train
        if base is None:
            from fairrec_core.models.popularity import Popularity

            base = Popularity().fit(dataset, split)
        self.base_ = base
        self.tokenizer_, lm = load_causal_lm(self.model_path, gguf_file=self.gguf_file)
        self.device_ = str(resolve_device(self.device))
        self.lm_ = lm.to(self.device_)
        titles = [" " + t.strip() if t.strip() else " item" for t in _titles(dataset)]
        enc = self.tokenizer_(titles, add_special_tokens=False)["input_ids"]
        self.title_ids_ = [list(ids[:self.max_title_tokens]) or [self._pad_id()] for ids in enc]
        self.n_items_ = dataset.n_items
        return self

    def _pad_id(self) -> int:
        tok = self.tokenizer_
        for cand in (tok.pad_token_id, tok.eos_token_id, tok.unk_token_id, 0):
            if cand is not None:
                return int(cand)
        return 0

    def _check_fitted(self) -> None:
        if not hasattr(self, "lm_"):
            raise NotFittedError("Call fit(dataset) on the LLM ranker first.")

    def prompt_ids(self, profile_text: str) -> list:
        """Token ids of the instruction prompt for one profile."""
        text = self.prompt.replace("{profile}", profile_text.strip())
        return list(self.tokenizer_(text)["input_ids"])

    def score_items(self, profile_text: str, items, *, share: bool = True) -> np.ndarray:
        """Scores of ``items`` (dense ids) for one profile; higher is better."""
        from fairrec_core.llm._lm_scoring import naive_scores, shared_prompt_scores

        self._check_fitted()
        fn = shared_prompt_scores if share else naive_scores
        return fn(self.lm_, self.prompt_ids(profile_text),
                  [self.title_ids_[int(i)] for i in items], batch_size=self.batch_size,
                  pad_id=self._pad_id(), reduce=self.reduce)

    def candidates_for(self, users) -> np.ndarray:
        """The base recommender's unseen candidates per user (``-1`` pads)."""
        self._check_fitted()
        c = min(int(self.n_candidates), self.n_items_)
        return self.base_.recommend(np.asarray(users, dtype=np.int64), c)[0]

    def rank_profiles(self, users, profiles: Profiles, k: int, *,
                      share: bool = True) -> np.ndarray:
        """Top-``k`` of each user's candidates by the LM's title likelihood.

        Parameters
        ----------
        users : array-like of int
        profiles : Profiles
            One profile per user (e.g. from :func:`~fairrec_core.llm.profile.render_profiles`).
        k : int
        share : bool, default True
            Share the prompt cache across candidates (False: the naive path).

        Returns
        -------
        numpy.ndarray of int64, shape (len(users), k); ``-1`` pads.
        """
        users = np.asarray(users, dtype=np.int64)
        cands = self.candidates_for(users)
        if k > cands.shape[1]:
            raise ConfigError(f"k = {k} exceeds the {cands.shape[1]} candidates per user; "
                              "raise n_candidates.")
        out = np.full((len(users), k), -1, dtype=np.int64)
        t0 = time.perf_counter()
        for r, text in enumerate(profiles.full):
            items = cands[r][cands[r] >= 0]
            if items.size == 0:
                continue
            s = self.score_items(text, items, share=share)
            # Stable sort: ties keep the base order, so equal likelihoods stay reproducible.
            order = np.argsort(-s, kind="stable")[:k]
            out[r, :len(order)] = items[order]
        self.last_seconds_ = time.perf_counter() - t0
        return out


__all__ = ["DEFAULT_PROMPT", "LLMRanker", "load_causal_lm"]
