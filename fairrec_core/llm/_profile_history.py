"""History scores of a profile two-tower: the pooled history and the re-rendered sentence.

A profile two-tower reads a user's history twice: the user tower pools the
history items' text vectors (as the plain two-tower does), and the profile's
history sentence ("Recently bought: A; B; C.") lists the titles of the most
recent ones. Removing history items (a Shapley coalition) changes both: the
pooled mean, and which titles the sentence lists. :class:`ProfileHistoryScorer`
adds the second path to :class:`~fairrec_core.models.interface.PooledHistoryScorer`:
each coalition's sentence is rendered as the profile renders it
(:func:`~fairrec_core.llm.profile.history_sentence`), and each distinct
sentence is encoded once (coalitions that differ only in older items share
their sentence).
"""

from __future__ import annotations

import numpy as np

from fairrec_core.errors import ConfigError


class ProfileHistoryScorer:
    """Scores of fixed items for subsets of one history, history sentence re-rendered.

    Parameters
    ----------
    pooled : PooledHistoryScorer
        The pooled-history part, without the history sentence's share.
    row_pos : numpy.ndarray of int, shape (R,)
        For each candidate row of the sentence, newest first, the position of
        its item in the history (a row whose item is removed is skipped).
    row_titles : list of str, shape (R,)
    template : ProfileTemplate
        Gives ``n_history`` and the history phrase.
    encode : callable
        ``encode(list of sentences) -> array (n, text_dim)``; "" encodes to zero.
    weights : numpy.ndarray, shape (text_dim, n_scored)
        Score of each scored item per unit of the sentence vector
        (``Q^T V^T``: the profile projection, then the item vectors).
    """

    def __init__(self, pooled, row_pos, row_titles, template, encode, weights):
        self.pooled = pooled
        self.row_pos = np.asarray(row_pos, dtype=np.int64)
        self.row_titles = list(row_titles)
        self.template = template
        self.encode = encode
        self.weights = np.asarray(weights, dtype=np.float64)
        self._by_sentence: dict[str, np.ndarray] = {}

    def sentence(self, keep_row) -> str:
        """The history sentence of one coalition (``keep_row``: 0/1 per history item)."""
        from fairrec_core.llm.profile import history_sentence

        kept = np.asarray(keep_row)[self.row_pos] > 0
        rows = np.flatnonzero(kept)[:int(self.template.n_history)]
        return history_sentence(self.template, [self.row_titles[r] for r in rows])

    def __call__(self, keep) -> np.ndarray:
        z = np.asarray(keep, dtype=np.float64)
        if z.ndim == 1:
            z = z[None, :]
        base = self.pooled(z)  # checks the column count
        sentences = [self.sentence(row) for row in z]
        todo = list(dict.fromkeys(s for s in sentences if s not in self._by_sentence))
        if todo:
            vecs = np.asarray(self.encode(todo), dtype=np.float64)
            if vecs.shape != (len(todo), self.weights.shape[0]):
                raise ConfigError("The profile sentence encoder returned vectors of the "
                                  "wrong shape.")
            for s, v in zip(todo, vecs):
                self._by_sentence[s] = v @ self.weights
        return base + np.stack([self._by_sentence[s] for s in sentences])


def sentence_rows(train, user, history: np.ndarray, titles: np.ndarray):
    """Rows the sentence may list, newest first: their positions in ``history`` and titles.

    With ``user``, the user's training rows (repeats kept, as the profile
    renders them) whose item is in ``history``; without one (a newcomer), the
    history itself in the order given (most recent first).
    """
    from fairrec_core.llm.profile import recent_items

    if user is None:
        return np.arange(history.size), [str(titles[i]) for i in history]
    pos = {int(i): j for j, i in enumerate(history)}
    items = [i for i in recent_items(train, [user], None)[0] if i in pos]
    return np.array([pos[i] for i in items], dtype=np.int64), [str(titles[i]) for i in items]


__all__ = ["ProfileHistoryScorer", "sentence_rows"]
