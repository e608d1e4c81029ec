"""The public questions a fitted model answers for explanations, beyond ``score`` and ``recommend``.

Explainers (:mod:`fairrec_core.explain`) ask models only these questions, never
their layers or parameters, so a model may change its network freely as long
as it keeps answering them; ``tests/test_contract_models.py`` checks every
model's answers against its own :meth:`~fairrec_core.models.base.Recommender.score`.

Capability flags (class attributes) say which questions a model can answer;
asking anyway raises :class:`~fairrec_core.errors.CapabilityError` with a
plain message.

``has_vectors``
    Scores are ``<user vector, item vector> + item bias``:
    :meth:`~ExplanationInterface.user_vectors`,
    :meth:`~ExplanationInterface.item_vectors` and
    :meth:`~ExplanationInterface.user_vector` answer.
``history_dependence``
    How scores depend on a user's history, which decides what
    :meth:`~ExplanationInterface.score_history` means:

    * ``"pooled"`` -- the user tower reads the history, so the score with any
      other history is the model's own answer (text two-tower);
    * ``"folded"`` -- the user vector is a free parameter; another history is
      answered by an amortised fold-in, an estimate that equals the model's
      score for the user's own history (BPR-MF);
    * ``"none"`` -- scores do not depend on the history (popularity);
    * ``None`` -- there is no model to ask (imported lists).
``reads_text``
    The item tower reads titles and descriptions through a tokenizer and a
    transformer encoder: ``tokenizer``, ``text_encoder()``, ``embed_texts()``,
    ``text_tower()``, ``text_score_weights()`` and ``score_item_texts()``
    answer (see :class:`fairrec_core.models.text_interface.TextInterface`).
"""

from __future__ import annotations

import numpy as np

from fairrec_core.errors import CapabilityError, ConfigError

HISTORY_DEPENDENCE = ("pooled", "folded", "none", None)


class ExplanationInterface:
    """Explanation half of the :class:`~fairrec_core.models.base.Recommender` protocol.

    The defaults refuse every question with :class:`CapabilityError`; models
    that can answer override them and set the capability flags.
    """

    #: Scores are dot products of user and item vectors plus an item bias.
    has_vectors: bool = False
    #: ``"pooled"``, ``"folded"``, ``"none"`` or None (see the module docstring).
    history_dependence: str | None = None
    #: The item tower reads item text through a transformer encoder.
    reads_text: bool = False

    name: str

    # ------------------------------------------------------------------ parameters
    def set_params(self, **params):
        """Set constructor parameters by name (scikit-learn style); returns self.

        Raises
        ------
        ConfigError
            A name that is not one of :meth:`get_params`'s.
        """
        valid = self.get_params()  # type: ignore[attr-defined]
        unknown = sorted(set(params) - set(valid))
        if unknown:
            raise ConfigError(f"Unknown option(s) for the {self._label()} model: "
                              f"{', '.join(unknown)}. Valid options: "
                              f"{', '.join(valid) or 'none'}.")
        for key, value in params.items():
            setattr(self, key, value)
        return self

    # ------------------------------------------------------------------ vectors
    def user_vectors(self, users=None) -> np.ndarray:
        """Fitted user vectors (float64, shape ``(len(users), d)``); all users when None."""
        raise self._unsupported("give user vectors")

    def item_vectors(self, items=None) -> tuple[np.ndarray, np.ndarray]:
        """Item vectors and biases ``(V, b)`` with ``score = user_vector @ V.T + b`` (float64)."""
        raise self._unsupported("give item vectors")

    def user_vector(self, history, *, user=None) -> np.ndarray:
        """The user vector the model would use with ``history`` (dense item ids)."""
        raise self._unsupported("build a user vector from a history")

    # ------------------------------------------------------------------ histories
    def history_scorer(self, history, items=None, *, user=None):
        """A function ``keep -> scores`` over subsets of ``history``.

        Parameters
        ----------
        history : array-like of int
            Dense item ids.
        items : array-like of int, optional
            The items scored; all items when omitted.
        user : int, optional
            Dense user id whose user-specific part (id embedding, fold-in
            residual) is kept; without it the user is a newcomer.

        Returns
        -------
        callable
            Takes ``keep`` (array of 0/1, shape ``(n, len(history))``; row
            ``r`` keeps history item ``j`` when ``keep[r, j]`` is 1) and returns
            float64 scores of shape ``(n, len(items))``.
        """
        raise self._unsupported("score items for a given history")

    def score_history(self, history, items=None, *, user=None) -> np.ndarray:
        """Scores of ``items`` (all when None) for a user whose history is ``history``.

        With ``user`` and that user's own history (``seen_`` row) this equals
        the row of :meth:`score`. Returns float64, shape ``(len(items),)``.
        """
        history = np.asarray(history, dtype=np.int64).reshape(-1)
        keep = np.ones((1, history.size))
        return self.history_scorer(history, items, user=user)(keep)[0]

    def history_r2(self) -> float | None:
        """How well :meth:`score_history` matches the model for other histories.

        None when it is the model's own answer (``history_dependence`` is
        ``"pooled"`` or ``"none"``); for an estimate (``"folded"``), its R²
        against the model's own scores on held-out users.
        """
        if self.history_dependence is None:
            raise self._unsupported("score items for a given history")
        return None

    # ------------------------------------------------------------------ text
    def text_encoder(self):
        """``(tokenizer, encoder)`` that turn item text into the item tower's input."""
        raise self._unsupported("give its text encoder")

    @property
    def tokenizer(self):
        """The tokenizer of :meth:`text_encoder`."""
        return self.text_encoder()[0]

    def embed_texts(self, texts, *, batch_size: int = 128) -> np.ndarray:
        """Sentence vectors of ``texts`` as :meth:`text_encoder` makes them for the item tower."""
        raise self._unsupported("encode item texts")

    @property
    def text_tower_size(self) -> int:
        """Number of outputs of :meth:`text_tower`."""
        raise self._unsupported("score item texts")

    def text_tower(self, texts, *, batch_size: int = 128) -> np.ndarray:
        """The text part of the item tower for each text (see :meth:`text_score_weights`)."""
        raise self._unsupported("score item texts")

    def text_score_weights(self, user: int, item: int) -> tuple[np.ndarray, float]:
        """``(w, c)`` with ``score(user, item if its text were t) = c + w @ text_tower([t])[0]``."""
        raise self._unsupported("score item texts")

    def score_item_texts(self, user: int, item: int, texts) -> np.ndarray:
        """Scores of ``item`` for ``user`` if the item's text were each of ``texts`` (float64)."""
        w, c = self.text_score_weights(user, item)
        return c + self.text_tower(list(texts)) @ w

    # ------------------------------------------------------------------ helpers
    def _label(self) -> str:
        return self.name or type(self).__name__

    def _unsupported(self, question: str) -> CapabilityError:
        if self.history_dependence is None and not self.has_vectors:
            why = "it only holds lists served by another system, not a model that can be asked"
        elif not self.has_vectors:
            why = "its scores are not made of user and item vectors"
        elif not self.reads_text:
            why = "it never reads item text"
        else:
            why = "this question is not part of its interface"
        return CapabilityError(f"The {self._label()} model cannot {question}: {why}.")


