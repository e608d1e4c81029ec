"""Benchmark of the explanations (issue 6): speed beside shap's KernelExplainer, and faithfulness.

On the committed sample data (temporal split; BPR-MF and the text two-tower
with frozen MiniLM, trained here with seed 0), warm (one untimed call of each
kind first):

* history attribution (``explain_history``, H <= 20): p50 / p95 over
  ``--pairs`` user-item pairs (users seeded, item = their top-1
  recommendation), per model; beside it ``shap.KernelExplainer`` with default
  settings (``nsamples="auto"`` = 2H + 2048) on the same value function and
  the same pairs, with the ratio and the agreement of the values;
* item-text attribution (``TextExplainer``): LIME and SHAP (text masker), each
  uncached (a new item every time) and cached (the same items, another
  user); beside them ``shap.KernelExplainer`` with default settings over the
  same words (a text's words present/absent, the same scoring) on a few
  pairs;
* disparity drivers for every sample user (2,000; 1,927 with an NDCG value)
  on the production lists; beside it ``shap.KernelExplainer`` with default
  settings on the same fitted model (background: 100 sampled users, as shap
  recommends), timed on a few users and scaled to all;
* faithfulness: the deletion checks of the tests with default settings on 50
  pairs each, and the drivers model's held-out R².

Run: ``.venv/bin/python benchmarks/bench_explain.py`` (about 10 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import time
from pathlib import Path

import numpy as np

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


def pct(xs, q):
    return float(np.percentile(np.asarray(xs, dtype=float), q))


def fmt_s(x):
    return f"{x * 1000:.1f} ms" if x < 1 else f"{x:.2f} s"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=100, help="history pairs per model")
    ap.add_argument("--kernel-pairs", type=int, default=20)
    ap.add_argument("--text-pairs", type=int, default=30)
    ap.add_argument("--kernel-text", type=int, default=3)
    ap.add_argument("--faith-pairs", type=int, default=50)
    ap.add_argument("--tt-epochs", type=int, default=20)
    args = ap.parse_args(argv)

    import shap
    import torch
    import transformers

    from fairrec_core.data import load_dataset, split_dataset
    from fairrec_core.explain import (
        HistoryValue,
        TextExplainer,
        disparity_drivers,
        explain_history,
    )
    from fairrec_core.metrics import ranking_metrics
    from fairrec_core.models import BPR, TextTwoTower

    torch.set_num_threads(2)
    print(f"# machine: {platform.processor() or platform.machine()}, nproc={os.cpu_count()}, "
          f"python {platform.python_version()}, torch {torch.__version__} "
          f"({torch.get_num_threads()} threads), shap {shap.__version__}, "
          f"transformers {transformers.__version__}, load average {os.getloadavg()}")
    ds = load_dataset(SAMPLE / "interactions.csv", users=SAMPLE / "users.csv",
                      items=SAMPLE / "items.csv", recommendations=SAMPLE / "recommendations.csv")
    sp = split_dataset(ds, method="temporal")
    t = time.perf_counter()
    bpr = BPR(seed=0, device="cpu").fit(ds, sp)
    tt = TextTwoTower(seed=0, epochs=args.tt_epochs, device="cpu").fit(ds, sp)
    print(f"# trained BPR (best epoch {bpr.training_.best_epoch}) and two-tower "
          f"({tt.training_.epochs_run} epochs) in {time.perf_counter() - t:.0f} s")
    rng = np.random.default_rng(0)
    users = np.sort(rng.choice(ds.n_users, args.pairs, replace=False))
    rows = []

    # ------------------------------------------------------------ history attribution
    for name, model in (("BPR-MF", bpr), ("text two-tower", tt)):
        top, _ = model.recommend(users, k=1)
        pairs = [(int(u), int(top[k, 0])) for k, u in enumerate(users)]
        explain_history(model, ds, *pairs[0])  # warm
        times, hs = [], []
        for u, i in pairs:
            e = explain_history(model, ds, u, i)
            times.append(e.runtime_s)
            hs.append(len(e.values))
        ktimes, err_ours, err_kernel = [], [], []
        for u, i in pairs[:args.kernel_pairs]:
            v = HistoryValue(model, ds, u, i)
            h = len(v)
            t0 = time.perf_counter()
            kx = shap.KernelExplainer(v, np.zeros((1, h)))
            kv = np.asarray(kx.shap_values(np.ones((1, h)), silent=True)).reshape(-1)
            ktimes.append(time.perf_counter() - t0)
            ours = explain_history(model, ds, u, i).values
            exact = exact_shapley(v, h)  # all 2^H coalitions
            scale = max(np.abs(exact).max(), 1e-12)
            err_ours.append(np.abs(ours - exact).max() / scale)
            err_kernel.append(np.abs(kv - exact).max() / scale)
        rows.append((f"history attribution, {name} (H = median {int(np.median(hs))}, max "
                     f"{max(hs)}; {len(pairs)} pairs)",
                     f"p50 {fmt_s(pct(times, 50))}, p95 {fmt_s(pct(times, 95))}",
                     f"KernelExplainer default ({len(ktimes)} pairs): p50 "
                     f"{fmt_s(pct(ktimes, 50))}, p95 {fmt_s(pct(ktimes, 95))}. Largest error "
                     f"against exact Shapley values (all 2^H coalitions), relative to the "
                     f"largest exact value, median over the pairs: fairrec "
                     f"{np.median(err_ours):.3f}, Kernel {np.median(err_kernel):.3f}",
                     f"{pct(ktimes, 50) / pct(times[:len(ktimes)], 50):.0f}x faster (p50)",
                     "p95 <= 0.2 s " + ("\u2714" if pct(times, 95) <= 0.2 else "\u2718")))
        print(rows[-1], flush=True)

    # ------------------------------------------------------------ item text
    ex = TextExplainer(tt, ds, seed=0)
    ex.encode(["warm up"])
    top, _ = tt.recommend(users, k=10)
    text_pairs, seen_items = [], set()
    for k, u in enumerate(users):
        for i in top[k]:
            if int(i) not in seen_items:
                seen_items.add(int(i))
                text_pairs.append((int(u), int(i)))
                break
    faith = text_pairs[:args.faith_pairs]
    timed = text_pairs[:args.text_pairs]
    ex.explain(*text_pairs[-1], method="lime")  # warm
    ex.explain(*text_pairs[-1], method="shap")
    res = {}
    for method in ("lime", "shap"):
        unc, cac, evals, lowered, total = [], [], [], 0, 0
        pairs = faith if method == "lime" else timed
        for u, i in pairs:
            e = ex.explain(u, i, method=method)
            assert not e.details["cached"]
            unc.append(e.runtime_s)
            evals.append(e.parameters["texts_scored"])
            j = int(np.argmax(e.values))
            if e.values[j] > 0:
                if method == "lime":
                    text = re.sub(r"(?<!\w)" + re.escape(e.features[j]) + r"(?!\w)", "",
                                  e.details["text"])
                else:
                    att = ex.cache[("shap", i)]
                    text = "".join(t for t, f in zip(att.tokens, att.token_feature) if f != j)
                g = ex.tower_outputs([e.details["text"], text])
                total += 1
                lowered += (g[1] - g[0]) @ _user_weights(tt, u) < 0
            other = (u + 1) % ds.n_users
            e2 = ex.explain(other, i, method=method)
            assert e2.details["cached"]
            cac.append(e2.runtime_s)
        res[method] = (unc, cac, evals, lowered, total)
    ktimes = []
    for u, i in timed[:args.kernel_text]:
        from lime.lime_text import IndexedString

        text = ex.explain(u, i, method="lime").details["text"]
        istr = IndexedString(text, bow=True, split_expression=r"\W+")
        m = istr.num_words()
        w = _user_weights(tt, u)

        # The same question as LIME's: which distinct words, removed, change the score.
        def f(z, istr=istr, w=w):
            texts = [istr.inverse_removing(np.flatnonzero(row == 0)) for row in z]
            return ex.tower_outputs(texts) @ w

        t0 = time.perf_counter()
        shap.KernelExplainer(f, np.zeros((1, m))).shap_values(np.ones((1, m)), silent=True)
        ktimes.append(time.perf_counter() - t0)
    for method, label in (("lime", "LIME"), ("shap", "SHAP (text masker)")):
        unc, cac, evals, lowered, total = res[method]
        rows.append((f"item-text attribution, {label}, uncached ({len(unc)} items; median "
                     f"{int(np.median(evals))} texts scored)",
                     f"p50 {fmt_s(pct(unc, 50))}, p95 {fmt_s(pct(unc, 95))}",
                     f"KernelExplainer default over the same words ({len(ktimes)} pairs): "
                     f"p50 {fmt_s(pct(ktimes, 50))}",
                     f"{pct(ktimes, 50) / pct(unc, 50):.0f}x faster (p50)",
                     "p95 <= 1.5 s " + ("\u2714" if pct(unc, 95) <= 1.5 else "\u2718")))
        rows.append((f"item-text attribution, {label}, item cached (another user)",
                     f"p50 {fmt_s(pct(cac, 50))}, p95 {fmt_s(pct(cac, 95))}",
                     "the uncached figure above",
                     f"{pct(unc, 50) / pct(cac, 50):.0f}x faster (p50)",
                     "p95 <= 50 ms " + ("\u2714" if pct(cac, 95) <= 0.05 else "\u2718")))
        print(rows[-2], rows[-1], sep="\n", flush=True)

    # ------------------------------------------------------------ drivers
    result = ranking_metrics(ds.recommendations.items[:, :10], sp.test_matrix(), k=10)
    disparity_drivers(ds, result, split=sp, grouping="age")  # warm
    dtimes = []
    for _ in range(5):
        t0 = time.perf_counter()
        d = disparity_drivers(ds, result, split=sp, grouping="age", groups=("55+", "rest"))
        dtimes.append(time.perf_counter() - t0)
    reg = d.details["regressor"]
    X = d.details["feature_values"]
    bg = shap.sample(X, 100, random_state=0)
    n_k = 20
    t0 = time.perf_counter()
    shap.KernelExplainer(reg.predict, bg).shap_values(X[:n_k], silent=True)
    kt = (time.perf_counter() - t0) / n_k * X.shape[0]
    rows.append((f"disparity drivers, {ds.n_users:,} users ({X.shape[0]:,} with NDCG; features, "
                 "fit, TreeExplainer, contrast)",
                 f"median {fmt_s(pct(dtimes, 50))} (max {fmt_s(max(dtimes))}, 5 runs)",
                 f"KernelExplainer default, background 100 users: {fmt_s(kt)} "
                 f"(timed on {n_k} users, scaled)",
                 f"{kt / pct(dtimes, 50):.0f}x faster", "<= 5 s " +
                 ("\u2714" if max(dtimes) <= 5 else "\u2718")))
    print(rows[-1], flush=True)

    # ------------------------------------------------------------ faithfulness
    print("\n| task | fairrec | baseline (same run) | ratio | target |\n|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    print("\n| faithfulness check | result |\n|---|---|")
    for name, model in (("BPR-MF", bpr), ("text two-tower", tt)):
        top, _ = model.recommend(users[:args.faith_pairs], k=1)
        wins = total = 0
        for k, u in enumerate(users[:args.faith_pairs]):
            i = int(top[k, 0])
            e = explain_history(model, ds, int(u), i)
            if len(e.values) < 2:
                continue
            v = HistoryValue(model, ds, int(u), i)
            m_top = np.ones(len(v), bool)
            m_top[int(np.argmax(e.values))] = False
            m_low = np.ones(len(v), bool)
            m_low[int(np.argmin(e.values))] = False
            s_top, s_low = v(np.stack([m_top, m_low]))
            total += 1
            wins += s_top < s_low
        print(f"| history, {name}: removing the top-attributed item lowers the score more "
              f"than removing the lowest-attributed one | {wins}/{total} pairs "
              f"({wins / total:.0%}; target >= 80%) |")
    for method, label in (("lime", "LIME"), ("shap", "SHAP (text masker)")):
        _, _, _, lowered, total = res[method]
        print(f"| item text, {label}: deleting the word with the largest positive value "
              f"lowers the score | {lowered}/{total} pairs ({lowered / total:.0%}"
              f"{'; target >= 70%' if method == 'lime' else ''}) |")
    dd = d.details
    print(f"| drivers (age 55+ vs rest, production lists): held-out R\u00b2 | "
          f"{dd['r2_heldout']:.3f} on {d.parameters['n_test']} users (constant: "
          f"{dd['r2_constant']:.3f}) |")
    ranks = list(dd["contrast"]["feature"])
    print(f"| drivers: rank of history length in the 55+ gap | "
          f"{ranks.index('history length') + 1} of {len(ranks)} (contribution "
          f"{dd['contrast']['contribution'][ranks.index('history length')]:+.3f} of a "
          f"predicted {dd['predicted_gap']:+.3f}; actual gap {dd['actual_gap']:+.3f}) |")
    print(f"\n# load average at the end: {os.getloadavg()}")


def exact_shapley(value, h: int) -> np.ndarray:
    """Shapley values from every one of the 2^h coalitions (h <= 20), vectorised."""
    import math

    idx = np.arange(1 << h, dtype=np.int64)
    masks = ((idx[:, None] >> np.arange(h)) & 1).astype(bool)
    vals = np.concatenate([value(masks[a:a + 65536]) for a in range(0, idx.size, 65536)])
    size = masks.sum(1)
    w = np.array([math.factorial(k) * math.factorial(h - k - 1) / math.factorial(h)
                  for k in range(h)])
    phi = np.zeros(h)
    for j in range(h):
        without = idx[~masks[:, j]]
        phi[j] = np.sum(w[size[without]] * (vals[without | (1 << j)] - vals[without]))
    return phi


def _user_weights(model, u):
    """``[p_u, 1]``: the user's side of the dot product with the item tower's text output."""
    return np.append(model.user_vectors([u])[0], 1.0)


if __name__ == "__main__":
    main()
