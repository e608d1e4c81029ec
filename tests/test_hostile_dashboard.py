"""The hostile corpus through the dashboard's own loading path (the Data page's controller).

Every crafted upload ends in the same answer the loader gives (an error report or a loaded
dataset with the expected issue), never in an exception the page would have to catch.
"""

from __future__ import annotations

import pytest

from fairrec_core.dashboard import data_session as ds
from tests.hostile.make_corpus import cases

# Cases whose expected answer depends on a loader option the page sets elsewhere.
CASES = {c.name: c for c in cases() if not c.kwargs}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("name", sorted(CASES))
def test_corpus_case_through_the_data_page_controller(name):
    case = CASES[name]
    state: dict = {ds.FILES: {kind: ds.FileInput(kind, f"{kind}.csv", data)
                              for kind, data in case.files.items()}}
    ds.refresh(state, reader=ds.read_table)  # must not raise
    outcome = state.get(ds.OUTCOME)
    if outcome is None:  # the files could not be read at all: a plain message
        assert case.outcome == "error" and state.get(ds.LOAD_ERROR)
        return
    assert outcome.ok == (case.outcome != "error"), [str(i) for i in outcome.report.issues]
    if case.code is not None:
        assert case.code in {i.code for i in outcome.report.issues}, \
            [str(i) for i in outcome.report.issues]


@pytest.mark.timeout(300)
@pytest.mark.parametrize("name", sorted(CASES))
def test_corpus_case_through_the_audit(name, tmp_path):
    # The headless audit reads through the same stage: an error case stops with the loader's
    # typed error (no report), a loadable one audits a popularity model to the end.
    from fairrec_core.audit import run_audit
    from fairrec_core.config import AuditConfig
    from fairrec_core.errors import DataValidationError, FairrecError

    case = CASES[name]
    paths = {}
    for kind, data in case.files.items():
        paths[kind] = str(tmp_path / f"{kind}.csv")
        (tmp_path / f"{kind}.csv").write_bytes(data)
    config = AuditConfig.from_dict({
        "seed": 0, "data": paths, "model": {"name": "popularity"},
        "metrics": {"n_boot": 20}, "rerank": {"sweep": False},
        "explain": {"users_per_group": 0}})
    if case.outcome == "error":
        with pytest.raises(DataValidationError) as info:
            run_audit(config)
        if case.code is not None:
            assert case.code in {i.code for i in info.value.report.errors}
        return
    try:
        result = run_audit(config)
    except FairrecError as exc:  # too little data left to audit is a plain, typed refusal
        assert str(exc)
        return
    assert result.verdict["status"]
