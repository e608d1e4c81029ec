"""Display names of fairrec's own group labels, grouping names and explanation methods.

The expected Chinese words are written out here (not read back from the catalogue), so a
changed or missing translation fails; English must be the machine key itself.
"""

from __future__ import annotations

import pytest

from fairrec_core.i18n import t
from fairrec_core.i18n.labels import (
    DERIVED_LABELS,
    SEP,
    bracket_label,
    group_label,
    grouping_label,
    method_label,
)

ZH = {"active": "活跃", "inactive": "不活跃", "head": "头部", "tail": "长尾", "new": "新品",
      "established": "老品", "unknown": "未知", "protected": "受保护", "other": "其他"}


def test_every_derived_label_reads_in_chinese_and_is_its_own_key_in_english():
    assert set(DERIVED_LABELS) == set(ZH)
    for key, zh in ZH.items():
        assert group_label(key, "zh") == zh
        assert group_label(key, "zh-CN") == zh
        assert group_label(key, "en") == key


def test_intersections_translate_each_part_and_keep_data_values():
    assert group_label("F × inactive", "zh") == "F × 不活跃"
    assert group_label("unknown × 55+ × active", "zh") == "未知 × 55+ × 活跃"
    assert group_label("华东 × tail", "zh") == "华东 × 长尾"
    assert group_label("F × inactive", "en") == "F × inactive"
    # A label that merely contains a key word is data, not a key.
    assert group_label("inactive users", "zh") == "inactive users"
    assert group_label("Tail", "zh") == "Tail"


def test_the_separator_is_the_metrics_engines():
    from fairrec_core.metrics.grouping import INTERSECTION_SEP, UNKNOWN, intersect, make_grouping

    assert SEP == INTERSECTION_SEP and UNKNOWN in DERIVED_LABELS
    g = intersect(make_grouping(["F", None], name="gender"),
                  make_grouping(["active", "inactive"], name="activity"))
    assert sorted(group_label(x, "zh") for x in g.labels) == ["F × 活跃", "未知 × 不活跃"]
    assert grouping_label(g.name, "zh") == "性别 × 活跃度"


@pytest.mark.parametrize("value", ["F", "M", "55+", "华东", "其他", "Sports & Outdoors", "3", ""])
def test_data_values_pass_through_in_both_languages(value):
    assert group_label(value, "zh") == value
    assert group_label(value, "en") == value


def test_non_strings_are_shown_as_text():
    assert group_label(3, "zh") == "3"
    assert group_label(None, "en") == "None"


def test_grouping_names():
    assert grouping_label("activity", "zh") == "活跃度"
    assert grouping_label("popularity", "zh") == "流行度"
    assert grouping_label("item_age", "zh") == "上架时长"
    assert grouping_label("gender × activity", "zh") == "性别 × 活跃度"
    assert grouping_label("城市等级 × activity", "zh") == "城市等级 × 活跃度"
    assert grouping_label("shoe_size", "zh") == "shoe_size"
    for name in ("activity", "popularity", "item_age", "gender × activity", "shoe_size"):
        assert grouping_label(name, "en") == name


def test_sweep_columns_name_a_grouping_or_a_group():
    assert bracket_label("ndcg_ratio", "activity", "zh") == "活跃度"
    assert bracket_label("ndcg_difference", "gender", "zh") == "性别"
    assert bracket_label("es_cs_ratio", "tail", "zh") == "长尾"
    assert bracket_label("exposure_share", "小型", "zh") == "小型"
    assert bracket_label("es_cs_ratio", "tail", "en") == "tail"


def test_metric_labels_of_sweep_columns_use_the_mapping():
    from fairrec_core.metrics.definitions import metric_help, metric_label

    assert "长尾" in metric_label("es_cs_ratio[tail]", 10, "zh")
    assert "tail" not in metric_label("es_cs_ratio[tail]", 10, "zh")
    assert "活跃度" in metric_help("ndcg_ratio[activity]", 10, "zh")
    # English unchanged: the key in the label.
    assert "tail" in metric_label("es_cs_ratio[tail]", 10, "en")


def test_method_names():
    assert method_label("SHAP (permutation)", "en") == "SHAP (permutation)"
    assert method_label("SHAP (permutation)", "zh") == "SHAP（置换采样）"
    assert method_label("SHAP (exact)", "zh") == "SHAP（精确计算）"
    assert method_label("SHAP (text masker)", "zh") == "SHAP（文本遮蔽）"
    assert method_label("LIME", "zh").startswith("LIME")
    assert method_label("HistGradientBoosting", "zh") == "HistGradientBoosting"


def test_the_catalogue_english_column_is_the_key():
    for key in DERIVED_LABELS:
        assert t(f"group.{key}", "en") == key


def test_ugf_and_igf_notes_name_the_groups_in_chinese():
    from fairrec_core.report.check_text import reason_text

    ugf = "NDCG(active) − NDCG(inactive)"
    assert reason_text(ugf, "zh") == "NDCG(活跃) − NDCG(不活跃)"
    assert reason_text("ES(head) − ES(tail)", "zh") == "ES(头部) − ES(长尾)"
    small = ugf + "; a group has fewer than 30 evaluable users, interpret with care"
    assert reason_text(small, "zh") == ("NDCG(活跃) − NDCG(不活跃)；"
                                        "其中一组的可评估用户少于 30 位，解读时请谨慎")
    for note in (ugf, small, "ES(head) − ES(tail)"):
        assert reason_text(note, "en") == note


def test_rerank_phrases_say_groups_in_the_readers_language():
    from fairrec_core.i18n import phrase, say
    from fairrec_core.i18n.labels import group_words, grouping_words

    groups, name = group_words(["tail", "F × inactive", "小型"]), grouping_words("性别 × activity")
    # English: exactly what ", ".join and the raw name gave before.
    assert str(groups) == "tail, F × inactive, 小型" and str(name) == "性别 × activity"
    assert say(groups, "zh") == "长尾、F×不活跃、小型"
    assert say(name, "zh") == "性别×活跃度"
    assert say(grouping_words("item_age"), "zh") == "上架时长"
    assert str(grouping_words("item_age")) == "item_age"
    assert group_words([]) == "" and group_words("华东") == "华东"
    # Inside a re-ranker's sentence, said later (the report and the What-if page do this).
    s = phrase("rerank.fair_topk.no_candidates", groups=groups)
    assert "tail, F × inactive" in str(s) and "长尾、F×不活跃" in say(s, "zh")
