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
from pathlib import Path, PurePosixPath

from fairrec_core.errors import ConfigError

#: Largest archive accepted, uncompressed (a fine-tuned MiniLM is ~100 MB).
MAX_CHECKPOINT_BYTES = 1 << 30


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


def _safe_members(zf: zipfile.ZipFile) -> tuple[list[zipfile.ZipInfo], str]:
    """Members to extract and the folder inside the archive that holds config.json."""
    infos = [i for i in zf.infolist() if not i.is_dir()]
    total = 0
    for i in infos:
        p = PurePosixPath(i.filename.replace("\\", "/"))
        if p.is_absolute() or ".." in p.parts or not p.parts:
            raise ConfigError(f"The archive contains an unsafe path ('{i.filename}'); it is "
                              "not a fairrec checkpoint.")
        total += i.file_size
    if total > MAX_CHECKPOINT_BYTES:
        raise ConfigError(f"The archive unpacks to {total / 2**20:,.0f} MB, more than the "
                          f"{MAX_CHECKPOINT_BYTES / 2**20:,.0f} MB a checkpoint may hold.")
    configs = [PurePosixPath(i.filename.replace("\\", "/")) for i in infos
               if PurePosixPath(i.filename.replace("\\", "/")).name == "config.json"]
    # The top-level config.json, or the one in the shallowest folder (a zipped folder).
    configs.sort(key=lambda p: len(p.parts))
    if not configs:
        raise ConfigError("The archive has no config.json: upload the .zip that the Train "
                          "page's 'Download checkpoint' button produced.")
    return infos, str(configs[0].parent)


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
    ConfigError
        Not a zip, unsafe or oversized content, not a fairrec checkpoint,
        or ids that do not match the data.
    """
    from fairrec_core.models.checkpoint import load_checkpoint

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ConfigError("The uploaded file is not a .zip archive. Upload the checkpoint "
                          "archive that 'Download checkpoint' produced.") from None
    with zf, tempfile.TemporaryDirectory(prefix="fairrec-ckpt-") as tmp:
        infos, root = _safe_members(zf)
        base = Path(tmp)
        for i in infos:
            target = base / PurePosixPath(i.filename.replace("\\", "/"))
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(i) as src, open(target, "wb") as dst:
                dst.write(src.read())
        folder = base if root in ("", ".") else base / root
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            try:
                return load_checkpoint(folder, dataset, device=device)
            except (KeyError, ValueError, OSError) as exc:
                if isinstance(exc, ConfigError):
                    raise
                raise ConfigError(f"The checkpoint could not be read ({exc}). It may be "
                                  "damaged or from another fairrec version.") from None
