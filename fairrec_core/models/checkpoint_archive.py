"""Checkpoints as one .zip archive, for downloads and uploads.

The dashboard hands a fitted model to the user as bytes and takes one back
from an upload. The checkpoint folder is written to, or unpacked into, a
private temporary directory that is deleted at once: a checkpoint holds user
and item ids, and nothing the user uploaded stays on disk.
"""

from __future__ import annotations

import io
import tempfile
import warnings
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from fairrec_core.errors import CheckpointError, FairrecError

#: Largest archive accepted, uncompressed (a fine-tuned MiniLM is ~100 MB).
MAX_CHECKPOINT_BYTES = 1 << 30
#: Most entries an archive may list (a checkpoint has four files plus a tokenizer).
MAX_ENTRIES = 1000
#: Largest expansion (uncompressed / compressed) of the files unpacked, once they hold more
#: than RATIO_FREE_BYTES: real checkpoints expand a few times (ids, zero text rows) at most.
MAX_RATIO = 200
RATIO_FREE_BYTES = 16 << 20
#: The files of a checkpoint folder, besides ``encoder/*``.
CHECKPOINT_FILES = ("config.json", "model.safetensors", "user_ids.json", "item_ids.json")


def checkpoint_zip(model) -> bytes:
    """The fitted ``model`` as a zip archive of its checkpoint folder.

    The folder is written to a private temporary directory, zipped into
    memory and deleted at once: a checkpoint holds user and item ids, and
    nothing the user uploaded stays on disk.
    """
    from fairrec_core.models.checkpoint import save_checkpoint

    buf = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="fairrec-ckpt-") as tmp:
        folder = save_checkpoint(model, Path(tmp) / "checkpoint")
        with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    zf.write(path, path.relative_to(folder).as_posix())
    return buf.getvalue()


def _member_path(info: zipfile.ZipInfo) -> PurePosixPath:
    p = PurePosixPath(info.filename.replace("\\", "/"))
    if p.is_absolute() or ".." in p.parts or not p.parts or ":" in p.parts[0]:
        raise CheckpointError(f"The archive contains an unsafe path ('{info.filename[:200]}'); "
                              "it is not a fairrec checkpoint.")
    return p


def _safe_members(zf: zipfile.ZipFile, size: int) -> list[tuple[zipfile.ZipInfo, PurePosixPath]]:
    """The members to extract (relative to the folder holding config.json), all checked.

    Only the central directory is read here: the entry count, every path, the
    declared total size and each entry's compression ratio are checked before
    a single byte is decompressed.
    """
    infos = zf.infolist()
    if len(infos) > MAX_ENTRIES:
        raise CheckpointError(f"The archive has {len(infos):,} entries; a fairrec checkpoint "
                              f"has a handful (at most {MAX_ENTRIES:,} are accepted).")
    infos = [i for i in infos if not i.is_dir()]
    paths = [_member_path(i) for i in infos]
    total = sum(i.file_size for i in infos)
    if total > MAX_CHECKPOINT_BYTES:
        raise CheckpointError(f"The archive unpacks to {total / 2**20:,.0f} MB, more than the "
                              f"{MAX_CHECKPOINT_BYTES / 2**20:,.0f} MB a checkpoint may hold.")
    if sum(i.compress_size for i in infos) > size:
        raise CheckpointError("The archive's directory declares more data than the file holds; "
                              "it is damaged.")
    configs = sorted((p for p in paths if p.name == "config.json"), key=lambda p: len(p.parts))
    # The top-level config.json, or the one in the shallowest folder (a zipped folder).
    if not configs:
        raise CheckpointError("The archive has no config.json: upload the .zip that the Train "
                              "page's 'Download checkpoint' button produced.")
    root = configs[0].parent
    keep = []
    for info, path in zip(infos, paths):
        if root.parts and path.parts[:len(root.parts)] != root.parts:
            continue
        rel = PurePosixPath(*path.parts[len(root.parts):])
        # Only the files a checkpoint has are written out; anything else stays packed.
        if str(rel) in CHECKPOINT_FILES or (len(rel.parts) == 2 and rel.parts[0] == "encoder"):
            keep.append((info, rel))
    # Weights and ids compress a few times at most (zero rows included); far more is a zip
    # bomb. Judged over what would be unpacked: other entries are never unpacked.
    unpacked = sum(i.file_size for i, _ in keep)
    packed = max(sum(i.compress_size for i, _ in keep), 1)
    if unpacked > RATIO_FREE_BYTES and unpacked > MAX_RATIO * packed:
        raise CheckpointError(f"The archive's checkpoint files expand {unpacked / packed:,.0f} "
                              "times; fairrec refuses archives built to expand (zip bombs).")
    return keep


def _extract(zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path) -> None:
    """Stream one member to ``target``, never past its declared size."""
    target.parent.mkdir(parents=True, exist_ok=True)
    left = info.file_size
    with zf.open(info) as src, open(target, "wb") as dst:
        while True:
            chunk = src.read(min(1 << 20, left + 1))
            if not chunk:
                break
            left -= len(chunk)
            if left < 0:
                raise CheckpointError(f"The archive entry '{info.filename[:200]}' holds more "
                                      "than it declares; the archive is damaged.")
            dst.write(chunk)


def load_checkpoint_zip(data: bytes, dataset, *, device: str = "cpu"):
    """A fitted model from a checkpoint archive made by :func:`checkpoint_zip`.

    Parameters
    ----------
    data : bytes
        The .zip file's content.
    dataset : Dataset
        The model's user and item ids must be this data's (same ids, order).
    device : str, default "cpu"

    Raises
    ------
    CheckpointError
        Not a zip, unsafe, oversized or damaged content, or not a fairrec
        checkpoint (see :func:`fairrec_core.models.load_checkpoint`).
    ConfigError
        Ids that do not match the data.
    """
    from fairrec_core.models.checkpoint import load_checkpoint

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        raise CheckpointError("The uploaded file is not a .zip archive. Upload the checkpoint "
                              "archive that 'Download checkpoint' produced.") from None
    with zf, tempfile.TemporaryDirectory(prefix="fairrec-ckpt-") as tmp:
        base = Path(tmp)
        try:
            for info, rel in _safe_members(zf, len(data)):
                _extract(zf, info, base / rel)
        except FairrecError:
            raise
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError, OSError,
                ValueError, zlib.error) as exc:
            raise CheckpointError(f"The archive could not be unpacked ({type(exc).__name__}); "
                                  "it is damaged or uses an unsupported compression.") from None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return load_checkpoint(base, dataset, device=device)
