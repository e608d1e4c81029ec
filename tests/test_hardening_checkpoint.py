"""Hostile checkpoints (issue 12, items 2 and 3): crafted in the test, refused before allocation.

Every archive here is built by the test from a real checkpoint, then altered the
way an attacker or a damaged download would alter it. Each must end in the
project's own :class:`CheckpointError` with a plain message -- never a prompt to
run code, never a raw library error, never gigabytes of memory.
"""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from fairrec_core.data import split_dataset
from fairrec_core.errors import CheckpointError, FairrecError
from fairrec_core.models import BPR, TextTwoTower, load_checkpoint, save_checkpoint
from fairrec_core.models.checkpoint_archive import checkpoint_zip, load_checkpoint_zip
from tests.test_models_base import tiny_data

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def tiny():
    ds, _ = tiny_data()
    return ds, split_dataset(ds, method="temporal")


@pytest.fixture(scope="module")
def bpr_files(tiny, tmp_path_factory):
    """The files of a real BPR checkpoint, by name."""
    ds, split = tiny
    model = BPR(dim=8, epochs=1, batch_size=256, device="cpu").fit(ds, split)
    folder = save_checkpoint(model, tmp_path_factory.mktemp("bpr") / "ck")
    return {p.name: p.read_bytes() for p in folder.iterdir()}


@pytest.fixture(scope="module")
def two_tower_files(tiny, tmp_path_factory):
    ds, split = tiny
    model = TextTwoTower(dim=8, epochs=1, batch_size=256, device="cpu").fit(ds, split)
    folder = save_checkpoint(model, tmp_path_factory.mktemp("tt") / "ck")
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def _zip(files: dict, *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _with_config(files: dict, **changes) -> dict:
    config = json.loads(files["config.json"])
    for key, value in changes.items():
        if "." in key:
            outer, inner = key.split(".")
            config[outer][inner] = value
        else:
            config[key] = value
    return {**files, "config.json": json.dumps(config).encode()}


def _write(folder: Path, files: dict) -> Path:
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


def _refused(data: bytes, ds, match: str) -> CheckpointError:
    with pytest.raises(CheckpointError, match=match) as info:
        load_checkpoint_zip(data, ds)
    return info.value


# ------------------------------------------------------------------ item 2: no code runs
def test_encoder_config_with_auto_map_is_refused_before_transformers(two_tower_files, tiny,
                                                                     tmp_path):
    ds, _ = tiny
    marker = tmp_path / "ran.txt"
    code = f"open({str(marker)!r}, 'w').write('code ran')\nclass Evil: pass\n"
    enc_cfg = {"model_type": "bert", "hidden_size": 32, "num_hidden_layers": 1,
               "num_attention_heads": 2, "intermediate_size": 64, "vocab_size": 100,
               "auto_map": {"AutoConfig": "evil.Evil", "AutoModel": "evil.Evil"}}
    files = _with_config(two_tower_files, **{"fitted.finetuned": True})
    files.update({"encoder/config.json": json.dumps(enc_cfg).encode(),
                  "encoder/evil.py": code.encode()})
    folder = _write(tmp_path / "ck", files)
    # stdin closed: transformers' "run the custom code? [y/N]" prompt would fail, not wait.
    r = subprocess.run([sys.executable, "-c",
                        "import sys; from fairrec_core.models import load_checkpoint\n"
                        "try:\n load_checkpoint(sys.argv[1])\n"
                        "except Exception as e: print(type(e).__name__, e)", str(folder)],
                       capture_output=True, text=True, cwd=ROOT, stdin=subprocess.DEVNULL,
                       timeout=120)
    assert r.stdout.startswith("CheckpointError"), r.stdout + r.stderr
    assert "own Python code" in r.stdout and "[y/N]" not in r.stdout + r.stderr
    assert not marker.exists()
    _refused(_zip(files), ds, "own Python code")
    assert not marker.exists()


def test_local_encoder_folder_with_custom_code_is_refused(tmp_path):
    from fairrec_core.models.encoders import load_encoder, resolve_encoder

    folder = tmp_path / "enc"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(
        {"model_type": "bert", "auto_map": {"AutoModel": "modeling.Evil"}}))
    with pytest.raises(FairrecError, match="own Python code"):
        load_encoder(resolve_encoder(str(folder)))


