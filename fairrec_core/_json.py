"""One JSON-safe conversion shared by checkpoints, provenance records and the dashboard."""

from __future__ import annotations

from typing import Any

import numpy as np


def jsonable(obj: Any):
    """JSON-safe copy of ``obj``.

    Dict keys become strings, tuples and arrays lists, numpy scalars Python
    numbers, NaN and infinities ``None`` (JSON has no such numbers), and any
    other object its ``str``.
    """
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not np.isfinite(obj):
        return None
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    return str(obj)
