"""The CI gate: ``--fail-on`` rules evaluated against an audit's results.

Rules (each trips when its condition holds)::

    fail                                   any check failed: its whole interval lies
                                           below the fail threshold (a significant gap)
    warn                                   any check warned or failed
    inconclusive                           any check was inconclusive, warned or failed
                                           (only checks shown to pass are accepted)
    user:GROUPING:METRIC@K:STAT OP X       a user-gap statistic, e.g.
                                           user:gender:ndcg@10:ratio<0.8
    user:GROUPING[GROUP]:METRIC@K:STAT OP X  one group's value, e.g.
                                           user:age[55+]:ndcg@10:value<0.2
    item:GROUPING:STAT OP X                a provider statistic, e.g.
                                           item:seller_size:exposure_share_ratio<0.7
    item:GROUPING[GROUP]:STAT OP X         one item group, e.g.
                                           item:seller_size[small]:es_cs_ratio<0.7
    overall:METRIC[@K] OP X                an overall number, e.g. overall:gini>0.8
    cf:ATTRIBUTE:STAT@K OP X               the counterfactual probe, e.g.
                                           cf:gender:snsr_jaccard@10>0.1
    cf:ATTRIBUTE[VALUE]:SIM@K OP X         one stated value, e.g. cf:gender[F]:jaccard@10<0.8
    leak:ATTRIBUTE:STAT OP X               representation leakage, e.g. leak:gender:auc>0.6

``OP`` is one of ``<``, ``<=``, ``>``, ``>=``. User statistics: ``ratio``,
``difference`` and their ``_ci_low`` / ``_ci_high``; with a group, ``value``,
``ci_low``, ``ci_high``. Item statistics: ``exposure_share_ratio`` is the
ratio the provider check judges (the lowest judged group's ES/RS under the
default merit basis, ES/CS under the catalogue basis); ``exposure_share``,
``merit_share``, ``es_cs_ratio``, ``es_rs_ratio`` (and their ``_ci_low`` /
``_ci_high``) take the lowest value over the judged groups, or the named
group's. Counterfactual statistics: ``snsr_SIM`` and ``snsv_SIM`` (and their
``_ci_low`` / ``_ci_high``) for SIM in jaccard, serp, serp_norm, prag, and
``changed_any``; with a value, SIM itself or ``changed``. Leakage statistics:
``auc``, ``auc_ci_low``, ``auc_ci_high`` of the probed model. When the audit
ran no counterfactual probe, ``cf:`` and ``leak:`` rules are unjudged.

A rule that cannot be evaluated (the statistic is undefined: too few users,
ratio undefined) neither trips nor passes: its outcome is *unjudged*, and
:func:`gate_decision` turns any unjudged outcome into "unjudged" (the CLI
exits 2) unless unjudged rules are explicitly allowed (``--allow-unjudged``).
The status rules (``fail``, ``warn``, ``inconclusive``) are unjudged too when
most checks could not be judged (insufficient data), so a gate never passes
because the audit could not judge.
"""

from __future__ import annotations

import math
import operator
import re
from dataclasses import dataclass

from fairrec_core.errors import ConfigError

_OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_COND = re.compile(r"^(?P<lhs>.+?)\s*(?P<op><=|>=|<|>)\s*(?P<value>[-+]?(\d+\.?\d*|\.\d+)"
                   r"([eE][-+]?\d+)?)\s*$")
_SELECT = re.compile(r"^(?P<name>.+?)\[(?P<group>.*)\]$")
USER_STATS = ("ratio", "difference", "ratio_ci_low", "ratio_ci_high", "difference_ci_low",
              "difference_ci_high")
GROUP_STATS = ("value", "ci_low", "ci_high")
_ITEM_BASE = ("exposure_share", "merit_share", "es_cs_ratio", "es_rs_ratio")
ITEM_STATS = ("exposure_share_ratio",) + _ITEM_BASE + tuple(
    f"{b}_{s}" for b in _ITEM_BASE for s in ("ci_low", "ci_high"))
STATUS_RULES = {"fail": ("fail",), "warn": ("fail", "warn"),
                "inconclusive": ("fail", "warn", "inconclusive")}
SYNTAX = ("write 'fail', 'warn', 'inconclusive', 'user:GROUPING:METRIC@K:STAT<X' (e.g. "
          "user:gender:ndcg@10:ratio<0.8), 'item:GROUPING:STAT<X' (e.g. "
          "item:seller_size:exposure_share_ratio<0.7), 'overall:METRIC<X', "
          "'cf:ATTRIBUTE:snsr_jaccard@K>X' or 'leak:ATTRIBUTE:auc>X'")


@dataclass(frozen=True)
class GateRule:
    """One parsed ``--fail-on`` rule."""

    text: str
    side: str  # fail | warn | inconclusive | user | item | overall | cf | leak
    grouping: str = ""
    group: str | None = None
    metric: str = ""
    k: int | None = None
    stat: str = ""
    op: str = ""
    value: float = math.nan


