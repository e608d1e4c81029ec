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

# The options and the config they make live in audit_options; tests import them from here.
from fairrec_core.cli.audit_options import add_arguments, config_from_args
from fairrec_core.cli.common import EXIT_BAD_INPUT, EXIT_GATE, EXIT_OK

__all__ = ["add_parser", "add_arguments", "config_from_args", "describe_model", "run", "main"]

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
