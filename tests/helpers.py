"""Small builders shared by the data tests."""

from __future__ import annotations


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
