"""AuditConfig: validation with messages naming the key, TOML round trips, CLI overrides."""

from __future__ import annotations

import argparse
import tomllib
from pathlib import Path

import pytest

from fairrec_core.config import FORMATS, SECTIONS, AuditConfig
from fairrec_core.errors import ConfigError
from fairrec_core.metrics import Thresholds
from tests.report_helpers import SAMPLE, sample_config


def test_defaults_round_trip_through_toml():
    cfg = AuditConfig.from_dict({"data": {"interactions": "x.csv"}})
    text = cfg.to_toml()
    assert tomllib.loads(text)["version"] == 1  # plain TOML any reader understands
    assert AuditConfig.from_toml(text) == cfg
    assert cfg.model.name == "bpr" and cfg.metrics.k == 10 and cfg.rerank.lam == 0.0
    assert cfg.report.sections == list(SECTIONS) and cfg.report.formats == list(FORMATS)


def test_every_setting_survives_a_round_trip():
    data = {
        "seed": 7,
        "data": {"interactions": "a.csv", "users": "u.csv", "items": "i.csv",
                 "recommendations": "r.csv", "mapping": {"items": {"provider": "brand"},
                                                         "*": {"user": "customer_no"}},
                 "encoding": "gbk", "delimiter": "tab", "rating_threshold": 3.5,
                 "drop_unknown_ids": True, "min_user_interactions": 2, "max_mb": 50},
        "split": {"method": "random", "ratios": [0.7, 0.1, 0.2], "by_user": False,
                  "min_user": 2, "min_item": 1},
        "model": {"name": "two_tower", "params": {"epochs": 3, "dim": 32, "mode": "frozen"},
                  "candidates": 50},
        "metrics": {"k": 20, "user_groupings": ["gender", "age"], "item_groupings": ["brand"],
                    "intersections": [["gender", "age"]], "metrics": ["ndcg", "recall"],
                    "exposure": "geometric", "n_boot": 100, "min_group_size": 10,
                    "ci_level": 0.9},
        "thresholds": {"ratio_fail": 0.7, "ratio_warn": 0.85, "user_metrics": ["ndcg", "hr"],
                       "provider_basis": "catalog"},
        "rerank": {"method": "fair_topk", "lam": 0.4, "item_grouping": "seller_size",
                   "protected": ["small"], "sweep": False, "options": {"alpha": 0.05}},
        "explain": {"users_per_group": 1, "groupings": ["gender"], "items_per_user": 3},
        "report": {"title": "Q3 audit", "sections": ["scorecard", "accuracy"],
                   "formats": ["json"]},
    }
    cfg = AuditConfig.from_dict(data)
    assert cfg.model.name == "two-tower"  # aliases are normalised
    assert cfg.thresholds == Thresholds(ratio_fail=0.7, ratio_warn=0.85,
                                        user_metrics=("ndcg", "hr"), provider_basis="catalog")
    again = AuditConfig.from_toml(cfg.to_toml())
    assert again == cfg
    assert again.to_dict()["data"]["mapping"] == data["data"]["mapping"]
    assert again.metrics.intersections == [["gender", "age"]]
    assert again.data.max_mb == 50.0 and isinstance(again.data.max_mb, float)


@pytest.mark.parametrize("change, expected", [
    ({"metrics": {"k": 0}}, "[metrics].k must be positive"),
    ({"metrics": {"k": "ten"}}, "[metrics].k must be a whole number"),
    ({"metrics": {"k": True}}, "[metrics].k must be a whole number"),
    ({"metrics": {"bogus": 1}}, "Unknown setting(s) in [metrics]: bogus"),
    ({"metrics": {"user_groupings": "gender"}}, "[metrics].user_groupings must be a list"),
    ({"metrics": {"metrics": ["ndcg", "happiness"]}}, "[metrics].metrics = 'happiness'"),
    ({"metrics": {"ci_level": 1.5}}, "[metrics].ci_level"),
    ({"extra_section": {}}, "Unknown config key(s): extra_section"),
    ({"rerank": {"lam": 1.5}}, "[rerank].lam must lie between 0 and 1"),
    ({"rerank": {"method": "magic"}}, "[rerank].method = 'magic'"),
    ({"model": {"name": "gpt"}}, "[model].name = 'gpt'"),
    ({"model": {"params": [1, 2]}}, "[model].params must be a table"),
    ({"thresholds": {"ratio_fail": 0.95, "ratio_warn": 0.9}}, "[thresholds]"),
    ({"thresholds": {"typo": 1}}, "[thresholds]: Unknown threshold setting(s): typo"),
    ({"split": {"ratios": [1, 2]}}, "[split].ratios"),
    ({"split": {"method": "shuffle"}}, "[split].method = 'shuffle'"),
    ({"report": {"formats": ["docx"]}}, "[report].formats = 'docx'"),
    ({"report": {"sections": ["summary"]}}, "[report].sections = 'summary'"),
    ({"seed": -1}, "seed must be a whole number"),
    ({"version": 9}, "version 9"),
    ({"data": "sample_data"}, "[data] must be a table"),
])
def test_errors_name_the_key(change, expected):
    data = sample_config()
    for key, value in change.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    with pytest.raises(ConfigError) as exc:
        AuditConfig.from_dict(data)
    assert expected in str(exc.value)


