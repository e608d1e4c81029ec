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
from fairrec_core.llm.profile import Profiles, ProfileTemplate, render_profiles
from fairrec_core.models.two_tower import TextTwoTower


class ProfileTwoTower(TextTwoTower):
    """Text two-tower whose user tower reads a profile text.

    Parameters
    ----------
    template : ProfileTemplate or dict, optional
        Default: :meth:`ProfileTemplate.default_for` the users table.
    **kw
        As for :class:`~fairrec_core.models.two_tower.TextTwoTower`.

    Attributes
    ----------
    template_ : ProfileTemplate
    train_ : pandas.DataFrame
        Training interactions (profiles read their history from these).
    """

    name = "profile-two-tower"

    def __init__(self, *, template=None, **kw):
        super().__init__(**kw)
        self.template = template

    def get_params(self) -> dict:
        params = super().get_params()
        t = self.template
        params["template"] = t.to_dict() if isinstance(t, ProfileTemplate) else t
        return params

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
        self.template_ = self._resolve_template(dataset.users)
        self.train_ = train
        users = np.arange(dataset.n_users)
        self._profiles: Profiles | None = render_profiles(dataset, train, users,
                                                          self.template_)
        self._profile_vecs = self._encode_profiles(self._profiles, share=True, live=False)
        super()._fit(dataset, split, train, callbacks=callbacks)
        del self._profile_vecs

    def _build(self, text, has_text, *, encoder=None, tokens=None):
        import torch

        from fairrec_core.llm._profile_tower_model import ProfileTwoTowerModule

        vecs = getattr(self, "_profile_vecs", None)
        if vecs is None:  # loading a checkpoint: load_state_dict fills them
            zeros = torch.zeros(self.n_users_, int(text.shape[1]))
            attr, hist = zeros, zeros
        else:
            attr, hist = (torch.from_numpy(v) for v in vecs)
        return ProfileTwoTowerModule(self.n_users_, self.n_items_, int(self.dim), text,
                                     has_text, attr, hist, encoder=encoder, tokens=tokens)

    def _end_epoch(self) -> None:
        super()._end_epoch()
        profiles = getattr(self, "_profiles", None)
        if self.module_.encoder is not None and profiles is not None:
            import torch

            attr, hist = self._encode_profiles(profiles, share=True, live=True)
            dev = self._device_obj()
            self.module_.profile_attr.copy_(torch.from_numpy(attr).to(dev))
            self.module_.profile_hist.copy_(torch.from_numpy(hist).to(dev))

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

    # ---------------------------------------------------------------- persistence
    def _fitted_config(self) -> dict:
        cfg = super()._fitted_config()
        cfg["profile_template"] = self.template_.to_dict()
        return cfg

    def _load_state(self, tensors, fitted, folder) -> None:
        self.template_ = ProfileTemplate.from_dict(fitted["profile_template"])
        super()._load_state(tensors, fitted, folder)
        self.train_ = None
        self._profiles = None


__all__ = ["ProfileTwoTower"]
