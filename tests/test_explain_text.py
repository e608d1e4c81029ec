"""Item-text attribution: LIME and SHAP against the model's own scores, the per-item cache, bad input."""

from __future__ import annotations

import copy
import re

import numpy as np
import pytest

from fairrec_core.explain import ExplanationError, TextExplainer, explain_item_text
from tests.explain_setup import TwoTowerReference, bpr, pairs, sample, two_tower


@pytest.fixture(scope="module")
def setup():
    ds, sp = sample()
    model = two_tower()
    return ds, sp, model, TwoTowerReference(model)


def _delete_word(text: str, word: str) -> str:
    """The text without any occurrence of ``word`` (as LIME's bag of words removes it)."""
    return re.sub(r"(?<!\w)" + re.escape(word) + r"(?!\w)", "", text)


def test_lime_word_deletion_lowers_the_score(setup, record_property):
    """Deleting the word with the largest positive LIME weight lowers the model's score."""
    ds, _, model, ref = setup
    ex = TextExplainer(model, ds, num_samples=64, seed=0)  # fewer than the default: test time
    lowered = total = 0
    for u, i in pairs(model, 50, seed=11):
        e = ex.explain(u, i, method="lime")
        j = int(np.argmax(e.values))
        if e.values[j] <= 0:
            continue
        text = e.details["text"]
        before, after = ref.score_with_text(u, i, [text, _delete_word(text, e.features[j])])
        assert before == pytest.approx(e.output_value, abs=1e-3)
        total += 1
        lowered += after < before
    rate = lowered / total
    record_property("lime_deletion_rate", rate)
    print(f"LIME deletion check: {lowered}/{total} = {rate:.2f}")
    assert total >= 45
    assert rate >= 0.7


def test_cached_lime_equals_lime_run_on_the_users_score(setup):
    """The per-item cache combined with the user vector = LIME run directly on that user."""
    from lime.lime_text import LimeTextExplainer

    ds, _, model, ref = setup
    ex = TextExplainer(model, ds, num_samples=60, seed=5)
    (u, i), (u2, _) = pairs(model, 2, seed=12)
    first = ex.explain(u2, i, method="lime")  # fills the cache with another user
    e = ex.explain(u, i, method="lime")
    assert not first.details["cached"] and e.details["cached"]
    direct = LimeTextExplainer(split_expression=r"\W+", bow=True, feature_selection="none",
                               random_state=ex.item_seed(i))
    text = e.details["text"]
    res = direct.explain_instance(
        text, lambda texts: ref.score_with_text(u, i, texts)[:, None], labels=(0,),
        num_features=len(e.features), num_samples=60)
    weights = dict(res.as_list(label=0))
    np.testing.assert_allclose([weights[f] for f in e.features], e.values, atol=2e-3)
    assert res.intercept[0] == pytest.approx(e.base_value, abs=2e-3)


def test_shap_text_values_add_up_and_match_a_direct_run(setup):
    import shap

    ds, _, model, ref = setup
    ex = TextExplainer(model, ds, seed=0)
    u, i = pairs(model, 1, seed=13)[0]
    e = ex.explain(u, i, method="shap")
    text = e.details["text"]
    full, empty = ref.score_with_text(u, i, [text, ""])
    assert e.output_value == pytest.approx(full, abs=1e-3)
    assert e.base_value == pytest.approx(empty, abs=1e-3)
    assert e.values.sum() == pytest.approx(full - empty, abs=1e-3)
    # shap's partition explainer run directly on this user's score gives the same values.
    masker = shap.maskers.Text(r"\W+", mask_token=" ", collapse_mask_token=True)
    direct = shap.explainers.Partition(
        lambda texts: ref.score_with_text(u, i, [str(t) for t in texts]), masker)
    res = direct([text], max_evals=500, fixed_context=1, batch_size=10_000, silent=True)
    np.testing.assert_allclose(res.values[0], e.values, atol=2e-3)
    # The cache answers another user's question with the same item, quickly.
    u2 = (u + 1) % ds.n_users
    e2 = ex.explain(u2, i, method="shap")
    assert e2.details["cached"] and e2.runtime_s < 0.5
    assert e2.values.sum() + e2.base_value == pytest.approx(
        float(model.score([u2], [i])[0, 0]), abs=1e-3)