def test_required_inputs_are_named():
    with pytest.raises(ConfigError, match=r"\[data\]\.interactions is required"):
        AuditConfig.from_dict({"model": {"name": "bpr"}})
    with pytest.raises(ConfigError, match=r"\[data\]\.recommendations must name"):
        AuditConfig.from_dict({"data": {"interactions": "x.csv"}, "model": {"name": "imported"}})


def test_invalid_toml_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="not valid TOML"):
        AuditConfig.from_toml("[data\ninteractions = ")
    bad = tmp_path / "audit.toml"
    bad.write_bytes(b"\xff\xfe not utf-8")
    with pytest.raises(ConfigError, match="not UTF-8"):
        AuditConfig.load(bad)
    with pytest.raises(ConfigError, match="does not exist"):
        AuditConfig.load(tmp_path / "missing.toml")


def test_relative_paths_follow_the_config_file(tmp_path):
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "audit.toml").write_text(
        '[data]\ninteractions = "data/clicks.csv"\nusers = "/abs/users.csv"\n'
        '[model]\nname = "popularity"\ncheckpoint = "ckpt"\n', encoding="utf-8")
    cfg = AuditConfig.load(folder / "audit.toml")
    assert cfg.path("interactions") == folder.resolve() / "data" / "clicks.csv"
    assert cfg.path("users") == Path("/abs/users.csv")
    assert cfg.path("items") is None
    resolved = cfg.resolved()
    assert resolved.data.interactions == str(folder.resolve() / "data" / "clicks.csv")
    assert resolved.model.checkpoint == str(folder.resolve() / "ckpt")
    assert resolved.base_dir is None


def _args(*argv):
    from fairrec_core.cli.audit import add_arguments

    p = argparse.ArgumentParser()
    add_arguments(p)
    return p.parse_args([str(a) for a in argv])


def test_cli_flags_override_the_config_file(tmp_path):
    from fairrec_core.cli.audit import config_from_args

    base = AuditConfig.from_dict(sample_config(metrics={"k": 20, "n_boot": 300},
                                               rerank={"method": "provider"}))
    path = base.save(tmp_path / "audit.toml")
    # The sample data lie outside tmp_path: the user vouches for this config.
    cfg = config_from_args(_args("--config", path, "--allow-outside-paths", "--k", 5,
                                 "--model", "popularity",
                                 "--ratio-fail", 0.7, "--user-grouping", "gender",
                                 "--user-grouping", "age", "--model-param", "epochs=3",
                                 "--no-sweep", "--map", "items.provider=brand",
                                 "--formats", "json,csv", "--seed", 3))
    assert cfg.metrics.k == 5 and cfg.metrics.n_boot == 300  # untouched values stay
    assert cfg.model.name == "popularity" and cfg.model.params == {"epochs": 3}
    assert cfg.thresholds.ratio_fail == 0.7 and cfg.thresholds.ratio_warn == 0.9
    assert cfg.metrics.user_groupings == ["gender", "age"]
    assert cfg.rerank.method == "provider" and cfg.rerank.sweep is False
    assert cfg.data.mapping == {"items": {"provider": "brand"}}
    assert cfg.report.formats == ["json", "csv"] and cfg.seed == 3
    assert cfg.path("interactions") == SAMPLE / "interactions.csv"


def test_cli_without_data_says_what_to_give():
    from fairrec_core.cli.audit import config_from_args

    with pytest.raises(ConfigError, match="--interactions"):
        config_from_args(_args("--out", "x"))
