"""The catalogue: one ``MESSAGES`` dict per area, merged; a key may appear once."""

from __future__ import annotations

from fairrec_core.i18n.catalogue import app_shell, common
from fairrec_core.i18n.catalogue import combined as _combined
from fairrec_core.i18n.catalogue import counterfactual as _counterfactual
from fairrec_core.i18n.catalogue import data_page as _data_page
from fairrec_core.i18n.catalogue import engine as _engine
from fairrec_core.i18n.catalogue import explain as _explain
from fairrec_core.i18n.catalogue import explain_page as _explain_page
from fairrec_core.i18n.catalogue import fairness_page as _fairness_page
from fairrec_core.i18n.catalogue import labels as _labels
from fairrec_core.i18n.catalogue import leftovers_zh as _leftovers_zh
from fairrec_core.i18n.catalogue import metrics as _metrics
from fairrec_core.i18n.catalogue import report as _report
from fairrec_core.i18n.catalogue import report_page as _report_page
from fairrec_core.i18n.catalogue import rerank as _rerank
from fairrec_core.i18n.catalogue import train_page as _train_page
from fairrec_core.i18n.catalogue import whatif as _whatif
from fairrec_core.i18n.catalogue import whatif_page as _whatif_page

_AREAS = (common, app_shell, _counterfactual, _metrics, _report,
          _data_page, _fairness_page, _explain_page, _whatif_page, _report_page,
          _train_page, _whatif, _explain, _leftovers_zh, _engine,
          _rerank, _labels, _combined)


def _merge() -> dict[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    for area in _AREAS:
        for key, entry in area.MESSAGES.items():
            if key in merged:
                raise RuntimeError(f"catalogue key {key!r} is defined twice")
            merged[key] = entry
    return merged


MESSAGES = _merge()
