"""Checks that run before a checkpoint is loaded: sizes, shapes and custom code.

A checkpoint may come from someone else (an upload on the dashboard, a folder
handed over for ``fairrec audit --checkpoint``). Everything in it is treated
as hostile until checked, and every check runs *before* anything of the
declared size is allocated:

* JSON files are size-capped before they are read, and nesting that would
  exhaust Python's stack is refused;
* the safetensors header is parsed here (it is a length and a JSON table), so
  the declared shapes and byte ranges are known and checked against the file
  size without reading the weights;
* the model the config declares is built on PyTorch's ``meta`` device, which
  allocates nothing, and its tensors must have exactly the shapes the
  safetensors header holds and fit within :data:`MAX_MODEL_BYTES`;
* an encoder folder whose config names custom code (``auto_map``) or ships
  Python files is refused before transformers reads it.

Every problem is a :class:`~fairrec_core.errors.CheckpointError` with a plain
message; nothing else escapes.
"""

from __future__ import annotations

import json
import math
import struct
from itertools import pairwise
from pathlib import Path

from fairrec_core.errors import CheckpointError

#: Largest config.json (and encoder/tokenizer config) read.
MAX_CONFIG_BYTES = 4 << 20
#: Largest user_ids.json / item_ids.json read (about five million ids each).
MAX_IDS_BYTES = 96 << 20
#: Largest safetensors header (the JSON table of tensor names and shapes).
MAX_HEADER_BYTES = 16 << 20
#: Most users and most items a checkpoint may declare.
MAX_ENTITIES = 5_000_000
#: Largest embedding size (BPR ``dim``, two-tower ``dim``, text vector size).
MAX_DIM = 4096
#: Most memory the declared model may take, parameters and buffers together.
MAX_MODEL_BYTES = 2 << 30
#: Bounds on the numbers an encoder config declares (a BERT-large is 1024 x 24).
ENCODER_LIMITS = {"hidden_size": MAX_DIM, "num_hidden_layers": 48, "num_attention_heads": 128,
                  "intermediate_size": 4 * MAX_DIM, "vocab_size": 1_000_000,
                  "max_position_embeddings": 16_384, "type_vocab_size": 1024}
#: Keys of a Hugging Face config that make transformers import code from the folder.
CUSTOM_CODE_KEYS = ("auto_map", "custom_pipelines")

_DTYPE_BYTES = {"BOOL": 1, "U8": 1, "I8": 1, "F8_E4M3": 1, "F8_E5M2": 1, "I16": 2, "U16": 2,
                "F16": 2, "BF16": 2, "I32": 4, "U32": 4, "F32": 4, "I64": 8, "U64": 8,
                "F64": 8}


def read_json(path: Path, *, max_bytes: int = MAX_CONFIG_BYTES, what: str | None = None):
    """Parse a JSON file of at most ``max_bytes``; any failure is a CheckpointError."""
    what = what or path.name
    try:
        size = path.stat().st_size
    except OSError:
        raise CheckpointError(f"The checkpoint's {what} cannot be read.") from None
    if size > max_bytes:
        raise CheckpointError(f"The checkpoint's {what} is {size / 2**20:,.1f} MB, more than "
                              f"the {max_bytes / 2**20:,.0f} MB allowed.")
    try:
        return json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise CheckpointError(f"The checkpoint's {what} is not valid JSON.") from None
    except RecursionError:
        raise CheckpointError(f"The checkpoint's {what} is nested too deeply to be a "
                              "fairrec file.") from None
    except OSError:
        raise CheckpointError(f"The checkpoint's {what} cannot be read.") from None


