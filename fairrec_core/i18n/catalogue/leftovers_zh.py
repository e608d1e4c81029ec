"""Strings that still reached the Chinese interface in English: audited-lists names,
model sources, session messages (issue 16's sweep, ``tests/test_i18n_zh_leaks.py``)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "lists.model": ("{model}, top {k}", "{model}，Top-{k}"),
    "lists.reranked": ("re-ranked: {method}, {weight} = {lam}", "重排：{method}，{weight} = {lam}"),
    "source.trained": ("trained", "已训练"),
    "source.checkpoint": ("checkpoint", "检查点"),
    "source.imported": ("imported", "导入"),
    "session.no_model": ("There is no model yet: train one on the Train page first.",
                         "还没有模型：请先在“训练”页训练一个模型。"),
    "session.no_grouping": ("There is no user grouping '{grouping}'.",
                            "没有名为“{grouping}”的用户分组。"),
    "session.no_user_in_group": ("No user of {grouping} = '{group}' has a list to explain.",
                                 "{grouping} = “{group}” 中没有可解释推荐列表的用户。"),
    # audit notes (metrics.per_user, engine.assemble): kept as Phrases, said in the report's
    # or the page's language
    "note.excluded": ("{n} of {total} users have no held-out positives and are excluded from "
                      "accuracy metrics.",
                      "{total} 个用户中有 {n} 个没有留出的正样本，不计入准确率指标。"),
    "note.empty_one": ("1 user has an empty list, left out of novelty, ARP and APLT.",
                       "有 1 个用户的推荐列表为空，不计入新颖度、ARP 和 APLT。"),
    "note.empty": ("{n} users have an empty list, left out of novelty, ARP and APLT.",
                   "有 {n} 个用户的推荐列表为空，不计入新颖度、ARP 和 APLT。"),
    "note.unseen": ("{n} recommended entries are items never seen in training; novelty scores "
                    "them as if seen by one user.",
                    "有 {n} 条推荐是训练中从未出现过的商品；计算新颖度时按只被一个用户见过处理。"),
    "note.head": ("Head: the {n_head} most popular items ({share} of the catalogue; target "
                  "{target}); the other {n_tail} are the tail.",
                  "头部：最热门的 {n_head} 个商品（占商品目录的 {share}；目标 {target}）；"
                  "其余 {n_tail} 个为长尾。"),
    # how the data was split (data.split.Split.describe)
    "split.temporal": (
        "Per user, the last {test_n} interaction(s) by time are the test set and the {valid_n} "
        "before them the validation set; the rest train. Users with too short a history stay "
        "in training only.{filtered}",
        "按用户划分：每个用户按时间最近的 {test_n} 条交互作为测试集，再往前 {valid_n} 条作为验证集，"
        "其余用于训练。历史太短的用户只留在训练集中。{filtered}"),
    "split.random": (
        "Interactions are shuffled {scope} (seed {seed}) and divided {ratios} into train, "
        "validation and test.{filtered}",
        "交互记录{scope}随机打乱（随机种子 {seed}），按 {ratios} 分为训练集、验证集和测试集。{filtered}"),
    "split.within_user": ("within each user", "在每个用户内部"),
    "split.overall": ("over all interactions", "在全部交互上"),
    "split.filtered": (
        " Before splitting, users with fewer than {min_user} and items with fewer than "
        "{min_item} interactions were removed repeatedly ({rows} rows).",
        "划分前已反复移除交互少于 {min_user} 条的用户和少于 {min_item} 条的商品（共 {rows} 行）。"),
    # model descriptions (models.registry.available_models)
    "model.desc.bpr": ("BPR matrix factorisation (PyTorch).", "BPR 矩阵分解（PyTorch）。"),
    "model.desc.popularity": ("Most-popular baseline: everyone gets the most-interacted items.",
                              "热门度基线：每个人都得到交互最多的商品。"),
    "model.desc.two-tower": ("Text two-tower: a transformer reads item titles and descriptions.",
                             "文本双塔：由 Transformer 读取商品标题和描述。"),
    "model.desc.profile-two-tower": (
        "Profile two-tower: the user tower also reads a profile text (attributes and recent "
        "titles).",
        "画像双塔：用户塔还会读取一段画像文本（属性和最近的商品标题）。"),
    "model.desc.imported": ("The production system's own lists from recommendations.csv.",
                            "来自 recommendations.csv 的线上系统自身的推荐列表。"),
    # training device (dashboard.training_session.device_summary)
    "device.cpu": ("CPU ({threads} cores); no CUDA GPU was found, so training runs on the CPU",
                   "CPU（{threads} 核）；未找到 CUDA GPU，因此在 CPU 上训练"),
    # reasons the metrics engine gives (report.check_text.reason_text reads them back)
    "reason.catalogue_level": (
        "catalogue-level statistic: no bootstrap interval (resampling users with replacement "
        "leaves some out, which biases it)",
        "商品目录层面的统计量：不给出自助法区间（有放回地重抽用户会遗漏部分用户，从而产生偏差）"),
    "reason.nothing_recommended": ("no item was recommended", "没有推荐任何商品"),
    # the trade-off curve (pipeline.rerank_stage)
    "tradeoff.note": (
        "Each point re-ranks the same {n} candidates per user at one λ; λ = 0 is the audited "
        "model's own ranking.",
        "每个点在某个 λ 下对每个用户相同的 {n} 个候选商品重新排序；λ = 0 即被审计模型自身的排序。"),
    # the training-history chart (viz.model_charts.training_figure)
    "chart.train.loss_steps": ("training loss (per step window)", "训练损失（按步窗口）"),
    "chart.train.loss_epochs": ("training loss (epoch mean)", "训练损失（每轮平均）"),
    "chart.train.validation": ("validation {metric}", "验证集 {metric}"),
    "chart.train.best_epoch": ("best epoch {epoch}", "最佳轮次 {epoch}"),
    "chart.train.epoch": ("Epoch", "训练轮次"),
    "chart.train.loss_axis": ("Training loss (BPR, lower is better)",
                              "训练损失（BPR，越低越好）"),
    "chart.train.metric_axis": ("Validation {metric} (higher is better)",
                                "验证集 {metric}（越高越好）"),
    # re-rankers' titles (the English is each class's ``title``; tests pin them equal)
    "rerank.title.two_sided": (
        "two-sided linear re-ranking (CPFair objective, exact per-user solution)",
        "双边线性重排（CPFair 目标，逐用户精确求解）"),
    "rerank.title.provider": ("provider-exposure greedy re-ranking (smooth xQuAD)",
                              "商家曝光贪心重排（平滑 xQuAD）"),
    "rerank.title.fair_topk": (
        "FA*IR fair top-k (binomial minimum protected share in every prefix)",
        "FA*IR 公平 Top-k（每个前缀中受保护组的二项分布最低占比）"),
    "rerank.title.calibrated": (
        "calibrated re-ranking (greedy, KL to the history's category mix)",
        "校准重排（贪心，与历史类目分布的 KL 散度）"),
}
