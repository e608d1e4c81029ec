"""``fairrec train``: fit a model on CSV exports, report test accuracy, write a checkpoint."""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

from fairrec_core.cli.common import EXIT_BAD_INPUT, EXIT_OK


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register the ``train`` sub-command on ``subparsers``."""
    from fairrec_core.cli.common import add_data_args

    p = subparsers.add_parser(
        "train", help="train a recommender and write a checkpoint",
        description="Load and validate the CSV exports, split them, train a model (progress "
                    "on stderr), report its test accuracy and write a checkpoint folder.")
    add_data_args(p)
    from fairrec_core.models.registry import MODEL_NAMES

    p.add_argument("--model", choices=MODEL_NAMES, default="bpr")
    p.add_argument("--out", required=True, type=Path, help="checkpoint folder to write")
    p.add_argument("--epochs", type=int, help="maximum epochs (PyTorch models)")
    p.add_argument("--device", default="auto", help="auto, cpu, cuda or mps (default auto)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--dim", type=int, help="embedding size (default 64)")
    p.add_argument("--batch-size", type=int)
    p.add_argument("--lr", type=float, help="learning rate")
    p.add_argument("--patience", type=int, help="early-stopping patience in epochs (0 = off)")
    p.add_argument("--k", type=int, default=10, help="cut-off of the reported metrics")
    p.add_argument("--encoder", help="two-tower: local model folder or hub id (default: "
                                     "bundled MiniLM)")
    p.add_argument("--finetune", choices=("frozen", "top", "all"), default="frozen",
                   help="two-tower: frozen encoder (CPU default), fine-tune top layers or all")
    p.add_argument("--split", choices=("auto", "temporal", "random"), default="auto",
                   help="auto: temporal when timestamps exist, else random")
    p.add_argument("--test-n", type=int, default=2, help="temporal: test interactions per user")
    p.add_argument("--valid-n", type=int, default=1,
                   help="temporal: validation interactions per user")
    p.add_argument("--ratios", default="8:1:1", help="random: train:valid:test")
    p.add_argument("--fairness", metavar="TERM:ATTR",
                   help="bpr, two-tower, profile-two-tower: add a fairness term to the "
                        "training loss: "
                        "user-loss:ATTR (loss parity across user groups), "
                        "item-exposure:GROUPING[=PROTECTED] (soft exposure parity of a "
                        "protected item group), adversary:ATTR (remove "
                        "ATTR from user vectors by gradient reversal)")
    p.add_argument("--fairness-weight", metavar="λ", default=None,
                   help="weight λ_train of the fairness term, 0 or more (default 1; 0 trains "
                        "exactly the plain model)")
    p.add_argument("--fairness-target", choices=("catalog", "merit"), default="catalog",
                   help="item-exposure: parity against the catalogue share (default) or the "
                        "training merit share")
    p.add_argument("--augment", choices=("swap", "remove"),
                   help="profile-two-tower: counterfactual data augmentation -- while "
                        "training, state the sensitive attributes with values drawn at random "
                        "(swap) or leave them out (remove) in a share of the profiles")
    p.add_argument("--augment-p", type=float, metavar="P",
                   help="profile-two-tower: share of profiles augmented per batch (default 0.5)")
    p.add_argument("--augment-attributes", metavar="A,B",
                   help="profile-two-tower: attributes augmented (default: the template's "
                        "sensitive ones, age and gender)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    return p


def _model_params(args) -> dict:
    params: dict = {}
    from fairrec_core.models.registry import TEXT_MODELS, TORCH_MODELS

    if args.model in TORCH_MODELS:
        params.update(device=args.device, seed=args.seed)
        for name in ("epochs", "dim", "batch_size", "lr", "patience"):
            value = getattr(args, name)
            if value is not None:
                params[name] = value
        from fairrec_core.config_sections import MODEL_PARAM_LIMITS, check_range

        for name, (low, high) in MODEL_PARAM_LIMITS.items():  # the limits audit.toml has
            if params.get(name) is not None:
                check_range(params[name], low, high, f"--{name.replace('_', '-')}")
        params["eval_k"] = args.k
    if args.model in TEXT_MODELS:
        params.update(encoder=args.encoder, mode=args.finetune)
    params.update(_augment(args))
    fairness = _fairness(args)
    if fairness is not None:
        params["fairness"] = fairness
    return params


def _augment(args) -> dict:
    """The --augment options as profile-two-tower params (checked; {} without them)."""
    given = {"augment": getattr(args, "augment", None),
             "augment_p": getattr(args, "augment_p", None),
             "augment_attributes": getattr(args, "augment_attributes", None)}
    given = {k: v for k, v in given.items() if v is not None}
    if not given:
        return {}
    names = given.get("augment_attributes")
    if isinstance(names, str):  # "gender, age" on the command line
        given["augment_attributes"] = [a.strip() for a in names.split(",") if a.strip()]
    from fairrec_core.llm.augment import check_augment_params

    check_augment_params(args.model, given, "--augment")
    return given


def _fairness(args):
    """The --fairness options as a checked FairnessConfig (None without --fairness)."""
    from fairrec_core.errors import ConfigError

    spec = getattr(args, "fairness", None)
    weight = getattr(args, "fairness_weight", None)
    if spec is None:
        if weight is not None:
            raise ConfigError("--fairness-weight was given without --fairness: name the term, "
                              "e.g. --fairness user-loss:gender.")
        return None
    from fairrec_core.fairtrain.spec import FAIR_TRAINABLE

    if args.model not in FAIR_TRAINABLE:
        raise ConfigError(f"--fairness trains a fairness term into a model's training loss; "
                          f"the {args.model} model is not trained with one. Use --model bpr, "
                          "--model two-tower or --model profile-two-tower.")
    from fairrec_core.fairtrain import parse_fairness

    return parse_fairness(spec, 1.0 if weight is None else weight,
                          target=getattr(args, "fairness_target", "catalog"))


def _ratios(text: str):
    from fairrec_core.errors import ConfigError

    try:
        parts = [float(x) for x in text.replace(",", ":").split(":")]
    except ValueError:
        parts = []
    if len(parts) != 3:
        raise ConfigError(f"--ratios must be three numbers like 8:1:1, got '{text}'.")
    return tuple(parts)


class _ProgressBar:
    """tqdm bar on stderr fed by training events."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.bar = None

    def __call__(self, ev) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        if ev.kind == "encode":  # the two-tower's first stage: encoding item texts
            bar = self.bar
            if bar is None:
                bar = self.bar = tqdm(total=ev.steps, file=sys.stderr, unit="text",
                                      desc="encoding item texts", dynamic_ncols=True)
            bar.total = ev.steps
            bar.n = ev.step
            bar.refresh()
            return
        if ev.kind == "start":
            if self.bar is not None:  # the encoding bar is done
                self.bar.close()
            self.bar = tqdm(total=ev.epochs * ev.steps, file=sys.stderr, unit="step",
                            desc=f"training on {ev.device}", dynamic_ncols=True)
            return
        if self.bar is None:
            return
        if ev.kind in ("step", "epoch"):
            self.bar.n = (ev.epoch - 1) * ev.steps + min(ev.step, ev.steps)
            post = {"epoch": f"{ev.epoch}/{ev.epochs}"}
            if ev.loss is not None:
                post["loss"] = f"{ev.loss:.4f}"
            if ev.kind == "epoch" and ev.metric is not None:
                post[f"valid {ev.metric_name}"] = f"{ev.metric:.4f}"
            self.bar.set_postfix(post, refresh=False)
            self.bar.refresh()
        elif ev.kind == "end":
            if ev.stopped_early:
                self.bar.total = self.bar.n
                self.bar.set_description(f"stopped early (best epoch {ev.best_epoch})")
            self.bar.close()
            self.bar = None


