"""Group labels fairrec derives itself, as a reader sees them (see :mod:`fairrec_core.i18n.labels`).

The English column is the machine key itself (report.json, CSV and config keep it), so
English output reads exactly as the key.
"""

MESSAGES: dict[str, tuple[str, str]] = {
    # activity grouping: the top share of users by training interactions vs the rest
    "group.active": ("active", "活跃"),
    "group.inactive": ("inactive", "不活跃"),
    # popularity grouping: head items (most popular, holding the configured catalogue share)
    "group.head": ("head", "头部"),
    "group.tail": ("tail", "长尾"),
    # item age: created within the configured days of the last interaction, or before
    "group.new": ("new", "新品"),
    "group.established": ("established", "老品"),
    # a missing label
    "group.unknown": ("unknown", "未知"),
    # fair training / re-ranking: the protected item groups vs the rest
    "group.protected": ("protected", "受保护"),
    "group.other": ("other", "其他"),
    # What-if example list: an item that was not in the list before re-ranking
    "labels.list_new": ("new", "新增"),
    # Explanation method names (the English one is also the parameters' machine value)
    "labels.method.shap_exact": ("SHAP (exact)", "SHAP（精确计算）"),
    "labels.method.shap_permutation": ("SHAP (permutation)", "SHAP（置换采样）"),
    "labels.method.shap_text": ("SHAP (text masker)", "SHAP（文本遮蔽）"),
    "labels.method.lime": ("LIME", "LIME（局部线性代理）"),
    # grouping names whose English is the key itself (attr.item_age reads "item age")
    "grouping.item_age": ("item_age", "上架时长"),
    # Phrases of labels said later in the reader's language (fairrec_core.i18n.labels)
    # (Chinese sets × without spaces, as in running Chinese text; tables keep " × ")
    "labels.cross": ("{a} × {b}", "{a}×{b}"),
    "labels.and": ("{a}, {b}", "{a}、{b}"),
    # Notes of the UGF / IGF rows (the English ones are the metrics engine's own)
    "labels.note.ugf": ("NDCG(active) − NDCG(inactive)", "NDCG(活跃) − NDCG(不活跃)"),
    "labels.note.ugf_small": ("NDCG(active) − NDCG(inactive); a group has fewer than {min} "
                              "evaluable users, interpret with care",
                              "NDCG(活跃) − NDCG(不活跃)；其中一组的可评估用户少于 {min} 位，"
                              "解读时请谨慎"),
    "labels.note.igf": ("ES(head) − ES(tail)", "ES(头部) − ES(长尾)"),
    "labels.note.ugf_both": ("UGF needs both active and inactive users",
                             "UGF 需要同时有活跃用户和不活跃用户"),
    "labels.note.ugf_evaluable": ("UGF needs evaluable users in both the active and the "
                                  "inactive group",
                                  "UGF 需要活跃组和不活跃组都有可评估用户"),
}
