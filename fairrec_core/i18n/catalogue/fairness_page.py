"""The Fairness page, its charts (``viz.fairness_charts``) and the metric tooltips in Chinese."""

MESSAGES: dict[str, tuple[str, str]] = {
    "fair.title": ("Fairness", "公平性"),
    "fair.caption": (
        "How accuracy and exposure are spread across user groups and provider groups, with "
        "95% bootstrap intervals. Hover over any metric for its definition.",
        "准确率和曝光在各用户组与商家组之间如何分布，附 95% bootstrap 置信区间。"
        "将鼠标悬停在任一指标上可查看其定义。"),
    "fair.no_data": (
        "No data yet: load your CSV exports or the sample data on the Data page, then train "
        "a model.",
        "尚无数据：请先在“数据”页加载 CSV 导出文件或示例数据，然后训练模型。"),
    "fair.go_data": ("Go to the Data page", "前往“数据”页"),
    "fair.no_lists": ("No lists to audit yet.", "还没有可审计的推荐列表。"),
    "fair.train_first": (" Train a model (or choose the production lists) on the Train page "
                         "first.",
                         "请先在“训练”页训练模型（或选择线上推荐列表）。"),
    "fair.go_train": ("Go to the Train page", "前往“训练”页"),
    "fair.audited": ("Audited lists: **{label}** for {n} users.",
                     "被审计的列表：**{label}**，共 {n} 个用户。"),
    "fair.restore": ("Audit the model's own lists instead", "改为审计模型自身的列表"),
    "fair.not_computed": ("The audit is not computed yet.", "审计尚未计算。"),
    "fair.press_compute": (" Press **Compute audit** above.", "请点击上方的 **计算审计**。"),
    "fair.counts": (
        "{n_eval} users with held-out positives are evaluated ({n_excl} without are excluded "
        "from accuracy); {n_boot} bootstrap resamples; computed in {s} s.",
        "已评估 {n_eval} 个有留出正样本的用户（另有 {n_excl} 个没有留出正样本，不计入准确率）；"
        "bootstrap 重抽样 {n_boot} 次；耗时 {s} 秒。"),
    # --- choices form ---
    "fair.form": ("What to audit: groupings and thresholds", "审计内容：分组与阈值"),
    "fair.user_groupings": ("User groupings", "用户分组"),
    "fair.user_groupings_help": (
        "User attributes to compare (numeric ones are banded). Activity (the most active 5% "
        "of users vs the rest) is always added.",
        "要比较的用户属性（数值属性按区间分组）。始终包含活跃度（最活跃的 5% 用户与其余用户）。"),
    "fair.item_groupings": ("Item (provider) groupings", "商品（商家）分组"),
    "fair.item_groupings_help": (
        "Seller, brand, category, ...; popularity (head = the most popular items holding 20% "
        "of the catalogue, vs the tail) is always added.",
        "卖家、品牌、类目等；始终包含热度分组（头部 = 占商品目录 20% 的最热门商品，其余为长尾）。"),
    "fair.intersect": ("Intersection (two or more)", "交叉分组（两个或以上）"),
    "fair.intersect_help": ("Audit the combined groups too, e.g. gender × age: gaps can hide "
                            "inside single attributes.",
                            "同时审计组合分组，例如 性别 × 年龄：差距可能隐藏在单一属性之中。"),
    "fair.n_boot": ("Bootstrap resamples", "Bootstrap 重抽样次数"),
    "fair.n_boot_help": ("Resamples of users (within each group) for the 95% intervals; fewer "
                         "is faster and rougher.",
                         "用于计算 95% 置信区间的用户重抽样次数（在各组内抽样）；次数越少越快，但越粗略。"),
    "fair.min_size": ("Minimum group size", "最小组规模"),
    "fair.min_size_help": ("Groups with fewer evaluable users are shown but not judged "
                           "('insufficient data').",
                           "可评估用户少于该值的组会显示，但不作判定（“数据不足”）。"),
    "fair.fail_below": ("Fail below ratio", "比值低于此值判为不通过"),
    "fair.warn_below": ("Warn below ratio", "比值低于此值给出警告"),
    "fair.basis": ("Provider basis", "商家比较基准"),
    "fair.basis_help": (
        "merit: judge exposure against the held-out positives a group earned (ES/RS); "
        "catalog: against its share of items (ES/CS).",
        "merit（价值）：以该组获得的留出正样本为基准衡量曝光（ES/RS）；"
        "catalog（目录）：以其商品数量占比为基准（ES/CS）。"),
    "fair.basis.merit": ("merit", "价值（merit）"),
    "fair.basis.catalog": ("catalog", "目录（catalog）"),
    "fair.exposure": ("Exposure model", "曝光模型"),
    "fair.exposure_help": ("Attention per rank: log = 1/log2(rank+1), geometric = "
                           "0.8^(rank-1), uniform = 1.",
                           "各排名位置获得的关注度：log = 1/log2(rank+1)，geometric = "
                           "0.8^(rank-1)，uniform = 1。"),
    "fair.exposure.log": ("log", "对数（log）"),
    "fair.exposure.geometric": ("geometric", "几何（geometric）"),
    "fair.exposure.uniform": ("uniform", "均匀（uniform）"),
    "fair.compute": ("Compute audit", "计算审计"),
    "fair.err.intersect": ("Choose at least two groupings to intersect (for example gender and "
                           "age), or none.",
                           "交叉分组请至少选择两个分组（例如 性别 和 年龄），或者不选。"),
    "fair.err.thresholds": ("The thresholds must satisfy 0 < fail ≤ warn ≤ 1 (default: fail "
                            "below 0.8, warn below 0.9).",
                            "阈值必须满足 0 < 不通过阈值 ≤ 警告阈值 ≤ 1（默认：低于 0.8 不通过，低于 0.9 警告）。"),
    "fair.err.n_boot": ("The number of bootstrap resamples must be at least 1 (1,000 is the "
                        "default; fewer gives rougher intervals).",
                        "Bootstrap 重抽样次数至少为 1（默认 1,000；次数越少，区间越粗略）。"),
    # --- scorecard ---
    "fair.scorecard": ("Scorecard", "评分卡"),
    "fair.scorecard_help": (
        "One check per grouping. Users: the worst group's value divided by the best group's "
        "(four-fifths rule: below 0.8 fails, below 0.9 warns). Providers: the lowest group's "
        "exposure relative to its merit (or catalogue share). Groups too small are reported "
        "as insufficient data, not judged. The 95% interval decides: fail or warn only when "
        "the whole interval is below the line, pass only when it is above the warning line, "
        "otherwise inconclusive (the data cannot tell).",
        "每个分组一项检查。用户侧：最差组的值除以最好组的值（五分之四规则：低于 0.8 不通过，"
        "低于 0.9 警告）。商家侧：曝光相对其价值（或目录占比）最低的组。规模过小的组报告为"
        "“数据不足”，不作判定。由 95% 置信区间决定：整个区间低于阈值线才判为不通过或警告，"
        "整个区间高于警告线才判为通过，否则为“无法判定”（数据无法给出结论）。"),
    "fair.card_user": ("{metric} across {grouping}", "{grouping}之间的 {metric}"),
    "fair.card_provider": ("Exposure across {grouping}", "{grouping}之间的曝光"),
    "fair.what_user": ("worst / best group ratio", "最差组 / 最好组 比值"),
    "fair.what_merit": ("lowest exposure / merit ratio", "最低的 曝光 / 价值 比值"),
    "fair.what_catalog": ("lowest exposure / catalogue ratio", "最低的 曝光 / 目录 比值"),
    "fair.card_ci": (" (95% CI {lo}–{hi})", "（95% 置信区间 {lo}–{hi}）"),
    "fair.card_rule": ("; fails when the whole interval is below {fail}, warns when it is "
                       "below {warn}",
                       "；整个区间低于 {fail} 时不通过，低于 {warn} 时警告"),
    "fair.not_judged": ("not judged", "未判定"),
    # --- accuracy, users, providers ---
    "fair.accuracy": ("Accuracy and beyond", "准确率及其他指标"),
    "fair.users": ("Users: accuracy per group", "用户：各组准确率"),
    "fair.user_grouping": ("User grouping", "用户分组"),
    "fair.user_grouping_help": ("Attributes you chose, activity, and intersections.",
                                "您选择的属性、活跃度以及交叉分组。"),
    "fair.metric": ("Metric", "指标"),
    "fair.gap": (
        "Gap in {metric} across {grouping}: best **{best}**, worst **{worst}**; difference "
        "{diff} (95% CI {diff_lo} to {diff_hi}), ratio {ratio} (95% CI {ratio_lo}–{ratio_hi}).",
        "{grouping}之间 {metric} 的差距：最好 **{best}**，最差 **{worst}**；差值 {diff}"
        "（95% 置信区间 {diff_lo} 至 {diff_hi}），比值 {ratio}（95% 置信区间 {ratio_lo}–{ratio_hi}）。"),
    "fair.gap_not_judged": ("Gap not judged: {reason}.", "差距未判定：{reason}。"),
    "fair.col.group": ("group", "组"),
    "fair.col.ci": ("95% CI", "95% 置信区间"),
    "fair.col.n": ("evaluable users", "可评估用户数"),
    "fair.col.status": ("status", "状态"),
    "fair.col.reason": ("reason", "原因"),
    "fair.status_ok": ("ok", "已判定"),
    "fair.col.items": ("items", "商品数"),
    "fair.providers": ("Providers: exposure per item group", "商家：各商品组的曝光"),
    "fair.item_grouping": ("Item grouping", "商品分组"),
    "fair.concentration": ("Exposure concentration", "曝光集中度"),
    "fair.showing_lowest": (
        "Showing {top} of {n} groups: the {low} with the lowest exposure relative to merit, "
        "and the most over-exposed one; the table below lists all of them.",
        "图中显示 {n} 个组中的 {top} 个：曝光相对价值最低的 {low} 个，以及曝光最多的那一个；"
        "下表列出全部分组。"),
    "fair.error_hint": ("{error}\n\nChange the groupings above, or retrain on the Train page.",
                        "{error}\n\n请修改上方的分组，或在“训练”页重新训练。"),
    "fair.page_error": ("The audit could not be shown ({error}). Press Compute audit again; "
                        "if it persists, retrain the model.",
                        "无法显示审计结果（{error}）。请再次点击“计算审计”；如果问题持续，请重新训练模型。"),
    # --- metric tooltips (the English ones come from metrics.definitions) ---
    "fair.help.precision": ("Share of the K recommended items that the user went on to like.",
                            "精确率：推荐的 K 个商品中，用户后来喜欢的（留出正样本）所占比例，"
                            "即 |列表 ∩ 留出| / K，在可评估用户上取平均。"),
    "fair.help.recall": ("Share of the user's held-out positives that made it into the list.",
                         "召回率：用户的留出正样本中进入推荐列表的比例，即 |列表 ∩ 留出| / |留出|，"
                         "在可评估用户上取平均。"),
    "fair.help.hr": ("Share of evaluable users with a hit in their list.",
                     "命中率：列表中至少包含一个留出正样本的可评估用户所占比例。"),
    "fair.help.mrr": ("Mean reciprocal rank of the first hit.",
                      "平均倒数排名：1 /（列表中第一个留出正样本的排名），没有则为 0，"
                      "在可评估用户上取平均。"),
    "fair.help.ndcg": ("Normalised discounted cumulative gain (1/log2(r+1) per hit).",
                       "归一化折损累计增益：越靠前的命中权重越高（排名 r 的命中贡献 1/log2(r+1)），"
                       "再除以该用户可能的最佳得分；1 表示完美列表。在可评估用户上取平均。"),
    "fair.help.ap": ("Average precision over the ranks holding a hit.",
                     "平均精确率：在每个命中位置 r 上的 Precision@r 之和，除以 min(K, |留出|)。"),
    "fair.help.novelty": ("How unfamiliar the recommended items are, in bits.",
                          "新颖度：推荐商品的陌生程度，即 −log2（与该商品有交互的训练用户占比）的平均值，"
                          "单位为比特。越高越不主流。"),
    "fair.help.arp": ("Mean training interactions of the recommended items.",
                      "平均推荐热度：推荐商品在训练集中的平均交互次数。越低表示热度偏差越小。"),
    "fair.help.aplt": ("Share of each list taken by long-tail items.",
                       "长尾商品平均占比：每个列表中长尾商品（热门前 20% 之外的商品）所占的比例。"),
    "fair.help.miscalibration": ("KL divergence of the list's category mix from the history's.",
                                 "失准度：列表的类目构成偏离用户历史类目构成的程度"
                                 "（Steck 2018：KL(p ‖ (1−α)q + αp)，α = 0.01）。0 表示完全校准，越低越好。"),
    "fair.help.coverage": ("Share of the catalogue recommended to anyone.",
                           "覆盖率：至少出现在一个用户列表中的商品占整个目录的比例。"),
    "fair.help.gini": ("Inequality of exposure over all items.",
                       "曝光基尼系数：所有商品（包括从未展示的）之间曝光的不平等程度："
                       "0 = 每个商品曝光相同，1 = 全部曝光集中在一个商品上。"),
    "fair.help.ugf": ("NDCG of the most active 5% of users minus that of the others.",
                      "用户组公平性（CPFair）：最活跃 5% 用户的 NDCG 减去其余用户的 NDCG。0 = 无差距。"),
    "fair.help.igf": ("Exposure share of head items minus that of tail items.",
                      "商品组公平性（CPFair）：热门头部商品的曝光份额减去长尾商品的曝光份额。0 = 份额相等。"),
    "fair.help.difference": ("Best group value minus worst group value.",
                             "差值：最好组的值减去最差组的值（规模过小无法判定的组不计入）。0 = 无差距。"),
    "fair.help.ratio": ("Worst group value divided by best group value.",
                        "比值：最差组的值除以最好组的值。1 = 无差距。其 95% 置信区间同时覆盖所有组对"
                        "（挑出差异最大的一对不算作证据）；整个区间低于 0.8 时不通过（五分之四规则），"
                        "低于 0.9 时警告，跨越 0.9 时为“无法判定”。"),
    "fair.help.value": ("Mean of the per-user metric over the group, with a 95% interval.",
                        "组值：该组可评估用户的单用户指标平均值，附 95% bootstrap 置信区间（在组内对用户重抽样）。"),
    "fair.help.exposure_share": ("Share of all exposure going to the group's items.",
                                 "曝光份额：分配给该组商品的曝光占总曝光的比例。列表位置的曝光随排名下降：1/log2(rank+1)。"),
    "fair.help.catalog_share": ("Share of the catalogue's items in the group.",
                                "目录份额：属于该组的商品占目录商品的比例。"),
    "fair.help.merit_share": ("Share of all held-out positives in the group.",
                              "价值份额：所有留出正样本（用户后来喜欢的商品）中属于该组的比例，即该组应得的曝光。"),
    "fair.help.es_cs_ratio": ("Exposure share divided by catalogue share.",
                              "ES/CS：曝光份额除以目录份额。1 = 曝光与该组规模成比例；低于 1 = 曝光不足。"),
    "fair.help.es_rs_ratio": ("Exposure share divided by merit share.",
                              "ES/RS：曝光份额除以价值份额。1 = 曝光与用户对该组商品的喜爱程度成比例；"
                              "低于 1 = 相对其价值曝光不足。"),
    "fair.name.exposure_share": ("Exposure share", "曝光份额"),
    "fair.name.catalog_share": ("Catalogue share", "目录份额"),
    "fair.name.merit_share": ("Merit share", "价值份额"),
    "fair.name.difference": ("Difference", "差值"),
    "fair.name.ratio": ("Ratio", "比值"),
    "fair.name.value": ("Group value", "组值"),
    # --- charts (fairrec_core.viz.fairness_charts) ---
    "chart.fair.user_hover": ("{label}: {value}<br>95% CI {lo} to {hi}<br>{n} evaluable users",
                              "{label}：{value}<br>95% 置信区间 {lo} 至 {hi}<br>{n} 个可评估用户"),
    "chart.fair.too_few": ("too few users to judge", "用户太少，无法判定"),
    "chart.fair.all_users": ("all users: {value}", "全体用户：{value}"),
    "chart.fair.times_best": ("{ratio} × best group", "最好组的 {ratio} 倍"),
    "chart.fair.unit_share": (" (share of users)", "（用户占比）"),
    "chart.fair.unit_mean": (" (mean per user)", "（每用户平均）"),
    "chart.fair.user_title": ("{label} by {grouping}", "按{grouping}分组的 {label}"),
    "chart.fair.user_sub": ("bars: group means with 95% bootstrap intervals",
                            "柱：各组平均值及 95% bootstrap 置信区间"),
    "chart.fair.user_sub_small": ("; hatched: too few evaluable users to judge",
                                  "；斜线填充：可评估用户太少，无法判定"),
    "chart.fair.es_name": ("exposure share (95% CI)", "曝光份额（95% 置信区间）"),
    "chart.fair.cs_name": ("catalogue share", "目录份额"),
    "chart.fair.rs_name": ("merit share (95% CI)", "价值份额（95% 置信区间）"),
    "chart.fair.es_hover": ("{x}: exposure share {y}<br>ES/CS {cs}, ES/RS {rs}<br>{n} items",
                            "{x}：曝光份额 {y}<br>ES/CS {cs}，ES/RS {rs}<br>{n} 个商品"),
    "chart.fair.cs_hover": ("{x}: catalogue share {y}", "{x}：目录份额 {y}"),
    "chart.fair.rs_hover": ("{x}: merit share {y} (share of held-out positives)",
                            "{x}：价值份额 {y}（留出正样本占比）"),
    "chart.fair.share_axis": ("Share (%)", "份额（%）"),
    "chart.fair.provider_title": ("Exposure vs catalogue and merit share by {grouping}",
                                  "按{grouping}分组的曝光份额与目录份额、价值份额对比"),
    "chart.fair.provider_sub": (
        "coloured bar shorter than the grey ones: the group gets less exposure than its size "
        "or its merit warrants",
        "彩色柱短于灰色柱：该组获得的曝光低于其规模或价值应得的水平"),
    "chart.fair.equal": ("equal exposure", "均等曝光"),
    "chart.fair.audited": ("audited lists", "被审计的列表"),
    "chart.fair.lorenz_hover": ("the least-exposed {x} of items get {y} of all exposure",
                                "曝光最少的 {x} 商品获得全部曝光的 {y}"),
    "chart.fair.gini": ("Gini {gini} (0 = equal exposure for every item, 1 = all on one item)",
                        "基尼系数 {gini}（0 = 每个商品曝光相同，1 = 全部集中在一个商品）"),
    "chart.fair.no_item": ("no item was recommended", "没有任何商品被推荐"),
    "chart.fair.items_axis": ("Share of items, least exposed first (%)",
                              "商品占比，曝光最少的在前（%）"),
    "chart.fair.exposure_axis": ("Cumulative share of exposure (%)", "累计曝光占比（%）"),
    "chart.fair.lorenz_title": ("Exposure Lorenz curve", "曝光洛伦兹曲线"),
}