def test_shap_word_deletion_rate_is_reported(setup, record_property):
    ds, _, model, ref = setup
    ex = TextExplainer(model, ds, seed=0)
    lowered = total = 0
    for u, i in pairs(model, 12, seed=14):
        e = ex.explain(u, i, method="shap")
        j = int(np.argmax(e.values))
        if e.values[j] <= 0:
            continue
        att = ex.cache[("shap", i)]
        kept = "".join(t for t, f in zip(att.tokens, att.token_feature) if f != j)
        before, after = ref.score_with_text(u, i, [e.details["text"], kept])
        total += 1
        lowered += after < before
    record_property("shap_deletion_rate", lowered / total)
    print(f"SHAP (text) deletion check: {lowered}/{total}")
    assert lowered / total >= 0.7


def test_display_pieces_rebuild_the_text(setup):
    ds, _, model, _ = setup
    ex = TextExplainer(model, ds, num_samples=40, cache_size=1)
    found = pairs(model, 6, seed=15)
    u, i = found[0]
    i2 = next(j for _, j in found if j != i)
    for method in ("lime", "shap"):
        e = ex.explain(u, i, method=method)
        assert "".join(e.details["tokens"]).strip() == e.details["text"].strip()
        assert len(e.details["token_values"]) == len(e.details["tokens"])
        assert e.caveat and e.summary and e.parameters["method"] == method
    assert e.method == "SHAP (text masker)"
    ex.explain(u, i, method="lime")  # used again: now the most recent entry
    ex.explain(u, i2, method="lime")
    assert list(ex.cache) == [("lime", i), ("lime", i2)]  # the oldest (SHAP, i) went


def _with_text(ds, item, title, description):
    """A shallow copy of the dataset with one item's title and description replaced."""
    out = copy.copy(ds)
    items = ds.items.copy()
    items.loc[item, "title"] = title
    items.loc[item, "description"] = description
    out.items = items
    return out


def test_bad_input_gives_clear_messages(setup):
    from fairrec_core.models import ImportedRecommendations

    ds, sp, model, _ = setup
    with pytest.raises(ExplanationError, match="no text tower"):
        TextExplainer(bpr(), ds)
    with pytest.raises(ExplanationError, match="imported"):
        explain_item_text(ImportedRecommendations().fit(ds, sp), ds, 0, 0)
    ex = TextExplainer(model, ds, num_samples=30)
    with pytest.raises(ExplanationError, match="Unknown user id"):
        ex.explain("U99999", 0)
    with pytest.raises(ExplanationError, match="Unknown item id"):
        ex.explain(0, "nope")
    with pytest.raises(ExplanationError, match="Unknown text-attribution method"):
        ex.explain(0, 0, method="gradients")
    blank = _with_text(ds, 7, np.nan, np.nan)
    with pytest.raises(ExplanationError, match="no title or description"):
        TextExplainer(model, blank).explain(0, 7)
    punct = _with_text(ds, 7, "!!!", "...")
    with pytest.raises(ExplanationError, match="no words"):
        TextExplainer(model, punct).explain(0, 7)


def test_very_long_description_is_truncated_with_a_note(setup):
    ds, _, model, _ = setup
    words = " ".join(f"word{k}" for k in range(400))
    long = _with_text(ds, 9, "Sturdy Steel Water Bottle", words)
    e = TextExplainer(model, long, num_samples=30).explain(0, 9, method="lime")
    assert any("reads only its first" in n for n in e.notes)
    assert any("first 60" in n for n in e.notes)
    assert len(e.features) <= 60
    assert e.features[:4] == ["Sturdy", "Steel", "Water", "Bottle"]
