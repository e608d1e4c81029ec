"""Sample data and small seeded models shared by the explanation tests (built once per session).

Also independent references: the two-tower's score with a changed history or
a changed item text, computed through the model's own scoring code on a copy
(``set_history`` / the text buffer, then ``Recommender.score``), never
through fairrec_core.explain.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path

import numpy as np

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


@lru_cache(maxsize=1)
def sample():
    """(dataset with production lists, temporal split) of the committed sample data."""
    from fairrec_core.data import load_dataset, split_dataset

    ds = load_dataset(SAMPLE / "interactions.csv", users=SAMPLE / "users.csv",
                      items=SAMPLE / "items.csv",
                      recommendations=SAMPLE / "recommendations.csv")
    return ds, split_dataset(ds, method="temporal")


@lru_cache(maxsize=1)
def bpr():
    import torch

    from fairrec_core.models import BPR

    torch.set_num_threads(2)
    ds, sp = sample()
    return BPR(epochs=12, patience=0, seed=0, device="cpu").fit(ds, sp)


@lru_cache(maxsize=1)
def two_tower():
    import torch

    from fairrec_core.models import TextTwoTower

    torch.set_num_threads(2)
    ds, sp = sample()
    return TextTwoTower(epochs=4, patience=0, seed=0, device="cpu").fit(ds, sp)


def pairs(model, n: int, seed: int, *, rank: int = 0):
    """``n`` (user, item) pairs: seeded users, each with its ``rank``-th recommended item."""
    ds, _ = sample()
    rng = np.random.default_rng(seed)
    users = np.sort(rng.choice(ds.n_users, n, replace=False))
    top, _ = model.recommend(users, k=rank + 1)
    return [(int(u), int(top[k, rank])) for k, u in enumerate(users)]


class TwoTowerReference:
    """Scores of a fitted two-tower model after changing one user's history or one item's text.

    Works on a deep copy, through the network's ``set_history`` and the
    adapter's public ``score`` (``to("cpu")`` clears the adapter's item cache).
    """

    def __init__(self, model):
        self.model = copy.deepcopy(model)
        self.seen = model.seen_

    def score_with_history(self, user: int, item: int, history) -> float:
        import torch

        indptr, indices = self.seen.indptr.astype(np.int64), self.seen.indices.astype(np.int64)
        row = np.sort(np.asarray(list(history), dtype=np.int64))
        a, b = indptr[user], indptr[user + 1]
        new_indices = np.concatenate([indices[:a], row, indices[b:]])
        new_indptr = indptr.copy()
        new_indptr[user + 1:] += row.size - (b - a)
        mod = self.model.module_
        mod.set_history(torch.from_numpy(new_indptr), torch.from_numpy(new_indices))
        self.model.to("cpu")
        return float(self.model.score([user], [item])[0, 0])

    def score_with_text(self, user: int, item: int, texts) -> np.ndarray:
        """The model's score of ``item`` for ``user`` if the item's text were each of ``texts``."""
        import torch

        from fairrec_core.models.encoders import encode_texts

        vecs = encode_texts(list(texts), encoder=self.model.encoder_ref_,
                            max_length=self.model.max_length, cache=None)
        mod = self.model.module_
        keep = mod.text[item].clone()
        out = np.empty(len(vecs))
        try:
            for k, v in enumerate(vecs):
                mod.text[item] = torch.from_numpy(v)
                self.model.to("cpu")
                out[k] = float(self.model.score([user], [item])[0, 0])
        finally:
            mod.text[item] = keep
            self.model.to("cpu")
        return out
