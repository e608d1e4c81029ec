"""Small builders shared by the tests (data tables, shops, fairness-training checks)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd


def csv_bytes(header, rows, *, sep=",", encoding="utf-8") -> bytes:
    lines = [sep.join(header)] + [sep.join(str(v) for v in r) for r in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


def interactions(n_users=4, per_user=5, *, with_ts=True, rating=True):
    """A small valid interactions table: user u{k} rates items i{k}..i{k+per_user-1}."""
    header = ["user_id", "item_id"] + (["rating"] if rating else []) + (
        ["timestamp"] if with_ts else [])
    rows = []
    for u in range(n_users):
        for j in range(per_user):
            row = [f"u{u}", f"i{(u + j) % 10}"]
            if rating:
                row.append(5 - (j % 3))
            if with_ts:
                row.append(1_700_000_000 + 100 * (u * per_user + j))
            rows.append(row)
    return header, rows


def shop_frames(n_users: int = 80, seed: int = 0, *, women_per_man: int = 3):
    """Women buy serums and handbags, men headphones and tents: gender is in the data.

    Returns the interactions, users and items frames. Users cycle through
    ``women_per_man`` women, then one man. The default is three women to one man:
    SNSR compares the *mean* similarity over all sampled users per stated value, so
    with as many women as men a model that follows the stated gender moves both
    means alike and SNSR stays near 0 although most lists change.
    """
    rng = np.random.default_rng(seed)
    titles = ["Rosewater face serum", "Leather handbag", "Silk scarf", "Vitamin C serum",
              "Wireless headphones", "Camping tent", "Trail running shoes", "Power drill"]
    titles = [f"{t} {v}" for v in ("small", "large", "classic") for t in titles]
    gender = np.array((["F"] * women_per_man + ["M"]) * (n_users // (women_per_man + 1)))
    rows = []
    for u, g in enumerate(gender):
        base = 0 if g == "F" else 4
        pool = [base + c + 8 * v for c in range(4) for v in range(3)]
        for j, i in enumerate(rng.choice(pool, 6, replace=False)):
            rows.append((f"u{u}", f"i{i}", 1_700_000_000 + j))
    inter = pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp"])
    users = pd.DataFrame({"user_id": [f"u{u}" for u in range(n_users)], "gender": gender,
                          "region": rng.choice(["North", "South"], n_users)})
    items = pd.DataFrame({"item_id": [f"i{i}" for i in range(len(titles))], "title": titles})
    return inter, users, items


def shop_dataset(n_users: int = 80, seed: int = 0, *, women_per_man: int = 3):
    """:func:`shop_frames` loaded through the real CSV loader."""
    from fairrec_core.data import load_dataset

    inter, users, items = shop_frames(n_users, seed, women_per_man=women_per_man)
    return load_dataset(inter.to_csv(index=False).encode(), users.to_csv(index=False).encode(),
                        items.to_csv(index=False).encode())


def small_text_shop():
    """The 60-user, 40-item shop the two-tower tests train on: dataset, temporal split, frames."""
    from fairrec_core.data import split_dataset
    from tests.test_models_base import tiny_data

    ds, g = tiny_data(n_users=60, n_items=40, n_inter=700, seed=11)
    return ds, split_dataset(ds, method="temporal"), g


def assert_weight_zero_is_plain(model_cls, kw: dict, ds, split, spec: str, weight: str) -> None:
    """A fairness term at weight 0 trains exactly the plain model; at weight 1 it does not.

    ``weight`` names a state-dict entry that a positive weight must move.
    """
    import torch

    from fairrec_core.fairtrain import parse_fairness

    plain = model_cls(**kw).fit(ds, split)
    fair = model_cls(**kw, fairness=parse_fairness(spec, 0.0)).fit(ds, split)
    a, b = plain.module_.state_dict(), fair.module_.state_dict()
    assert a.keys() == b.keys()
    assert all(torch.equal(a[k], b[k]) for k in a)
    # The term was really computed on every epoch (it is in the history); it just had no weight.
    assert all(np.isfinite(h["fairness_term"]) for h in fair.training_.history)
    # A positive weight does change the weights (the check above could not pass by accident).
    moved = model_cls(**kw, fairness=parse_fairness(spec, 1.0)).fit(ds, split)
    assert not torch.equal(a[weight], moved.module_.state_dict()[weight])


def popularity_session() -> dict:
    """A dict session with the sample data and the popularity model (fits instantly)."""
    import dataclasses

    from fairrec_core.dashboard import data_session as ds
    from fairrec_core.dashboard import pipeline_session as ps
    from fairrec_core.dashboard import training_session as ts

    state: dict = {ds.FILES: ds.sample_files()}
    ds.refresh(state)
    config = ps.train_settings(state, model="popularity", k=10)
    ts.train(state, dataclasses.replace(config, metrics=dataclasses.replace(config.metrics,
                                                                            n_boot=50)))
    return state


def report_points(doc: dict, *, samples: bool = True) -> dict:
    """Every point estimate of a report.json, keyed by table and row labels.

    Overall metrics, group values, gaps, provider shares, the Lorenz curve, the
    checks' values and (``samples``) the sampled users' NDCG when the report has them.
    """
    m, out = doc["metrics"], {}
    for row in m["overall"]:
        out[("overall", row["metric"])] = row["value"]
    for row in m["user_groups"]:
        out[("user", row["grouping"], row["group"], row["metric"])] = row["value"]
    for row in m["user_gaps"]:
        for c in ("difference", "ratio"):
            out[("gap", row["grouping"], row["metric"], c)] = row[c]
    for row in m["item_groups"]:
        for c in ("exposure_share", "catalog_share", "merit_share", "es_cs_ratio",
                  "es_rs_ratio"):
            out[("item", row["grouping"], row["group"], c)] = row[c]
    for i, row in enumerate(m["lorenz"]):
        out[("lorenz", i)] = row["exposure_share"]
    for row in doc["checks"]:
        out[("check", row["name"])] = row["value"]
    for s in doc.get("explanations", {}).get("samples", []) if samples else []:
        out[("sample", s["grouping"], s["group"], s["user"])] = s["ndcg"]
    return out


def write_csvs(frames, folder, names=("interactions", "users", "items")) -> dict:
    """Write ``frames.<name>`` (a dataset's input tables) as ``folder/<name>.csv``;
    returns ``{name: path string}``."""
    out = {}
    for name in names:
        path = Path(folder) / f"{name}.csv"
        getattr(frames, name).to_csv(path, index=False)
        out[name] = str(path)
    return out


def cli_data_args(paths: dict) -> list[str]:
    """``{name: path}`` as CLI options: ``["--interactions", path, ...]``."""
    return [x for name, path in paths.items() for x in (f"--{name}", path)]


def assert_same_report_points(a: dict, b: dict, *, min_points: int = 300) -> None:
    """Two :func:`report_points` maps hold the same keys and values to 1e-9 (None stays None)."""
    import pytest

    assert a.keys() == b.keys() and len(a) > min_points
    for key, value in a.items():
        if value is None:
            assert b[key] is None, key
        else:
            assert b[key] == pytest.approx(value, abs=1e-9), key


def whatif_with_grid(grid: str):
    """AppTest: sample data, BPR (2 epochs, 16-d), an item-exposure λ_train grid on
    ``seller_size`` (protected "small"), then the What-if sweep of two-sided re-ranking."""
    from tests.test_app_pages import assert_clean, go, load_sample, new_app

    at = new_app()
    load_sample(at)
    go(at, "train")
    at.number_input(key="opt_train_epochs").set_value(2).run()
    at.number_input(key="opt_train_dim").set_value(16).run()
    at.button(key="train_button").click().run()
    assert_clean(at)
    at.selectbox(key="opt_fair_term").set_value("item-exposure").run()
    at.selectbox(key="opt_fair_attribute").set_value("seller_size").run()
    at.selectbox(key="opt_fair_protected").set_value("small").run()
    at.text_input(key="opt_fair_grid").set_value(grid).run()
    at.button(key="fair_grid_button").click().run()
    assert_clean(at)
    go(at, "whatif")
    at.selectbox(key="opt_whatif_method").set_value("two_sided").run()
    at.selectbox(key="opt_whatif_grouping").set_value("seller_size").run()
    at.multiselect(key="opt_whatif_protected").set_value(["small"]).run()
    at.button(key="whatif_build").click().run()
    assert_clean(at)
    return at
