"""Benchmark of fairness during training (issue 15): cost per epoch and the λ_train trade-off.

``--speed``
    BPR-MF (64-d, batch 4096) on the sample data: seconds per training epoch
    with each fairness term beside the plain epoch, measured in the same run,
    interleaved (plain, user-loss, item-exposure, adversary, adversary-mlp,
    plain, ...) so a machine whose load changes treats every variant alike;
    medians of the repeats, and the ratio to plain (target ≤ 1.3), on the wall
    clock and on the process's CPU clock (steadier on a loaded machine).
    ``adversary`` is the default closed-form least-squares adversary,
    ``adversary-mlp`` the former MLP one (``hidden = 32``), for reference.

``--grid``
    The trade-off on the sample data (temporal split, last 2 interactions per
    user held out, positives = rating ≥ 4): for each term a 5-point λ_train
    grid, reporting overall NDCG@10, the gender NDCG@10 ratio (min / max over
    F, M, X) and the gap the term targets:

    * user-loss:age -- the spread (max − min) of per-group mean BPR loss on
      one fixed epoch of training pairs, and the age NDCG@10 ratio;
    * item-exposure:popularity (tail protected) -- ES/CS of the tail in the
      top 10;
    * adversary:gender (closed-form linear adversary) -- the leakage AUC of a
      cross-validated logistic regression (sklearn, 5 folds) predicting F vs M
      from the user vectors.

Run: ``.venv/bin/python benchmarks/bench_fair_training.py [--speed] [--grid]``
(both by default; several minutes on 2 cores). ``--json PATH`` writes the figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parent / "sample_data"
TERMS = {"user-loss": "user-loss:age", "item-exposure": "item-exposure:popularity",
         "adversary": "adversary:gender"}
GRIDS = {"user-loss": [0.0, 0.1, 0.3, 1.0, 3.0],
         "item-exposure": [0.0, 0.03, 0.1, 0.3, 1.0],
         "adversary": [0.0, 0.003, 0.01, 0.03, 0.1]}


def load():
    from fairrec_core.data import load_dataset, split_dataset

    ds = load_dataset(SAMPLE / "interactions.csv", users=SAMPLE / "users.csv",
                      items=SAMPLE / "items.csv")
    return ds, split_dataset(ds, method="temporal", test_n=2, valid_n=1)


# ---------------------------------------------------------------------- speed
def speed(ds, split, *, epochs: int = 3, repeats: int = 3, device: str = "cpu") -> dict:
    """Median seconds per epoch, plain and with each term, interleaved.

    Two clocks: wall time (the loop's own per-epoch stamps) and the process's CPU
    time at each epoch's end. With one torch thread on a CPU the CPU seconds are
    the work itself, and stay comparable on a machine other jobs load (wall time
    then mostly measures the wait for a core).
    """
    from fairrec_core.fairtrain import parse_fairness
    from fairrec_core.models import BPR

    variants = {"plain": None, **{k: parse_fairness(v, 1.0) for k, v in TERMS.items()},
                # The former default adversary (an MLP with its own Adam steps), for reference.
                "adversary-mlp": parse_fairness(TERMS["adversary"], 1.0, hidden=32)}
    times: dict[str, list[float]] = {k: [] for k in variants}
    cpu: dict[str, list[float]] = {k: [] for k in variants}
    for _ in range(repeats):
        for name, fairness in variants.items():
            marks: list[float] = []

            def clock(ev, marks=marks):
                if ev.kind in ("start", "epoch"):
                    marks.append(time.process_time())

            # No validation split: the epoch time is training alone.
            m = BPR(epochs=epochs, patience=0, device=device, seed=0, fairness=fairness)
            m.fit(ds, None, callbacks=[clock])
            stamps = [0.0] + [h["seconds"] for h in m.training_.history]
            times[name].extend(np.diff(stamps)[1:].tolist())  # first epoch warms up
            cpu[name].extend(np.diff(marks)[1:].tolist())
    med = {k: statistics.median(v) for k, v in times.items()}
    med_cpu = {k: statistics.median(v) for k, v in cpu.items()}
    return {"seconds_per_epoch": med,
            "ratio_to_plain": {k: med[k] / med["plain"] for k in med if k != "plain"},
            "cpu_seconds_per_epoch": med_cpu,
            "cpu_ratio_to_plain": {k: med_cpu[k] / med_cpu["plain"] for k in med_cpu
                                   if k != "plain"},
            "epochs_timed": {k: len(v) for k, v in times.items()}, "device": device}


# ---------------------------------------------------------------------- trade-off
def leakage_auc(vectors: np.ndarray, labels: np.ndarray, seed: int = 0) -> float:
    """Cross-validated ROC-AUC of a logistic-regression attacker (binary labels)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    cv = StratifiedKFold(5, shuffle=True, random_state=seed)
    p = cross_val_predict(LogisticRegression(max_iter=2000), vectors, labels, cv=cv,
                          method="predict_proba")[:, 1]
    return float(roc_auc_score(labels, p))


def group_ratio(values: np.ndarray, labels: np.ndarray) -> float:
    means = [np.nanmean(values[labels == g]) for g in np.unique(labels)]
    return float(min(means) / max(means))


def list_metrics(top, ds, split, tail) -> dict:
    """NDCG@10, gender NDCG ratio (min / max over gender groups) and the tail's ES/CS."""
    from fairrec_core.metrics.groups import provider_shares
    from fairrec_core.metrics.ranking import ranking_metrics

    truth = split.test_matrix()
    ndcg = ranking_metrics(top, truth, k=10).per_user["ndcg"].to_numpy()
    gender = ds.users["gender"].astype(str).to_numpy()
    shares = provider_shares(top, truth, np.where(tail, "tail", "head"))
    table = shares.table.set_index("group")
    return {"ndcg@10": float(np.nanmean(ndcg)), "gender_ndcg_ratio": group_ratio(ndcg, gender),
            "tail_es_cs": float(table.loc["tail", "es_cs_ratio"]), "_ndcg": ndcg}


def tail_mask(ds, split) -> np.ndarray:
    from fairrec_core.fairtrain import parse_fairness, resolve_fairness

    return resolve_fairness(parse_fairness("item-exposure:popularity=tail"), ds,
                            split.train).item_protected


def evaluate(model, ds, split, pairs) -> dict:
    """:func:`list_metrics`, the age NDCG ratio, loss spread over age and the gender AUC."""
    import torch

    top, _ = model.recommend(None, 10)
    out = list_metrics(top, ds, split, tail_mask(ds, split))
    age = ds.users["age"].astype(str).to_numpy()
    out["age_ndcg_ratio"] = group_ratio(out.pop("_ndcg"), age)
    u, i, j = (torch.from_numpy(x) for x in pairs)
    with torch.no_grad():
        losses = model.module_.pair_losses(u, i, j)[0].numpy()
    ages = age[pairs[0]]
    means = [losses[ages == g].mean() for g in np.unique(ages)]
    out["age_loss_spread"] = float(max(means) - min(means))
    gender = ds.users["gender"].astype(str).to_numpy()
    fm = np.isin(gender, ["F", "M"])
    out["gender_auc"] = leakage_auc(model.module_.user.weight.detach().numpy()[fm],
                                    gender[fm] == "F")
    return out


def grid(ds, split, *, epochs: int = 12, device: str = "cpu", terms=None) -> list[dict]:
    """The λ_train grid of each term (λ = 0 is the plain model, trained once)."""
    from fairrec_core.fairtrain import parse_fairness
    from fairrec_core.models import BPR
    from fairrec_core.training import PairSampler

    tr = split.train
    pairs = next(PairSampler(tr["user"].to_numpy(), tr["item"].to_numpy(), ds.n_items,
                             batch_size=len(tr), seed=12345).epoch(1))
    kw = dict(epochs=epochs, patience=0, device=device, seed=0)
    t0 = time.perf_counter()
    plain = evaluate(BPR(**kw).fit(ds, split), ds, split, pairs)
    rows = []
    for term in terms or TERMS:
        for lam in GRIDS[term]:
            if lam == 0:
                row = dict(plain)
            else:
                t = time.perf_counter()
                model = BPR(**kw, fairness=parse_fairness(TERMS[term], lam)).fit(ds, split)
                row = evaluate(model, ds, split, pairs)
                row["fit_seconds"] = time.perf_counter() - t
            rows.append({"term": TERMS[term], "lambda": lam, **row})
            print(json.dumps({k: round(v, 4) if isinstance(v, float) else v
                              for k, v in rows[-1].items()}), flush=True)
    print(f"grid: {time.perf_counter() - t0:.0f} s")
    return rows


# ---------------------------------------------------------------------- MovieLens-100K
ML_TERMS = {"user-loss": "user-loss:gender", "item-exposure": "item-exposure:popularity",
            "adversary": "adversary:gender"}
RERANK_LAMBDAS = [0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0]


def ml100k():
    """MovieLens-100K interactions and users from RecBole's wheel (as fetch_ml100k.py does).

    Written under benchmarks/_data/ml-100k/ (git-ignored: GroupLens' licence does
    not allow redistribution).
    """
    import subprocess
    import sys
    import tempfile
    import zipfile

    from fairrec_core.data import load_dataset, split_dataset

    folder = HERE / "_data" / "ml-100k"
    inter, users = folder / "interactions.csv", folder / "users.csv"
    if not users.exists():
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                            "recbole==1.2.1", "-d", tmp], check=True)
            wheel = next(Path(tmp).glob("recbole-*.whl"))
            with zipfile.ZipFile(wheel) as zf:
                base = "recbole/dataset_example/ml-100k/ml-100k"
                texts = {ext: zf.read(f"{base}.{ext}").decode("utf-8") for ext in ("inter", "user")}
        folder.mkdir(parents=True, exist_ok=True)
        for ext, path in (("inter", inter), ("user", users)):
            lines = texts[ext].strip().splitlines()
            header = [h.split(":")[0] for h in lines[0].split("\t")]
            rows = [line.split("\t") for line in lines[1:]]
            if ext == "inter":
                rows = [r[:3] + [str(int(float(r[3])))] for r in rows]
            path.write_text("\n".join(",".join(r) for r in [header] + rows) + "\n")
    ds = load_dataset(inter, users=users)
    return ds, split_dataset(ds, method="temporal", test_n=2, valid_n=1)


