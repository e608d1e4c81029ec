"""Checkpoints: one folder per fitted model, loadable without unpickling anything.

Layout::

    config.json         format, version, model name and parameters, fitted facts
                        (encoder reference for the two-tower), training history
    model.safetensors   every array: model weights, the training interactions
                        (seen items, as CSR index arrays)
    user_ids.json       original user ids by dense position
    item_ids.json       original item ids by dense position
    encoder/            only for a fine-tuned encoder: its config and tokenizer
                        (its weights are in model.safetensors)

Only JSON and safetensors are read back, so opening a checkpoint from
someone else cannot execute code.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from fairrec_core import __version__
from fairrec_core._json import jsonable
from fairrec_core.errors import ConfigError

FORMAT = "fairrec-checkpoint"
VERSION = 1
CONFIG, WEIGHTS, USER_IDS, ITEM_IDS = ("config.json", "model.safetensors", "user_ids.json",
                                       "item_ids.json")


def save_checkpoint(model, folder) -> Path:
    """Write fitted ``model`` to ``folder`` (created; existing files replaced).

    Returns
    -------
    pathlib.Path
        The folder.
    """
    from safetensors.numpy import save_file

    model._check_fitted()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {f"state.{k}": _as_numpy(v) for k, v in model._state_tensors().items()}
    seen = model.seen_
    arrays["seen.indptr"] = seen.indptr.astype(np.int64)
    arrays["seen.indices"] = seen.indices.astype(np.int32)
    save_file({k: np.ascontiguousarray(v) for k, v in arrays.items()}, str(folder / WEIGHTS),
              metadata={"format": FORMAT})
    training = getattr(model, "training_", None)
    config = {
        "format": FORMAT,
        "version": VERSION,
        "fairrec_version": __version__,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "model": model.name,
        "params": jsonable(model.get_params()),
        "fitted": jsonable(model._fitted_config()),
        "n_users": model.n_users_,
        "n_items": model.n_items_,
        "ids_sha256": ids_digest(model.user_ids_, model.item_ids_),
        "training": None if training is None else jsonable(training.to_dict()),
        "warnings": [w.to_dict() for w in getattr(model, "warnings_", [])],
    }
    (folder / CONFIG).write_text(json.dumps(config, indent=2), encoding="utf-8")
    (folder / USER_IDS).write_text(json.dumps(model.user_ids_), encoding="utf-8")
    (folder / ITEM_IDS).write_text(json.dumps(model.item_ids_), encoding="utf-8")
    save_files = getattr(model, "_save_files", None)
    if save_files is not None:
        save_files(folder)
    return folder


def load_checkpoint(folder, dataset=None, *, device: str = "cpu"):
    """Rebuild a fitted model from ``folder``.

    Parameters
    ----------
    folder : path
    dataset : Dataset, optional
        When given, its user and item ids must be the checkpoint's (same ids,
        same order); otherwise a :class:`ConfigError` says how they differ.
    device : str, default "cpu"
        Where a PyTorch model is placed.

    Raises
    ------
    ConfigError
        Missing folder or files, an unknown format or version, or ids that
        do not match ``dataset``.
    """
    from safetensors.numpy import load_file

    from fairrec_core.models.registry import model_class

    folder = Path(folder)
    if not (folder / CONFIG).is_file():
        raise ConfigError(f"'{folder}' is not a fairrec checkpoint folder (no {CONFIG}).")
    try:
        config = json.loads((folder / CONFIG).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{folder / CONFIG} is not valid JSON: {exc}") from None
    if config.get("format") != FORMAT:
        raise ConfigError(f"{folder / CONFIG} is not a fairrec checkpoint.")
    if config.get("version") != VERSION:
        raise ConfigError(f"This checkpoint has format version {config.get('version')}; this "
                          f"fairrec reads version {VERSION}.")
    for name in (WEIGHTS, USER_IDS, ITEM_IDS):
        if not (folder / name).is_file():
            raise ConfigError(f"The checkpoint folder '{folder}' is incomplete: {name} is "
                              "missing.")
    user_ids = json.loads((folder / USER_IDS).read_text(encoding="utf-8"))
    item_ids = json.loads((folder / ITEM_IDS).read_text(encoding="utf-8"))
    if dataset is not None:
        check_ids(user_ids, item_ids, dataset)
    arrays = load_file(str(folder / WEIGHTS))
    model = model_class(config["model"])(**config["params"])
    model.warnings_ = []
    model.n_users_, model.n_items_ = int(config["n_users"]), int(config["n_items"])
    model.user_ids_, model.item_ids_ = user_ids, item_ids
    indptr, indices = arrays["seen.indptr"], arrays["seen.indices"]
    model.seen_ = sp.csr_matrix((np.ones(indices.size, dtype=np.float32), indices, indptr),
                                shape=(model.n_users_, model.n_items_))
    state = {k[len("state."):]: v for k, v in arrays.items() if k.startswith("state.")}
    model._load_state(state, config.get("fitted") or {}, folder)
    if hasattr(model, "to") and hasattr(model, "module_"):
        model.to(device)
    return model


def check_ids(user_ids, item_ids, dataset) -> None:
    """Raise a :class:`ConfigError` unless ``dataset`` has exactly these ids in this order."""
    problems = []
    for what, saved, current in (("user", user_ids, dataset.user_ids),
                                 ("item", item_ids, dataset.item_ids)):
        current = [str(x) for x in current]
        if saved == current:
            continue
        s, c = set(saved), set(current)
        unknown = [x for x in current if x not in s]
        absent = [x for x in saved if x not in c]
        if not unknown and not absent:
            problems.append(f"the same {len(saved)} {what} ids come in a different order")
            continue
        bits = []
        if unknown:
            bits.append(f"{len(unknown)} {what}(s) here are unknown to the checkpoint "
                        f"(e.g. {', '.join(unknown[:3])})")
        if absent:
            bits.append(f"{len(absent)} of the checkpoint's {what}s are absent here "
                        f"(e.g. {', '.join(absent[:3])})")
        problems.append("; ".join(bits))
    if problems:
        raise ConfigError(
            "This checkpoint was trained on other data: " + "; ".join(problems) + ". A model "
            "can only score the users and items it was trained on, in the same order. Load "
            "the data it was trained on, or train a new model on this data.")


def ids_digest(user_ids, item_ids) -> str:
    h = hashlib.sha256()
    for ids in (user_ids, item_ids):
        h.update(json.dumps(list(ids)).encode())
    return h.hexdigest()


def _as_numpy(v) -> np.ndarray:
    if isinstance(v, np.ndarray):
        return v
    return v.detach().cpu().numpy()
