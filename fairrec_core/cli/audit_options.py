"""The options of ``fairrec audit`` and the effective config they make.

:func:`add_arguments` declares the flags; :func:`config_from_args` merges
``--config audit.toml`` with the flags on top (a flag overrides the file) and
refuses config paths that lead outside the config's folder.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from fairrec_core.errors import ConfigError

#: The config file's sections that flags can set, in the order they are merged.
SECTIONS = ("data", "split", "model", "metrics", "thresholds", "rerank", "explain", "report",
            "engine", "counterfactual")
#: The data files a flag can name.
DATA_FILES = ("interactions", "users", "items", "recommendations")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Add every ``fairrec audit`` option to ``p``, in the help's group order."""
    _add_output_arguments(p)
    _add_data_arguments(p)
    _add_model_arguments(p)
    _add_metrics_arguments(p)
    _add_rerank_arguments(p)
    _add_probe_arguments(p)


def _add_output_arguments(p: argparse.ArgumentParser) -> None:
    """Config file, output folder, report options and the CI gate."""
    g = p.add_argument_group("config and output")
    g.add_argument("--config", type=Path, help="audit.toml (flags below override it)")
    g.add_argument("--allow-outside-paths", action="store_true",
                   help="let file paths in --config point outside the config's folder "
                        "(refused by default: a config from elsewhere must not read "
                        "arbitrary files)")
    g.add_argument("--out", type=Path, help="output folder for the report")
    g.add_argument("--formats", help="comma-separated subset of html,pdf,json,csv")
    g.add_argument("--sections", help="comma-separated report sections (HTML and PDF)")
    g.add_argument("--title", help="report title")
    g.add_argument("--lang", choices=("en", "zh"),
                   help="language of the report's text (zh: Simplified Chinese); CSV headers, "
                        "JSON keys and metric ids stay English")
    g.add_argument("--fail-on", action="append", default=[], metavar="RULE",
                   help="gate rule (repeatable): 'fail', 'warn', 'inconclusive', "
                        "'user:GROUPING:METRIC@K:ratio<X', 'item:GROUPING:"
                        "exposure_share_ratio<X', 'overall:METRIC<X', "
                        "'cf:ATTR:snsr_jaccard@K>X', 'leak:ATTR:auc>X'; exit 1 if any trips, "
                        "2 if one cannot be judged")
    g.add_argument("--allow-unjudged", action="store_true",
                   help="accept gate rules that cannot be evaluated (undefined statistic, "
                        "most checks not judged) instead of exiting 2")
    g.add_argument("--print-config", action="store_true",
                   help="print the effective config as TOML and exit (nothing is run)")
    g.add_argument("--no-progress", action="store_true", help="no progress lines on stderr")
    g.add_argument("--seed", type=int)


def _add_data_arguments(p: argparse.ArgumentParser) -> None:
    """The input files, how to read them, and the split."""
    d = p.add_argument_group("data (as for fairrec validate)")
    for kind in ("interactions", "users", "items", "recommendations"):
        d.add_argument(f"--{kind}", type=Path, help=f"{kind} CSV")
    d.add_argument("--map", action="append", default=[], metavar="ROLE=COLUMN",
                   help="column mapping override, e.g. items.provider=brand (repeatable)")
    d.add_argument("--encoding")
    d.add_argument("--delimiter", help="',', 'tab', ';' or '|'")
    d.add_argument("--rating-threshold", type=float)
    d.add_argument("--drop-unknown-ids", action="store_true", default=None)
    d.add_argument("--min-user-interactions", type=int)
    d.add_argument("--max-mb", type=float)

    s = p.add_argument_group("split")
    s.add_argument("--split", choices=("auto", "temporal", "random"))
    s.add_argument("--test-n", type=int)
    s.add_argument("--valid-n", type=int)
    s.add_argument("--ratios", help="random split train:valid:test, e.g. 8:1:1")


