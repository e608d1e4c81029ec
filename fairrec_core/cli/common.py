"""What every ``fairrec`` subcommand shares: exit codes, the data options, loading."""

from __future__ import annotations

import argparse
from pathlib import Path

EXIT_OK, EXIT_GATE, EXIT_BAD_INPUT = 0, 1, 2


def add_data_args(p: argparse.ArgumentParser) -> None:
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
    p.add_argument("--max-mb", type=float, default=200,
                   help="largest accepted file, MB (more than 0, at most 20,000)")


def load_data(args):
    from fairrec_core.config_sections import LIMITS, check_range
    from fairrec_core.data import load_dataset, parse_mapping_args

    delimiter = {"tab": "\t", "\\t": "\t"}.get(args.delimiter, args.delimiter)
    check_range(args.max_mb, 0, LIMITS["max_mb"], "--max-mb", low_open=True)
    check_range(args.min_user_interactions, 0, LIMITS["min_user_interactions"],
            "--min-user-interactions")
    return load_dataset(
        args.interactions, users=args.users, items=args.items,
        recommendations=args.recommendations, mapping=parse_mapping_args(args.map),
        encoding=args.encoding, delimiter=delimiter, rating_threshold=args.rating_threshold,
        on_unknown_ids="drop" if args.drop_unknown_ids else "error",
        min_user_interactions=args.min_user_interactions,
        max_bytes=int(args.max_mb * 2**20))
