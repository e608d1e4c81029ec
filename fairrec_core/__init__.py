"""fairrec: a fairness-audit workbench for e-commerce recommender systems.

The package is the library behind the dashboard (``app.py``) and the ``fairrec``
command. Heavy dependencies (torch, transformers, shap, lime) are imported lazily
inside the modules that need them so that importing this package stays fast.
"""

__version__ = "0.1.0"