# ------------------------------------------------------------------ item 3: bounded sizes
def test_bpr_dim_beyond_the_limit_is_refused(bpr_files, tiny):
    ds, _ = tiny
    _refused(_zip(_with_config(bpr_files, **{"params.dim": 300_000})), ds,
             r"dim must be a whole number from 1 to 4096, got '300000'")


def test_bpr_dim_that_disagrees_with_the_weights_is_refused(bpr_files, tiny):
    ds, _ = tiny
    # Within the limit, but the weights file holds dim 8: refused before building.
    _refused(_zip(_with_config(bpr_files, **{"params.dim": 4000})), ds,
             r"has shape \(80, 4000\), but its weights file holds \(80, 8\)")


def test_two_tower_encoder_config_declaring_a_big_model_is_refused(two_tower_files, tiny):
    ds, _ = tiny
    big = {"model_type": "bert", "hidden_size": 2048, "num_hidden_layers": 12,
           "num_attention_heads": 16, "intermediate_size": 8192, "vocab_size": 30522}
    files = _with_config(two_tower_files, **{"fitted.finetuned": True})
    files["encoder/config.json"] = json.dumps(big).encode()
    _refused(_zip(files), ds, r"would take 2\.5 GB of memory, more than the 2 GB")
    small = {**big, "hidden_size": 64, "num_hidden_layers": 2, "intermediate_size": 128}
    files["encoder/config.json"] = json.dumps(small).encode()
    _refused(_zip(files), ds, "weights lack 'encoder.")  # its weights are not in the file
    files["encoder/config.json"] = json.dumps({**big, "hidden_size": 100_000}).encode()
    _refused(_zip(files), ds, "hidden_size = 100000; fairrec accepts 1 to 4,096")


def test_zip_bomb_is_refused_without_unpacking(bpr_files, tiny):
    ds, _ = tiny
    bomb = _zip({**bpr_files, "model.safetensors": bytes(64 << 20)})
    assert len(bomb) < 200_000
    t0 = time.perf_counter()
    _refused(bomb, ds, "expand [0-9,]+ times; fairrec refuses archives built to expand")
    assert time.perf_counter() - t0 < 2


def test_archive_declaring_more_than_the_limit_is_refused(bpr_files, tiny):
    ds, _ = tiny
    data = bytearray(_zip(bpr_files, compression=zipfile.ZIP_STORED))
    # Patch the central directory: the first entry now declares 2 GiB uncompressed.
    at = data.index(b"PK\x01\x02")
    data[at + 24:at + 28] = struct.pack("<I", 2**31)
    _refused(bytes(data), ds, "unpacks to 2,048 MB, more than the 1,024 MB")


def test_archive_with_thousands_of_entries_is_refused(bpr_files, tiny):
    ds, _ = tiny
    files = dict(bpr_files)
    files.update({f"junk/{i}": b"" for i in range(3000)})
    _refused(_zip(files, compression=zipfile.ZIP_STORED), ds, "3,0[0-9]{2} entries")


# ------------------------------------------------------------------ malformed input
def _safetensors_with_header(header: bytes) -> bytes:
    return struct.pack("<Q", len(header)) + header


