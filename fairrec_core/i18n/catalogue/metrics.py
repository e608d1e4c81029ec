"""Check sentences, reasons, methodology and chart labels of the audit report.

Numbers arrive already formatted (the same strings as the English sentence), so both
languages state identical figures and intervals.
"""

MESSAGES: dict[str, tuple[str, str]] = {
    # ---- common attribute names (data column names are shown as they are otherwise)
    "attr.age": ("age", "年龄"),
    "attr.age_band": ("age band", "年龄段"),
    "attr.gender": ("gender", "性别"),
    "attr.region": ("region", "地区"),
    "attr.activity": ("activity", "活跃度"),
    "attr.city_tier": ("city tier", "城市等级"),
    "attr.tier": ("tier", "等级"),
    "attr.seller_size": ("seller size", "商家规模"),
    "attr.popularity": ("popularity", "流行度"),
    "attr.category": ("category", "类目"),
    "attr.provider": ("provider", "商家"),
    "attr.brand": ("brand", "品牌"),
    "attr.new_item": ("new item", "新品"),
    "attr.item_age": ("item age", "上架时长"),
    "attr.membership_tier": ("membership tier", "会员等级"),
    "attr.shop": ("shop", "店铺"),
    "attr.seller": ("seller", "商家"),
    # ---- check sentences (the English ones come from fairrec_core.metrics.checks)
    "check.ci": ("{level}% CI {lo}–{hi}%", "{level}% 置信区间 {lo}% 至 {hi}%"),
    "check.ci_signed": ("{level}% CI {lo}% to {hi}%", "{level}% 置信区间 {lo}% 至 {hi}%"),
    "check.ci_ratio": ("{level}% CI {lo}–{hi}", "{level}% 置信区间 {lo} 至 {hi}"),
    "check.ci_none": ("{level}% CI not available", "{level}% 置信区间不可用"),
    "check.user.gap": ("Users with {grouping} \"{worst}\" receive {gap}% lower {label} than "
                       "users with {grouping} \"{best}\" ({ci}).",
                       "{grouping}为“{worst}”的用户获得的 {label} 比{grouping}为“{best}”的用户"
                       "低 {gap}%（{ci}）。"),
    "check.user.same": ("Users with {grouping} \"{worst}\" and \"{best}\" receive the same "
                        "{label} ({ci} for the largest gap).",
                        "{grouping}为“{worst}”和“{best}”的用户获得的 {label} 相同（最大差距的"
                        "{ci}）。"),
    "check.user.inconclusive": ("The data cannot tell whether {label} differs across {grouping} "
                                "by more than {threshold}%: users with {grouping} \"{worst}\" "
                                "receive {gap}% lower {label} than users with {grouping} "
                                "\"{best}\", but the largest gap between groups could be "
                                "{where} ({level}% CI). More users per group would narrow it.",
                                "数据无法判断不同{grouping}之间的 {label} 差距是否超过 {threshold}%："
                                "{grouping}为“{worst}”的用户获得的 {label} 比{grouping}为“{best}”"
                                "的用户低 {gap}%，但各组之间的最大差距可能{where}（{level}% 置信"
                                "区间）。每组用户更多时，区间会变窄。"),
    "check.where_range": ("anywhere from {lo}% to {hi}%", "在 {lo}% 至 {hi}% 之间"),
    "check.where_unknown": ("unknown: no interval is available", "未知：没有可用的区间"),
    "check.user.not_judged": ("{label} across {grouping} is not judged: {reason}.",
                              "各{grouping}之间的 {label} 未评判：{reason}。"),
    "check.basis.merit": ("their share of held-out positives", "其在留出正样本中的份额"),
    "check.basis.catalog": ("their share of the catalogue", "其在商品目录中的份额"),
    "check.provider.ratio": ("Items with {grouping} \"{group}\" receive {ratio}× the exposure "
                             "{basis} warrants ({ci}), the lowest of {n} groups judged.",
                             "{grouping}为“{group}”的商品获得的曝光是按{basis}应得曝光的 "
                             "{ratio} 倍（{ci}），在 {n} 个参评组中最低。"),
    "check.provider.inconclusive": ("The data cannot tell whether some {grouping} group receives "
                                    "less than {threshold}× the exposure {basis} warrants: items "
                                    "with {grouping} \"{group}\" receive {ratio}× here, but the "
                                    "lowest of {n} groups judged could be {where} ({level}% CI).",
                                    "数据无法判断是否有某个{grouping}组获得的曝光低于按{basis}应得"
                                    "曝光的 {threshold} 倍：{grouping}为“{group}”的商品在此为 "
                                    "{ratio} 倍，但 {n} 个参评组中的最低值可能{where}（{level}% "
                                    "置信区间）。"),
    "check.where_ratio": ("anywhere from {lo} to {hi}", "在 {lo} 至 {hi} 之间"),
    "check.where_ratio_unknown": ("unknown", "未知"),
    "check.provider.not_judged": ("Exposure across {grouping} is not judged: {reason}.",
                                  "各{grouping}之间的曝光未评判：{reason}。"),
    # ---- reasons a group or a check is not judged
    "reason.one_group_users": ("all users are in one group of {grouping}",
                               "所有用户都属于{grouping}的同一个组"),
    "reason.one_group_items": ("all items are in one group of {grouping}",
                               "所有商品都属于{grouping}的同一个组"),
    "reason.few_groups": ("only {n} of {total} groups have at least {min} evaluable users",
                          "{total} 个组中只有 {n} 个组的可评估用户达到 {min} 人"),
    "reason.no_users": ("no evaluable users in this group", "该组没有可评估用户"),
    "reason.small_group": ("only {n} evaluable users (minimum {min}); shown, not judged, no "
                           "interval",
                           "只有 {n} 位可评估用户（至少需要 {min} 位）；仅展示，不评判，无区间"),
    "reason.zero_metric": ("every judged group has {metric} = 0, so the ratio is undefined",
                           "所有参评组的 {metric} 都为 0，比值无定义"),
    "reason.ratio_undefined": ("the ratio is undefined", "比值无定义"),
    "reason.no_exposure": ("no item was recommended, so exposure shares are undefined",
                           "没有商品被推荐，曝光份额无定义"),
    "reason.no_positives": ("no held-out positives among these items: merit share is 0 and "
                            "ES/RS undefined",
                            "这些商品中没有留出正样本：价值份额为 0，ES/RS 无定义"),
    "reason.few_positives": ("only {n} held-out positives (minimum {min}); shown, not judged",
                             "只有 {n} 个留出正样本（至少需要 {min} 个）；仅展示，不评判"),
    "reason.few_merit": ("fewer than two groups of {grouping} hold at least {min} held-out "
                         "positives",
                         "{grouping}中留出正样本达到 {min} 个的组不足两个"),
    "reason.few_defined": ("fewer than two groups of {grouping} received a defined exposure "
                           "ratio",
                           "{grouping}中曝光比值有定义的组不足两个"),
    # ---- methodology (report.json "methodology" and the report's last sections)
    "method.heldout.term": ("Held-out positives and evaluable users", "留出正样本与可评估用户"),
    "method.heldout.def": ("{split} A test interaction is a positive when its rating reaches "
                           "the positive threshold (every implicit interaction is one). Users "
                           "without a test positive are excluded from accuracy metrics and "
                           "counted.",
                           "{split} 测试集中评分达到正样本阈值的交互记为正样本（隐式交互全部算作"
                           "正样本）。没有测试正样本的用户不参与准确率指标计算，但会计数。"),
    "method.ranking.term": ("Ranking metrics (cut-off K = {k})", "排序指标（截断位置 K = {k}）"),
    "method.ranking.def": ("Binary relevance, matching trec_eval. Precision@K = hits / K; "
                           "Recall@K = hits / |T_u|; HR@K = 1 if any hit; MRR@K = 1 / rank of "
                           "the first hit; NDCG@K = DCG / IDCG with DCG = Σ 1[i_k ∈ T_u] / "
                           "log2(k + 1); AP@K = Σ_k P@k · 1[i_k ∈ T_u] / min(K, |T_u|). Values "
                           "are means over evaluable users.",
                           "采用二元相关性，与 trec_eval 一致。Precision@K = 命中数 / K；"
                           "Recall@K = 命中数 / |T_u|；HR@K = 有任一命中则为 1；MRR@K = 1 / 首个"
                           "命中的排名；NDCG@K = DCG / IDCG，其中 DCG = Σ 1[i_k ∈ T_u] / "
                           "log2(k + 1)；AP@K = Σ_k P@k · 1[i_k ∈ T_u] / min(K, |T_u|)。各值为"
                           "可评估用户的平均值。"),
    "method.exposure.term": ("Exposure", "曝光"),
    "method.exposure.uniform": ("1 for every position k ≤ K", "每个位置 k ≤ K 均为 1"),
    "method.exposure.def": ("Position weight e(k) = {formula} ('{model}' model). Item exposure "
                            "E_i = Σ_u Σ_k e(k) · 1[i_k = i].",
                            "位置权重 e(k) = {formula}（“{model}”模型）。商品曝光 "
                            "E_i = Σ_u Σ_k e(k) · 1[i_k = i]。"),
    "method.beyond.term": ("Beyond accuracy", "准确率以外的指标"),
    "method.beyond.def": ("Coverage = share of the catalogue recommended to anyone. Exposure "
                          "Gini over all items (zeros included). Novelty = mean of "
                          "−log2(popularity / users). ARP = mean training popularity of listed "
                          "items. Head = the most popular items making up {head} of the "
                          "catalogue; APLT = share of tail items per list. Miscalibration "
                          "(Steck 2018) = KL(p ‖ (1 − α)q + αp) between a user's category mix in "
                          "history and in the list, α = {alpha}.",
                          "覆盖率 = 被推荐给至少一位用户的商品占商品目录的比例。曝光基尼系数按全部"
                          "商品计算（含零曝光商品）。新颖度 = −log2(流行度 / 用户数) 的平均值。"
                          "ARP = 列表中商品在训练集中的平均流行度。头部 = 最热门、合计占商品目录 "
                          "{head} 的商品；APLT = 每个列表中长尾商品的占比。校准偏差（Steck 2018）"
                          "= 用户历史与推荐列表的类目分布之间的 KL(p ‖ (1 − α)q + αp)，"
                          "α = {alpha}。"),
    "method.user.term": ("User-side (consumer) fairness", "用户侧（消费者）公平性"),
    "method.user.def": ("For a grouping of users, the group value is the mean per-user metric "
                        "over the group's evaluable users (computed with Fairlearn's "
                        "MetricFrame). Difference = best − worst group; ratio = worst / best. "
                        "The activity grouping marks the top {active} of users by training "
                        "interactions as 'active'. UGF = NDCG(active) − NDCG(inactive).",
                        "按某一属性对用户分组，组值为该组可评估用户的单用户指标平均值（用 "
                        "Fairlearn 的 MetricFrame 计算）。差值 = 最好组 − 最差组；比值 = 最差组 / "
                        "最好组。活跃度分组把训练交互数最多的前 {active} 用户标为“活跃”。"
                        "UGF = NDCG(活跃) − NDCG(不活跃)。"),
    "method.provider.term": ("Provider-side exposure", "商家侧曝光"),
    "method.provider.def": ("For an item grouping h: exposure share ES_h = {sum_h} E_i / Σ_i E_i; "
                            "catalogue share CS_h = |h| / |I|; merit share RS_h = share of "
                            "held-out positives among h's items. ES/CS = 1 is equal exposure "
                            "per item; ES/RS = 1 is exposure proportional to merit. IGF = "
                            "ES(head) − ES(tail).",
                            "对商品分组 h：曝光份额 ES_h = {sum_h} E_i / Σ_i E_i；目录份额 "
                            "CS_h = |h| / |I|；价值份额 RS_h = 留出正样本中属于 h 的商品所占比例。"
                            "ES/CS = 1 表示每件商品获得同等曝光；ES/RS = 1 表示曝光与价值成正比。"
                            "IGF = ES(头部) − ES(长尾)。"),
    "method.ci.term": ("Confidence intervals", "置信区间"),
    "method.ci.def": ("{level} percentile bootstrap intervals over users ({n_boot} resamples, "
                      "seed {seed}), resampling users within each group; intervals are given "
                      "for every group value, difference and ratio. The worst/best difference "
                      "and ratio, and the lowest provider ratio, are extremes over groups: "
                      "their intervals are simultaneous over the judged groups (bootstrap "
                      "max-|t|: one critical value covers every pair of groups at once), so "
                      "singling out the most different pair does not make a gap look surer "
                      "than it is. Catalogue-level statistics (coverage, Gini) have none.",
                      "对用户做百分位 bootstrap，得到 {level} 置信区间（{n_boot} 次重抽样，随机"
                      "种子 {seed}），在每组内部重抽用户；每个组值、差值和比值都给出区间。最差/"
                      "最好组的差值与比值，以及商家侧的最低比值，都是跨组取的极值：它们的区间对"
                      "所有参评组同时成立（bootstrap max-|t|：一个临界值同时覆盖所有组对），因此"
                      "挑出差异最大的两组不会让差距显得比实际更确定。目录层面的统计量（覆盖率、"
                      "基尼系数）没有区间。"),
    "method.ci.ray": (" Engine: Ray. {method}; resamples are not stratified by group, and group "
                      "values come from merged per-group sums rather than Fairlearn (same "
                      "numbers).",
                      "计算引擎：Ray。{method}；重抽样不按组分层，组值由合并的分组求和得到，"
                      "而非 Fairlearn（数值相同）。"),
    "method.min.term": ("Minimum group size", "最小组规模"),
    "method.min.def": ("A group with fewer than {n} evaluable users (or, for merit ratios, "
                       "held-out positives) is reported as 'insufficient data': shown, not "
                       "judged.",
                       "可评估用户少于 {n} 人（价值比值则为留出正样本少于 {n} 个）的组标为"
                       "“数据不足”：仅展示，不评判。"),
    "method.checks.term": ("Checks and thresholds", "检查项与阈值"),
    "method.checks.def": ("User side: ratio < {ratio_fail} fails (the four-fifths rule), "
                          "< {ratio_warn} warns, for {metrics}. Provider side: the lowest "
                          "group's {basis} ratio < {pfail} fails, < {pwarn} warns. The interval "
                          "decides, not the point estimate: a check fails (warns) only when its "
                          "whole interval lies below the fail (warning) threshold, passes only "
                          "when the whole interval lies at or above the warning threshold, and "
                          "is inconclusive when the interval straddles it: the data cannot tell. "
                          "With no true gap (or one at the fail threshold), a FAIL is wrong at "
                          "most 5% of the time (2.5% with two groups).",
                          "用户侧：比值 < {ratio_fail} 判为不通过（五分之四规则），< {ratio_warn} "
                          "判为警告，适用于 {metrics}。商家侧：最低组的 {basis} 比值 < {pfail} "
                          "判为不通过，< {pwarn} 判为警告。由置信区间而非点估计决定：只有整个区间"
                          "都低于不通过（警告）阈值时才判为不通过（警告），整个区间都不低于警告阈值"
                          "时才判为通过，区间跨越阈值时判为无法判定，即数据不足以下结论。若真实"
                          "并无差距（或差距恰在不通过阈值上），判为不通过的错误率至多 5%（两组时为 "
                          "2.5%）。"),
    "method.rerank.term": ("Re-ranking and the trade-off curve", "重排与权衡曲线"),
    "method.rerank.def": ("A re-ranker re-orders each user's candidate items, trading the "
                          "model's (per-user min-max normalised) score against a fairness "
                          "objective with weight λ ∈ [0, 1]; λ = 0 is the model's own ranking. "
                          "The curve shows accuracy and fairness at each λ of a grid; "
                          "Pareto-optimal points are marked, and the operating point is the λ "
                          "the audited lists used.",
                          "重排器对每位用户的候选商品重新排序，以权重 λ ∈ [0, 1] 在模型分数（按用户"
                          "做 min-max 归一化）与公平性目标之间权衡；λ = 0 即模型自身的排序。曲线"
                          "给出网格上每个 λ 的准确率与公平性；帕累托最优点已标出，运行点是被审计"
                          "列表所用的 λ。"),
    # ---- chart texts (PDF static charts and HTML Plotly charts)
    "chart.operating_short": ("operating point", "运行点"),
    # ---- metric names and definitions shown to users (fairrec_core.metrics.definitions)
    "metricdef.precision.label": ('Precision@{k}', '精确率@{k}'),
    "metricdef.precision.def": ('Share of the K recommended items that the user went on to like '
                                '(held-out positives): |list ∩ held-out| / K, averaged over '
                                'evaluable users.',
                                '推荐的 K 件商品中用户后来确实喜欢（留出正样本）的比例：|列表 ∩ 留出集| / K，对可评估用户取平均。'),
    "metricdef.recall.label": ('Recall@{k}', '召回率@{k}'),
    "metricdef.recall.def": ("Share of the user's held-out positives that made it into the list: "
                             '|list ∩ held-out| / |held-out|, averaged over evaluable users.',
                             '用户的留出正样本中进入推荐列表的比例：|列表 ∩ 留出集| / |留出集|，对可评估用户取平均。'),
    "metricdef.hr.label": ('HR@{k}', '命中率@{k}'),
    "metricdef.hr.def": ('Hit rate: the share of evaluable users with at least one held-out '
                         'positive in their list.',
                         '命中率：推荐列表中至少有一个留出正样本的可评估用户所占比例。'),
    "metricdef.mrr.label": ('MRR@{k}', 'MRR@{k}'),
    "metricdef.mrr.def": ('Mean reciprocal rank: 1 / (rank of the first held-out positive in the '
                          'list), 0 when there is none, averaged over evaluable users.',
                          '平均倒数排名：1 / （列表中第一个留出正样本的排名），没有命中则为 0，对可评估用户取平均。'),
    "metricdef.ndcg.label": ('NDCG@{k}', 'NDCG@{k}'),
    "metricdef.ndcg.def": ('Normalised discounted cumulative gain: hits near the top count more '
                           '(each hit at rank r adds 1/log2(r+1)), divided by the best possible '
                           'score for the user; 1 is a perfect list. Averaged over evaluable '
                           'users.',
                           '归一化折损累计增益：越靠前的命中权重越大（排名 r 的命中贡献 1/log2(r+1)），再除以该用户可能达到的最高分；1 表示完美列表。'
                           '对可评估用户取平均。'),
    "metricdef.ap.label": ('AP@{k}', 'AP@{k}'),
    "metricdef.ap.def": ('Average precision: the mean of Precision@r at every rank r holding a '
                         'held-out positive, divided by min(K, |held-out|).',
                         '平均精确率：在每个出现留出正样本的排名 r 处取 Precision@r 求和，再除以 min(K, |留出集|)。'),
    "metricdef.novelty.label": ('Novelty', '新颖度'),
    "metricdef.novelty.def": ('How unfamiliar the recommended items are: mean of −log2(share of '
                              'training users who interacted with the item), in bits. Higher = '
                              'less mainstream.',
                              '推荐商品的陌生程度：−log2(与该商品有过交互的训练用户占比) 的平均值，单位为比特。越高越不大众化。'),
    "metricdef.arp.label": ('ARP', 'ARP'),
    "metricdef.arp.def": ('Average recommendation popularity: the mean number of training '
                          'interactions of the recommended items. Lower = less popularity bias.',
                          '平均推荐流行度：推荐商品在训练集中的平均交互次数。越低表示流行度偏差越小。'),
    "metricdef.aplt.label": ('APLT', 'APLT'),
    "metricdef.aplt.def": ('Average percentage of long-tail items: the share of each list taken '
                           'by tail items (items outside the most popular 20% of the catalogue).',
                           '长尾商品平均占比：每个列表中长尾商品（最热门 20% 商品以外的商品）所占的比例。'),
    "metricdef.miscalibration.label": ('Miscalibration', '校准偏差'),
    "metricdef.miscalibration.def": ('How far the category mix of a list drifts from the category '
                                     "mix of the user's history (Steck 2018: KL(p ‖ (1−α)q + αp), "
                                     'α = 0.01). 0 = perfectly calibrated; lower is better.',
                                     '推荐列表的类目分布偏离用户历史类目分布的程度（Steck 2018：KL(p ‖ (1−α)q + αp)，α = '
                                     '0.01）。0 表示完全校准；越低越好。'),
    "metricdef.coverage.label": ('Coverage@{k}', '覆盖率@{k}'),
    "metricdef.coverage.def": ("Share of the catalogue that appears in at least one user's list.",
                               '至少出现在一位用户列表中的商品占商品目录的比例。'),
    "metricdef.gini.label": ('Exposure Gini', '曝光基尼系数'),
    "metricdef.gini.def": ('Inequality of exposure over all items (items never shown included): 0 '
                           '= every item gets equal exposure, 1 = one item gets all of it.',
                           '全部商品（包括从未展示的商品）之间曝光的不均衡程度：0 表示每件商品曝光相同，1 表示全部曝光集中在一件商品上。'),
    "metricdef.ugf.label": ('UGF', 'UGF'),
    "metricdef.ugf.def": ('User-group fairness (CPFair): NDCG of the most active 5% of users '
                          'minus NDCG of the other users. 0 = no gap.',
                          '用户组公平性（CPFair）：最活跃 5% 用户的 NDCG 减去其余用户的 NDCG。0 表示没有差距。'),
    "metricdef.igf.label": ('IGF', 'IGF'),
    "metricdef.igf.def": ('Item-group fairness (CPFair): exposure share of the popular head items '
                          'minus that of the tail items. 0 = equal shares.',
                          '商品组公平性（CPFair）：热门头部商品的曝光份额减去长尾商品的曝光份额。0 表示份额相等。'),
    "metricdef.difference.label": ('Difference', '差值'),
    "metricdef.difference.def": ('Best group value minus worst group value (groups too small to '
                                 'judge are left out). 0 = no gap.',
                                 '最好组的值减去最差组的值（人数太少、无法评判的组不计入）。0 表示没有差距。'),
    "metricdef.ratio.label": ('Ratio', '比值'),
    "metricdef.ratio.def": ('Worst group value divided by best group value. 1 = no gap. Its 95% '
                            'interval covers all pairs of groups at once (picking the most '
                            'different pair does not count as evidence); the check fails when the '
                            'whole interval is below 0.8 (the four-fifths rule), warns when it is '
                            'below 0.9, and is inconclusive when it straddles 0.9.',
                            '最差组的值除以最好组的值。1 表示没有差距。其 95% 区间同时覆盖所有组对（挑出差异最大的两组不算作证据）；整个区间低于 '
                            '0.8（五分之四规则）时检查不通过，低于 0.9 时警告，跨越 0.9 时无法判定。'),
    "metricdef.value.label": ('Group value', '组值'),
    "metricdef.value.def": ("Mean of the per-user metric over the group's evaluable users, with a "
                            '95% bootstrap interval (users resampled within the group).',
                            '该组可评估用户的单用户指标平均值，附 95% bootstrap 区间（在组内重抽用户）。'),
    "metricdef.exposure_share.label": ('Exposure share', '曝光份额'),
    "metricdef.exposure_share.def": ("Share of all exposure that goes to the group's items. "
                                     'Exposure of a list slot falls with rank: 1/log2(rank+1).',
                                     '全部曝光中分给该组商品的比例。列表中每个位置的曝光随排名递减：1/log2(排名+1)。'),
    "metricdef.catalog_share.label": ('Catalogue share', '目录份额'),
    "metricdef.catalog_share.def": ("Share of the catalogue's items that belong to the group.",
                                    '商品目录中属于该组的商品所占比例。'),
    "metricdef.merit_share.label": ('Merit share', '价值份额'),
    "metricdef.merit_share.def": ('Share of all held-out positives (items users went on to like) '
                                  'that belong to the group: the exposure the group has earned.',
                                  '全部留出正样本（用户后来喜欢的商品）中属于该组的比例，即该组应得的曝光。'),
    "metricdef.es_cs_ratio.label": ('ES/CS', 'ES/CS'),
    "metricdef.es_cs_ratio.def": ('Exposure share divided by catalogue share. 1 = exposure in '
                                  "proportion to the group's size; below 1 = under-exposed.",
                                  '曝光份额除以目录份额。1 表示曝光与组的规模成正比；低于 1 表示曝光不足。'),
    "metricdef.es_rs_ratio.label": ('ES/RS', 'ES/RS'),
    "metricdef.es_rs_ratio.def": ('Exposure share divided by merit share. 1 = exposure in '
                                  "proportion to how much users liked the group's items; below 1 "
                                  '= under-exposed for its merit.',
                                  '曝光份额除以价值份额。1 表示曝光与用户对该组商品的喜爱程度成正比；低于 1 表示相对其价值曝光不足。'),
    "metricdef.ndcg_difference.label": ('NDCG gap', 'NDCG 差距'),
    "metricdef.ndcg_difference.def": ('NDCG of the best user group minus that of the worst '
                                      '(groups with at least 30 evaluable users). 0 = no gap.',
                                      '最好用户组的 NDCG 减去最差用户组的 NDCG（只计可评估用户不少于 30 人的组）。0 表示没有差距。'),
    "metricdef.ndcg_ratio.label": ('NDCG ratio', 'NDCG 比值'),
    "metricdef.ndcg_ratio.def": ('NDCG of the worst user group divided by that of the best. 1 = '
                                 'no gap; below 0.8 fails the four-fifths rule.',
                                 '最差用户组的 NDCG 除以最好用户组的 NDCG。1 表示没有差距；低于 0.8 即不符合五分之四规则。'),
    "metricdef.lam.label": ('λ', 'λ'),
    "metricdef.lam.def": ("Fairness weight of the re-ranker: 0 keeps the model's own ranking, 1 "
                          'gives the fairness objective its full weight.',
                          '重排器的公平性权重：0 保留模型自身的排序，1 让公平性目标取全部权重。'),
    "metricdef.here_for": (" Here for the group or grouping “{group}”.",
                           "此处针对分组或分组方式“{group}”。"),
    "metricdef.with_group": ("{label} ({group})", "{label}（{group}）"),
    "metricdef.help": ("{label}: {text}", "{label}：{text}"),
}