@dataclass(frozen=True)
class GateOutcome:
    """Whether a rule tripped, the value it read and a sentence saying so.

    ``judged`` is False when the rule could not be evaluated; such an outcome
    never trips, and never counts as a pass either (see :func:`gate_decision`).
    """

    rule: GateRule
    tripped: bool
    value: float | None
    detail: str
    judged: bool = True

    @property
    def label(self) -> str:
        """``TRIPPED``, ``UNJUDGED`` or ``ok``, as the CLI prints it."""
        return "TRIPPED" if self.tripped else ("ok" if self.judged else "UNJUDGED")


def parse_rule(text: str) -> GateRule:
    """Parse one rule; raise :class:`ConfigError` with the expected syntax."""
    s = str(text).strip()
    if s.lower() in STATUS_RULES:
        return GateRule(s, s.lower())
    side, _, rest = s.partition(":")
    side = side.strip().lower()
    m = _COND.match(rest)
    if side not in ("user", "item", "overall", "cf", "leak") or not m:
        raise ConfigError(f"Cannot read the gate rule '{s}': {SYNTAX}.")
    op, value = m["op"], float(m["value"])
    lhs = m["lhs"].strip()
    if side in ("cf", "leak"):
        from fairrec_core.report.counterfactual_section import parse_probe_rule

        return GateRule(s, side, **parse_probe_rule(side, lhs, s), op=op, value=value)
    if side == "overall":
        metric, k = _metric_k(lhs, s, required=False)
        return GateRule(s, side, metric=metric, k=k, op=op, value=value)
    parts = lhs.rsplit(":", 2 if side == "user" else 1)
    if len(parts) != (3 if side == "user" else 2) or not all(p.strip() for p in parts):
        raise ConfigError(f"Cannot read the gate rule '{s}': {SYNTAX}.")
    grouping, group = parts[0].strip(), None
    sel = _SELECT.match(grouping)
    if sel:
        grouping, group = sel["name"].strip(), sel["group"]
    stat = parts[-1].strip()
    allowed: tuple[str, ...]
    if side == "user":
        metric, k = _metric_k(parts[1].strip(), s, required=True)
        allowed = GROUP_STATS if group is not None else USER_STATS
    else:
        metric, k = "", None
        allowed = ITEM_STATS[1:] if group is not None else ITEM_STATS
    if stat not in allowed:
        raise ConfigError(f"In the gate rule '{s}', '{stat}' is not a statistic here; use one "
                          f"of {', '.join(allowed)}.")
    return GateRule(s, side, grouping, group, metric, k, stat, op, value)


def _metric_k(text: str, rule: str, *, required: bool) -> tuple[str, int | None]:
    metric, at, k = text.partition("@")
    if not at:
        if required:
            raise ConfigError(f"In the gate rule '{rule}', name the metric with its cut-off, "
                              f"e.g. ndcg@10 (got '{text}').")
        return metric.strip().lower(), None
    if not k.strip().isdigit():
        raise ConfigError(f"In the gate rule '{rule}', the cut-off after @ must be a whole "
                          f"number (got '{k}').")
    return metric.strip().lower(), int(k)


def evaluate_gate(result, rules) -> list[GateOutcome]:
    """Evaluate parsed (or text) ``rules`` against an AuditResult.

    Raises
    ------
    ConfigError
        A rule names a grouping, group, metric or K the audit does not have.
    """
    return [_evaluate(result, r if isinstance(r, GateRule) else parse_rule(r)) for r in rules]


def _evaluate(result, rule: GateRule) -> GateOutcome:
    f = result.fairness
    if rule.side in STATUS_RULES:
        return _status_rule(f.checks, rule)
    if rule.side in ("cf", "leak"):
        from fairrec_core.report.counterfactual_section import probe_rule_value

        value, what, why = probe_rule_value(getattr(result, "counterfactual", None), rule)
        return _compare(rule, value, what, why)
    if rule.k is not None and rule.k != result.k:
        raise ConfigError(f"The gate rule '{rule.text}' asks for @{rule.k} but the audit "
                          f"measured K = {result.k}.")
    if rule.side == "overall":
        ov = f.overall.set_index("metric")
        if rule.metric not in ov.index:
            raise ConfigError(f"The gate rule '{rule.text}' names '{rule.metric}'; overall "
                              f"metrics are: {', '.join(ov.index)}.")
        return _compare(rule, ov.at[rule.metric, "value"], rule.metric)
    if rule.side == "user":
        return _user(result, rule)
    return _item(result, rule)


def _status_rule(checks, rule: GateRule) -> GateOutcome:
    bad = STATUS_RULES[rule.side]
    hit = checks[checks["status"].isin(bad)]
    if not hit.empty:
        names = "; ".join(f"{r['name']} ({r['status']}): {r['message']}"
                          for _, r in hit.iterrows())
        return GateOutcome(rule, True, None, f"{len(hit)} check(s): {names}")
    n = len(checks)
    n_not = int((checks["status"] == "insufficient_data").sum())
    if n == 0 or 2 * n_not > n:
        # A clean gate must mean "judged and fine", not "could not look".
        return GateOutcome(rule, False, None,
                           f"{n_not} of {n} checks could not be judged (insufficient data), "
                           "so a clean result would say nothing; the rule is unjudged",
                           judged=False)
    return GateOutcome(rule, False, None, f"no check has status {' or '.join(bad)}"
                       + (f" ({n_not} of {n} checks not judged)" if n_not else ""))


