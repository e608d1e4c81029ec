"""The Data page, its validation messages (one entry per issue code) and session restore."""

MESSAGES: dict[str, tuple[str, str]] = {
    # --- page ---
    "data.title": ("Data", "数据"),
    "data.caption": (
        "Upload your platform's CSV exports or use the sample data. Column names are "
        "detected automatically and every problem is listed at once. The files stay "
        "in this browser session: nothing is written to disk.",
        "上传平台导出的 CSV 文件，或使用示例数据。系统会自动识别列名，并一次列出所有问题。"
        "文件只保留在本次浏览器会话中，不会写入磁盘。"),
    "data.upload_header": ("Upload CSV exports", "上传 CSV 导出文件"),
    "data.required": ("{label} (required)", "{label}（必填）"),
    "data.optional": ("{label} (optional)", "{label}（可选）"),
    "data.sample_header": ("Or try the sample", "或试用示例数据"),
    "data.sample_text": (
        "A seeded synthetic shop: users with attributes, items with titles, "
        "categories and sellers, ratings, and a production recommender's "
        "top-K lists, with known fairness problems built in.",
        "一个固定随机种子生成的模拟店铺：带属性的用户、带标题/类目/卖家的商品、评分，"
        "以及线上推荐系统的 Top-K 列表，其中预置了已知的公平性问题。"),
    "data.use_sample": ("Use sample data", "使用示例数据"),
    "data.origin_sample": ("sample data", "示例数据"),
    "data.origin_upload": ("uploaded", "已上传"),
    "data.current_files": ("**Current files** ({origin}):", "**当前文件**（{origin}）："),
    "data.clear": ("Clear data", "清除数据"),
    "data.size_bytes": ("{n} bytes", "{n} 字节"),
    "data.advanced": ("Advanced reading options", "高级读取选项"),
    "data.advanced_caption": (
        "Encoding and delimiter are detected per file; override them when a "
        "file's text or columns come out wrong.",
        "每个文件的编码和分隔符会自动检测；若文字乱码或列拆分不对，可在此手动指定。"),
    "data.encoding": ("Encoding", "编码"),
    "data.delimiter": ("Delimiter", "分隔符"),
    "data.delim.auto": ("auto", "自动"),
    "data.delim.comma": ("comma ,", "逗号 ,"),
    "data.delim.tab": ("tab", "制表符"),
    "data.delim.semicolon": ("semicolon ;", "分号 ;"),
    "data.delim.pipe": ("pipe |", "竖线 |"),
    "data.encoding_auto": ("auto", "自动"),
    "data.threshold": ("Rating threshold", "评分阈值"),
    "data.threshold_placeholder": ("auto: 4 on a 1-5 scale", "自动：1-5 分制取 4"),
    "data.threshold_help": (
        "Ratings at or above it count as positives (relevant items) when judging "
        "accuracy. Empty: 4 on a 1-5 scale, else 80% of the highest rating.",
        "评估准确率时，评分不低于该值的记录算作正样本（相关商品）。留空：1-5 分制取 4，"
        "否则取最高评分的 80%。"),
    "data.drop_unknown": ("Drop rows with unknown user or item ids",
                          "丢弃用户或商品 ID 未知的行"),
    "data.drop_unknown_help": (
        "Rows of interactions or recommendations naming users or items absent "
        "from the users or items file stop the load by default; tick to drop "
        "them with a warning instead.",
        "交互或推荐文件中出现用户表/商品表里没有的 ID 时，默认停止加载；勾选后改为丢弃这些行并给出警告。"),
    "data.upload_failed": ("The upload could not be taken in: {error}. Try uploading it again.",
                           "无法接收上传的文件：{error}。请重新上传。"),
    "data.sample_unreadable": (
        "The sample data could not be read ({error}). Recreate it with: "
        "fairrec sample-data --out sample_data",
        "无法读取示例数据（{error}）。请用以下命令重新生成：fairrec sample-data --out sample_data"),
    # --- column mapping ---
    "data.mapping_custom": ("Column mapping (your choices applied)", "列映射（已应用您的选择）"),
    "data.mapping_auto": ("Column mapping (detected automatically; open to check or change)",
                          "列映射（自动识别；展开可检查或修改）"),
    "data.mapping_caption": (
        "Which column holds which piece of information. Columns left unassigned "
        "are kept as attributes (for users: candidate groups for the audit).",
        "指定每一列对应的信息。未指定的列保留为属性（用户表中的属性可作为审计的分组候选）。"),
    "data.table_info": ("{rows} rows · {encoding} · {delimiter}-separated",
                        "{rows} 行 · {encoding} · 以{delimiter}分隔"),
    "data.attributes": ("Attributes: {names}.", "属性：{names}。"),
    "data.attributes_sensitive": ("Attributes: {names}. Likely sensitive: {sensitive}.",
                                  "属性：{names}。可能的敏感属性：{sensitive}。"),
    "data.apply_mapping": ("Apply mapping", "应用映射"),
    "data.reset_mapping": ("Reset to the detected mapping", "恢复为自动识别的映射"),
    "data.role_required": ("{role} (required)", "{role}（必填）"),
    "data.role_either": ("{role} ({either} required)", "{role}（{either} 必填其一）"),
    "data.role_or": (" or ", " 或 "),
    "data.none_choice": ("(none)", "（无）"),
    "role.user": ("user", "用户"),
    "role.item": ("item", "商品"),
    "role.rating": ("rating", "评分"),
    "role.event": ("event", "行为类型"),
    "role.weight": ("weight", "权重"),
    "role.timestamp": ("timestamp", "时间戳"),
    "role.title": ("title", "标题"),
    "role.description": ("description", "描述"),
    "role.category": ("category", "类目"),
    "role.provider": ("provider", "商家"),
    "role.price": ("price", "价格"),
    "role.created_at": ("created at", "上架时间"),
    "role.rank": ("rank", "排名"),
    "role.score": ("score", "得分"),
    "file.interactions": ("Interactions", "交互"),
    "file.users": ("Users", "用户"),
    "file.items": ("Items", "商品"),
    "file.recommendations": ("Recommendations", "推荐列表"),
    "file.help.interactions": (
        "Required. One row per user-item event: user and item ids, and "
        "optionally rating, event type, weight, timestamp.",
        "必填。每行一条用户-商品行为：用户 ID、商品 ID，可选评分、行为类型、权重、时间戳。"),
    "file.help.users": ("Optional. One row per user with attributes (gender, age, region, tier, "
                        "...).",
                        "可选。每行一个用户及其属性（性别、年龄、地区、城市等级等）。"),
    "file.help.items": ("Optional. One row per item: title, description, category, seller or "
                        "brand, price, ...",
                        "可选。每行一个商品：标题、描述、类目、卖家或品牌、价格等。"),
    "file.help.recommendations": ("Optional. Your production recommender's top-K lists: user, "
                                  "item, rank or score.",
                                  "可选。线上推荐系统的 Top-K 列表：用户、商品、排名或得分。"),
    # --- validation report ---
    "data.issue_where": ("**{file}**", "**{file}**"),
    "data.issue_column": ("**{file}**, column `{column}`", "**{file}**，列 `{column}`"),
    "data.issue_rows": ("Rows: {rows}.", "示例行：{rows}。"),
    "data.errors": (
        "**The data cannot be used yet: {n} error(s).** Fix the files and upload them "
        "again, or adjust the column mapping or the reading options above.",
        "**数据暂不可用：{n} 个错误。** 请修正文件后重新上传，或调整上方的列映射或读取选项。"),
    "data.report_table": ("Validation report as a table", "以表格查看校验报告"),
    "data.passed": ("Validation passed: no errors, {n} warning(s).",
                    "校验通过：无错误，{n} 个警告。"),
    "data.warnings": ("{n} validation warning(s): shown here and recorded in the audit report",
                      "{n} 个校验警告：在此显示，并记录在审计报告中"),
    "data.col.severity": ("severity", "级别"),
    "data.col.file": ("file", "文件"),
    "data.col.column": ("column", "列"),
    "data.col.code": ("code", "代码"),
    "data.col.message": ("message", "说明"),
    "data.col.count": ("count", "数量"),
    "data.col.rows": ("rows", "示例行"),
    # --- summary ---
    "data.summary": ("Data summary", "数据概览"),
    "data.m.users": ("Users", "用户"),
    "data.m.users_help": ("{n} with interactions", "其中 {n} 个有交互"),
    "data.m.items": ("Items", "商品"),
    "data.m.items_help": ("{n} with interactions", "其中 {n} 个有交互"),
    "data.m.interactions": ("Interactions", "交互"),
    "data.m.positives": ("{n} count as positives (rating >= {threshold})",
                         "{n} 条算作正样本（评分 >= {threshold}）"),
    "data.m.positives_implicit": ("{n} count as positives (implicit feedback)",
                                  "{n} 条算作正样本（隐式反馈）"),
    "data.m.density": ("Density", "密度"),
    "data.m.density_help": ("Share of all user-item pairs with an interaction; sparsity {s}",
                            "有交互的用户-商品对占全部组合的比例；稀疏度 {s}"),
    "data.fact.per_user": ("Interactions per user: median {median}, max {max}",
                           "每个用户的交互数：中位数 {median}，最大 {max}"),
    "data.fact.top20": ("top 20% of items hold {share} of interactions",
                        "前 20% 的商品占 {share} 的交互"),
    "data.fact.span": ("time span {first} to {last}", "时间跨度 {first} 至 {last}"),
    "data.fact.recs": ("imported top-{k} lists for {n} users", "已导入 {n} 个用户的 Top-{k} 列表"),
    "data.fact.sep": ("; ", "；"),
    "data.fact.end": (".", "。"),
    "data.attrs": ("User attributes for the audit: {names}. Numeric ones are shown in bands.",
                   "可用于审计的用户属性：{names}。数值属性按区间分组显示。"),
    "data.attrs_sensitive": (
        "User attributes for the audit: {names} (likely sensitive: {sensitive}). Numeric "
        "ones are shown in bands.",
        "可用于审计的用户属性：{names}（可能的敏感属性：{sensitive}）。数值属性按区间分组显示。"),
    "data.no_user_attrs": ("No users file with attributes: user groups will be limited to "
                           "activity levels.",
                           "没有带属性的用户文件：用户分组将仅限于活跃度。"),
    "data.no_item_groups": ("No item categories or providers: provider-side fairness will be "
                            "limited to popularity (head and tail).",
                            "没有商品类目或商家信息：商家侧公平性将仅按热度（头部与长尾）分析。"),
    "data.next": ("What you can do next", "接下来可以做什么"),
    "data.next_train": ("- **Train** a recommender on this data.",
                        "- **训练**：在这份数据上训练推荐模型。"),
    "data.next_train_recs": (
        "- **Train** a recommender on this data, or audit the imported top-K lists directly.",
        "- **训练**：在这份数据上训练推荐模型，或直接审计导入的 Top-K 列表。"),
    "data.next_rest": (
        "- **Fairness**: compare accuracy and exposure across the user groups and provider "
        "groups above, with confidence intervals.\n- **Explain** why a user got a list; "
        "**What-if**: trade accuracy for fairness with a re-ranker; **Report**: export the "
        "audit.",
        "- **公平性**：比较上述用户组和商家组之间的准确率与曝光，并给出置信区间。\n"
        "- **解释**：为什么某个用户得到这份列表；**假设分析**：用重排序在准确率与公平性之间权衡；"
        "**报告**：导出审计结果。"),
    "data.add_interactions": (
        "Add the interactions file: it is required. Users, items and recommendations files "
        "are optional.",
        "请添加交互文件：它是必需的。用户、商品和推荐列表文件为可选。"),
    "data.empty": (
        "Upload at least an interactions file (user and item ids per row), or click "
        "**Use sample data** to explore fairrec first.",
        "请至少上传一个交互文件（每行包含用户 ID 和商品 ID），或点击 **使用示例数据** 先体验 fairrec。"),
    "data.error_hint": ("{error}\n\nCheck the files and options above, or reload the sample "
                        "data.",
                        "{error}\n\n请检查上方的文件和选项，或重新加载示例数据。"),
    "data.page_error": (
        "Something went wrong on this page ({error}). Reload the page; if the data is the "
        "cause, try re-saving the files as UTF-8 CSV.",
        "此页面出错（{error}）。请刷新页面；如果是数据引起的，请尝试将文件另存为 UTF-8 编码的 CSV。"),
    "data.notice.replaced": ("The inputs changed: the data was validated again and the "
                             "dataset replaced.",
                             "输入已变化：数据已重新校验，数据集已替换。"),
    "data.notice.cleared": ("The data was cleared.", "数据已清除。"),
    "data.notice.discarded": (
        "The inputs changed, so the previously loaded dataset was discarded. Fix the problems "
        "below to load the data again.",
        "输入已变化，之前加载的数据集已被丢弃。请修正下方的问题后重新加载数据。"),
    # --- data charts (fairrec_core.viz.data_charts) ---
    "chart.data.rank_hover": ("Item rank {x}<br>{y} interactions", "商品排名 {x}<br>{y} 次交互"),
    "chart.data.top20": ("top 20% of items: {share} of interactions",
                         "前 20% 的商品：占 {share} 的交互"),
    "chart.data.n_items": ("{n} items", "{n} 个商品"),
    "chart.data.zero_items": ("; {n} without interactions (not drawn)", "；{n} 个无交互（未绘制）"),
    "chart.data.long_tail": ("Long tail: interactions per item", "长尾：每个商品的交互数"),
    "chart.data.rank_axis": ("Item rank (most to least interacted)", "商品排名（按交互数从多到少）"),
    "chart.data.interactions_log": ("Interactions (log scale)", "交互数（对数刻度）"),
    "chart.data.activity_hover": ("{x} interactions: {y} users ({share})",
                                  "{x} 次交互：{y} 个用户（{share}）"),
    "chart.data.active_users": ("{n} users with interactions, median {median}",
                                "{n} 个有交互的用户，中位数 {median}"),
    "chart.data.idle_users": ("; {n} users without any (not drawn)", "；{n} 个用户无交互（未绘制）"),
    "chart.data.activity": ("Activity: interactions per user", "活跃度：每个用户的交互数"),
    "chart.data.per_user_axis": ("Interactions per user", "每个用户的交互数"),
    "chart.data.users_log": ("Users (log scale)", "用户数（对数刻度）"),
    "chart.data.users": ("Users", "用户数"),
    "chart.data.group_hover": ("{x}: {y} users ({share})", "{x}：{y} 个用户（{share}）"),
    "chart.data.user_groups": ("User groups: users per attribute value",
                               "用户分组：各属性取值的用户数"),
    "chart.data.grey_bars": ("grey bars: fewer than {n} users, reported as insufficient data",
                             "灰色柱：少于 {n} 个用户，报告为“数据不足”"),
    "chart.data.largest": ("{attr}: largest {top} of {n}<br><sup>the other {rest} hold {share} "
                           "of items</sup>",
                           "{attr}：{n} 个中最大的 {top} 个<br><sup>其余 {rest} 个共占 {share} "
                           "的商品</sup>"),
    "chart.data.items_hover": ("{y}: {x} items", "{y}：{x} 个商品"),
    "chart.data.items": ("Items", "商品数"),
    "chart.data.item_groups": ("Item groups: items per category and provider",
                               "商品分组：各类目和商家的商品数"),
    # --- session restore (app.py) ---
    "session.expired": (
        "The saved session from this link has expired (sessions are kept in the server's "
        "memory for 2 hours, 8 at most): load the data again.",
        "此链接对应的会话已过期（会话保存在服务器内存中，最多 8 个、最长 2 小时）：请重新加载数据。"),
    # --- validation messages by issue code (the English message is the fallback) ---
    "issue.missing_attribute": ("{count} user(s) have no {column}; they form the group "
                                "'unknown'.",
                                "{count} 个用户没有 {column} 值，归入“unknown”组。"),
    "issue.non_numeric_attribute": (
        "{count} user(s) have a non-numeric {column} in a numeric column; they keep that text "
        "as their group.",
        "{count} 个用户的 {column} 在数值列中不是数字，按其原文本单独成组。"),
    "issue.confusable_ids": (
        "{count} group(s) of ids in {column} differ only by invisible characters, letter case "
        "or character width; they are kept as different ids. If each group is one id, clean "
        "the ids in the export.",
        "{column} 中有 {count} 组 ID 仅在不可见字符、大小写或全角/半角上不同，仍按不同 ID 处理。"
        "若每组其实是同一个 ID，请在导出数据中清洗。"),
    "issue.negative_rating": (
        "{count} row(s) have a negative {column}; they count as not relevant. If the scale "
        "has no negative values, fix those rows.",
        "{count} 行的 {column} 为负数，按不相关处理。如果评分标准没有负值，请修正这些行。"),
    "issue.no_positives": ("No rating in {column} reaches the positive threshold; set the "
                           "rating threshold.",
                           "{column} 中没有任何评分达到正样本阈值，请设置评分阈值。"),
    "issue.few_positives": (
        "Only {count} rows reach the automatic positive threshold (80% of the highest "
        "rating) because a few ratings lie far above the rest. Fix those rows, or set the "
        "rating threshold.",
        "只有 {count} 行达到自动正样本阈值（最高评分的 80%），因为少数评分远高于其他评分。"
        "请修正这些行，或设置评分阈值。"),
    "issue.non_finite_rating": ("{count} row(s) have an infinite {column}; ratings must be "
                                "finite numbers on one scale.",
                                "{count} 行的 {column} 为无穷大；评分必须是同一尺度上的有限数值。"),
    "issue.implausible_rating": ("{count} row(s) have an implausibly large {column}; ratings "
                                 "must be finite numbers on one scale.",
                                 "{count} 行的 {column} 数值大得不合理；评分必须是同一尺度上的有限数值。"),
    "issue.non_numeric": ("{count} row(s) have an empty, non-numeric or invalid {column}.",
                          "{count} 行的 {column} 为空、不是数字或数值无效。"),
    "issue.repeat_interactions": (
        "{count} row(s) are repeat interactions with an item the user had already "
        "interacted with; each (user, item) pair was merged into one.",
        "{count} 行是用户与同一商品的重复交互；每个（用户，商品）对已合并为一条。"),
    "issue.missing_file": ("An interactions file is required.", "必须提供交互文件。"),
    "issue.too_few_users": ("{file} has interactions from fewer than two users; an audit "
                            "compares users.",
                            "{file} 中有交互的用户少于两个；审计需要比较不同用户。"),
    "issue.too_few_items": ("All interactions concern one item; nothing can be ranked.",
                            "所有交互都只涉及一个商品，无法排序。"),
    "issue.no_evaluable_users": (
        "No user has enough interactions for a recommendation to be checked against "
        "held-out data.",
        "没有用户拥有足够的交互，无法用留出数据检验推荐结果。"),
    "issue.users_without_interactions": (
        "{count} user(s) in the users file have no interactions; they cannot be evaluated.",
        "用户文件中有 {count} 个用户没有任何交互，无法评估。"),
    "issue.too_few_interactions": (
        "{count} user(s) have too few interactions to be evaluated; they stay in training.",
        "{count} 个用户的交互太少，无法评估；他们仍参与训练。"),
    "issue.missing_id": ("{count} row(s) have no id in {column}.", "{count} 行的 {column} 缺少 ID。"),
    "issue.duplicate_ids": ("{count} id(s) in {column} appear more than once; each must be "
                            "listed once.",
                            "{column} 中有 {count} 个 ID 出现了不止一次；每个 ID 只能出现一次。"),
    "issue.unknown_event": ("{count} row(s) have event types fairrec does not know in "
                            "{column}; they count as positives with weight 1.",
                            "{column} 中有 {count} 行的行为类型无法识别，按权重 1 的正样本处理。"),
    "issue.duplicate_rows": ("{count} row(s) repeat an earlier row; only the first of each "
                             "was kept.",
                             "{count} 行与之前的行重复，每组只保留第一行。"),
    "issue.unknown_ids.warning": ("{count} row(s) name ids in {column} absent from the other "
                                  "files; they were left out.",
                                  "{count} 行的 {column} 在其他文件中不存在，已被剔除。"),
    "issue.unknown_ids.error": (
        "{count} row(s) name ids in {column} absent from the other files. Upload matching "
        "exports, or choose to drop such rows.",
        "{count} 行的 {column} 在其他文件中不存在。请上传相互匹配的导出文件，或选择丢弃这些行。"),
    "issue.duplicate_items": ("{count} row(s) list the same item twice for one user.",
                              "{count} 行为同一用户重复列出了同一商品。"),
    "issue.duplicate_ranks": ("{count} row(s) give a user two items at the same rank.",
                              "{count} 行使同一用户在相同排名上有两个商品。"),
    "issue.no_text": ("{file} has no title or description column: text-reading models will "
                      "use item ids only.",
                      "{file} 没有标题或描述列：基于文本的模型将只使用商品 ID。"),
    "issue.mixed_timestamp_units": ("{count} row(s) of {column} use a different time unit "
                                    "from the rest of the column; convert those rows.",
                                    "{column} 中有 {count} 行的时间单位与该列其余部分不同，请转换这些行。"),
    "issue.timestamp_out_of_range": ("{count} row(s) of {column} lie outside plausible years; "
                                     "check the export's unit and clock.",
                                     "{column} 中有 {count} 行的时间超出合理年份范围，请检查导出的时间单位和时钟。"),
    "issue.undecodable_text": (
        "{file} is UTF-8 but {count} line(s) are not; their unreadable bytes were replaced. "
        "Re-save the file as UTF-8, or choose its encoding.",
        "{file} 为 UTF-8 编码，但有 {count} 行不是；无法识别的字节已被替换。"
        "请将文件另存为 UTF-8，或手动选择编码。"),
    "issue.mixed_encoding": (
        "{file} was read as GB18030 (Chinese GBK), but {count} line(s) look like UTF-8; "
        "their text may be garbled. Re-save the file in one encoding, or choose its encoding.",
        "{file} 按 GB18030（中文 GBK）读取，但有 {count} 行看起来是 UTF-8，文字可能乱码。"
        "请将文件统一为一种编码保存，或手动选择编码。"),
    "issue.blank_header": ("{file}: {count} column(s) have no name in the header.",
                           "{file}：表头中有 {count} 列没有列名。"),
    "issue.empty_file": ("{file} is empty: it has no header and no rows.",
                         "{file} 是空文件：没有表头，也没有数据行。"),
    "issue.header_only": ("{file} has a header but no data rows.", "{file} 只有表头，没有数据行。"),
    "issue.not_csv": ("{file} is not a CSV text file. Export or save it as CSV "
                      "(comma-separated values) and upload that.",
                      "{file} 不是 CSV 文本文件。请导出或另存为 CSV（逗号分隔值）后再上传。"),
    "issue.too_many_columns": ("{file} has {count} columns, more than fairrec reads. Keep the "
                               "id column and the attributes to audit, and upload that.",
                               "{file} 有 {count} 列，超过 fairrec 可读取的上限。"
                               "请只保留 ID 列和需要审计的属性后再上传。"),
    "issue.file_not_found": ("{file}: no such file.", "{file}：文件不存在。"),
}