def _add_model_arguments(p: argparse.ArgumentParser) -> None:
    """The model: trained here, loaded from a checkpoint, or imported lists."""
    from fairrec_core.models.registry import MODEL_NAMES

    m = p.add_argument_group("model")
    m.add_argument("--model", choices=MODEL_NAMES,
                   help="default: 'imported' (the --recommendations lists, no training) "
                        "when recommendations are given, else bpr")
    m.add_argument("--checkpoint", help="load this fairrec train checkpoint instead of training")
    m.add_argument("--epochs", type=int)
    m.add_argument("--device", help="auto, cpu, cuda or mps")
    m.add_argument("--model-param", action="append", default=[], metavar="KEY=VALUE",
                   help="any model option, e.g. dim=32 (repeatable)")


def _add_metrics_arguments(p: argparse.ArgumentParser) -> None:
    """Metrics, groupings and verdict thresholds."""
    a = p.add_argument_group("metrics and thresholds")
    a.add_argument("--k", type=int)
    a.add_argument("--user-grouping", action="append", metavar="ATTR",
                   help="user attribute to compare (repeatable; default: likely sensitive)")
    a.add_argument("--item-grouping", action="append", metavar="ATTR",
                   help="item attribute to compare (repeatable; default: all usable)")
    a.add_argument("--intersection", action="append", metavar="A,B",
                   help="intersect user groupings, e.g. gender,age (repeatable)")
    a.add_argument("--n-boot", type=int)
    a.add_argument("--min-group-size", type=int)
    a.add_argument("--exposure", choices=("log", "geometric", "uniform"))
    for name in ("ratio-fail", "ratio-warn", "provider-ratio-fail", "provider-ratio-warn"):
        a.add_argument(f"--{name}", type=float)
    a.add_argument("--provider-basis", choices=("merit", "catalog"))


def _add_rerank_arguments(p: argparse.ArgumentParser) -> None:
    """Re-ranking of the audited lists, and where the metrics run."""
    r = p.add_argument_group("re-ranking")
    r.add_argument("--rerank", choices=("none", "provider", "two_sided", "calibrated",
                                        "fair_topk"))
    r.add_argument("--lam", type=float, help="fairness weight λ of the audited lists")
    r.add_argument("--target", help="choose the smallest λ meeting e.g. "
                                    "'es_cs_ratio[small] >= 0.8'")
    r.add_argument("--rerank-grouping", help="item grouping to re-rank for")
    r.add_argument("--protected", action="append", help="protected item group (repeatable)")
    r.add_argument("--no-sweep", action="store_true", default=None,
                   help="skip the λ sweep (no trade-off curve)")

    e = p.add_argument_group("engine")
    e.add_argument("--engine", choices=("local", "ray"),
                   help="where the metrics run: this process (default) or Ray Data batches "
                        "(local Ray, or a cluster with --ray-address)")
    e.add_argument("--ray-address", metavar="ADDRESS",
                   help="Ray cluster to use, e.g. ray://head-node:10001 or auto "
                        "(default: start a local Ray for this run)")
    e.add_argument("--partitioned", action="store_true", default=None,
                   help="with --engine ray: the users, interactions and recommendations "
                        "folders hold part files partitioned by user (same part names, "
                        "same users), so they are not bucketed by user first")


def _add_probe_arguments(p: argparse.ArgumentParser) -> None:
    """The counterfactual probe and the sample explanations."""
    c = p.add_argument_group("counterfactual probe and leakage (issue 14)")
    c.add_argument("--counterfactual", metavar="ATTRS",
                   help="probe these user attributes, e.g. gender,age: neutral vs. stated "
                        "profiles (SNSR with intervals) and attacker AUC of the user vectors; "
                        "probes the model when it reads profiles, else trains a profile "
                        "two-tower for the probe")
    c.add_argument("--cf-users", type=int, metavar="N", help="users sampled (default 300)")
    c.add_argument("--cf-k", type=int, metavar="K", help="list length compared (default: --k)")
    c.add_argument("--cf-unaware", action="store_true", default=None,
                   help="train the probe model without the sensitive attributes in its "
                        "profiles (the unaware variant)")

    x = p.add_argument_group("sample explanations")
    x.add_argument("--explain-users", type=int, metavar="N",
                   help="users sampled per group for the explanations section (0 = none)")
    x.add_argument("--explained-items", type=int, metavar="N",
                   help="top items explained per sampled user (each costs a SHAP run)")