class PooledVectors(ExplanationInterface):
    """Vector answers of models whose user vector pools the history (PyTorch models).

    A subclass supplies :meth:`_history_parts`: ``(a, G, w)`` such that the
    user vector for the kept history items ``S`` is
    ``a + sum_{j in S} w_j G_j / max(1, sum_{j in S} w_j)`` -- a base vector
    plus a weighted mean of per-item contributions (the two-tower's pooled
    text, BPR's fold-in). Everything else follows from that and from the
    model's fitted user and item vectors.
    """

    has_vectors = True

    def _history_parts(self, history: np.ndarray, user: int | None):
        raise NotImplementedError

    def user_vectors(self, users=None) -> np.ndarray:
        import torch

        self._check_fitted()  # type: ignore[attr-defined]
        users = self._users(users)  # type: ignore[attr-defined]
        with torch.no_grad():
            return self._user_matrix(users).double().cpu().numpy()  # type: ignore[attr-defined]

    def item_vectors(self, items=None) -> tuple[np.ndarray, np.ndarray]:
        self._check_fitted()  # type: ignore[attr-defined]
        if getattr(self, "_item_cache", None) is None:
            self._refresh_cache()  # type: ignore[attr-defined]
        v, b = self._item_cache  # type: ignore[attr-defined]
        v, b = v.double().cpu().numpy(), b.double().cpu().numpy()
        if items is None:
            return v, b
        items = self._items(items)  # type: ignore[attr-defined]
        return v[items], b[items]

    def user_vector(self, history, *, user=None) -> np.ndarray:
        history, user = self._history_args(history, user)
        a, g, w = self._history_parts(history, user)
        return a + (w @ g) / max(float(w.sum()), 1.0)

    def history_scorer(self, history, items=None, *, user=None):
        history, user = self._history_args(history, user)
        a, g, w = self._history_parts(history, user)
        v, b = self.item_vectors(items)
        return PooledHistoryScorer(a, g, w, v, b)

    def _history_args(self, history, user):
        self._check_fitted()  # type: ignore[attr-defined]
        arr = np.asarray(history).reshape(-1)
        if arr.size == 0:
            arr = np.empty(0, dtype=np.int64)  # np.asarray([]) is float
        history = self._items(arr)  # type: ignore[attr-defined]
        if user is not None:
            user = int(self._users([user])[0])  # type: ignore[attr-defined]
        return history, user


class PooledHistoryScorer:
    """Scores of fixed items for subsets of one history, in float64 numpy.

    The score is linear in the pooled mean, so each history item's share of
    every item's score is computed once: ``C = G @ V.T``; a subset then costs
    one small matrix product, which matters because Shapley explainers ask
    for thousands of subsets (and tiny torch calls stall on shared CPUs).

    Parameters
    ----------
    a : numpy.ndarray, shape (d,)
        User vector part that does not depend on the history.
    g : numpy.ndarray, shape (H, d)
        Contribution of each history item to the pooled mean.
    w : numpy.ndarray, shape (H,)
        Weight of each history item in the mean (0 for items that do not count).
    v, b : numpy.ndarray, shapes (n_items, d) and (n_items,)
        Item vectors and biases of the scored items.
    """

    def __init__(self, a, g, w, v, b):
        self.w = np.asarray(w, dtype=np.float64)
        self.const = np.asarray(v, dtype=np.float64) @ np.asarray(a, dtype=np.float64) + b
        self.contrib = (np.asarray(g, dtype=np.float64) @ np.asarray(v, dtype=np.float64).T
                        ) * self.w[:, None]

    def __call__(self, keep) -> np.ndarray:
        z = np.asarray(keep, dtype=np.float64)
        if z.ndim == 1:
            z = z[None, :]
        if z.shape[1] != self.w.size:
            raise ConfigError(f"Expected one column per history item ({self.w.size}), "
                              f"got {z.shape[1]}.")
        n = np.maximum(z @ self.w, 1.0)
        return self.const[None, :] + (z @ self.contrib) / n[:, None]
