"""The text two-tower's answers to the explanation interface (see :mod:`.interface`).

Kept apart from the adapter's fitting code so that what explainers may rely
on is in one place: the user tower with another history, and the text part
of the item tower for any text.
"""

from __future__ import annotations

import numpy as np


class TwoTowerInterface:
    """Mixin of :class:`~fairrec_core.models.two_tower.TextTwoTower` (needs its fitted network).

    The score is ``<p_u, v_i> + b_i`` with ``p_u = a_u + H(W mean_{j in hist} t_j)``
    and ``(v_i, b_i) = (e_i, c_i) + W t_i`` (``W`` with its bias column), so

    * the user vector pools the history: any other history is the model's
      own answer (``history_dependence = "pooled"``);
    * the item's score is affine in the text tower's output ``W t(text)``:
      ``s = <p_u, e_i> + c_i + [p_u, 1] . W t(text)``.
    """

    # Typed as in ExplanationInterface, the other base of TextTwoTower.
    history_dependence: str | None = "pooled"
    reads_text = True

    # ------------------------------------------------------------------ histories
    def _history_parts(self, history: np.ndarray, user: int | None):
        """Base vector and per-item contributions, from the network's own user tower."""
        import torch

        mod = self.module_  # type: ignore[attr-defined]
        dev = self._device_obj()  # type: ignore[attr-defined]
        was_training = mod.training
        mod.eval()
        try:
            with torch.no_grad():
                hist = torch.from_numpy(history).to(dev)
                w = mod.has_text[hist].float()
                t = mod.text[hist] * w.unsqueeze(1)
                # Row 0: the user with an empty history; row 1 + j: with item j alone.
                sums = torch.cat([torch.zeros(1, t.shape[1], device=dev), t])
                counts = torch.cat([torch.zeros(1, device=dev), torch.ones(len(history),
                                                                           device=dev)])
                users = torch.full((len(history) + 1,), 0 if user is None else user,
                                   dtype=torch.long, device=dev)
                p = mod._users(users, sums, counts).double().cpu().numpy()
        finally:
            mod.train(was_training)
        base = p[0]
        # The tower is linear in the pooled mean, so these add up over any subset.
        g = p[1:] - base
        a = np.zeros_like(base) if user is None else base
        return a, g, w.double().cpu().numpy()

    # ------------------------------------------------------------------ text
    def text_encoder(self):
        """``(tokenizer, encoder)``: the model's fine-tuned copy, or the shared frozen encoder."""
        from fairrec_core.errors import CapabilityError
        from fairrec_core.models.encoders import get_encoder

        self._check_fitted()  # type: ignore[attr-defined]
        ref = self.encoder_ref_  # type: ignore[attr-defined]
        if ref.kind == "e5":
            raise CapabilityError("The text two-tower model's encoder (multilingual e5, 4-bit) "
                                  "runs outside PyTorch: it has no tokenizer or network to "
                                  "hand out, only whole texts can be encoded.")
        tokenizer, frozen = get_encoder(ref)
        tuned = self.module_.encoder  # type: ignore[attr-defined]
        if tuned is None:
            return tokenizer, frozen
        return getattr(self, "_tokenizer", None) or tokenizer, tuned

    @property
    def text_tower_size(self) -> int:
        """Outputs of :meth:`text_tower`: ``dim`` vector entries and one bias."""
        return int(self.module_.proj.weight.shape[0])  # type: ignore[attr-defined]

    def embed_texts(self, texts, *, batch_size: int = 128) -> np.ndarray:
        """Sentence vectors of ``texts`` as the model's encoder makes them (float32).

        A frozen model encodes with the same function that encoded its items
        at fit time (cut to ``max_length`` tokens); a fine-tuned one with its
        own encoder copy. Nothing is cached: explainers send many throw-away
        variants of a text.
        """
        import torch

        from fairrec_core.models.encoders import embed, encode_texts, tokenize

        texts = [str(t) for t in texts]
        if not texts:
            return np.zeros((0, self.module_.text.shape[1]), dtype=np.float32)  # type: ignore
        dev = self._device_obj()  # type: ignore[attr-defined]
        uniq = list(dict.fromkeys(texts))  # perturbed texts repeat often
        if self.module_.encoder is None:  # type: ignore[attr-defined]
            vecs = encode_texts(uniq, encoder=self.encoder_ref_,  # type: ignore[attr-defined]
                                batch_size=batch_size, max_length=self.max_length,  # type: ignore
                                device=str(dev), cache=None)
            row = {t: k for k, t in enumerate(uniq)}
            return vecs[[row[t] for t in texts]]
        tokenizer, encoder = self.text_encoder()
        was_training = encoder.training
        encoder.eval()
        out = {}
        try:
            order = sorted(range(len(uniq)), key=lambda k: len(uniq[k]))
            with torch.inference_mode():
                for a in range(0, len(order), batch_size):
                    idx = order[a:a + batch_size]
                    enc = tokenize(tokenizer, [uniq[k] for k in idx],
                                   self.max_length).to(dev)  # type: ignore[attr-defined]
                    vec = embed(encoder, enc["input_ids"], enc["attention_mask"])
                    for k, v in zip(idx, vec.float().cpu().numpy()):
                        out[uniq[k]] = v
        finally:
            encoder.train(was_training)
        return np.stack([out[t] for t in texts]).astype(np.float32)

    def text_tower(self, texts, *, batch_size: int = 128) -> np.ndarray:
        """``W t(text)`` for each text: the text part of the item tower (float64).

        Returns
        -------
        numpy.ndarray, shape (len(texts), dim + 1)
            Columns ``0..dim-1`` add to the item vector, column ``dim`` to its bias.
        """
        import torch

        vecs = self.embed_texts(texts, batch_size=batch_size)
        mod = self.module_  # type: ignore[attr-defined]
        with torch.no_grad():
            return mod.proj(torch.from_numpy(vecs).to(mod.proj.weight.device)).double(
            ).cpu().numpy()

    def text_score_weights(self, user: int, item: int) -> tuple[np.ndarray, float]:
        """``(w, c)`` with ``score = c + w @ text_tower([text])[0]`` for ``item`` and ``user``."""
        user = int(self._users([user])[0])  # type: ignore[attr-defined]
        item = int(self._items([item])[0])  # type: ignore[attr-defined]
        p = self.user_vectors([user])[0]  # type: ignore[attr-defined]
        mod = self.module_  # type: ignore[attr-defined]
        e = mod.item_id.weight[item].detach().double().cpu().numpy()
        c = float(mod.item_bias.weight[item, 0].detach())
        return np.append(p, 1.0), float(p @ e + c)
