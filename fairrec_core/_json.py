"""The one JSON-safe conversion: reports, checkpoints, provenance records and the dashboard."""

from __future__ import annotations

import math
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

import numpy as np
import pandas as pd


def jsonable(obj: Any):
    """JSON-safe copy of ``obj``.

    Dict keys become strings, tuples and arrays lists, numpy scalars Python
    numbers, NaN, infinities and pandas' missing markers ``None`` (JSON has no
    such values), dates ISO 8601 text, paths their text and any other object
    its ``str``.
    """
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    if obj is None or obj is pd.NA or obj is pd.NaT:
        return None
    if isinstance(obj, (datetime, date)):  # pandas.Timestamp is a datetime
        return obj.isoformat()
    if isinstance(obj, np.datetime64):
        return None if np.isnat(obj) else pd.Timestamp(obj).isoformat()
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, (str, int, bool)):
        return obj
    if isinstance(obj, PurePath):
        return str(obj)
    return str(obj)
