"""The Explain page and its charts (``viz.explain_charts``)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "expl.title": ("Explain", "解释"),
    "expl.caption": (
        "Why did a user get this list? Attributions over the user's history and over the "
        "item's words, and the user features behind a gap between groups. Each states its "
        "method and its limits.",
        "为什么某个用户得到这份列表？基于用户历史和商品文字的归因分析，以及造成组间差距的用户特征。"
        "每种解释都会说明其方法和局限。"),
    "expl.no_data": ("No data yet: load it on the Data page, then train a model.",
                     "尚无数据：请先在“数据”页加载数据，然后训练模型。"),
    "expl.go_data": ("Go to the Data page", "前往“数据”页"),
    "expl.train_first": (" Train a model on the Train page first: explanations are about a "
                         "model's recommendations.",
                         "请先在“训练”页训练模型：解释针对的是模型给出的推荐。"),
    "expl.go_train": ("Go to the Train page", "前往“训练”页"),
    "expl.user": ("User", "用户"),
    "expl.user_help": ("Type to search the ids, or sample a user from a group.",
                       "输入以搜索用户 ID，或从某个组中随机抽取一个用户。"),
    "expl.sample_grouping": ("Sample from grouping", "抽样分组"),
    "expl.group": ("Group", "组"),
    "expl.sample": ("Sample a user", "随机抽取用户"),
    "expl.sample_help": ("A random user of this group who has held-out interactions (seeded: "
                         "the same sequence in every session).",
                         "从该组中随机抽取一个有留出交互的用户（固定随机种子：每个会话的抽样顺序相同）。"),
    "expl.facts_one": ("**User {user}**: {n} item in the training history, {held} held out",
                       "**用户 {user}**：训练历史中有 {n} 个商品，留出 {held} 个"),
    "expl.facts": ("**User {user}**: {n} items in the training history, {held} held out",
                   "**用户 {user}**：训练历史中有 {n} 个商品，留出 {held} 个"),
    "expl.top_list": ("**Top-{k} list** ({label})", "**Top-{k} 列表**（{label}）"),
    "expl.col.title": ("title", "标题"),
    "expl.col.liked": ("liked later", "后来喜欢"),
    "expl.col.liked_help": ("Among the user's held-out positives (the test set).",
                            "属于该用户的留出正样本（测试集）。"),
    "expl.item": ("Item to explain", "要解释的商品"),
    "expl.go": ("Explain this item", "解释该商品"),
    "expl.choose_item": ("Choose an item and press **Explain this item** (the first "
                         "explanation of a session takes a few seconds to load its libraries).",
                         "选择一个商品并点击 **解释该商品**（每个会话的第一次解释需要几秒钟加载相关库）。"),
    "expl.empty_list": ("This user has an empty list: nothing to explain.",
                        "该用户的列表为空：没有可解释的内容。"),
    "expl.history": ("**History attribution (SHAP)**", "**历史归因（SHAP）**"),
    "expl.history_help": ("Shapley values over the user's most recent history items: how much "
                          "each one raised or lowered the model's score of this item.",
                          "基于用户最近历史商品的 Shapley 值：每个历史商品使模型对该商品的打分提高或降低了多少。"),
    "expl.history_spinner": ("Computing Shapley values over the history…",
                             "正在计算历史商品的 Shapley 值…"),
    "expl.words": ("**Word attribution (LIME / SHAP)**", "**词语归因（LIME / SHAP）**"),
    "expl.words_help": ("Which words of the item's title and description raised or lowered "
                        "its score for this user (text two-tower model only).",
                        "商品标题和描述中哪些词提高或降低了它对该用户的得分（仅适用于文本双塔模型）。"),
    "expl.method": ("Method", "方法"),
    "expl.method_help": (
        "LIME fits a local linear model over random subsets of the words; SHAP's text masker "
        "gives Owen values over word groups (slower, exact sums).",
        "LIME 在随机抽取的词语子集上拟合局部线性模型；SHAP 的文本掩码器按词组计算 Owen 值"
        "（更慢，但各项之和精确）。"),
    "expl.words_spinner": ("Scoring perturbed texts with the transformer…",
                           "正在用 Transformer 为扰动后的文本打分…"),
    "expl.limits": ("Method, parameters and limits ({s} s)", "方法、参数与局限（{s} 秒）"),
    "expl.drivers": ("What drives the quality gap between groups", "是什么造成了组间的推荐质量差距"),
    "expl.drivers_caption": (
        "A small gradient-boosted model learns each user's NDCG from their features "
        "(activity, history length and popularity, category spread, tenure, attributes); "
        "SHAP then splits the gap between two groups into feature contributions.",
        "用一个小型梯度提升模型根据用户特征（活跃度、历史长度与热度、类目分布、注册时长、属性）"
        "学习每个用户的 NDCG；再用 SHAP 将两组之间的差距分解为各特征的贡献。"),
    "expl.no_attrs": ("The users file has no attribute with at least two groups to compare.",
                      "用户文件中没有至少包含两个组、可供比较的属性。"),
    "expl.grouping": ("Grouping", "分组"),
    "expl.group_a": ("Group A", "A 组"),
    "expl.group_b": ("Group B", "B 组"),
    "expl.auto_a": ("(lowest NDCG)", "（NDCG 最低）"),
    "expl.auto_b": ("(highest NDCG)", "（NDCG 最高）"),
    "expl.every_other": ("every other user", "其他所有用户"),
    "expl.explain_gap": ("Explain the gap", "解释差距"),
    "expl.choose_both": ("Choose both groups, or leave both automatic.",
                         "请同时选择两个组，或两个都保持自动。"),
    "expl.drivers_spinner": ("Fitting the NDCG model and its SHAP values…",
                             "正在拟合 NDCG 模型并计算 SHAP 值…"),
    "expl.download": ("Download the explanations (JSON)", "下载解释结果（JSON）"),
    "expl.error_hint": ("{error}\n\nPick another user or item, or retrain the model.",
                        "{error}\n\n请选择其他用户或商品，或重新训练模型。"),
    "expl.page_error": ("The explanation could not be shown ({error}). Try another user or "
                        "item.",
                        "无法显示解释结果（{error}）。请尝试其他用户或商品。"),
    # --- charts (fairrec_core.viz.explain_charts) ---
    "chart.expl.nothing": ("There is nothing to attribute in this explanation.",
                           "此解释中没有可归因的内容。"),
    "chart.expl.other_items": ("{n} other items", "其他 {n} 个商品"),
    "chart.expl.other_features": ("{n} other features", "其他 {n} 个特征"),
    "chart.expl.score": ("score", "得分"),
    "chart.expl.contribution": ("contribution to the {unit} (+ raises, \u2212 lowers)",
                                "对{unit}的贡献（+ 提高，\u2212 降低）"),
    "chart.expl.why": ("Why {item} for user {user}", "为什么向用户 {user} 推荐 {item}"),
    "chart.expl.score_without": ("score {score}, without these {base}",
                                 "得分 {score}，去掉这些后 {base}"),
    "chart.expl.no_text": ("This explanation holds no text to show.", "此解释没有可显示的文本。"),
    "chart.expl.effect": ("effect on<br>score", "对得分<br>的影响"),
    "chart.expl.words": ("Words that moved the score of {item} for user {user}",
                         "影响用户 {user} 对 {item} 得分的词语"),
    "chart.expl.score_is": ("score {score}", "得分 {score}"),
    "chart.expl.feature_value": ("feature<br>value", "特征<br>取值"),
    "chart.expl.low": ("low", "低"),
    "chart.expl.high": ("high", "高"),
    "chart.expl.shap_axis": ("SHAP value (effect on the predicted NDCG)",
                             "SHAP 值（对预测 NDCG 的影响）"),
    "chart.expl.drivers_title": ("What drives per-user NDCG (disparity-drivers model)",
                                 "影响单用户 NDCG 的因素（差距驱动模型）"),
    "chart.expl.drivers_sub": ("held-out R\u00b2 {r2} (constant {const}) \u00b7 {n} users shown",
                               "留出 R\u00b2 {r2}（常数模型 {const}）\u00b7 显示 {n} 个用户"),
    "chart.expl.the_rest": ("the rest", "其余用户"),
    "chart.expl.contrast_hover": ("mean value: {a} {va}, {b} {vb}<br>mean SHAP: {a} {sa}, "
                                  "{b} {sb}",
                                  "平均取值：{a} {va}，{b} {vb}<br>平均 SHAP：{a} {sa}，{b} {sb}"),
    "chart.expl.gap_axis": ("share of the NDCG gap ({a} minus {b})",
                            "在 NDCG 差距中的份额（{a} 减 {b}）"),
    "chart.expl.contrast_title": ("Why {grouping} = {a} is served differently from {b}",
                                  "为什么 {grouping} = {a} 得到的推荐质量与 {b} 不同"),
    "chart.expl.contrast_sub": ("actual gap {actual}, predicted {predicted} \u00b7 {na} vs {nb} "
                                "users",
                                "实际差距 {actual}，预测差距 {predicted} \u00b7 {na} 对 {nb} 个用户"),
}