def _csv(text: str) -> list[str]:
    """The non-empty, stripped items of a comma-separated flag value."""
    return [x.strip() for x in text.split(",") if x.strip()]


def _value(text: str):
    """A ``--model-param`` value read as a TOML value (number, bool, list), else the text."""
    import tomllib

    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def config_from_args(args):
    """The effective AuditConfig: ``--config`` (if any) with the flags applied on top."""
    from fairrec_core.config import AuditConfig, read_toml

    data = read_toml(args.config) if args.config else {}
    base_dir = args.config.resolve().parent if args.config else None
    sec = _config_sections(data, args.config)
    _apply_data_flags(sec["data"], args)
    for name, values in _flag_values(args).items():
        sec[name].update({k: v for k, v in values.items() if v is not None})
    if args.ratios:
        try:
            sec["split"]["ratios"] = [float(x) for x in args.ratios.replace(",", ":").split(":")]
        except ValueError:
            raise ConfigError(f"--ratios must be three numbers like 8:1:1, got "
                              f"'{args.ratios}'.") from None
    params = _model_params(sec["model"], args)
    if params:
        sec["model"]["params"] = params
    if args.config and not getattr(args, "allow_outside_paths", False):
        flagged = {f"[data].{k}" for k in DATA_FILES if getattr(args, k) is not None}
        if args.checkpoint:
            flagged.add("[model].checkpoint")
        assert base_dir is not None  # set whenever args.config is
        _check_config_paths(data, base_dir, args.config, skip=flagged)
    if ("name" not in sec["model"] and not sec["model"].get("checkpoint")
            and sec["data"].get("recommendations")):
        # The user handed over the production lists: audit those, not a model trained here.
        sec["model"]["name"] = "imported"
    out = {k: v for k, v in data.items() if k not in sec}
    out.update({k: v for k, v in sec.items() if v})
    if args.seed is not None:
        out["seed"] = args.seed
    if not out.get("data", {}).get("interactions"):
        raise ConfigError("Name the data: --interactions FILE (and --users, --items, "
                          "--recommendations), or --config audit.toml with a [data] section.")
    return AuditConfig.from_dict(out, base_dir=base_dir)


def _config_sections(data: dict, config) -> dict[str, dict]:
    """A copy of each section flags can set, from the config file (empty when absent)."""
    sec = {}
    for name in SECTIONS:
        if not isinstance(data.get(name, {}), dict):
            raise ConfigError(f"[{name}] in {config} must be a table of settings.")
        sec[name] = dict(data.get(name, {}))
    return sec


def _apply_data_flags(data_sec: dict, args) -> None:
    """Put the file flags (as absolute paths) and ``--map`` overrides into ``[data]``."""
    from fairrec_core.data import parse_mapping_args

    # Paths given as flags are relative to the working directory, not the config file.
    for kind in DATA_FILES:
        value = getattr(args, kind)
        if value is not None:
            data_sec[kind] = str(value.resolve())
    if args.map:
        for kind, roles in parse_mapping_args(args.map).items():
            data_sec.setdefault("mapping", {}).setdefault(kind, {}).update(roles)


