"""The ``fairrec`` command: headless driver of the same core the dashboard uses."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from fairrec_core import __version__
from fairrec_core.errors import FairrecError

EXIT_OK, EXIT_GATE, EXIT_BAD_INPUT = 0, 1, 2
REPO_ROOT = Path(__file__).resolve().parents[1]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="fairrec",
        description="fairrec: fairness audits of e-commerce recommender systems.")
    p.add_argument("--version", action="version", version=f"fairrec {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    s = sub.add_parser("sample-data", help="write the seeded synthetic e-commerce sample data",
                       description="Write seeded synthetic users, items, interactions and "
                                   "production recommendations with documented biases.")
    s.add_argument("--out", required=True, type=Path, help="output folder")
    s.add_argument("--users", type=int, default=2000)
    s.add_argument("--items", type=int, default=1000)
    s.add_argument("--interactions", type=int, default=50_000)
    s.add_argument("--seed", type=int, default=42)

    v = sub.add_parser("validate", help="validate CSV exports and print a data summary",
                       description="Check the CSV exports against the data contract, list "
                                   "every problem, and summarise the data. Exit 0 when "
                                   "usable, 2 on errors.")
    _add_data_args(v)
    v.add_argument("--json", action="store_true", help="print the report as JSON")

    from fairrec_core import cli_audit, cli_train

    cli_train.add_parser(sub)
    cli_audit.add_parser(sub)

    a = sub.add_parser("app", help="launch the dashboard in a browser")
    a.add_argument("--port", type=int, default=8501)
    a.add_argument("--headless", action="store_true", help="do not open a browser")
    a.add_argument("--sample", action="store_true",
                   help="open with the bundled sample data already loaded")
    return p


def _add_data_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--interactions", required=True, type=Path, help="interactions CSV")
    p.add_argument("--users", type=Path, help="users CSV (attributes)")
    p.add_argument("--items", type=Path, help="items CSV (titles, categories, sellers)")
    p.add_argument("--recommendations", type=Path, help="production top-K lists CSV")
    p.add_argument("--map", action="append", default=[], metavar="ROLE=COLUMN",
                   help="column mapping override, e.g. user=customer_no or "
                        "items.provider=brand (repeatable)")
    p.add_argument("--encoding", help="force a text encoding (utf-8, gbk, gb18030, ...)")
    p.add_argument("--delimiter", help="force a delimiter: ',', 'tab', ';' or '|'")
    p.add_argument("--rating-threshold", type=float,
                   help="ratings at or above this are positives (default 4 on 1-5)")
    p.add_argument("--drop-unknown-ids", action="store_true",
                   help="drop rows naming users/items absent from the users/items files "
                        "instead of stopping")
    p.add_argument("--min-user-interactions", type=int, default=3)
    p.add_argument("--max-mb", type=float, default=200, help="largest accepted file, MB")


def _load(args):
    from fairrec_core.data import load_dataset, parse_mapping_args

    delimiter = {"tab": "\t", "\\t": "\t"}.get(args.delimiter, args.delimiter)
    return load_dataset(
        args.interactions, users=args.users, items=args.items,
        recommendations=args.recommendations, mapping=parse_mapping_args(args.map),
        encoding=args.encoding, delimiter=delimiter, rating_threshold=args.rating_threshold,
        on_unknown_ids="drop" if args.drop_unknown_ids else "error",
        min_user_interactions=args.min_user_interactions,
        max_bytes=int(args.max_mb * 2**20))


def cmd_validate(args) -> int:
    from fairrec_core.data import summarize
    from fairrec_core.errors import DataValidationError

    try:
        ds = _load(args)
    except DataValidationError as exc:
        if args.json:
            print(json.dumps({"ok": False, "issues": exc.report.to_dicts()}, indent=2))
        else:
            print(exc.report.format_text(), file=sys.stderr)
        return EXIT_BAD_INPUT
    summary = summarize(ds)
    if args.json:
        print(json.dumps({"ok": True, "issues": ds.report.to_dicts(),
                          "summary": summary.to_dict(), "sources": ds.sources},
                         indent=2, default=str))
    else:
        print(ds.report.format_text())
        print()
        print(summary.to_text())
    return EXIT_OK


def cmd_sample_data(args) -> int:
    from fairrec_core.data.synthetic import generate

    data = generate(n_users=args.users, n_items=args.items,
                    n_interactions=args.interactions, seed=args.seed)
    for path in data.write(args.out):
        print(path)
    return EXIT_OK


def cmd_app(args) -> int:
    app = REPO_ROOT / "app.py"
    if not app.is_file():
        raise FairrecError(f"The dashboard script {app} is missing; run fairrec from a "
                           "checkout of the repository.")
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(args.port)]
    if args.headless:
        cmd += ["--server.headless", "true"]
    env = dict(os.environ)
    if args.sample:
        env["FAIRREC_AUTOLOAD_SAMPLE"] = "1"
    return subprocess.call(cmd, cwd=REPO_ROOT, env=env)


def cmd_train(args) -> int:
    from fairrec_core import cli_train

    return cli_train.run(args)


def cmd_audit(args) -> int:
    from fairrec_core import cli_audit

    return cli_audit.run(args)


COMMANDS = {"validate": cmd_validate, "sample-data": cmd_sample_data, "train": cmd_train,
            "audit": cmd_audit, "app": cmd_app}


def main(argv=None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return EXIT_OK
    try:
        return COMMANDS[args.command](args)
    except FairrecError as exc:
        print(f"fairrec: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        print(f"fairrec: error: {exc.strerror or exc}: {exc.filename or ''}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
