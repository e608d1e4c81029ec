"""A server-side, in-memory store that lets a dashboard session survive a reload.

A browser reload or a dropped connection gives Streamlit a brand-new session
with empty state: the uploaded data, a trained model and the audit would be
gone. The dashboard therefore keeps a random token in the URL (``?s=...``) and
copies the session's state into this store under that token after each run;
a new session that arrives with a known token gets the state back.

Bounded in number and age (a server holds a few analysts' work, not every
visitor's forever), and nothing is written to disk: uploads are customer data.
Streamlit-free, so it is tested directly.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping

__all__ = ["SessionStore", "new_token", "valid_token", "restorable"]

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")

# Keys of widgets whose value Streamlit refuses to have set from session state
# (buttons, uploaders, forms, downloads): restoring them would raise. Their
# values are momentary anyway.
_NEVER = re.compile(r"^(upload_|FormSubmitter:|\$\$)")


def new_token() -> str:
    """A fresh, unguessable session token (URL-safe, 22 characters)."""
    return secrets.token_urlsafe(16)


def valid_token(value: object) -> bool:
    """Whether ``value`` has the shape of a token this module hands out."""
    return isinstance(value, str) and bool(_TOKEN.match(value))


def restorable(items: Iterable[tuple[object, object]], *,
               skip: Callable[[str], bool] | None = None) -> dict:
    """The part of a session's state worth keeping: string keys, no momentary widgets.

    Parameters
    ----------
    items : iterable of (key, value)
        The session state's items.
    skip : callable, optional
        ``skip(key) -> bool`` for further keys to leave out (the app passes
        the keys of buttons, which Streamlit also refuses to have set).

    Returns
    -------
    dict
        A shallow copy: the values themselves (datasets, models) are shared,
        not duplicated.
    """
    return {k: v for k, v in items
            if isinstance(k, str) and not _NEVER.match(k) and not (skip and skip(k))}


class SessionStore:
    """Session states by token, at most ``max_sessions`` of them, none older than ``max_age_s``.

    Parameters
    ----------
    max_sessions : int, default 8
        When a new token would exceed it, the least recently saved session is evicted.
    max_age_s : float, default 7200
        A session not saved for this long is forgotten (two hours).
    clock : callable, optional
        Seconds as a float; ``time.monotonic`` unless a test passes its own.

    Notes
    -----
    Thread-safe: Streamlit runs each browser session in its own thread.
    """

    def __init__(self, max_sessions: int = 8, max_age_s: float = 7200.0, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if max_sessions < 1 or max_age_s <= 0:
            raise ValueError("max_sessions must be at least 1 and max_age_s positive")
        self.max_sessions = int(max_sessions)
        self.max_age_s = float(max_age_s)
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, tuple[float, dict]] = OrderedDict()

    def __len__(self) -> int:
        with self._lock:
            self._expire()
            return len(self._entries)

    def __contains__(self, token: object) -> bool:
        with self._lock:
            self._expire()
            return token in self._entries

    def _expire(self) -> None:
        # Entries are kept in save order, so the stale ones are at the front.
        limit = self._clock() - self.max_age_s
        while self._entries:
            token, (saved, _) = next(iter(self._entries.items()))
            if saved > limit:
                break
            del self._entries[token]

    def save(self, token: str, state: Mapping) -> None:
        """Keep a shallow copy of ``state`` under ``token``, replacing what was there.

        Raises
        ------
        ValueError
            For a token that :func:`valid_token` rejects.
        """
        if not valid_token(token):
            raise ValueError("not a session token")
        with self._lock:
            self._entries.pop(token, None)
            self._entries[token] = (self._clock(), dict(state))
            self._expire()
            while len(self._entries) > self.max_sessions:
                self._entries.popitem(last=False)

    def restore(self, token: object) -> dict | None:
        """A copy of the state saved under ``token``; None when unknown or expired."""
        with self._lock:
            self._expire()
            entry = self._entries.get(token) if isinstance(token, str) else None
            return None if entry is None else dict(entry[1])

    def drop(self, token: str) -> None:
        """Forget ``token``'s state (nothing happens for an unknown token)."""
        with self._lock:
            self._entries.pop(token, None)