MALFORMED = {
    "not a zip": lambda f: b"PK\x03\x04 this is not really a zip",
    "truncated zip": lambda f: _zip(f)[: len(_zip(f)) // 2],
    "path traversal": lambda f: _zip({**f, "../evil.json": b"{}"}),
    "config nested too deep": lambda f: _zip({**f, "config.json": b"[" * 200_000}),
    "config is a list": lambda f: _zip({**f, "config.json": b"[1, 2]"}),
    "config not json": lambda f: _zip({**f, "config.json": b"\xff\xfe garbage"}),
    "n_users is text": lambda f: _zip(_with_config(f, n_users="80")),
    "unknown model option": lambda f: _zip(_with_config(f, params={"dim": 8, "colour": 1})),
    "ids not a list": lambda f: _zip({**f, "user_ids.json": b'{"a": 1}'}),
    "ids too few": lambda f: _zip({**f, "item_ids.json": b'["a"]'}),
    "safetensors garbage": lambda f: _zip({**f, "model.safetensors": b"\x00" * 5}),
    "safetensors huge header": lambda f: _zip(
        {**f, "model.safetensors": struct.pack("<Q", 2**60) + b"{}"}),
    "safetensors lying shape": lambda f: _zip({**f, "model.safetensors": (
        _safetensors_with_header(json.dumps(
            {"seen.indptr": {"dtype": "I64", "shape": [81], "data_offsets": [0, 16]}}).encode())
        + bytes(16))}),
    "safetensors bad json": lambda f: _zip(
        {**f, "model.safetensors": _safetensors_with_header(b"{not json") + bytes(8)}),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_archives_raise_the_projects_own_error(case, bpr_files, tiny):
    ds, _ = tiny
    with pytest.raises(CheckpointError) as info:
        load_checkpoint_zip(MALFORMED[case](bpr_files), ds)
    message = str(info.value)
    assert message and "Traceback" not in message and len(message) < 400


def test_damaged_weights_in_a_folder_raise_the_projects_own_error(bpr_files, tiny, tmp_path):
    ds, _ = tiny
    raw = bytearray(bpr_files["model.safetensors"])
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    # A seen.indices entry pointing past the last item: would index out of range later.
    a, b = header["seen.indices"]["data_offsets"]
    raw[8 + n + a:8 + n + a + 4] = struct.pack("<i", 10_000)
    folder = _write(tmp_path / "ck", {**bpr_files, "model.safetensors": bytes(raw)})
    with pytest.raises(CheckpointError, match="inconsistent"):
        load_checkpoint(folder, ds)


def test_a_genuine_archive_still_loads(tiny):
    ds, split = tiny
    model = BPR(dim=8, epochs=1, batch_size=256, device="cpu").fit(ds, split)
    loaded = load_checkpoint_zip(checkpoint_zip(model), ds)
    ids, _ = model.recommend(None, 5)
    ids2, _ = loaded.recommend(None, 5)
    assert (ids == ids2).all()


def test_crafted_bpr_archive_stays_small_in_memory(bpr_files, tmp_path):
    """The issue's case: 2,000 users declared with dim=300,000 once cost 3.8 GB."""
    import numpy as np
    from safetensors.numpy import load, save

    arrays = load(bpr_files["model.safetensors"])
    arrays["seen.indptr"] = np.zeros(2001, dtype=np.int64)  # consistent with 2,000 users
    arrays["seen.indices"] = np.zeros(0, dtype=np.int32)
    files = _with_config(bpr_files, n_users=2000, **{"params.dim": 300_000})
    files["user_ids.json"] = json.dumps([f"u{i}" for i in range(2000)]).encode()
    files["model.safetensors"] = save(arrays)
    path = tmp_path / "crafted.zip"
    path.write_bytes(_zip(files))
    script = ("import resource, sys\n"
              "import torch  # loaded in the dashboard already\n"
              "from fairrec_core.models.checkpoint_archive import load_checkpoint_zip\n"
              "data = open(sys.argv[1], 'rb').read()\n"
              "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
              "try:\n load_checkpoint_zip(data, None)\n"
              "except Exception as e: print(type(e).__name__)\n"
              "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base)")
    r = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True,
                       text=True, cwd=ROOT, timeout=120, env={**os.environ})
    name, grown_kb = r.stdout.split()
    assert name == "CheckpointError", r.stderr
    # The declared users alone would be 2,000 x 300,000 float32 = 2.4 GB.
    assert int(grown_kb) < 100_000, f"loading grew the process by {int(grown_kb) // 1024} MB"
