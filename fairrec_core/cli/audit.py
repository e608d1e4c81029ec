"""``fairrec audit``: the whole audit headless, with a report and a CI gate.

Settings come from ``--config audit.toml`` and/or flags (a flag overrides
the file). Exit codes: 0 when the audit ran and no ``--fail-on`` rule
tripped, 1 when a rule tripped (the rules and checks are named), 2 when a
rule could not be judged (unless ``--allow-unjudged``) or when the
audit could not be completed: bad input or configuration (or, so that CI never
mistakes a crash for a tripped gate, an unexpected error).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from fairrec_core.cli.common import EXIT_BAD_INPUT, EXIT_GATE, EXIT_OK
from fairrec_core.errors import ConfigError

_log = logging.getLogger("fairrec.cli")


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register the ``audit`` sub-command on ``subparsers``."""
    p = subparsers.add_parser(
        "audit", help="run a full fairness audit and write the report",
        description="Load and validate the CSV exports, split them, train or load a model (or "
                    "take the imported production lists), optionally re-rank, measure "
                    "accuracy and two-sided fairness with intervals, and write report.html, "
                    "report.pdf, report.json and tables/*.csv into --out. Exit 0 when clean, "
                    "1 when a --fail-on rule trips, 2 for bad input or configuration.",
        epilog="Example: fairrec audit --config audit.toml --out report/ "
               "--fail-on fail --fail-on 'user:gender:ndcg@10:ratio<0.8'")
    add_arguments(p)
    return p


def add_arguments(p: argparse.ArgumentParser) -> None:
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
    return [x.strip() for x in text.split(",") if x.strip()]


def _value(text: str):
    import tomllib

    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def config_from_args(args):
    """The effective AuditConfig: ``--config`` (if any) with the flags applied on top."""
    from fairrec_core.config import AuditConfig, read_toml
    from fairrec_core.data import parse_mapping_args

    data = read_toml(args.config) if args.config else {}
    base_dir = args.config.resolve().parent if args.config else None
    sec = {}
    for name in ("data", "split", "model", "metrics", "thresholds", "rerank", "explain",
                 "report", "engine", "counterfactual"):
        if not isinstance(data.get(name, {}), dict):
            raise ConfigError(f"[{name}] in {args.config} must be a table of settings.")
        sec[name] = dict(data.get(name, {}))
    # Paths given as flags are relative to the working directory, not the config file.
    for kind in ("interactions", "users", "items", "recommendations"):
        value = getattr(args, kind)
        if value is not None:
            sec["data"][kind] = str(value.resolve())
    if args.map:
        for kind, roles in parse_mapping_args(args.map).items():
            sec["data"].setdefault("mapping", {}).setdefault(kind, {}).update(roles)
    flags = {
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
                   "ray_address": args.ray_address},
        "counterfactual": {"enabled": True if args.counterfactual else None,
                           "attributes": _csv(args.counterfactual) if args.counterfactual
                           else None, "n_users": args.cf_users, "k": args.cf_k,
                           "unaware": args.cf_unaware},
        "report": {"title": args.title, "lang": args.lang,
                   "formats": _csv(args.formats) if args.formats else None,
                   "sections": _csv(args.sections) if args.sections else None},
    }
    for name, values in flags.items():
        sec[name].update({k: v for k, v in values.items() if v is not None})
    if args.ratios:
        try:
            sec["split"]["ratios"] = [float(x) for x in args.ratios.replace(",", ":").split(":")]
        except ValueError:
            raise ConfigError(f"--ratios must be three numbers like 8:1:1, got "
                              f"'{args.ratios}'.") from None
    params = dict(sec["model"].get("params", {}))
    for opt, key in ((args.epochs, "epochs"), (args.device, "device")):
        if opt is not None:
            params[key] = opt
    for pair in args.model_param:
        if "=" not in pair:
            raise ConfigError(f"--model-param expects KEY=VALUE, got '{pair}'.")
        key, value = pair.split("=", 1)
        params[key.strip()] = _value(value.strip())
    if params:
        sec["model"]["params"] = params
    if args.config and not getattr(args, "allow_outside_paths", False):
        flagged = {f"[data].{k}" for k in ("interactions", "users", "items", "recommendations")
                   if getattr(args, k) is not None}
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


