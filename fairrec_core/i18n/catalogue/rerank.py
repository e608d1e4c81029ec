"""Re-rankers: what was applied, their objective summaries and notes (reports, What-if)."""

MESSAGES = {
    "rerank.described": (
        "Re-ranked with '{method}' ({title}; {reference}) at λ = {lam}, K = {k}, from {n} "
        "candidates per user ({source}, normalised per user by min-max).",
        "使用“{method}”（{title}；{reference}）在 λ = {lam}、K = {k} 下重排，每位用户 {n} 个"
        "候选（{source}，按用户做最小-最大归一化）。"),
    "rerank.how.inferred": ("inferred from the base lists", "由基础列表推断"),
    "rerank.how.given": ("given", "由用户指定"),
    "rerank.how.cpfair": ("CPFair's convention", "按 CPFair 的约定"),
    "rerank.padded": ("{n} users have fewer than {k} candidates; their lists are padded with -1.",
                      "{n} 位用户的候选少于 {k} 个；其列表以 -1 补齐。"),
    "rerank.two_sided.item_side": (
        "item side '{grouping}' (disadvantaged: {groups}, {how}; weight {weight})",
        "物品侧“{grouping}”（弱势组：{groups}，{how}；权重 {weight}）"),
    "rerank.two_sided.user_side": (
        "user side '{grouping}' (disadvantaged: {groups}, {how}; weight {weight})",
        "用户侧“{grouping}”（弱势组：{groups}，{how}；权重 {weight}）"),
    "rerank.two_sided.summary_one": ("Objective: relevance minus λ-weighted gaps on the {side}.",
                                     "目标：相关性减去{side}上按 λ 加权的差距。"),
    "rerank.two_sided.summary_both": (
        "Objective: relevance minus λ-weighted gaps on the {item} and {user}.",
        "目标：相关性减去{item}与{user}上按 λ 加权的差距。"),
    "rerank.two_sided.no_candidates": (
        "No user has a candidate of the protected item group ({groups}); the item side cannot "
        "change any list.",
        "没有任何用户拥有受保护物品组（{groups}）的候选；物品侧无法改变任何列表。"),
    "rerank.fair_topk.summary": (
        "Protected group {groups} of '{grouping}' ({how}); every prefix must hold at least the "
        "binomial minimum for p = λ, α = {alpha}.",
        "“{grouping}”的受保护组 {groups}（{how}）；每个前缀至少须包含 p = λ、α = {alpha} 时的"
        "二项分布最低数量。"),
    "rerank.fair_topk.summary_corrected": (
        "Protected group {groups} of '{grouping}' ({how}); every prefix must hold at least the "
        "binomial minimum for p = λ, α = {alpha} (corrected for testing every prefix).",
        "“{grouping}”的受保护组 {groups}（{how}）；每个前缀至少须包含 p = λ、α = {alpha} 时的"
        "二项分布最低数量（已按逐个前缀检验做校正）。"),
    "rerank.fair_topk.no_candidates": (
        "No user has a candidate of the protected group(s) {groups}; FA*IR cannot change any "
        "list.",
        "没有任何用户拥有受保护组 {groups} 的候选；FA*IR 无法改变任何列表。"),
    "rerank.fair_topk.short": (
        "{n} users had too few protected candidates to meet the FA*IR minimum in every prefix; "
        "they got all they had.",
        "{n} 位用户的受保护候选太少，无法在每个前缀满足 FA*IR 最低数量；已放入其全部受保护候选。"),
    "rerank.calibrated.summary": (
        "Greedy trade-off between normalised score and KL(p‖q̃) over the categories of "
        "'{grouping}' (α = {alpha}, {exposure} rank weights).",
        "在归一化得分与“{grouping}”各类目上的 KL(p‖q̃) 之间贪心权衡（α = {alpha}，{exposure} "
        "位置权重）。"),
    "rerank.calibrated.no_history": (
        "{n} users have no history to calibrate to; they keep the base order.",
        "{n} 位用户没有可用于校准的历史；保持基础排序。"),
    "rerank.provider.summary": (
        "Greedy smooth xQuAD over the item groups of '{grouping}' ({groups}), P(c|u) from "
        "{pmode}.",
        "在“{grouping}”的物品组（{groups}）上做贪心平滑 xQuAD，P(c|u) 来自 {pmode}。"),
    "rerank.provider.no_candidates": (
        "No user has a candidate of the group(s) {groups}; re-ranking cannot raise their "
        "exposure.",
        "没有任何用户拥有组 {groups} 的候选；重排无法提高其曝光。"),
    "rerank.provider.fallback": (
        "{n} users had no usable interest profile and used the catalogue shares as P(c|u).",
        "{n} 位用户没有可用的兴趣画像，以目录占比作为 P(c|u)。"),
    "rerank.search.none": ("No λ in [0, 1] meets {target}; at λ = 1 the value is {value}.",
                           "[0, 1] 中没有满足 {target} 的 λ；λ = 1 时该值为 {value}。"),
    "rerank.search.found": (
        "The smallest λ meeting {target} is {lam} ({metric} = {value}); {n} evaluations.",
        "满足 {target} 的最小 λ 为 {lam}（{metric} = {value}）；共评估 {n} 次。"),
    "rerank.stage.none": ("No re-ranker was configured ([rerank].method = \"none\").",
                          "未配置重排器（[rerank].method = \"none\"）。"),
    "rerank.stage.no_grouping": (
        "No item grouping with at least two groups is available to re-rank for; the lists are "
        "audited as they are.",
        "没有至少含两个组的物品分组可供重排；按原列表审计。"),
    "rerank.stage.no_sweep": ("The λ sweep was switched off ([rerank].sweep).",
                              "λ 扫描已关闭（[rerank].sweep）。"),
}