def gate_decision(outcomes, *, allow_unjudged: bool = False) -> tuple[str, str]:
    """Overall result of the gate: ``"tripped"``, ``"unjudged"`` or ``"ok"``, and why.

    A tripped rule wins (the finding is definite). Otherwise any unjudged
    rule makes the gate ``"unjudged"`` unless ``allow_unjudged``.
    """
    tripped = [o for o in outcomes if o.tripped]
    if tripped:
        return "tripped", (f"the gate tripped on {len(tripped)} rule(s): "
                           + "; ".join(o.rule.text for o in tripped))
    unjudged = [o for o in outcomes if not o.judged]
    if unjudged and not allow_unjudged:
        return "unjudged", (f"{len(unjudged)} gate rule(s) could not be evaluated: "
                            + "; ".join(o.rule.text for o in unjudged)
                            + ". The audit cannot vouch for them; pass --allow-unjudged to "
                            "accept that.")
    return "ok", ""


def _user(result, rule: GateRule) -> GateOutcome:
    f = result.fairness
    _known(rule, f.user_gaps["grouping"], "user grouping")
    if rule.group is None:
        rows = f.user_gaps[(f.user_gaps["grouping"] == rule.grouping)
                           & (f.user_gaps["metric"] == rule.metric)]
        _any(rule, rows, f"metric '{rule.metric}'")
        row = rows.iloc[0]
        return _compare(rule, row[rule.stat], f"{rule.stat} of {rule.metric}@{result.k} "
                                              f"across {rule.grouping}", row["reason"])
    rows = f.user_groups[(f.user_groups["grouping"] == rule.grouping)
                         & (f.user_groups["metric"] == rule.metric)]
    _any(rule, rows, f"metric '{rule.metric}'")
    rows = rows[rows["group"].astype(str) == rule.group]
    _any(rule, rows, f"group '{rule.group}' of {rule.grouping}")
    row = rows.iloc[0]
    value = row[rule.stat] if row["status"] == "ok" or rule.stat == "value" else math.nan
    return _compare(rule, value, f"{rule.metric}@{result.k} of {rule.grouping} = {rule.group}",
                    row["reason"])


def _item(result, rule: GateRule) -> GateOutcome:
    f = result.fairness
    _known(rule, f.item_groups["grouping"], "item grouping")
    rows = f.item_groups[f.item_groups["grouping"] == rule.grouping]
    if rule.stat == "exposure_share_ratio":
        c = f.checks[f.checks["name"] == f"provider_exposure:{rule.grouping}"]
        if c.empty:
            raise ConfigError(f"The gate rule '{rule.text}': no provider check for "
                              f"'{rule.grouping}'.")
        r = c.iloc[0]
        return _compare(rule, r["value"], f"the provider check's {r['metric']} for "
                                          f"{rule.grouping}", r["message"])
    if rule.group is not None:
        sel = rows[rows["group"].astype(str) == rule.group]
        _any(rule, sel, f"group '{rule.group}' of {rule.grouping}")
        r = sel.iloc[0]
        return _compare(rule, r[rule.stat], f"{rule.stat} of {rule.grouping} = {rule.group}",
                        r["reason"])
    judged = rows if not rule.stat.startswith("es_rs") else rows[rows["status"] == "ok"]
    values = judged[rule.stat].astype(float)
    if values.notna().any():
        j = values.idxmin()
        return _compare(rule, values[j], f"lowest {rule.stat} over the groups of "
                                         f"{rule.grouping} (group '{rows.at[j, 'group']}')")
    return _compare(rule, math.nan, f"{rule.stat} of {rule.grouping}", "no group is judged")


def _known(rule: GateRule, column, what: str) -> None:
    names = list(dict.fromkeys(column))
    if rule.grouping not in names:
        raise ConfigError(f"The gate rule '{rule.text}' names the {what} '{rule.grouping}', "
                          f"which the audit did not compare; compared: {', '.join(names)}.")


def _any(rule: GateRule, rows, what: str) -> None:
    if rows.empty:
        raise ConfigError(f"The gate rule '{rule.text}' names {what}, which the audit does "
                          "not report.")


def _compare(rule: GateRule, value, what: str, why: str = "") -> GateOutcome:
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = math.nan
    if not math.isfinite(v):
        return GateOutcome(rule, False, None, f"{what} is undefined"
                                               + (f" ({why})" if why else "")
                                               + "; the rule is unjudged", judged=False)
    tripped = bool(_OPS[rule.op](v, rule.value))
    verb = "meets" if tripped else "does not meet"
    return GateOutcome(rule, tripped, v,
                       f"{what} = {v:.4g}, which {verb} the condition {rule.op} {rule.value:g}")
