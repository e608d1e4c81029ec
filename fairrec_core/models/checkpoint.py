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

Only JSON and safetensors are read back, and an encoder folder that names
custom code is refused before transformers sees it (``trust_remote_code`` is
always off), so opening a checkpoint from someone else cannot execute code.
Declared sizes are checked before anything is allocated
(:mod:`fairrec_core.models.checkpoint_checks`).
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
from fairrec_core.errors import CheckpointError, ConfigError, FairrecError

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

    Sizes, shapes and custom code are checked before anything of the
    declared size is allocated (see :mod:`fairrec_core.models.checkpoint_checks`).

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
    CheckpointError
        Missing folder or files, an unknown format or version, a damaged,
        oversized or inconsistent file, or an encoder that ships code.
    ConfigError
        Ids that do not match ``dataset``.
    """
    from fairrec_core.models import checkpoint_checks as cc

    folder = Path(folder)
    if not (folder / CONFIG).is_file():
        raise CheckpointError(f"'{folder}' is not a fairrec checkpoint folder (no {CONFIG}).")
    config = cc.read_json(folder / CONFIG)
    if not isinstance(config, dict) or config.get("format") != FORMAT:
        raise CheckpointError(f"The checkpoint's {CONFIG} does not say it is a fairrec "
                              "checkpoint (its 'format' is missing or different).")
    if config.get("version") != VERSION:
        raise CheckpointError(f"This checkpoint has format version "
                              f"{str(config.get('version'))[:20]}; this fairrec reads version "
                              f"{VERSION}.")
    cc.check_config(config)
    for name in (WEIGHTS, USER_IDS, ITEM_IDS):
        if not (folder / name).is_file():
            raise CheckpointError(f"The checkpoint folder '{folder}' is incomplete: {name} is "
                                  "missing.")
    n_users, n_items = config["n_users"], config["n_items"]
    user_ids = cc.check_id_list(cc.read_json(folder / USER_IDS, max_bytes=cc.MAX_IDS_BYTES),
                                n_users, "user")
    item_ids = cc.check_id_list(cc.read_json(folder / ITEM_IDS, max_bytes=cc.MAX_IDS_BYTES),
                                n_items, "item")
    if dataset is not None:
        check_ids(user_ids, item_ids, dataset)
    header = cc.safetensors_header(folder / WEIGHTS)
    try:
        return _restore(config, header, folder, user_ids, item_ids, device)
    except FairrecError:
        raise
    except Exception as exc:  # the loader's boundary: damaged files never leak a raw error
        raise CheckpointError(f"The checkpoint could not be read ({type(exc).__name__}). It "
                              "may be damaged or from another fairrec version.") from None


def _restore(config, header, folder, user_ids, item_ids, device):
    """The model, once the files passed their checks; the declared model is dry-built first."""
    from safetensors.numpy import load_file

    from fairrec_core.models.registry import model_class

    n_users, n_items = config["n_users"], config["n_items"]
    _check_seen_header(header, n_users)
    try:
        model = model_class(config["model"])(**(config.get("params") or {}))
    except TypeError:
        raise CheckpointError(f"The checkpoint's {CONFIG} has options the "
                              f"{config['model'][:40]} model does not take; it is from another "
                              "fairrec version.") from None
    model.warnings_ = []
    model.n_users_, model.n_items_ = n_users, n_items
    model.user_ids_, model.item_ids_ = user_ids, item_ids
    _dry_build(model, config.get("fitted") or {}, header, folder)
    arrays = load_file(str(folder / WEIGHTS))
    indptr, indices = arrays["seen.indptr"], arrays["seen.indices"]
    if (indptr[0] != 0 or np.any(np.diff(indptr) < 0) or indptr[-1] != indices.size
            or (indices.size and (indices.min() < 0 or indices.max() >= n_items))):
        raise CheckpointError("The checkpoint's training interactions (seen.indptr, "
                              "seen.indices) are inconsistent; the file is damaged.")
    model.seen_ = sp.csr_matrix((np.ones(indices.size, dtype=np.float32), indices, indptr),
                                shape=(n_users, n_items))
    state = {k[len("state."):]: v for k, v in arrays.items() if k.startswith("state.")}
    model._load_state(state, config.get("fitted") or {}, folder)
    if hasattr(model, "to") and hasattr(model, "module_"):
        model.to(device)
    return model


def _check_seen_header(header, n_users) -> None:
    ptr, idx = header.get("seen.indptr"), header.get("seen.indices")
    if (ptr is None or idx is None or ptr[1] != (n_users + 1,) or len(idx[1]) != 1
            or ptr[0] not in ("I64", "I32") or idx[0] not in ("I64", "I32")):
        raise CheckpointError("The checkpoint's weights file lacks the training interactions "
                              "for its declared users; the file is damaged.")


def _dry_build(model, fitted, header, folder) -> None:
    """Check the tensors the declared model would allocate, before it is built.

    The big tensors of BPR and the two-tower (embeddings, text vectors, the
    per-user history buffers) follow from the declared sizes; they must fit
    :data:`~fairrec_core.models.checkpoint_checks.MAX_MODEL_BYTES` and the
    saved ones must have exactly the shapes in the weights file. A fine-tuned
    encoder is built on PyTorch's ``meta`` device (no memory) and compared the
    same way.
    """
    from fairrec_core.models import checkpoint_checks as cc

    if model.name not in ("bpr", "two-tower"):
        return  # their arrays are used as read: the file's size bounds them
    nu, ni, dim = model.n_users_, model.n_items_, int(model.dim)
    what = f"{model.name} model"
    saved: dict[str, tuple[int, ...]] = {"user.weight": (nu, dim), "item.weight": (ni, dim)}
    unsaved = 0  # elements of buffers built but not saved
    if model.name == "bpr":
        if model.item_bias:
            saved["bias.weight"] = (ni, 1)
    else:
        # The encoder's config is checked first: it may name code, and transformers must
        # not see it.
        if fitted.get("finetuned"):
            cc.check_module(_meta_encoder(folder / "encoder"), header, "fine-tuned encoder",
                            prefix="encoder.")
        text = header.get("state.text")
        if text is None or len(text[1]) != 2:
            raise CheckpointError("The checkpoint's weights lack the item text vectors of the "
                                  "two-tower model; the file is damaged.")
        td = text[1][1]
        if td > cc.MAX_DIM:
            raise CheckpointError(f"The checkpoint's text vectors have {td:,} dimensions; "
                                  f"fairrec accepts at most {cc.MAX_DIM}.")
        saved = {"user_id.weight": (nu, dim), "item_id.weight": (ni, dim),
                 "item_bias.weight": (ni, 1), "proj.weight": (dim + 1, td),
                 "hist.weight": (dim, dim), "text": (ni, td), "has_text": (ni,)}
        unsaved = nu * (td + 1)  # the user tower's pooled history (hist_sum, hist_n)
    cc.check_shapes(saved, unsaved, header, what)


def _meta_encoder(folder: Path):
    """The fine-tuned encoder its config declares, on the ``meta`` device."""
    import torch
    from transformers import AutoConfig, AutoModel

    from fairrec_core.models.checkpoint_checks import check_encoder_config

    check_encoder_config(folder)
    try:
        cfg = AutoConfig.from_pretrained(str(folder), local_files_only=True,
                                         trust_remote_code=False)
        with torch.device("meta"):
            return AutoModel.from_config(cfg, trust_remote_code=False)
    except (ValueError, KeyError, TypeError, OSError, AttributeError) as exc:
        raise CheckpointError(f"The checkpoint's encoder/config.json does not describe a model "
                              f"transformers knows ({type(exc).__name__}).") from None


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