def _flag_values(args) -> dict[str, dict]:
    """Every section's settings as the flags give them; None where a flag was not given."""
    return {
        "data": {"encoding": args.encoding, "delimiter": args.delimiter,
                 "rating_threshold": args.rating_threshold,
                 "drop_unknown_ids": args.drop_unknown_ids,
                 "min_user_interactions": args.min_user_interactions, "max_mb": args.max_mb},
        "split": {"method": args.split, "test_n": args.test_n, "valid_n": args.valid_n},
        "model": {"name": args.model,
                  "checkpoint": str(Path(args.checkpoint).resolve()) if args.checkpoint
                  else None},
        "metrics": {"k": args.k, "user_groupings": args.user_grouping,
                    "item_groupings": args.item_grouping, "n_boot": args.n_boot,
                    "min_group_size": args.min_group_size, "exposure": args.exposure,
                    "intersections": [_csv(x) for x in args.intersection]
                    if args.intersection else None},
        "thresholds": {"ratio_fail": args.ratio_fail, "ratio_warn": args.ratio_warn,
                       "provider_ratio_fail": args.provider_ratio_fail,
                       "provider_ratio_warn": args.provider_ratio_warn,
                       "provider_basis": args.provider_basis},
        "rerank": {"method": args.rerank, "lam": args.lam, "target": args.target,
                   "item_grouping": args.rerank_grouping, "protected": args.protected,
                   "sweep": False if args.no_sweep else None},
        "explain": {"users_per_group": args.explain_users,
                    "explained_items": args.explained_items},
        "engine": {"name": args.engine or ("ray" if args.ray_address else None),
                   "ray_address": args.ray_address, "partitioned": args.partitioned},
        "counterfactual": {"enabled": True if args.counterfactual else None,
                           "attributes": _csv(args.counterfactual) if args.counterfactual
                           else None, "n_users": args.cf_users, "k": args.cf_k,
                           "unaware": args.cf_unaware},
        "report": {"title": args.title, "lang": args.lang,
                   "formats": _csv(args.formats) if args.formats else None,
                   "sections": _csv(args.sections) if args.sections else None},
    }


def _model_params(model_sec: dict, args) -> dict:
    """The config's model parameters with --epochs, --device and --model-param on top."""
    params = dict(model_sec.get("params", {}))
    for opt, key in ((args.epochs, "epochs"), (args.device, "device")):
        if opt is not None:
            params[key] = opt
    for pair in args.model_param:
        if "=" not in pair:
            raise ConfigError(f"--model-param expects KEY=VALUE, got '{pair}'.")
        key, value = pair.split("=", 1)
        params[key.strip()] = _value(value.strip())
    return params


def _check_config_paths(data: dict, base_dir: Path, config: Path, *, skip=()) -> None:
    """Refuse file paths in the config file that lead outside its folder.

    A config may come from someone else (a pull request, a shared folder); it
    must not make the audit read, and the report show, arbitrary files such as
    system files. Paths given as flags are the user's own choice: the keys they
    replace (``skip``) are not checked.
    """
    named = [(f"[data].{k}", (data.get("data") or {}).get(k)) for k in
             ("interactions", "users", "items", "recommendations")]
    model = data.get("model") or {}
    named.append(("[model].checkpoint", model.get("checkpoint")))
    model_params = model.get("params")
    params: dict = model_params if isinstance(model_params, dict) else {}
    named.append(("[model].params.encoder", params.get("encoder")))  # a model folder
    cf_section = data.get("counterfactual")
    cf: dict = cf_section if isinstance(cf_section, dict) else {}
    cf_params: dict = cf["params"] if isinstance(cf.get("params"), dict) else {}
    named.append(("[counterfactual].params.encoder", cf_params.get("encoder")))
    for key, value in named:
        if key in skip or not isinstance(value, str) or not value:
            continue
        target = (base_dir / Path(value).expanduser()).resolve()
        if not target.is_relative_to(base_dir):
            raise ConfigError(
                f"{key} in {config} points outside the config's folder ({base_dir}). Move the "
                "file into that folder, name it with a flag (e.g. --interactions FILE), or "
                "pass --allow-outside-paths if you trust this config.")
