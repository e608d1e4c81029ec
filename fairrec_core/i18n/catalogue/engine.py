"""The Ray engine's audit of part files (issue 17.2): refusals and report notes."""

MESSAGES = {
    "engine.refuse.rerank": (
        "{option} needs --engine local: re-ranking every user's candidates on Ray is not "
        "supported yet. Use --rerank none (or drop the option), or --engine local.",
        "{option} 需要 --engine local：暂不支持在 Ray 上对全部用户的候选集重排序。"
        "请使用 --rerank none（或去掉该选项），或改用 --engine local。"),
    "engine.refuse.counterfactual": (
        "--counterfactual ([counterfactual].enabled) needs --engine local: the probe trains "
        "a model on every user's profile on one node.",
        "--counterfactual（[counterfactual].enabled）需要 --engine local："
        "反事实探测要在单个节点上用全部用户画像训练模型。"),
    "engine.refuse.split": (
        "{option} needs --engine local: the Ray engine splits each part with the default "
        "temporal split (each user's last [split].test_n interactions held out).",
        "{option} 需要 --engine local：Ray 引擎对每个分片只做默认的时间切分"
        "（每个用户最后 [split].test_n 条交互作为测试集）。"),
    "engine.refuse.data": (
        "{option} needs --engine local: the Ray engine reads the columns user_id, item_id, "
        "rating, timestamp (interactions) and user_id, item_id, rank (recommendations) "
        "as they are named.",
        "{option} 需要 --engine local：Ray 引擎按原名读取 user_id、item_id、rating、timestamp"
        "（交互）和 user_id、item_id、rank（推荐列表）这些列。"),
    "engine.refuse.item_age": (
        "[metrics].item_groupings: item_age needs --engine local (it reads every "
        "interaction's date on one node).",
        "[metrics].item_groupings：item_age 需要 --engine local（要在单个节点上读取全部交互日期）。"),
    "engine.refuse.numeric": (
        "[metrics].user_groupings: {name} is numeric and is banded by quartiles on the local "
        "engine, which needs every user's value on one node. Name the groupings without it, "
        "or use --engine local.",
        "[metrics].user_groupings：{name} 是数值列，本地引擎按四分位分段，"
        "这需要在单个节点上取得全部用户的值。请在分组中去掉它，或改用 --engine local。"),
    "engine.refuse.threshold": (
        "Set --rating-threshold ([data].rating_threshold) for CSV inputs on --engine ray: "
        "the automatic threshold needs the ratings' range, which only Parquet files record.",
        "在 --engine ray 上使用 CSV 输入时请设置 --rating-threshold（[data].rating_threshold）："
        "自动阈值需要评分的取值范围，只有 Parquet 文件记录了它。"),
    "engine.refuse.inputs": (
        "--{kind} ([data].{kind}) is required on --engine ray with imported lists.",
        "在 --engine ray 上审计导入的推荐列表时必须提供 --{kind}（[data].{kind}）。"),
    "engine.refuse.items": (
        "--items ([data].items) is required on --engine ray: a Parquet or CSV file, or a "
        "folder of part files.",
        "在 --engine ray 上必须提供 --items（[data].items）：一个 Parquet 或 CSV 文件，"
        "或一个分片文件夹。"),
    "engine.ran": (
        "Engine: Ray ({where}). The data was read, validated and split in Ray tasks, one per "
        "user part ({parts} parts{bucketed}); the metrics were folded from the parts.",
        "引擎：Ray（{where}）。数据在 Ray 任务中读取、校验和切分，每个用户分片一个任务"
        "（共 {parts} 个分片{bucketed}）；指标由各分片合并得出。"),
    "engine.bucketed": (", bucketed by a hash of the user id first",
                        "，事先按用户 ID 的哈希分桶"),
    "engine.local_ray": ("a local Ray started for this run", "为本次运行启动的本地 Ray"),
    "engine.left_out": (
        "Left out by the Ray engine: {sections}. They need every user's rows on one node; "
        "run with --engine local to include them.",
        "Ray 引擎未包含：{sections}。这些部分需要在单个节点上取得全部用户的数据；"
        "如需包含，请使用 --engine local 运行。"),
    "engine.section_sep": ("; ", "；"),
    "engine.section.explanations": ("sample explanations", "样例解释"),
    "engine.section.tradeoff": ("the λ sweep (trade-off curve)", "λ 扫描（权衡曲线）"),
    "engine.too_few": (
        "{n} user(s) have fewer than {least} interactions; they stay in training but cannot "
        "be evaluated.",
        "{n} 个用户的交互少于 {least} 条；他们仍用于训练，但无法参与评估。"),
    "engine.silent": ("{n} user(s) in the users file have no interactions.",
                      "用户文件中有 {n} 个用户没有任何交互。"),
}
