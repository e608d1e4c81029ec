"""Column roles of the CSV data contract and their auto-detection.

Each uploaded file has a *kind* (interactions, users, items, recommendations).
Each kind has required and optional *roles*; a role is filled by one column.
Column names vary between platforms, so roles are detected from common
spellings and the user can override any of them with an explicit mapping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from fairrec_core.errors import ConfigError

FILE_KINDS = ("interactions", "users", "items", "recommendations")

# Required roles per file kind. A tuple inside the tuple means "one of these".
REQUIRED: dict[str, tuple] = {
    "interactions": ("user", "item"),
    "users": ("user",),
    "items": ("item",),
    "recommendations": ("user", "item", ("rank", "score")),
}

OPTIONAL: dict[str, tuple[str, ...]] = {
    "interactions": ("rating", "event", "weight", "timestamp"),
    "users": (),
    "items": ("title", "description", "category", "provider", "price", "created_at"),
    "recommendations": ("rank", "score"),
}

# Aliases in priority order, compared after normalisation (lower case, only
# letters and digits kept). Chinese spellings cover common Taobao/JD exports.
ALIASES: dict[str, tuple[str, ...]] = {
    "user": ("user", "userid", "uid", "customerid", "customer", "buyerid", "buyer",
             "memberid", "member", "clientid", "visitorid", "accountid", "用户id", "用户",
             "买家id", "会员id"),
    "item": ("item", "itemid", "iid", "productid", "product", "sku", "skuid", "asin",
             "goodsid", "goods", "articleid", "商品id", "商品", "物品id"),
    "rating": ("rating", "score", "stars", "star", "rate", "评分", "打分"),
    "event": ("event", "eventtype", "action", "behavior", "behaviour", "behaviortype",
              "interaction", "type", "行为", "行为类型"),
    "weight": ("weight", "count", "quantity", "qty", "clicks"),
    "timestamp": ("timestamp", "ts", "time", "datetime", "date", "eventtime", "eventdate",
                  "createdat", "时间", "时间戳", "日期"),
    "title": ("title", "name", "productname", "itemname", "goodsname", "标题", "商品名称",
              "名称"),
    "description": ("description", "desc", "details", "summary", "text", "描述", "详情"),
    "category": ("category", "categoryname", "cat", "categoryid", "cate", "department",
                 "类目", "类别", "品类"),
    "provider": ("provider", "sellerid", "seller", "shopid", "shop", "merchantid",
                 "merchant", "vendorid", "vendor", "storeid", "store", "brand",
                 "卖家id", "店铺id", "卖家", "店铺", "商家"),
    "price": ("price", "unitprice", "listprice", "价格", "售价"),
    "created_at": ("createdat", "created", "listedat", "releasedate", "launchdate",
                   "firstseen", "上架时间"),
    "rank": ("rank", "position", "pos", "ranking", "排名", "位置"),
    "score": ("score", "prediction", "pred", "relevance", "prob", "probability", "得分"),
}

# Where a file kind offers several roles that share aliases ("score" is a
# rating in interactions but a model score in recommendations), the kind
# decides which role may use them.
_ROLE_ORDER: dict[str, tuple[str, ...]] = {
    kind: tuple(r for r in REQUIRED[kind] if isinstance(r, str)) + OPTIONAL[kind]
    for kind in FILE_KINDS
}

SENSITIVE_HINTS = ("gender", "sex", "age", "region", "country", "province", "city",
                   "state", "tier", "membership", "level", "ethnicity", "race",
                   "religion", "disability", "income", "性别", "年龄", "地区", "省份",
                   "城市", "会员")


def normalise(name: str) -> str:
    """Lower-case a column name and keep only letters and digits (any script)."""
    return re.sub(r"[\W_]+", "", str(name).strip().lower())


@dataclass
class ColumnMapping:
    """Which column fills which role in one file.

    Attributes
    ----------
    kind : str
        The file kind.
    roles : dict
        role -> column name.
    attributes : list of str
        The remaining columns, kept as attributes.
    detected : dict
        role -> True when found by auto-detection, False when set explicitly.
    """

    kind: str
    roles: dict[str, str] = field(default_factory=dict)
    attributes: list[str] = field(default_factory=list)
    detected: dict[str, bool] = field(default_factory=dict)

    def missing_required(self) -> list[str]:
        """Required roles (or role alternatives, as ``rank|score``) left unfilled."""
        missing = []
        for req in REQUIRED[self.kind]:
            options = req if isinstance(req, tuple) else (req,)
            if not any(r in self.roles for r in options):
                missing.append("|".join(options))
        return missing

    def to_dict(self) -> dict:
        return {"kind": self.kind, "roles": dict(self.roles),
                "attributes": list(self.attributes)}


def roles_for(kind: str) -> tuple[str, ...]:
    """All roles a file kind can have, required first."""
    _check_kind(kind)
    return _ROLE_ORDER[kind]


def detect_roles(columns, kind: str, overrides: dict[str, str] | None = None) -> ColumnMapping:
    """Detect column roles for a file of ``kind``; ``overrides`` win.

    Parameters
    ----------
    columns : sequence of str
        The file's header.
    kind : {"interactions", "users", "items", "recommendations"}
    overrides : dict, optional
        role -> column name. A value of ``""`` or ``None`` removes a detected role.

    Raises
    ------
    ConfigError
        When an override names an unknown role or a column the file lacks.
    """
    _check_kind(kind)
    columns = [str(c) for c in columns]
    overrides = dict(overrides or {})
    allowed = _ROLE_ORDER[kind]
    for role, col in overrides.items():
        if role not in allowed:
            raise ConfigError(
                f"'{role}' is not a column role of the {kind} file; "
                f"roles it can have: {', '.join(allowed)}.")
        if col and col not in columns:
            raise ConfigError(
                f"The mapping says {role}={col} for the {kind} file, but it has no column "
                f"'{col}'. {columns_hint(columns)}")

    chosen = [c for c in overrides.values() if c]
    twice = sorted({c for c in chosen if chosen.count(c) > 1})
    if twice:
        raise ConfigError(f"The mapping uses column '{twice[0]}' of the {kind} file for more "
                          "than one role; each column can fill one role.")
    mapping = ColumnMapping(kind=kind)
    used: set[str] = set()
    for role, col in overrides.items():
        if col:
            mapping.roles[role] = col
            mapping.detected[role] = False
            used.add(col)
    norm = {c: normalise(c) for c in columns}
    for role in allowed:
        if role in overrides:
            continue
        for alias in ALIASES[role]:
            hit = next((c for c in columns if c not in used and norm[c] == alias), None)
            if hit is not None:
                mapping.roles[role] = hit
                mapping.detected[role] = True
                used.add(hit)
                break
    mapping.attributes = [c for c in columns if c not in used]
    return mapping


def parse_mapping_args(pairs) -> dict[str, dict[str, str]]:
    """Parse CLI ``--map`` values into ``{kind: {role: column}}``.

    ``kind.role=column`` applies to one file, e.g. ``items.provider=brand``.
    A bare ``role=column`` goes under the key ``"*"``: it applies to every
    file that has such a column (see :func:`resolve_overrides`).
    """
    out: dict[str, dict[str, str]] = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise ConfigError(f"--map expects role=column, got '{pair}'.")
        key, col = (s.strip() for s in pair.split("=", 1))
        kind, role = key.split(".", 1) if "." in key else ("*", key)
        if kind != "*":
            _check_kind(kind)
        known = _ROLE_ORDER[kind] if kind != "*" else tuple(ALIASES)
        if role not in known:
            where = "" if kind == "*" else f" of the {kind} file"
            raise ConfigError(f"'{role}' is not a column role{where}; "
                              f"known roles: {', '.join(known)}.")
        out.setdefault(kind, {})[role] = col
    return out


def columns_hint(columns) -> str:
    """A sentence naming a file's columns, safe to show whatever the file holds.

    A file that did not split into columns is not echoed: its one "column name"
    is its whole first line, which may be anything (a password file, a key).
    Long lists and long names are shortened.
    """
    cols = [str(c) for c in columns]
    if len(cols) <= 1:
        return ("It has a single column, so it does not look like a delimited export "
                "(no comma, tab, semicolon or pipe separates its fields).")
    shown = [c if len(c) <= 40 else c[:39] + "\u2026" for c in cols[:20]]
    more = f" and {len(cols) - 20} more" if len(cols) > 20 else ""
    return f"Its columns are: {', '.join(shown)}{more}."


def resolve_overrides(mapping: dict | None, kind: str, columns) -> dict[str, str]:
    """The overrides that apply to one file: its own, plus bare ones it can use."""
    mapping = mapping or {}
    own = dict(mapping.get(kind, {}))
    for role, col in mapping.get("*", {}).items():
        if role in _ROLE_ORDER[kind] and role not in own and col in list(columns):
            own[role] = col
    return own


def likely_sensitive(columns) -> list[str]:
    """Attribute columns whose names suggest a protected or audit-relevant trait."""
    return [c for c in columns if any(h in normalise(c) for h in SENSITIVE_HINTS)]


def _check_kind(kind: str) -> None:
    if kind not in FILE_KINDS:
        raise ConfigError(f"Unknown file kind '{kind}'; expected one of {', '.join(FILE_KINDS)}.")