def _interp(x_curve, y_curve, x):
    """y of the re-ranking curve at accuracy x (linear between its points; None outside)."""
    order = np.argsort(x_curve)
    xs, ys = np.asarray(x_curve)[order], np.asarray(y_curve)[order]
    if x < xs[0] or x > xs[-1]:
        return None
    return float(np.interp(x, xs, ys))


def ml100k_comparison(*, epochs: int = 12, device: str = "cpu") -> dict:
    """λ_train grids of the three terms beside two-sided re-ranking of the plain model."""
    from fairrec_core.fairtrain import parse_fairness
    from fairrec_core.models import BPR
    from fairrec_core.rerank import Candidates, rerank

    ds, split = ml100k()
    tail = tail_mask(ds, split)
    gender = ds.users["gender"].astype(str).to_numpy()
    kw = dict(epochs=epochs, patience=0, device=device, seed=0)
    plain = BPR(**kw).fit(ds, split)
    base = list_metrics(plain.recommend(None, 10)[0], ds, split, tail)
    nd = base.pop("_ndcg")
    worse = min(("F", "M"), key=lambda g: np.nanmean(nd[gender == g]))
    ids, scores = plain.candidates(None, 100)
    cands = Candidates(ids, scores)
    # CPFair's user term alone only rescales each user's scores (no list changes), so
    # the gender curve is the full two-sided objective: tail exposure and gender gap.
    items = dict(item_groups=np.where(tail, "tail", "head"), protected="tail")
    curves: dict = {"item": [], "two_sided": []}
    for lam in RERANK_LAMBDAS:
        for side, opts in (("item", items),
                           ("two_sided", dict(items, user_groups=gender,
                                              protected_users=worse))):
            res = rerank(cands, method="two_sided", lam=lam, k=10, **opts)
            m = list_metrics(res.ids, ds, split, tail)
            m.pop("_ndcg")
            curves[side].append({"lambda": lam, **m})
    rows = []
    for term, spec in ML_TERMS.items():
        for lam in GRIDS[term]:
            model = plain if lam == 0 else BPR(**kw, fairness=parse_fairness(spec, lam)).fit(
                ds, split)
            m = list_metrics(model.recommend(None, 10)[0], ds, split, tail)
            m.pop("_ndcg")
            fm = np.isin(gender, ["F", "M"])
            m["gender_auc"] = leakage_auc(model.module_.user.weight.detach().numpy()[fm],
                                          gender[fm] == "F")
            for side, axis in (("item", "tail_es_cs"), ("two_sided", "gender_ndcg_ratio")):
                c = curves[side]
                m[f"rerank_{side}_{axis}_at_same_ndcg"] = _interp(
                    [r["ndcg@10"] for r in c], [r[axis] for r in c], m["ndcg@10"])
            rows.append({"term": spec, "lambda": lam, **m})
            print(json.dumps({k: round(v, 4) if isinstance(v, float) else v
                              for k, v in rows[-1].items()}), flush=True)
    return {"plain": base, "worse_gender": worse, "rerank": curves, "train": rows,
            "n_users": ds.n_users, "n_items": ds.n_items}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--speed", action="store_true")
    ap.add_argument("--grid", action="store_true")
    ap.add_argument("--ml100k", action="store_true",
                    help="MovieLens-100K: λ_train grids beside two-sided re-ranking "
                         "(downloads RecBole's wheel with pip once)")
    ap.add_argument("--epochs", type=int, default=12, help="grid: epochs per model")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, help="torch CPU threads (default: torch's choice); "
                    "1 gives steadier figures on a machine shared with other jobs")
    ap.add_argument("--repeats", type=int, default=3,
                    help="speed: fits per variant (3 epochs each, the first dropped)")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    both = not (args.speed or args.grid or args.ml100k)
    ds, split = load()
    out: dict = {}
    if args.speed or both:
        out["speed"] = speed(ds, split, device=args.device, repeats=args.repeats)
        print(json.dumps(out["speed"], indent=2))
    if args.grid or both:
        out["grid"] = grid(ds, split, epochs=args.epochs, device=args.device)
    if args.ml100k:
        out["ml100k"] = ml100k_comparison(epochs=args.epochs, device=args.device)
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
