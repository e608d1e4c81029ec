"""Where the dashboard and the sample data are, in a checkout and in an installed wheel.

The wheel ships ``app.py``, ``pages/``, ``sample_data/`` and ``.streamlit/`` as the
package ``fairrec_dashboard`` (pyproject maps the repository root onto it), so
``pip install .`` gives a working ``fairrec app --sample`` without the checkout.
In a checkout that is not installed, the same files are found beside
``fairrec_core``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

__all__ = ["dashboard_dir", "app_script", "sample_dir"]


def dashboard_dir() -> Path:
    """The folder holding ``app.py``, ``pages/`` and ``sample_data/``."""
    spec = importlib.util.find_spec("fairrec_dashboard")
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            if (Path(location) / "app.py").is_file():
                return Path(location)
    return Path(__file__).resolve().parents[1]


def app_script() -> Path:
    """The Streamlit entry script."""
    return dashboard_dir() / "app.py"


def sample_dir(lang: str = "en") -> Path:
    """The bundled sample data (``lang="zh"``: the Chinese sample)."""
    base = dashboard_dir() / "sample_data"
    return base / "zh" if lang == "zh" else base
