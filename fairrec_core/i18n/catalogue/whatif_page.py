"""The What-if page, its controller's messages and the trade-off chart labels."""

MESSAGES: dict[str, tuple[str, str]] = {
    # ---- page header and empty states
    "whatif.title": ("What-if", "假设分析"),
    "whatif.caption": ("Re-rank every user's list towards a fairer spread and see, live, what it "
                       "costs in accuracy. λ = 0 is the model's own ranking.",
                       "将每位用户的推荐列表向更公平的分布重新排序，实时查看它在准确率上的代价。"
                       "λ = 0 即模型自身的排序。"),
    "whatif.no_data": ("No data yet: load it on the Data page, then train a model.",
                       "尚无数据：请先在“数据”页加载数据，再训练模型。"),
    "whatif.no_model": (" Train a model (or choose the production lists) on the Train page first.",
                        "请先在“训练”页训练模型（或选用线上推荐列表）。"),
    "whatif.go_data": ("Go to the Data page", "前往“数据”页"),
    "whatif.go_train": ("Go to the Train page", "前往“训练”页"),
    "whatif.no_sweep": (" Choose a method and press **Build trade-off curve**.",
                        "请选择方法，然后点击 **构建权衡曲线**。"),
    # ---- configuration widgets
    "whatif.method": ("Re-ranking method", "重排序方法"),
    "whatif.grouping": ("Item grouping", "商品分组"),
    "whatif.grouping_help": ("The provider grouping whose exposure the re-ranker evens out "
                             "(calibration always works on categories).",
                             "重排序器要均衡其曝光的供给方分组（校准方法始终按类目工作）。"),
    "whatif.protected": ("Protected group(s)", "受保护分组"),
    "whatif.protected_inferred": ("inferred", "自动推断"),
    "whatif.protected_unused": ("not used", "不适用"),
    "whatif.protected_help": ("Empty: the group the provider check judges most under-exposed "
                              "(lowest exposure ratio on the model's lists).",
                              "留空：使用供给方检查判定曝光最不足的分组（模型列表上曝光比最低者）。"),
    "whatif.protected_help_unused": ("This method does not act for one group, so none is chosen; "
                                     "the curve measures the most under-exposed group.",
                                     "此方法不针对单个分组，因此无需选择；曲线衡量的是曝光最不足的分组。"),
    "whatif.users_by": ("Users shown by", "用户分组依据"),
    "whatif.users_by_help": ("Its NDCG per group is shown before and after re-ranking.",
                             "显示重排序前后各分组的 NDCG。"),
    "whatif.candidates": ("Candidates", "候选数"),
    "whatif.candidates_help": ("Items per user the re-ranker may choose from (the model's best).",
                               "重排序器可为每位用户挑选的商品数（取模型得分最高者）。"),
    "whatif.build": ("Build trade-off curve", "构建权衡曲线"),
    "whatif.build_help": ("Re-ranks every user at 21 values of λ and measures each (about a "
                          "second on the sample data); the slider below then re-ranks live.",
                          "在 21 个 λ 取值下对每位用户重排序并逐一度量（示例数据约需一秒）；"
                          "之后下方滑块会实时重排序。"),
    "whatif.stale": ("The settings above changed: the results below are still for **{method}** "
                     "on {grouping}. Press **Build trade-off curve** to update them.",
                     "上方设置已更改：下方结果仍对应 {grouping} 上的 **{method}**。"
                     "请点击 **构建权衡曲线** 更新。"),
    "whatif.how_inferred": ("inferred: the model's lists under-expose it most",
                            "自动推断：模型列表对其曝光最不足"),
    "whatif.how_chosen": ("chosen", "手动选择"),
    "whatif.role_calibrated": ("category mix of each user's history", "每位用户历史中的类目构成"),
    "whatif.role_protected": ("protected: {groups} ({how})", "受保护：{groups}（{how}）"),
    "whatif.role_measured": ("exposure measured for: {groups} ({how})",
                             "曝光度量对象：{groups}（{how}）"),
    "whatif.summary": ("{method} · {role} · {c} candidates per user · sweep built in {s} s. ",
                       "{method} · {role} · 每位用户 {c} 个候选 · 扫描用时 {s} 秒。"),
    # ---- target search
    "whatif.target_title": ("**Smallest λ that meets a target**", "**满足目标的最小 λ**"),
    "whatif.target_title_p": ("**Smallest p that meets a target**", "**满足目标的最小 p**"),
    "whatif.target_help": ("Bisection over λ on the cached candidates (assumes the metric moves "
                           "steadily with λ; the curve below shows whether it does). The first "
                           "target offered is one the sweep reaches.",
                           "在缓存的候选上对 λ 做二分搜索（假设指标随 λ 单调变化；下方曲线可检验）。"
                           "默认目标取自扫描中可达到的值。"),
    "whatif.metric": ("Metric", "指标"),
    "whatif.comparison": ("Comparison", "比较"),
    "whatif.target_value": ("Target value", "目标值"),
    "whatif.find": ("Find smallest λ", "查找最小 λ"),
    "whatif.find_p": ("Find smallest p", "查找最小 p"),
    "whatif.found": ("The smallest {w} meeting {target} is {lam} ({metric} = {value}); "
                     "{n} evaluations. The slider was set to {slider}.",
                     "满足 {target} 的最小 {w} 为 {lam}（{metric} = {value}）；共评估 {n} 次。"
                     "滑块已设为 {slider}。"),
    "whatif.not_found": ("No {w} in [0, 1] meets {target}; at {w} = 1 the value is {value}. "
                         "Try another method, grouping or target.",
                         "[0, 1] 内没有 {w} 能满足 {target}；{w} = 1 时该值为 {value}。"
                         "请尝试其他方法、分组或目标。"),
    # ---- the live part
    "whatif.lam_label": ("Fairness weight λ", "公平性权重 λ"),
    "whatif.p_label": ("Target proportion p of protected items (FA*IR)",
                       "受保护商品的目标比例 p（FA*IR）"),
    "whatif.vs_zero": (" vs λ = 0", " 较 λ=0"),
    "whatif.vs_zero_p": (" vs p = 0", " 较 p=0"),
    "whatif.lists_changed": ("Lists changed", "列表有变化"),
    "whatif.lists_changed_help": ("Users whose top-K list differs from the model's own.",
                                  "Top-K 列表与模型原始列表不同的用户数。"),
    "whatif.exposure_title": ("Exposure share per {grouping}", "各 {grouping} 的曝光份额"),
    "whatif.exposure_axis": ("Share of all exposure (%)", "占总曝光的份额（%）"),
    "whatif.ndcg_title": ("{metric} per {grouping}", "各 {grouping} 的 {metric}"),
    "whatif.ndcg_axis": ("{metric} (mean per user)", "{metric}（用户平均）"),
    "whatif.example_user": ("Example user", "示例用户"),
    "whatif.example_of": ("**Example user {user}**", "**示例用户 {user}**"),
    "whatif.example_user_help": ("Preselected: the user whose list a middle λ changes most. "
                                 "Their list before and after is shown below the charts.",
                                 "默认选中：在中等 λ 下列表变化最大的用户。其调整前后的列表显示在"
                                 "图表下方。"),
    "whatif.col_before": ("before ({w} = 0)", "调整前（{w} = 0）"),
    "whatif.col_after": ("after ({w} = {lam})", "调整后（{w} = {lam}）"),
    "whatif.col_group": ("group", "分组"),
    "whatif.col_move": ("move", "变动"),
    "whatif.timing": ("At {w} = {lam}: re-ranked all {users} users, measured and redrew in "
                      "{ms} ms (server time; re-ranking and metrics {rr} ms).",
                      "{w} = {lam}：已对全部 {users} 位用户重排序、度量并重绘，用时 {ms} 毫秒"
                      "（服务器时间；其中重排序与指标 {rr} 毫秒）。"),
    "whatif.live_failed": ("The re-ranking at this λ failed ({error}). Press Build again.",
                           "该 λ 下的重排序失败（{error}）。请重新点击构建。"),
    "whatif.apply": ("Audit the lists at this λ", "审计该 λ 下的列表"),
    "whatif.apply_p": ("Audit the lists at this p", "审计该 p 下的列表"),
    "whatif.apply_help": ("The Fairness and Report pages then audit the re-ranked lists.",
                          "之后“公平性”和“报告”页将审计重排序后的列表。"),
    "whatif.applied": ("The Fairness page now audits the lists re-ranked at {w} = {lam}; "
                       "compute the audit there.",
                       "“公平性”页现在审计 {w} = {lam} 下重排序的列表；请在该页计算审计。"),
    "whatif.go_fairness": ("Go to the Fairness page", "前往“公平性”页"),
    "whatif.error_config": ("{error}\n\nChoose another method, grouping or protected group.",
                            "{error}\n\n请选择其他方法、分组或受保护分组。"),
    "whatif.error_page": ("The trade-off could not be computed ({error}). Press Build again; if "
                          "it persists, retrain the model.",
                          "无法计算权衡结果（{error}）。请重新点击构建；若问题持续，请重新训练模型。"),
    # ---- methods (label, what it does)
    "whatif.method.two_sided": ("Two-sided (CPFair)", "双边公平（CPFair）"),
    "whatif.method.two_sided.help": (
        "Trades relevance against both the exposure gap between item groups and the quality gap "
        "between active and inactive users; exact per user (Naghiaei et al. 2022).",
        "在相关性与两类差距之间权衡：商品分组间的曝光差距，以及活跃与不活跃用户间的质量差距；"
        "按用户精确求解（Naghiaei 等，2022）。"),
    "whatif.method.provider": ("Provider exposure (smooth xQuAD)", "供给方曝光（平滑 xQuAD）"),
    "whatif.method.provider.help": (
        "Spreads each list over the provider groups in proportion to the user's own history "
        "(Abdollahpouri et al. 2019). Good first choice for under-exposed sellers or long-tail "
        "items.",
        "按用户自身历史的比例，将每个列表分散到各供给方分组（Abdollahpouri 等，2019）。"
        "适合作为扶持曝光不足商家或长尾商品的首选。"),
    "whatif.method.fair_topk": ("FA*IR fair top-k", "FA*IR 公平 Top-k"),
    "whatif.method.fair_topk.help": (
        "Guarantees a minimum share of the protected item group in every prefix of every list; "
        "the slider sets FA*IR's target proportion p of protected items (Zehlike et al. 2017).",
        "保证每个列表的每个前缀中受保护商品分组都有最低占比；滑块设定 FA*IR 的受保护商品"
        "目标比例 p（Zehlike 等，2017）。"),
    "whatif.method.calibrated": ("Calibrated (Steck)", "校准（Steck）"),
    "whatif.method.calibrated.help": (
        "Makes each list's category mix match the user's history (Steck 2018); fairness measured "
        "as miscalibration.",
        "使每个列表的类目构成与用户历史一致（Steck，2018）；公平性以失准度衡量。"),
    # ---- controller messages
    "whatif.err_no_model": ("There is no model yet: train one (or use the production lists) on "
                            "the Train page first.",
                            "还没有模型：请先在“训练”页训练一个（或使用线上推荐列表）。"),
    "whatif.err_method": ("Unknown re-ranking method '{method}'.", "未知的重排序方法“{method}”。"),
    "whatif.err_user_attr": ("There is no user attribute '{name}'.", "不存在用户属性“{name}”。"),
    "whatif.err_no_grouping": ("No item grouping has two groups or more: there is nothing to "
                               "re-rank for.",
                               "没有任何商品分组包含两个或以上分组：无可重排序的对象。"),
    "whatif.err_one_group": ("All items are in one group of '{grouping}': choose another "
                             "grouping to re-rank for.",
                             "所有商品都属于“{grouping}”的同一分组：请选择其他分组进行重排序。"),
    "whatif.note_short": ("{n} users have fewer than {k} candidates; their lists stay short.",
                          "{n} 位用户的候选少于 {k} 个，他们的列表会偏短。"),
    "whatif.change_new": ("{new} of {n} items are new in this user's list.",
                          "该用户列表的 {n} 件商品中有 {new} 件是新出现的。"),
    "whatif.change_slots": ("{new} of {n} items are new in this user's list; items of {groups} "
                            "hold {before} slot(s) before and {after} after.",
                            "该用户列表的 {n} 件商品中有 {new} 件是新出现的；{groups} 的商品"
                            "调整前占 {before} 个位置，调整后占 {after} 个。"),
    # ---- trade-off chart
    "whatif.chart.tradeoff.grid": ("{w} grid (0 → 1)", "{w} 网格（0 → 1）"),
    "whatif.chart.tradeoff.front": ("Pareto front (best on both)", "帕累托前沿（两者皆优）"),
    "whatif.chart.tradeoff.front_hover": ("Pareto-optimal at {w} = ", "帕累托最优，{w} = "),
    "whatif.chart.tradeoff.current": ("current {w} = {lam}", "当前 {w} = {lam}"),
    "whatif.chart.tradeoff.current_hover": ("current {w}", "当前 {w}"),
    "whatif.chart.tradeoff.fair_share": ("fair share", "公平份额"),
    "whatif.chart.tradeoff.fairer_to_one": ("fairer towards 1 →", "越接近 1 越公平 →"),
    "whatif.chart.tradeoff.fair_at_one": ("fair at 1", "1 为公平"),
    "whatif.chart.tradeoff.fairer_left": ("← fairer", "← 更公平"),
    "whatif.chart.tradeoff.fairer_right": ("fairer →", "更公平 →"),
    "whatif.chart.tradeoff.accuracy": ("{metric} (accuracy, mean per user)",
                                "{metric}（准确率，用户平均）"),
    "whatif.chart.tradeoff.title": ("Trade-off: {y} vs {x} over {w}", "权衡：{y} 与 {x} 随 {w} 的变化"),
    "whatif.chart.tradeoff.subtitle": ("{n} re-rankings, {w} = 0 (the model's lists) to 1",
                                "{n} 次重排序，{w} 从 0（模型原始列表）到 1"),
    "whatif.chart.deltas.before": ("before ({w} = 0)", "调整前（{w} = 0）"),
    "whatif.chart.deltas.after": ("after ({w} = {lam})", "调整后（{w} = {lam}）"),
    "whatif.chart.deltas.hover_before": ("before", "调整前"),
    "whatif.chart.deltas.hover_after": ("after", "调整后"),
    "whatif.chart.deltas.hover_change": ("change", "变化"),
}