def run(args) -> int:
    """Carry out ``fairrec train``; returns the exit code."""
    from fairrec_core.cli.common import load_data
    from fairrec_core.data import split_dataset
    from fairrec_core.errors import DataValidationError
    from fairrec_core.metrics.ranking import ranking_metrics
    from fairrec_core.models import make_model, save_checkpoint

    # Model options (the fairness term among them) are checked before the data is read.
    params = _model_params(args)
    try:
        ds = load_data(args)
    except DataValidationError as exc:
        print(exc.report.format_text(), file=sys.stderr)
        return EXIT_BAD_INPUT
    split = split_dataset(ds, method=args.split, test_n=args.test_n, valid_n=args.valid_n,
                          ratios=_ratios(args.ratios), seed=args.seed)
    model = make_model(args.model, **params)
    with warnings.catch_warnings():
        # Model warnings are recorded on the model and printed once below.
        warnings.simplefilter("ignore", UserWarning)
        model.fit(ds, split, callbacks=[_ProgressBar(not args.no_progress)])
    folder = save_checkpoint(model, args.out)

    truth = split.test_matrix()
    users = split.evaluable_users()
    summary = {"model": model.name, "checkpoint": str(folder), "split": split.describe(),
               "evaluable_users": int(users.size), "k": args.k,
               "warnings": [w.message for w in model.warnings_]}
    fairness = getattr(model, "fairness_", None)
    if fairness is not None:
        summary["fairness"] = fairness.to_dict()
    if users.size:
        k = min(args.k, ds.n_items)
        top, _ = model.recommend(users, k)
        res = ranking_metrics(top, truth[users], k=k).per_user
        summary["test"] = {m: float(res[m].mean()) for m in ("ndcg", "recall", "precision",
                                                              "hr", "mrr")}
    training = getattr(model, "training_", None)
    if training is not None:
        summary["training"] = {"epochs_run": training.epochs_run,
                               "best_epoch": training.best_epoch,
                               "stopped_early": training.stopped_early,
                               "device": training.device, "seconds": round(training.seconds, 2)}
    if args.json:
        print(json.dumps(summary, indent=2))
        return EXIT_OK
    for w in summary["warnings"]:
        print(f"warning: {w}", file=sys.stderr)
    print(f"model: {model.name}")
    print(f"split: {summary['split']}")
    if "fairness" in summary:
        f = summary["fairness"]["config"]
        protected = summary["fairness"].get("protected")
        group = f" (protected group: {protected})" if protected else ""
        print(f"fairness: {f['term']} on {f['attribute']}{group}, λ_train = {f['weight']:g}")
    if "training" in summary:
        t = summary["training"]
        print(f"training: {t['epochs_run']} epoch(s) on {t['device']} in {t['seconds']} s, "
              f"best epoch {t['best_epoch']}" + (" (stopped early)" if t["stopped_early"] else ""))
    if "test" in summary:
        t = summary["test"]
        print(f"test ({summary['evaluable_users']} users): NDCG@{args.k} {t['ndcg']:.4f}  "
              f"Recall@{args.k} {t['recall']:.4f}  HR@{args.k} {t['hr']:.4f}")
    else:
        print("test: no user has a held-out positive, so accuracy cannot be measured.")
    print(f"checkpoint: {folder}")
    return EXIT_OK
