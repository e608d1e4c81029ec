"""Sentences the explanations themselves say (``fairrec_core.explain``): summaries, caveats,
notes and refusals, shown on the Explain page and printed in the report."""

MESSAGES: dict[str, tuple[str, str]] = {
    # ------------------------------------------------------------------ history
    "explain.hist.caveat_pooled": (
        "Each value is the item's Shapley value in a game whose players are {players}: how "
        "much, averaged over every order of adding them, keeping that item raised (+) or "
        "lowered (-) the model's score for the recommended item. The model's user tower "
        "averages your history items, so the scores with items removed are the model's "
        "own.{older} The values add up exactly to the score with your history minus the score "
        "without these items{approx}. They describe this score, not the whole ranking: other "
        "items' scores change too when your history changes.",
        "每个值是该商品在一个博弈中的 Shapley 值，博弈的参与者是{players}：在所有加入顺序上平均，"
        "保留这个商品使模型对被推荐商品的评分升高（+）或降低（-）多少。模型的用户塔对你的历史商品取平均，"
        "因此去掉部分商品后的评分就是模型自己的评分。{older}这些值相加恰好等于有你的历史时的评分减去"
        "没有这些商品时的评分{approx}。它们解释的是这一个评分，而不是整个排序：你的历史变化时，"
        "其他商品的评分也会变化。"),
    "explain.hist.caveat_folded": (
        "Each value is the item's Shapley value in a game whose players are {players}, added "
        "in every order. {model} stores each user as a learned vector and "
        "cannot itself say what it would score without an item, so fairrec estimates it by an "
        "amortised fold-in: a linear map, fitted across all users, from the average of a "
        "user's history item factors to their learned vector (for users it was not fitted on, "
        "the scores it implies explain R\u00b2 = {r2:.2f} of the variance of the model's "
        "own); the part of your vector the map does not explain stays fixed. With your full "
        "history the score is exactly the model's; with items removed it is this estimate, "
        "not the model's own answer.{older} The values add up exactly to the score with your "
        "history minus the score without these items{approx}.",
        "每个值是该商品在一个博弈中的 Shapley 值，博弈的参与者是{players}，按所有顺序加入。"
        "{model}把每个用户存为一个学习得到的向量，自身无法回答去掉某个商品后的评分，因此 fairrec "
        "用摊销折入（amortised fold-in）来估计：一个在所有用户上拟合的线性映射，把用户历史商品因子的"
        "平均值映射到其学习到的向量（在未参与拟合的用户上，它推出的评分解释了模型自身评分方差的 "
        "R\u00b2 = {r2:.2f}）；映射解释不了的那部分用户向量保持不变。使用完整历史时评分与模型完全一致；"
        "去掉商品后则是这一估计，而不是模型自己的回答。{older}这些值相加恰好等于有你的历史时的评分"
        "减去没有这些商品时的评分{approx}。"),
    "explain.hist.older": (" Your {n} older history items stay in place throughout.",
                           "你较早的 {n} 个历史商品始终保留。"),
    "explain.hist.players_one": (
        "your one history item (a game of one: it gets the whole difference)",
        "你唯一的一个历史商品（单人博弈：全部差值都归它）"),
    "explain.hist.players_recent": ("your {h} most recent history items",
                                    "你最近的 {h} 个历史商品"),
    "explain.hist.players_all": ("your {h} history items", "你的 {h} 个历史商品"),
    "explain.hist.approx": (
        "; the split between items is estimated from {n} random orders (each evaluated "
        "forwards and backwards), so small values can change sign between seeds",
        "；商品之间的分配是由 {n} 个随机顺序（每个正反各算一次）估计的，因此较小的值在不同随机种子下"
        "可能改变符号"),
    "explain.hist.no_timestamps": (
        " The data has no timestamps, so 'most recent' means last in the interactions file.",
        "数据没有时间戳，因此“最近”指的是交互记录文件中排在最后的。"),
    "explain.hist.model.bpr": ("BPR matrix factorisation", "BPR 矩阵分解模型"),
    "explain.hist.model.two-tower": ("The text two-tower model", "文本双塔模型"),
    "explain.hist.model.other": ("The {name} model", "{name} 模型"),
    "explain.hist.note_recent": (
        "Only the {h} most recent of {total} history items are attributed; the older ones are "
        "kept in every comparison.",
        "只对 {total} 个历史商品中最近的 {h} 个做归因；较早的商品在每次比较中都保留。"),
    "explain.hist.target": ("model score of {item} for user {user}",
                            "模型对用户 {user} 给 {item} 的评分"),
    "explain.hist.no_model": (
        "History attribution does not apply to the {label} model (recommendation lists "
        "served by another system): fairrec only has the lists, not the model that made "
        "them, so there is no score to take apart. Train a model in fairrec to ask why.",
        "历史归因不适用于 {label} 模型（由其他系统提供的推荐列表）：fairrec 只有列表，没有生成它们的"
        "模型，因此没有可拆解的评分。请在 fairrec 中训练一个模型来追问原因。"),
    "explain.hist.no_dependence": (
        "History attribution does not apply to the {label} model: its scores do not "
        "depend on the user's history (it recommends the same items to everyone), so no "
        "history item changes them.",
        "历史归因不适用于 {label} 模型：它的评分不依赖用户历史（给每个人推荐相同的商品），"
        "因此没有哪个历史商品会改变评分。"),
    "explain.hist.cannot_ask": (
        "History attribution cannot ask the {label} model what it would score with a "
        "different history.",
        "历史归因无法询问 {label} 模型在不同历史下会给出什么评分。"),
    "explain.hist.no_history": (
        "User {user} has no history in the model's training data, so no history item can "
        "explain the recommendation ({why}).",
        "用户 {user} 在模型的训练数据中没有历史，因此没有历史商品可以解释这条推荐（{why}）。"),
    "explain.hist.why_pooled": (
        "its score comes from the user's own vector and the item alone",
        "其评分只来自用户自身的向量和商品本身"),
    "explain.hist.why_folded": (
        "the model then knows nothing about the user beyond what training gave their vector",
        "此时模型对该用户的了解仅限于训练赋予其向量的信息"),
    "explain.report.method": ("SHAP history attribution", "SHAP 历史归因"),
    # ------------------------------------------------------------------ history summary
    "explain.sum.unchanged": (
        "Your recent history leaves this item's score about unchanged overall",
        "总体而言，你最近的历史对这个商品的评分几乎没有影响"),
    "explain.sum.raises": (
        "Your recent history raises this item's score overall ({net}: {output} with it, "
        "{base} without it)",
        "总体而言，你最近的历史提高了这个商品的评分（{net}：有历史时 {output}，没有时 {base}）"),
    "explain.sum.lowers": (
        "Your recent history lowers this item's score overall ({net}: {output} with it, "
        "{base} without it)",
        "总体而言，你最近的历史降低了这个商品的评分（{net}：有历史时 {output}，没有时 {base}）"),
    "explain.sum.up_one": ("the item that raises it most is {names}",
                           "最能提高评分的商品是 {names}"),
    "explain.sum.up_many": ("the items that raise it most are {names}",
                            "最能提高评分的商品是 {names}"),
    "explain.sum.and": (" and ", " 和 "),
    "explain.sum.none_up": ("none of the items raises it", "没有商品提高评分"),
    "explain.sum.down": ("; {label} lowers it most ({value})", "；{label} 降低评分最多（{value}）"),
    "explain.sum.sentence": ("{head}; {tail}.", "{head}；{tail}。"),
    # ------------------------------------------------------------------ words (LIME / SHAP)
    "explain.text.caveat_lime": (
        "LIME removed random sets of words from the item's text {n} times, scored each shortened "
        "text for you with the model, and fitted a weighted straight-line model to those "
        "scores; a word's weight is how much that line says its presence adds. The line is a "
        "local approximation (it reproduces the model's scores with R\u00b2 = {r2:.2f} here), "
        "words interact inside the transformer, and other random draws give somewhat different "
        "weights, so read the largest weights, not small differences. Removing a word removes "
        "every occurrence of it.",
        "LIME 从商品文本中随机删去若干组词共 {n} 次，用模型为你给每个删减后的文本打分，再对这些评分"
        "拟合一个加权线性模型；一个词的权重就是这条直线认为它的出现带来多少加分。这条直线只是局部近似"
        "（此处它复现模型评分的 R\u00b2 = {r2:.2f}），词与词在 Transformer 内部会相互作用，换一组随机抽样"
        "得到的权重也会有所不同，所以请看最大的权重，不要看细微差别。删去一个词会删去它的所有出现。"),
    "explain.text.caveat_shap": (
        "SHAP split the difference between the item's score for you with its full text and "
        "with no text at all among its words; the values add up exactly to that difference. It "
        "works down a hierarchy of neighbouring words, halving groups of words{context} "
        "({evals} scored variants of the text). {depth} Removing a word can change what the "
        "transformer makes of its neighbours, so a word's value includes such interactions.",
        "SHAP 把该商品在完整文本下与完全没有文本时为你给出的评分之差分配到各个词上；这些值相加恰好"
        "等于该差值。它沿相邻词的层次结构逐层向下，把词组一分为二{context}（共评估了 {evals} 个文本"
        "变体）。{depth}删去一个词可能改变 Transformer 对其相邻词的理解，所以一个词的值包含了这类"
        "相互作用。"),
    "explain.text.context_1": (
        " and judging each half by what removing it from the otherwise complete text does",
        "，并以从其余完整文本中删去该半组的效果来评判每一半"),
    "explain.text.context_0": (
        " and judging each half by what adding it to an otherwise empty text does",
        "，并以把该半组加入到其余为空的文本中的效果来评判每一半"),
    "explain.text.context_none": (
        " and judging each half both by removing it from the rest of the text and by adding "
        "it to nothing (Owen values)",
        "，并同时以从其余文本中删去它和把它加入空文本两种方式来评判每一半（Owen 值）"),
    "explain.text.depth_full": ("Every word group was split down to single words.",
                                "每个词组都被拆分到了单个词。"),
    "explain.text.depth_partial": (
        "This text needed {needed} variants to split every group down to single words and the "
        "budget was {budget}, so some groups of neighbouring words share their credit evenly.",
        "这段文本需要 {needed} 个变体才能把每个词组拆分到单个词，而预算只有 {budget}，"
        "因此部分相邻词组平分它们的贡献。"),
    "explain.text.sum_up": ("the words {words} raised its score", "词语 {words} 提高了它的评分"),
    "explain.text.sum_down": ("{words} lowered it", "{words} 降低了它的评分"),
    "explain.text.sum_sep": ("; ", "；"),
    "explain.text.sum": ("For {label}, {parts}.", "对于 {label}，{parts}。"),
    "explain.text.sum_none": ("No word of {label}'s text changed its score for you.",
                              "{label} 的文本中没有哪个词改变了它为你给出的评分。"),
    "explain.text.target": ("model score of {item} for user {user}",
                            "模型对用户 {user} 给 {item} 的评分"),
    "explain.text.note_max_words": (
        "Only the first {max_words} of {n} words are attributed; the explained score is that "
        "of the shortened text, which can differ from the score of the full text.",
        "只对 {n} 个词中的前 {max_words} 个做归因；被解释的评分是截短后文本的评分，可能与完整文本的"
        "评分不同。"),
    "explain.text.note_no_tokenizer": (
        "This model's encoder does not expose its tokenizer, so fairrec cannot tell whether it "
        "reads the whole text; every word is attributed.",
        "该模型的编码器没有公开其分词器，fairrec 无法判断它是否读取了全文；因此对每个词都做归因。"),
    "explain.text.note_long": (
        "The text is long: the model reads only its first {tokens} tokens, so the last "
        "{dropped} word(s) were never read by the model and are not attributed.",
        "文本较长：模型只读取前 {tokens} 个词元，因此最后 {dropped} 个词模型从未读到，不做归因。"),
    "explain.text.no_text": (
        "Item {item} has no title or description, so there are no words to attribute: the "
        "text two-tower model places it by its id embedding alone.",
        "商品 {item} 没有标题或描述，因此没有可归因的词：文本双塔模型只凭它的 ID 嵌入来定位它。"),
    "explain.text.no_words": (
        "Item {item}'s text has no words to attribute (only punctuation or symbols).",
        "商品 {item} 的文本中没有可归因的词（只有标点或符号）。"),
    "explain.text.no_model_lists": (
        "the {label} lists come without a model, so nothing can be asked about how they "
        "treat text",
        "{label} 列表没有附带模型，因此无法询问它们如何对待文本"),
    "explain.text.no_tower": (
        "the {label} model has no text tower: it never reads titles or descriptions, so no "
        "word can have changed its scores",
        "{label} 模型没有文本塔：它从不读取标题或描述，因此没有哪个词会改变它的评分"),
    "explain.text.needs_text": (
        "Item-text attribution needs a model that reads item text: {what}. Train the text "
        "two-tower model to see which words matter.",
        "商品文本归因需要一个读取商品文本的模型：{what}。请训练文本双塔模型来查看哪些词起作用。"),
    "explain.text.unknown_method": (
        "Unknown text-attribution method '{method}'; use {choices}.",
        "未知的文本归因方法“{method}”；请使用 {choices}。"),
    "explain.text.or": (" or ", " 或 "),
    # ------------------------------------------------------------------ disparity drivers
    "explain.drv.caveat": (
        "A gradient-boosted model learned each user's NDCG@{k} from the features shown; on "
        "{n_test} users it was not trained on it explains R\u00b2 = {r2:.3f} of the variance "
        "(a constant explains {r2c:.3f}). Per-user NDCG is very noisy (a user has only a few "
        "test items), so most of its variance cannot be explained by any feature. The values "
        "explain this model's predictions, not the recommender itself, and show association, "
        "not cause. Features that move together (history length and activity, or an "
        "attribute and history length) share the credit, and the model may credit either: "
        "a sensitive attribute ranking low means the model found little left to explain by it "
        "once the other features were known.",
        "一个梯度提升模型根据所示特征学习每个用户的 NDCG@{k}；在 {n_test} 个未参与训练的用户上，"
        "它解释了方差的 R\u00b2 = {r2:.3f}（常数预测为 {r2c:.3f}）。单个用户的 NDCG 噪声很大"
        "（每个用户只有少量测试商品），所以其大部分方差无法被任何特征解释。这些值解释的是该模型的预测，"
        "而不是推荐系统本身，体现的是相关而非因果。一起变化的特征（历史长度与活跃度，或某个属性与"
        "历史长度）会分享贡献，模型可能归功于其中任何一个：敏感属性排名靠后，表示在已知其他特征后，"
        "模型发现它能额外解释的部分很少。"),
    "explain.drv.subject": ("NDCG@{k} of {grouping} = {group}", "{grouping} = {group} 的 NDCG@{k}"),
    "explain.drv.rest": ("all other users", "其他所有用户"),
    "explain.drv.target": ("gap in NDCG@{k}: {grouping} = {group} minus {other}",
                           "NDCG@{k} 差距：{grouping} = {group} 减去{other}"),
    "explain.drv.head_lower": (
        "{subject} is {gap} lower than for {other} (actual gap {actual}; the drivers model "
        "predicts {predicted})",
        "{subject}比{other}低 {gap}（实际差距 {actual}；驱动因素模型预测为 {predicted}）"),
    "explain.drv.head_higher": (
        "{subject} is {gap} higher than for {other} (actual gap {actual}; the drivers model "
        "predicts {predicted})",
        "{subject}比{other}高 {gap}（实际差距 {actual}；驱动因素模型预测为 {predicted}）"),
    "explain.drv.low_r2": (
        "{head}. The model explains too little of per-user NDCG on users it was not trained on "
        "(R² = {r2}, below the floor of {floor}) to name a driver of this gap.",
        "{head}。该模型在未参与训练的用户上对单用户 NDCG 的解释太少（R² = {r2}，低于下限 {floor}），"
        "不足以指出造成这一差距的驱动因素。"),
    "explain.drv.low_share": (
        "{head}. The model reproduces only {share} of the gap, too little to name a driver of it.",
        "{head}。该模型只复现了差距的 {share}，不足以指出其驱动因素。"),
    "explain.drv.named": (
        "{head}; the model attributes most of the gap to {feature} ({contribution} of the "
        "predicted {predicted}).",
        "{head}；模型把大部分差距归因于{feature}（在预测的 {predicted} 中占 {contribution}）。"),
    "explain.drv.feature.history_length": ("history length", "历史长度"),
    "explain.drv.feature.activity": ("activity (interactions per 30 days)",
                                     "活跃度（每 30 天交互次数）"),
    "explain.drv.feature.mean_popularity": ("mean popularity of history", "历史商品的平均热度"),
    "explain.drv.feature.category_entropy": ("category entropy of history", "历史类目熵"),
    "explain.drv.feature.tenure_days": ("tenure (days)", "注册时长（天）"),
    "explain.drv.feature.tenure_first": ("tenure (days since first interaction)",
                                         "注册时长（自首次交互起的天数）"),
    "explain.drv.method": ("SHAP (tree) on a gradient-boosted NDCG model",
                           "SHAP（树模型）基于梯度提升的 NDCG 模型"),
    # ------------------------------------------------------------------ report section notes
    "explain.report.imported": (
        "Not available: the imported lists come without a model, so there is nothing to "
        "attribute them to. Explanations need a model trained or loaded in fairrec.",
        "不可用：导入的列表没有附带模型，因此无从归因。解释需要在 fairrec 中训练或加载的模型。"),
    "explain.report.missing": (
        "Not available: the explanation module (SHAP history attribution and LIME/SHAP text "
        "attribution) is not part of this fairrec installation yet. The sampled users and "
        "their lists are shown so that the section can be read against the fairness results.",
        "不可用：当前安装的 fairrec 还不包含解释模块（SHAP 历史归因和 LIME/SHAP 文本归因）。"
        "这里仍列出抽样用户及其列表，便于对照公平性结果阅读本节。"),
    "explain.report.nothing": ("No sampled user has a recommendation to explain.",
                               "没有抽样用户有可解释的推荐。"),
    "explain.report.failed": ("Not available: the explanation module failed ({error}).",
                              "不可用：解释模块运行失败（{error}）。"),
    "explain.report.top_one": ("the top item", "排名第一的商品"),
    "explain.report.top_n": ("the top {n} items", "排名前 {n} 的商品"),
    "explain.report.done": (
        "Explanations of {which} of each sampled user's list, computed by "
        "fairrec_core.explain (history attribution); each states its method and limits.",
        "对每个抽样用户列表中{which}的解释，由 fairrec_core.explain（历史归因）计算；"
        "每条都说明了其方法和局限。"),
}
