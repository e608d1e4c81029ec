"""Recommender models behind one protocol, and their checkpoints.

Importing this package is cheap: torch and transformers load only when a
PyTorch model is built or a checkpoint of one is read.
"""

from fairrec_core.models.base import Recommender, TorchRecommender
from fairrec_core.models.checkpoint import check_ids, load_checkpoint, save_checkpoint
from fairrec_core.models.imported import ImportedRecommendations
from fairrec_core.models.popularity import Popularity
from fairrec_core.models.registry import available_models, make_model, model_class
from fairrec_core.models.top_k import top_k_masked


def __getattr__(name):
    # The PyTorch adapters import torch only when first used.
    if name == "BPR":
        from fairrec_core.models.bpr import BPR
        return BPR
    if name == "TextTwoTower":
        from fairrec_core.models.two_tower import TextTwoTower
        return TextTwoTower
    raise AttributeError(name)


__all__ = ["BPR", "ImportedRecommendations", "Popularity", "Recommender", "TextTwoTower",
           "TorchRecommender", "available_models", "check_ids", "load_checkpoint",
           "make_model", "model_class", "save_checkpoint", "top_k_masked"]
