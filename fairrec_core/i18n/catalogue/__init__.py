"""The catalogue: one ``MESSAGES`` dict per area, merged; a key may appear once."""

from __future__ import annotations

from fairrec_core.i18n.catalogue import app_shell, common

_AREAS = (common, app_shell)


def _merge() -> dict[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    for area in _AREAS:
        for key, entry in area.MESSAGES.items():
            if key in merged:
                raise RuntimeError(f"catalogue key {key!r} is defined twice")
            merged[key] = entry
    return merged


MESSAGES = _merge()
