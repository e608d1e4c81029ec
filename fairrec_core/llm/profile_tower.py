"""Profile-reading text two-tower: the user tower also reads a profile text.

The item tower is the plain :class:`~fairrec_core.models.two_tower.TextTwoTower`'s.
The user tower adds the profile, rendered from a
:class:`~fairrec_core.llm.profile.ProfileTemplate` and read by the same
transformer (frozen, or fine-tuned with the item tower: in fine-tuning modes
the profile sentences are re-read by the fine-tuned encoder after every
epoch, like the history pooling; their gradient does not reach the encoder).
Checkpoints record the template.

``ProfileTwoTower(template=t.as_unaware())`` is the "unaware" model: the
sensitive attributes never reach it.
"""

from __future__ import annotations

import numpy as np

from fairrec_core.errors import ConfigError
from fairrec_core.llm.profile import Profiles, ProfileTemplate, item_titles, render_profiles
from fairrec_core.models.two_tower import TextTwoTower


class ProfileTwoTower(TextTwoTower):
    """Text two-tower whose user tower reads a profile text.

    Parameters
    ----------
    template : ProfileTemplate or dict, optional
        Default: :meth:`ProfileTemplate.default_for` the users table.
    augment : {"swap", "remove"} or None, default None
        Counterfactual data augmentation (:mod:`fairrec_core.llm.augment`):
        while training, each user's attribute sentence is, with probability
        ``augment_p`` per batch, read with the augmented attributes stated as
        values drawn at random from their known values (``swap``) or left out
        (``remove``).
    augment_p : float, default 0.5
        1 makes the stated values independent of the user (the strongest
        mitigation; the "compare mitigations" default).
    augment_attributes : list of str, optional
        Attributes augmentation changes; default the template's sensitive ones.
    **kw
        As for :class:`~fairrec_core.models.two_tower.TextTwoTower`.

    Attributes
    ----------
    template_ : ProfileTemplate
    train_ : pandas.DataFrame
        Training interactions (profiles read their history from these).
    """

    name = "profile-two-tower"

    def __init__(self, *, template=None, augment: str | None = None, augment_p: float = 0.5,
                 augment_attributes=None, **kw):
        super().__init__(**kw)
        self.template = template
        self.augment = augment
        self.augment_p = augment_p
        self.augment_attributes = augment_attributes

    def get_params(self) -> dict:
        params = super().get_params()
        t = self.template
        params["template"] = t.to_dict() if isinstance(t, ProfileTemplate) else t
        params["augment"] = self.augment
        params["augment_p"] = self.augment_p
        a = self.augment_attributes
        params["augment_attributes"] = None if a is None else list(a)
        return params

    def _check_params(self) -> None:
        from fairrec_core.llm.augment import check_augment

        super()._check_params()
        check_augment(self.augment, self.augment_p, self.augment_attributes)

    def _resolve_template(self, users) -> ProfileTemplate:
        t = self.template
        if t is None:
            t = ProfileTemplate.default_for(users)
        elif isinstance(t, dict):
            t = ProfileTemplate.from_dict(t)
        elif not isinstance(t, ProfileTemplate):
            raise ConfigError("template must be a ProfileTemplate or its dict form.")
        t.check(users)
        return t

    # ---------------------------------------------------------------- fitting
    def _fit(self, dataset, split, train, *, callbacks) -> None:
        self._check_params()  # bad augmentation options fail before any encoding
        from fairrec_core.models.bpr import _resolve_fairness

        # Bad fairness settings too: before the profile sentences are encoded.
        _resolve_fairness(self.fairness, dataset, train)
        self.template_ = self._resolve_template(dataset.users)
        self.train_ = train
        # History explanations re-render the profile sentence from these titles.
        self.item_titles_: np.ndarray | None = item_titles(dataset)
        users = np.arange(dataset.n_users)
        self._profiles: Profiles | None = render_profiles(dataset, train, users,
                                                          self.template_)
        self._augment_bank = None
        if self.augment is not None and float(self.augment_p) > 0:
            from fairrec_core.llm.augment import augment_attributes, build_bank

            attrs = augment_attributes(self.template_, self.augment_attributes)
            self._augment_bank = build_bank(dataset.users, users, self.template_,
                                            self.augment, attrs)
        self._profile_vecs = self._encode_profiles(self._profiles, share=True, live=False)
        super()._fit(dataset, split, train, callbacks=callbacks)
        del self._profile_vecs
        self._augment_bank = None  # training only: the fitted model reads own profiles

    def _augment(self, live: bool) -> None:
        """Give the module the counterfactual sentences' vectors (encoded once)."""
        import torch

        bank = getattr(self, "_augment_bank", None)
        if bank is None:
            return
        vecs = torch.from_numpy(self._encode(bank.sentences, True, live))
        if live:  # re-read by the fine-tuned encoder: same index, new vectors
            self.module_.aug_vecs.copy_(vecs.to(self.module_.aug_vecs.device))
            return
        self.module_.set_augment(vecs, torch.from_numpy(bank.index),
                                 torch.from_numpy(bank.n_valid), float(self.augment_p),
                                 int(self.seed))

    def _build(self, text, has_text, *, encoder=None, tokens=None):
        import torch

        from fairrec_core.llm._profile_tower_model import ProfileTwoTowerModule

        vecs = getattr(self, "_profile_vecs", None)
        if vecs is None:  # loading a checkpoint: load_state_dict fills them
            zeros = torch.zeros(self.n_users_, int(text.shape[1]))
            attr, hist = zeros, zeros
        else:
            attr, hist = (torch.from_numpy(v) for v in vecs)
        module = ProfileTwoTowerModule(self.n_users_, self.n_items_, int(self.dim), text,
                                       has_text, attr, hist, encoder=encoder, tokens=tokens)
        if vecs is not None:
            self.module_ = module
            self._augment(live=False)
        return module

    def _end_epoch(self) -> None:
        super()._end_epoch()
        profiles = getattr(self, "_profiles", None)
        if self.module_.encoder is not None and profiles is not None:
            import torch

            attr, hist = self._encode_profiles(profiles, share=True, live=True)
            dev = self._device_obj()
            self.module_.profile_attr.copy_(torch.from_numpy(attr).to(dev))
            self.module_.profile_hist.copy_(torch.from_numpy(hist).to(dev))
            if getattr(self.module_, "aug_rng", None) is not None:
                self._augment(live=True)

    # ---------------------------------------------------------------- encoding
    def _encode_profiles(self, profiles: Profiles, *, share: bool, live: bool | None = None):
        """Sentence vectors (attribute, history) of ``profiles``; empty sentences are zero.

        With ``share`` each distinct sentence is encoded once (a probe's
        counterfactuals repeat the same few attribute sentences and every
        user's history sentence); without it every sentence is encoded anew.
        ``live`` reads with the fine-tuned encoder (default: when there is one).
        """
        if live is None:
            live = getattr(self, "module_", None) is not None and self.module_.encoder is not None
        return (self._encode(profiles.attributes, share, live),
                self._encode(profiles.history, share, live))

    def _encode(self, texts: list, share: bool, live: bool) -> np.ndarray:
        from fairrec_core.models.encoders import DEFAULT_CACHE, encode_texts

        texts = list(texts)
        nonempty = np.array([bool(t) for t in texts])
        dim = int(self.module_.text.shape[1]) if hasattr(self, "module_") else None
        if share:
            uniq, inv = np.unique(np.array(texts, dtype=object)[nonempty].astype(str),
                                  return_inverse=True)
            todo = list(uniq)
        else:
            todo = [t for t, ok in zip(texts, nonempty) if ok]
        if live:
            vecs = self._live_encode(todo)
        else:
            vecs = encode_texts(todo, encoder=self.encoder_ref_ if hasattr(
                self, "encoder_ref_") else self.encoder, max_length=self.max_length,
                device=str(self._resolve_device()), cache=DEFAULT_CACHE if share else None)
        width = vecs.shape[1] if vecs.size else (dim or self._encoder_dim_now())
        out = np.zeros((len(texts), width), dtype=np.float32)
        if len(todo):
            out[nonempty] = vecs[inv] if share else vecs
        return out

    def _encoder_dim_now(self) -> int:
        from fairrec_core.models.encoders import resolve_encoder

        ref = getattr(self, "encoder_ref_", None) or resolve_encoder(self.encoder)
        return self._encoder_dim(ref)

    def _live_encode(self, texts: list, batch_size: int = 128) -> np.ndarray:
        """Encode with the model's own (fine-tuned) encoder."""
        import torch

        from fairrec_core.models.encoders import embed, tokenize

        enc, tok = self.module_.encoder, self._tokenizer
        dev = self._device_obj()
        was = enc.training
        enc.eval()
        out = []
        with torch.no_grad():
            for a in range(0, len(texts), batch_size):
                t = tokenize(tok, texts[a:a + batch_size], self.max_length).to(dev)
                out.append(embed(enc, t["input_ids"], t["attention_mask"]).float().cpu().numpy())
        enc.train(was)
        return np.concatenate(out) if out else np.zeros((0, 0), dtype=np.float32)

    # ---------------------------------------------------------------- probing
    def profile_user_vectors(self, users, profiles: Profiles, *, share: bool = True):
        """User vectors of ``users`` as if their profiles were ``profiles`` (torch, on device)."""
        import torch

        self._check_fitted()
        users = self._users(users)
        attr, hist = self._encode_profiles(profiles, share=share)
        dev = self._device_obj()
        u = torch.from_numpy(users).to(dev)
        with torch.no_grad():
            return self.module_.user_vectors_with(u, torch.from_numpy(attr).to(dev),
                                                  torch.from_numpy(hist).to(dev)).float()

    def rank_profiles(self, users, profiles: Profiles, k: int, *,
                      share: bool = True) -> np.ndarray:
        """Top-``k`` unseen items of ``users`` reading ``profiles`` (dense item ids).

        With ``share`` the item matrix is the cached one and each distinct
        profile sentence is encoded once; without it the item tower is
        recomputed and every sentence re-encoded (the baseline of the probe
        benchmark; the lists are the same).
        """
        import torch

        from fairrec_core.models.base import top_k_masked

        users = self._users(users)
        k = self._check_k(k)
        if not share or getattr(self, "_item_cache", None) is None:
            self._refresh_cache()
        v, b = self._item_cache
        out = np.empty((len(users), k), dtype=np.int64)
        step = max(1, (1 << 22) // max(1, self.n_items_))
        for a in range(0, len(users), step):
            sl = slice(a, a + step)
            part = Profiles(profiles.attributes[sl], profiles.history[sl])
            p = self.profile_user_vectors(users[sl], part, share=share)
            with torch.no_grad():
                scores = torch.addmm(b.unsqueeze(0), p, v.T)
            out[sl] = top_k_masked(scores, self.seen_, users[sl], k)[0]
        return out

    # ---------------------------------------------------------------- explanations
    def history_scorer(self, history, items=None, *, user=None):
        """Scores for subsets of ``history``, its profile sentence re-rendered per subset.

        Removing history items changes the pooled history and also which
        titles the "Recently bought ..." sentence lists
        (:mod:`fairrec_core.llm._profile_history`). A model loaded from a
        checkpoint has no training rows or titles to re-render from: its
        sentence stays the stored one (the plain two-tower's answer).
        """
        from fairrec_core.models.interface import PooledHistoryScorer

        history, user = self._history_args(history, user)
        a, g, w = self._history_parts(history, user)
        v, b = self.item_vectors(items)
        parts = self._sentence_parts(history, user, v)
        if parts is None:
            return PooledHistoryScorer(a, g, w, v, b)
        from fairrec_core.llm._profile_history import ProfileHistoryScorer

        fixed, rows, titles, weights = parts
        return ProfileHistoryScorer(PooledHistoryScorer(a - fixed, g, w, v, b), rows, titles,
                                    self.template_, self._sentence_vectors, weights)

    def user_vector(self, history, *, user=None) -> np.ndarray:
        history, user = self._history_args(history, user)
        a, g, w = self._history_parts(history, user)
        pooled = a + (w @ g) / max(float(w.sum()), 1.0)
        # Item vectors = identity: the weights are then Q^T, the sentence's map to the vector.
        parts = self._sentence_parts(history, user, np.eye(int(self.dim)))
        if parts is None:
            return pooled
        from fairrec_core.llm._profile_history import ProfileHistoryScorer

        fixed, rows, titles, q_t = parts
        whole = ProfileHistoryScorer(None, rows, titles, self.template_, None, q_t)
        text = whole.sentence(np.ones(history.size))
        return pooled - fixed + self._sentence_vectors([text])[0] @ q_t

    def _sentence_parts(self, history, user, v):
        """Stored sentence's share of the user vector, sentence rows, and score weights.

        None when the sentence cannot be re-rendered (a loaded model).
        """
        titles = getattr(self, "item_titles_", None)
        if titles is None or getattr(self, "train_", None) is None:
            return None
        from fairrec_core.llm._profile_history import sentence_rows

        mod = self.module_
        q = mod.profile.weight.detach().double().cpu().numpy()  # (dim, text_dim)
        fixed = np.zeros(q.shape[0])
        if user is not None:  # _history_parts kept the user's stored sentence: take it out
            fixed = q @ mod.profile_hist[user].detach().double().cpu().numpy()
        rows, row_titles = sentence_rows(self.train_, user, history, titles)
        return fixed, rows, row_titles, q.T @ np.asarray(v, dtype=np.float64).T

    def _sentence_vectors(self, sentences) -> np.ndarray:
        """Sentence vectors as the model read its own profiles ("" is zero)."""
        return self._encode(list(sentences), True, getattr(self.module_, "encoder", None)
                            is not None)

    # ---------------------------------------------------------------- persistence
    def _fitted_config(self) -> dict:
        cfg = super()._fitted_config()
        cfg["profile_template"] = self.template_.to_dict()
        return cfg

    def _load_state(self, tensors, fitted, folder) -> None:
        self.template_ = ProfileTemplate.from_dict(fitted["profile_template"])
        super()._load_state(tensors, fitted, folder)
        self.train_ = None
        self.item_titles_ = None
        self._profiles = None


__all__ = ["ProfileTwoTower"]
