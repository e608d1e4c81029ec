"""The ``fairrec`` command: headless driver of the same core the dashboard uses."""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

from fairrec_core import __version__
from fairrec_core.cli.common import EXIT_BAD_INPUT, EXIT_OK, add_data_args, load_data
from fairrec_core.errors import FairrecError


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
    s.add_argument("--lang", choices=("en", "zh"), default="en",
                   help="zh: Chinese titles, categories, shops, regions and headers "
                        "(users file in GBK); same data and biases as en")

    v = sub.add_parser("validate", help="validate CSV exports and print a data summary",
                       description="Check the CSV exports against the data contract, list "
                                   "every problem, and summarise the data. Exit 0 when "
                                   "usable, 2 on errors.")
    add_data_args(v)
    v.add_argument("--json", action="store_true", help="print the report as JSON")

    from fairrec_core.cli import audit as cli_audit
    from fairrec_core.cli import train as cli_train

    cli_train.add_parser(sub)
    cli_audit.add_parser(sub)

    a = sub.add_parser("app", help="launch the dashboard in a browser",
                       description="Start the dashboard on this machine (127.0.0.1) and print "
                                   "its URL. Ctrl-C (or SIGTERM) stops it.")
    a.add_argument("--port", type=int, default=8501)
    a.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only; "
                        "0.0.0.0 exposes the dashboard and the data uploaded to it to the "
                        "network)")
    a.add_argument("--headless", action="store_true", help="do not open a browser")
    a.add_argument("--sample", action="store_true",
                   help="open with the bundled sample data already loaded")
    return p


def cmd_validate(args) -> int:
    from fairrec_core.data import summarize
    from fairrec_core.errors import DataValidationError

    try:
        ds = load_data(args)
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
                    n_interactions=args.interactions, seed=args.seed, lang=args.lang)
    for path in data.write(args.out):
        print(path)
    return EXIT_OK


def cmd_app(args) -> int:
    from fairrec_core.bundled import app_script

    app = app_script()
    if not app.is_file():
        raise FairrecError(f"The dashboard script {app} is missing; reinstall fairrec "
                           "(pip install fairrec) or run it from a checkout.")
    if not 1 <= args.port <= 65535:
        raise FairrecError(f"--port must be from 1 to 65535, got {args.port}.")
    # serve_dashboard.py (beside app.py) is `streamlit` without the legacy pages/ scan
    # ("Page not found").
    cmd = [sys.executable, str(app.parent / "serve_dashboard.py"), "run", str(app),
           "--server.port", str(args.port), "--server.address", args.host,
           "--server.fileWatcherType", "none",
           "--client.showErrorDetails", "none", "--browser.gatherUsageStats", "false",
           "--client.toolbarMode", "viewer", "--server.maxUploadSize", "200"]
    if args.host in ("127.0.0.1", "localhost", "::1"):
        cmd += ["--browser.serverAddress", args.host]
    if args.headless:
        cmd += ["--server.headless", "true"]
    env = dict(os.environ)
    if args.sample:
        env["FAIRREC_AUTOLOAD_SAMPLE"] = "1"
    return _run_forwarding_signals(cmd, cwd=app.parent, env=env)


def _run_forwarding_signals(cmd, **popen_kw) -> int:
    """Run ``cmd``, pass SIGINT/SIGTERM on to it, and return its exit code.

    Stopping ``fairrec app`` must stop the server: a Streamlit left running
    keeps serving the session's data. On Linux the child is also told to stop
    if this process dies without a chance to forward anything (SIGKILL).
    """
    import signal

    def on_parent_death():  # runs in the child before exec
        try:
            import ctypes

            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass

    child = subprocess.Popen(cmd, preexec_fn=on_parent_death if sys.platform == "linux"
                             else None, **popen_kw)

    def forward(signum, _frame):
        if child.poll() is None:
            child.send_signal(signum)

    old = {s: signal.signal(s, forward) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        while True:
            try:
                code = child.wait()
                break
            except KeyboardInterrupt:  # a second Ctrl-C while Streamlit shuts down
                continue
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)
    # A child stopped by our forwarded signal reports -SIG; the shell convention is 128+SIG.
    return 128 - code if code < 0 else code


def cmd_train(args) -> int:
    from fairrec_core.cli import train as cli_train

    return cli_train.run(args)


def cmd_audit(args) -> int:
    from fairrec_core.cli import audit as cli_audit

    return cli_audit.run(args)


COMMANDS = {"validate": cmd_validate, "sample-data": cmd_sample_data, "train": cmd_train,
            "audit": cmd_audit, "app": cmd_app}


def _configure_logging() -> None:
    """Where the CLI's logged tracebacks go: stderr with FAIRREC_DEBUG=1, a file with
    FAIRREC_LOG_FILE=PATH, otherwise nowhere (the user reads the plain message)."""
    log = logging.getLogger("fairrec")
    if log.handlers:
        return
    fmt = logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s")
    if os.environ.get("FAIRREC_DEBUG"):
        handler: logging.Handler = logging.StreamHandler(sys.stderr)
    elif os.environ.get("FAIRREC_LOG_FILE"):
        handler = logging.FileHandler(os.environ["FAIRREC_LOG_FILE"], encoding="utf-8")
    else:
        handler = logging.NullHandler()
    handler.setFormatter(fmt)
    log.addHandler(handler)
    log.propagate = False


def main(argv=None) -> int:
    _configure_logging()
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
    except Exception as exc:  # a plain sentence for the user, the traceback for the log
        logging.getLogger("fairrec.cli").exception("fairrec %s failed", args.command)
        print(f"fairrec: error: {args.command} stopped unexpectedly ({type(exc).__name__}: "
              f"{exc}). Set FAIRREC_DEBUG=1 (or FAIRREC_LOG_FILE=PATH) for the traceback.",
              file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