def describe_model(config) -> str:
    """One line naming the model an audit of ``config`` evaluates."""
    m = config.model
    if m.checkpoint:
        return f"Model audited: the checkpoint {m.checkpoint} (no training)."
    if m.name == "imported":
        return (f"Model audited: the imported production lists from "
                f"{Path(config.data.recommendations).name} (no training).")
    return f"Model audited: {m.name}, trained here on the given interactions."


class _Progress:
    """Plain progress lines on stderr (readable in CI logs as well as terminals)."""

    def __init__(self, enabled: bool):
        self.enabled = enabled

    def __call__(self, ev) -> None:
        if not self.enabled:
            return
        if ev.kind == "start":
            print(f"[{ev.index}/{ev.total}] {ev.message} …", file=sys.stderr, flush=True)
        elif ev.kind == "info":
            print(f"      {ev.message}", file=sys.stderr, flush=True)
        elif ev.seconds >= 0.05:
            print(f"      done in {ev.seconds:.1f} s", file=sys.stderr, flush=True)

    def wrote(self, fmt: str, seconds: float) -> None:
        if self.enabled:
            print(f"      {fmt} written in {seconds:.1f} s", file=sys.stderr, flush=True)


def run(args) -> int:
    """Carry out ``fairrec audit``; returns the exit code."""
    from fairrec_core.audit import run_audit
    from fairrec_core.errors import DataValidationError, FairrecError
    from fairrec_core.report import write_report
    from fairrec_core.report.gate import evaluate_gate, gate_decision, parse_rule
    from fairrec_core.report.text import verdict_sentence

    try:
        config = config_from_args(args)
        rules = [parse_rule(r) for r in args.fail_on]
        if args.print_config:
            print(config.to_toml(), end="")
            return EXIT_OK
        if args.out is None:
            raise FairrecError("Name the output folder with --out DIR.")
        if config.report.lang == "zh" and "pdf" in config.report.formats:
            from fairrec_core.report.fonts import require_cjk_font

            require_cjk_font()  # before the audit runs, not after it
        print(describe_model(config), flush=True)
        progress = _Progress(not args.no_progress)
        t0 = time.perf_counter()
        result = run_audit(config, progress=progress)
        outcomes = evaluate_gate(result, rules)  # before writing: a bad rule is bad input
        if not args.no_progress:
            print("[report] Writing the report …", file=sys.stderr, flush=True)
        paths = write_report(result, args.out, progress=progress.wrote)
    except DataValidationError as exc:
        report = getattr(exc, "report", None)
        print(report.format_text() if report is not None else str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    except FairrecError as exc:
        print(f"fairrec audit: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        print(f"fairrec audit: error: {exc.strerror or exc}: {exc.filename or ''}",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # never exit 1 by accident: 1 means "the gate tripped"
        _log.exception("the audit stopped unexpectedly")
        print(f"fairrec audit: error: the audit stopped unexpectedly ({type(exc).__name__}: "
              f"{exc}). Set FAIRREC_DEBUG=1 (or FAIRREC_LOG_FILE=PATH) for the traceback.",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    print(verdict_sentence(result.verdict, result.config.report.lang))
    print(f"Report written to {args.out} in {time.perf_counter() - t0:.1f} s:")
    for p in paths:
        if p.parent.name != "tables":
            print(f"  {p}")
    if any(p.parent.name == "tables" for p in paths):
        print(f"  {Path(args.out) / 'tables'}/*.csv")
    for o in outcomes:
        print(f"gate {o.label}: {o.rule.text}: {o.detail}")
    decision, why = gate_decision(outcomes,
                                  allow_unjudged=bool(getattr(args, "allow_unjudged", False)))
    if why:
        print(f"fairrec audit: {why}", file=sys.stderr)
    if decision == "tripped":
        return EXIT_GATE
    if decision == "unjudged":
        return EXIT_BAD_INPUT
    return EXIT_OK


def main(argv=None) -> int:
    """Run ``audit`` as its own program (``python -m fairrec_core.cli.audit``)."""
    parser = argparse.ArgumentParser(prog="fairrec audit")
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