def safetensors_header(path: Path) -> dict[str, tuple[str, tuple[int, ...]]]:
    """``{name: (dtype, shape)}`` from a safetensors file's header, checked against its size.

    Raises
    ------
    CheckpointError
        The header is malformed, a tensor's byte range does not match its
        shape, ranges overlap or run past the end of the file.
    """
    bad = f"{path.name} is not a valid safetensors file"
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(8)
            if len(head) < 8:
                raise CheckpointError(f"{bad} (it is shorter than its header).")
            (n,) = struct.unpack("<Q", head)
            if n > MAX_HEADER_BYTES or n > size - 8:
                raise CheckpointError(f"{bad} (its header declares {n:,} bytes).")
            table = json.loads(fh.read(n).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise CheckpointError(f"{bad} (its header is not a JSON table).") from None
    except OSError:
        raise CheckpointError(f"{path.name} cannot be read.") from None
    if not isinstance(table, dict):
        raise CheckpointError(f"{bad} (its header is not a JSON table).")
    data_bytes = size - 8 - n
    out, ranges = {}, []
    for name, info in table.items():
        if name == "__metadata__":
            continue
        try:
            dtype, shape, (a, b) = info["dtype"], info["shape"], info["data_offsets"]
            ok = (dtype in _DTYPE_BYTES and isinstance(shape, list)
                  and all(type(d) is int and d >= 0 for d in shape)
                  and type(a) is int and type(b) is int and 0 <= a <= b <= data_bytes)
        except (TypeError, KeyError, ValueError):
            ok = False
        if not ok or math.prod(shape) * _DTYPE_BYTES[dtype] != b - a:
            raise CheckpointError(f"{bad} (tensor '{name[:80]}' has an inconsistent entry).")
        out[name] = (dtype, tuple(shape))
        ranges.append((a, b))
    ranges.sort()
    if any(b0 > a1 for (_, b0), (a1, _) in pairwise(ranges)):
        raise CheckpointError(f"{bad} (tensors overlap).")
    return out


def check_config(config) -> dict:
    """The checkpoint's config.json content, its fields' types and declared sizes checked."""
    name = "The checkpoint's config.json"  # not the path: an upload's is a temporary folder
    if not isinstance(config, dict):
        raise CheckpointError(f"{name} is not a fairrec checkpoint config (not a JSON table).")
    if not isinstance(config.get("model"), str):
        raise CheckpointError(f"{name} does not name its model.")
    for key in ("params", "fitted"):
        if not isinstance(config.get(key) or {}, dict):
            raise CheckpointError(f"{name}: '{key}' must be a table.")
    for key in ("n_users", "n_items"):
        value = config.get(key)
        if type(value) is not int or not 0 < value <= MAX_ENTITIES:
            raise CheckpointError(f"{name}: '{key}' must be a whole number from 1 to "
                                  f"{MAX_ENTITIES:,}, got {str(value)[:40]!r}.")
    dim = (config.get("params") or {}).get("dim")
    if dim is not None and (type(dim) is not int or not 0 < dim <= MAX_DIM):
        raise CheckpointError(f"{name}: the model's dim must be a whole number from 1 to "
                              f"{MAX_DIM}, got {str(dim)[:40]!r}.")
    return config


def check_id_list(ids, n: int, what: str) -> list[str]:
    """The id list of ``what`` ("user"/"item"), which must hold ``n`` strings."""
    if not isinstance(ids, list) or not all(isinstance(x, str) for x in ids):
        raise CheckpointError(f"The checkpoint's {what}_ids.json must be a list of ids (text).")
    if len(ids) != n:
        raise CheckpointError(f"The checkpoint's {what}_ids.json holds {len(ids):,} ids but its "
                              f"config declares {n:,} {what}s.")
    return ids


def refuse_custom_code(folder: Path) -> None:
    """Refuse a Hugging Face model folder that would make transformers import its code.

    Checked before transformers reads the folder: a config or tokenizer config
    naming ``auto_map`` (or custom pipelines), or any Python file in the
    folder, is refused whatever ``trust_remote_code`` says.
    """
    folder = Path(folder)
    for fname in ("config.json", "tokenizer_config.json", "processor_config.json",
                  "preprocessor_config.json"):
        path = folder / fname
        if not path.is_file():
            continue
        data = read_json(path, what=f"{folder.name}/{fname}")
        if isinstance(data, dict) and any(k in data for k in CUSTOM_CODE_KEYS):
            raise CheckpointError(
                f"The model folder '{folder}' asks to run its own Python code ({fname} has "
                "'auto_map'). fairrec never runs code shipped with a model; use a model "
                "whose architecture is built into transformers.")
    try:
        scripts = [p.name for p in folder.iterdir() if p.suffix == ".py"]
    except OSError:
        scripts = []
    if scripts:
        raise CheckpointError(f"The model folder '{folder}' contains Python code "
                              f"({', '.join(sorted(scripts)[:3])}); fairrec never runs code "
                              "shipped with a model.")


def check_encoder_config(folder: Path) -> dict:
    """A fine-tuned encoder's config.json, checked for custom code and declared sizes."""
    refuse_custom_code(folder)
    path = folder / "config.json"
    if not path.is_file():
        raise CheckpointError("The checkpoint's encoder folder has no config.json.")
    cfg = read_json(path, what="encoder/config.json")
    if not isinstance(cfg, dict) or not isinstance(cfg.get("model_type"), str):
        raise CheckpointError("The checkpoint's encoder/config.json does not name a "
                              "model_type.")
    for key, limit in ENCODER_LIMITS.items():
        value = cfg.get(key)
        if value is not None and (type(value) is not int or not 0 < value <= limit):
            raise CheckpointError(f"The checkpoint's encoder/config.json declares {key} = "
                                  f"{str(value)[:40]}; fairrec accepts 1 to {limit:,}.")
    return cfg


def check_shapes(expected: dict, unsaved: int, header: dict, what: str) -> None:
    """Declared tensors against the limit and the weights file, before allocating them.

    Parameters
    ----------
    expected : dict
        ``{state key: shape}`` the declared model builds and loads.
    unsaved : int
        Elements of float32 buffers it builds without loading them.
    header : dict
        From :func:`safetensors_header`.
    what : str
        The model, for messages.
    """
    nbytes = 4 * (sum(math.prod(s) for s in expected.values()) + unsaved)
    _check_bytes(nbytes, what)
    for key, shape in expected.items():
        _compare(key, tuple(shape), header.get(f"state.{key}"), what)


def check_module(module, header: dict, what: str, *, prefix: str = "") -> None:
    """Compare a module built on the ``meta`` device with the safetensors header.

    Every tensor the module would load (saved under ``state.{prefix}{name}``)
    must be in the header with the same shape, and its parameters plus
    buffers must fit within :data:`MAX_MODEL_BYTES`.
    """
    tensors = list(module.parameters()) + list(module.buffers())
    _check_bytes(sum(t.numel() * t.element_size() for t in tensors), what)
    for key, t in module.state_dict().items():
        _compare(prefix + key, tuple(t.shape), header.get(f"state.{prefix}{key}"), what)


def _check_bytes(nbytes: int, what: str) -> None:
    if nbytes > MAX_MODEL_BYTES:
        raise CheckpointError(f"The {what} this checkpoint declares would take "
                              f"{nbytes / 2**30:,.1f} GB of memory, more than the "
                              f"{MAX_MODEL_BYTES / 2**30:,.0f} GB fairrec allows.")


def _compare(key: str, shape: tuple, saved, what: str) -> None:
    if saved is None:
        raise CheckpointError(f"The checkpoint's weights lack '{key}' of the {what}; the file "
                              "is damaged or from another fairrec version.")
    if shape != saved[1]:
        raise CheckpointError(
            f"The checkpoint's config declares a {what} whose '{key}' has shape {shape}, but "
            f"its weights file holds {saved[1]}; the config and the weights do not belong "
            "together.")


__all__ = ["ENCODER_LIMITS", "MAX_CONFIG_BYTES", "MAX_DIM", "MAX_ENTITIES", "MAX_IDS_BYTES",
           "MAX_MODEL_BYTES", "check_config", "check_encoder_config", "check_id_list",
           "check_module", "check_shapes", "read_json", "refuse_custom_code", "safetensors_header"]
