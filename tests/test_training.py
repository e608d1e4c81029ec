"""Training loop: devices, events, early stopping, seeding, sampling, the CLI."""

from __future__ import annotations

import argparse
import json

import numpy as np
import pytest
import torch

from fairrec_core.data import split_dataset
from fairrec_core.errors import ConfigError
from fairrec_core.models import BPR, load_checkpoint
from fairrec_core.training import (
    EarlyStopping,
    PairSampler,
    TrainConfig,
    resolve_device,
    train,
)
from tests.helpers import write_csvs
from tests.test_models_base import tiny_data


@pytest.fixture(scope="module")
def tiny():
    ds, g = tiny_data()
    return ds, split_dataset(ds, method="temporal"), g


def _machine(monkeypatch, *, cuda: bool, mps: bool) -> None:
    """Pretend the machine has (or lacks) a CUDA GPU and Apple's Metal backend."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)


@pytest.mark.parametrize("cuda, mps, asked, expected", [
    (False, False, "auto", "cpu"),  # this CI machine: no GPU of any kind
    (False, False, None, "cpu"),
    (False, True, "auto", "mps"),
    (True, False, "auto", "cuda"),
    (True, True, " AUTO ", "cuda"),  # CUDA wins over Metal
    (True, True, "cpu", "cpu"),  # an explicit CPU is honoured even with a GPU
    (True, False, "cuda", "cuda"),
    (True, False, "cuda:1", "cuda:1"),
    (False, True, "mps", "mps"),
])
def test_resolve_device_picks_the_expected_device(monkeypatch, cuda, mps, asked, expected):
    _machine(monkeypatch, cuda=cuda, mps=mps)
    assert str(resolve_device(asked)) == expected


@pytest.mark.parametrize("cuda, mps, asked, message", [
    (False, False, "cuda", "no CUDA GPU"),
    (False, True, "cuda:0", "no CUDA GPU"),
    (True, False, "mps", "Metal backend is not available"),
    (True, True, "tpu", "Unknown device 'tpu'"),
])
def test_resolve_device_refuses_what_is_not_there(monkeypatch, cuda, mps, asked, message):
    _machine(monkeypatch, cuda=cuda, mps=mps)
    with pytest.raises(ConfigError, match=message):
        resolve_device(asked)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_resolve_device_on_a_real_gpu():
    assert resolve_device("auto").type == "cuda"
    assert torch.ones(2, device=resolve_device("cuda")).sum().item() == 2.0


def test_early_stopping_counts_epochs_without_improvement():
    es = EarlyStopping(patience=2)
    seq = [0.1, 0.3, 0.2, 0.3, 0.25]
    out = [es.update(m, e) for e, m in enumerate(seq, start=1)]
    assert [o[0] for o in out] == [True, True, False, False, False]
    assert [o[1] for o in out] == [False, False, False, True, True]
    assert (es.best_epoch, es.best_metric) == (2, 0.3)
    off = EarlyStopping(patience=0)
    assert not any(off.update(m, e)[1] for e, m in enumerate([0.5, 0.1, 0.1, 0.1], 1))


class _ScriptedTask:
    """A linear model whose 'validation metric' follows a script, to test the loop itself."""

    def __init__(self, metrics, steps=3):
        self.module = torch.nn.Linear(2, 1)
        self.metrics = list(metrics)
        self.steps = steps
        self.weights_after_epoch = {}
        self.epoch = 0

    def n_steps(self):
        return self.steps

    def param_groups(self, lr):
        return [{"params": list(self.module.parameters())}]

    def batches(self, epoch):
        self.epoch = epoch
        for _ in range(self.steps):
            yield torch.ones(4, 2)

    def loss(self, x):
        return (self.module(x) - 3).pow(2).mean()

    def end_epoch(self, epoch):
        self.weights_after_epoch[epoch] = self.module.weight.detach().clone()

    def evaluate(self):
        return self.metrics[self.epoch - 1]


def test_loop_events_early_stopping_and_best_weights_restored():
    task = _ScriptedTask([0.1, 0.5, 0.4, 0.3, 0.2, 0.9])
    events = []
    res = train(task, TrainConfig(epochs=6, lr=0.1, patience=2, device="cpu"),
                callbacks=[events.append])
    kinds = [e.kind for e in events]
    assert kinds[0] == "start" and kinds[-1] == "end"
    assert [e.epoch for e in events if e.kind == "epoch"] == [1, 2, 3, 4]
    assert kinds.count("step") == 4 * 3
    assert res.stopped_early and res.best_epoch == 2 and res.epochs_run == 4
    assert events[-1].stopped_early and events[-1].best_epoch == 2
    torch.testing.assert_close(task.module.weight, task.weights_after_epoch[2])
    assert [round(h["ndcg@10"], 2) for h in res.history] == [0.1, 0.5, 0.4, 0.3]


def test_callback_returning_true_stops_training():
    task = _ScriptedTask([0.1] * 5)
    res = train(task, TrainConfig(epochs=5, lr=0.1, patience=0),
                callbacks=[lambda e: e.kind == "epoch" and e.epoch == 2])
    assert res.epochs_run == 2 and not res.stopped_early


def test_train_config_is_validated():
    with pytest.raises(ConfigError, match="epochs"):
        train(_ScriptedTask([0.1]), TrainConfig(epochs=0))
    with pytest.raises(ConfigError, match="learning rate"):
        train(_ScriptedTask([0.1]), TrainConfig(epochs=1, lr=0))


def test_pair_sampler_negatives_are_unseen_and_seeded():
    rng = np.random.default_rng(0)
    n_users, n_items = 50, 40
    pairs = {(u, i) for u in range(n_users) for i in rng.choice(n_items, 25, replace=False)}
    users, items = map(np.array, zip(*sorted(pairs)))
    s = PairSampler(users, items, n_items, batch_size=64, seed=3)
    batches = list(s.epoch(1))
    assert len(batches) == len(s) == -(-len(users) // 64)
    u, i, j = (np.concatenate(x) for x in zip(*batches))
    assert sorted(zip(u.tolist(), i.tolist())) == sorted(pairs)
    assert not any((a, b) in pairs for a, b in zip(u.tolist(), j.tolist()))
    again = np.concatenate([b[2] for b in PairSampler(users, items, n_items, batch_size=64,
                                                       seed=3).epoch(1)])
    np.testing.assert_array_equal(j, again)
    other = np.concatenate([b[2] for b in s.epoch(2)])
    assert not np.array_equal(j, other)


def test_pair_sampler_negatives_are_uniform_over_unseen_items():
    seen = [0, 3, 4, 5, 9]
    s = PairSampler(np.zeros(len(seen), dtype=np.int64), np.array(seen), 12, batch_size=8)
    draws = s.negatives(np.zeros(70_000, dtype=np.int64), np.random.default_rng(1))
    counts = np.bincount(draws, minlength=12)
    assert counts[seen].sum() == 0
    unseen = np.setdiff1d(np.arange(12), seen)
    # 10,000 expected per unseen item; 4 standard deviations is about 380.
    assert np.abs(counts[unseen] - 10_000).max() < 400


def test_same_seed_gives_identical_scores_on_cpu(tiny):
    ds, split, _ = tiny
    a = BPR(dim=8, epochs=2, batch_size=256, device="cpu", seed=7).fit(ds, split)
    b = BPR(dim=8, epochs=2, batch_size=256, device="cpu", seed=7).fit(ds, split)
    c = BPR(dim=8, epochs=2, batch_size=256, device="cpu", seed=8).fit(ds, split)
    np.testing.assert_array_equal(a.score(), b.score())
    assert not np.array_equal(a.score(), c.score())
    assert a.training_.history == [
        {**h, "seconds": a.training_.history[n]["seconds"]}
        for n, h in enumerate(b.training_.history)]


def test_no_validation_users_is_a_recorded_warning(tiny):
    ds, _, _ = tiny
    split = split_dataset(ds, method="temporal", valid_n=0)
    with pytest.warns(UserWarning, match="cannot be validated"):
        model = BPR(dim=4, epochs=2, device="cpu").fit(ds, split)
    assert [w.code for w in model.warnings_] == ["no_validation_users"]
    assert model.training_.epochs_run == 2 and model.training_.best_epoch is None


def _cli(argv):
    from fairrec_core.cli import train as cli_train

    parser = argparse.ArgumentParser(prog="fairrec")
    cli_train.add_parser(parser.add_subparsers(dest="command"))
    return cli_train.run(parser.parse_args(argv))


def test_cli_train_writes_a_checkpoint(tiny, tmp_path, capsys):
    _, _, g = tiny
    write_csvs(g, tmp_path, ("interactions", "items"))
    out = tmp_path / "ck"
    rc = _cli(["train", "--interactions", str(tmp_path / "interactions.csv"), "--items",
               str(tmp_path / "items.csv"), "--model", "bpr", "--epochs", "2", "--dim", "8",
               "--device", "cpu", "--out", str(out), "--json"])
    captured = capsys.readouterr()
    assert rc == 0
    summary = json.loads(captured.out)
    assert summary["training"]["epochs_run"] == 2 and 0 <= summary["test"]["ndcg"] <= 1
    assert "training on cpu" in captured.err  # the progress bar goes to stderr
    model = load_checkpoint(out)
    assert model.name == "bpr" and model.dim == 8


def test_cli_train_reports_bad_data(tmp_path, capsys):
    (tmp_path / "i.csv").write_text("user_id,item_id\nu1,i1\n")
    rc = _cli(["train", "--interactions", str(tmp_path / "i.csv"), "--model", "popularity",
               "--out", str(tmp_path / "ck")])
    assert rc == 2
    assert "ERROR" in capsys.readouterr().err
    assert not (tmp_path / "ck").exists()
