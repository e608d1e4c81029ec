"""The audit report (HTML, PDF, report.json text fields): sections, tables, charts.

English texts are exactly those the English report always printed; tests read them.
Placeholders carry numbers already formatted, so both languages show identical figures.
"""

MESSAGES: dict[str, tuple[str, str]] = {
    "report.default_title": ("Recommender fairness audit", "推荐系统公平性审计报告"),
    # ---- section titles
    "report.section.scorecard": ("Verdict scorecard", "结论总览"),
    "report.section.data": ("Data summary and validation warnings", "数据概况与校验警告"),
    "report.section.model": ("Model card", "模型卡"),
    "report.section.accuracy": ("Accuracy", "准确率"),
    "report.section.user_fairness": ("User-side fairness", "用户侧公平性"),
    "report.section.provider_exposure": ("Provider-side exposure", "商家侧曝光"),
    "report.section.tradeoff": ("Accuracy / fairness trade-off", "准确率与公平性的权衡"),
    "report.section.explanations": ("Sample explanations per group", "各组抽样解释"),
    "report.section.methodology": ("Methodology and definitions", "方法与定义"),
    "report.section.reproducibility": ("Reproducibility", "可复现性"),
    # ---- status badges
    "report.status.pass": ("PASS", "通过"),
    "report.status.warn": ("WARN", "警告"),
    "report.status.fail": ("FAIL", "不通过"),
    "report.status.inconclusive": ("INCONCLUSIVE", "无法判定"),
    "report.status.insufficient_data": ("NOT JUDGED", "未评判"),
    # ---- metric names (ids stay English in JSON and CSV)
    "report.metric.precision": ("Precision", "精确率"),
    "report.metric.recall": ("Recall", "召回率"),
    "report.metric.hr": ("HR", "命中率"),
    "report.metric.mrr": ("MRR", "MRR"),
    "report.metric.ndcg": ("NDCG", "NDCG"),
    "report.metric.ap": ("AP", "AP"),
    "report.metric.novelty": ("Novelty", "新颖度"),
    "report.metric.arp": ("ARP", "ARP"),
    "report.metric.aplt": ("APLT", "APLT"),
    "report.metric.miscalibration": ("Miscalibration", "校准偏差"),
    "report.metric.coverage": ("Coverage", "覆盖率"),
    "report.metric.gini": ("Exposure Gini", "曝光基尼系数"),
    "report.metric.ugf": ("UGF", "UGF"),
    "report.metric.igf": ("IGF", "IGF"),
    # ---- verdict
    "report.verdict.failed": ("{n} failed", "{n} 项不通过"),
    "report.verdict.warned": ("{n} warned", "{n} 项警告"),
    "report.verdict.passed": ("{n} passed", "{n} 项通过"),
    "report.verdict.inconclusive": ("{n} inconclusive (the data cannot tell)",
                                    "{n} 项无法判定（数据不足以下结论）"),
    "report.verdict.not_judged": ("{n} not judged (insufficient data)",
                                  "{n} 项未评判（数据不足）"),
    "report.verdict.sentence": ("Overall verdict: {status}. Of {n} checks, {parts}.",
                                "总体结论：{status}。共 {n} 项检查，其中 {parts}。"),
    "report.verdict.sep": (", ", "、"),
    "report.list_sep": (", ", "，"),
    # ---- shared table words
    "report.col.value": ("Value", "数值"),
    "report.col.attribute": ("Attribute", "属性"),
    "report.col.group": ("Group", "分组"),
    "report.col.users": ("Users", "用户数"),
    "report.col.items": ("Items", "商品数"),
    "report.col.metric": ("Metric", "指标"),
    "report.col.interval": ("Interval", "区间"),
    "report.col.note": ("Note", "备注"),
    "report.col.status": ("Status", "状态"),
    "report.col.code": ("Code", "代码"),
    "report.col.message": ("Message", "说明"),
    "report.by": ("By {grouping}", "按{grouping}"),
    "report.judged": ("judged", "已评判"),
    "report.yes": ("yes", "是"),
    "report.no": ("no", "否"),
    # ---- scorecard
    "report.score.check": ("Check", "检查项"),
    "report.score.ratio": ("Ratio", "比值"),
    "report.score.fail": ("Fail", "不通过阈值"),
    "report.score.warn": ("Warn", "警告阈值"),
    "report.score.finding": ("Finding", "结论"),
    "report.check.user": ("User gap · {grouping} · {metric}", "用户差距 · {grouping} · {metric}"),
    "report.check.provider": ("Provider exposure · {grouping} · {basis}",
                              "商家曝光 · {grouping} · {basis}"),
    "report.score.audited": ("Audited: {model}; K = {k}; {n_eval} of {n_users} users "
                             "evaluable. {rerank}",
                             "审计对象：{model}；K = {k}；{n_users} 位用户中 {n_eval} 位可评估。"
                             "{rerank}"),
    "report.model_phrase": ("{name} ({source})", "{name}（{source}）"),
    "report.source.imported": ("the imported production lists", "导入的线上推荐列表"),
    "report.source.trained": ("a model trained here", "在此训练的模型"),
    "report.source.checkpoint": ("a model loaded from a checkpoint", "从检查点加载的模型"),
    "report.source.session": ("the dashboard session's model", "仪表盘会话中的模型"),
    "report.rerank.none": ("No re-ranking was applied to the audited lists.",
                           "被审计的列表未经重排。"),
    "report.rerank.applied": ("The audited lists were re-ranked with '{method}' at "
                              "λ = {lam} for {grouping} ({protected}).",
                              "被审计的列表已用“{method}”方法在 λ = {lam} 下针对{grouping}"
                              "（{protected}）重排。"),
    # ---- data section
    "report.data.users": ("Users", "用户"),
    "report.data.users_value": ("{n} ({active} with interactions)", "{n}（其中 {active} 位有交互）"),
    "report.data.items": ("Items", "商品"),
    "report.data.items_value": ("{n} ({active} with interactions)", "{n}（其中 {active} 件有交互）"),
    "report.data.interactions": ("Interactions", "交互"),
    "report.data.interactions_value": ("{n} ({pos} positives)", "{n}（其中正样本 {pos} 条）"),
    "report.data.density": ("Density", "密度"),
    "report.data.per_user": ("Interactions per user", "每位用户的交互数"),
    "report.data.per_user_value": ("median {median}, mean {mean}, min {min}, max {max}",
                                   "中位数 {median}，平均 {mean}，最少 {min}，最多 {max}"),
    "report.data.per_item": ("Interactions per item", "每件商品的交互数"),
    "report.data.per_item_value": ("median {median}, mean {mean}, max {max}",
                                   "中位数 {median}，平均 {mean}，最多 {max}"),
    "report.data.top20": ("Top 20% of items hold", "最热门的 20% 商品占"),
    "report.data.top20_value": ("{share} of interactions", "全部交互的 {share}"),
    "report.data.time_span": ("Time span", "时间范围"),
    "report.data.time_span_value": ("{first} to {last}", "{first} 至 {last}"),
    "report.data.positive": ("Positive", "正样本"),
    "report.data.positive_rating": ("rating ≥ {threshold}", "评分 ≥ {threshold}"),
    "report.data.positive_implicit": ("every interaction (implicit)", "每条交互（隐式反馈）"),
    "report.data.imported": ("Imported recommendations", "导入的推荐列表"),
    "report.data.imported_value": ("top-{k} for {n} users", "{n} 位用户的前 {k} 名"),
    "report.data.split": ("Split: {description} Train {train} rows, validation {valid}, test "
                          "{test}; {users} users have a test positive.",
                          "数据划分：{description} 训练集 {train} 行，验证集 {valid} 行，测试集 "
                          "{test} 行；{users} 位用户有测试正样本。"),
    "report.data.user_groups": ("User groups", "用户分组"),
    "report.data.item_groups": ("Item groups", "商品分组"),
    "report.data.groups_left_out": ("The 10 largest groups per attribute; {n} smaller groups "
                                    "are left out here.",
                                    "每个属性只列出最大的 10 个组；此处省略了 {n} 个较小的组。"),
    "report.data.warnings": ("Validation and pipeline warnings", "数据校验与流程警告"),
    "report.data.col_file": ("File / stage", "文件 / 阶段"),
    "report.data.col_column": ("Column", "列"),
    "report.data.col_count": ("Count", "数量"),
    "report.data.col_rows": ("Example rows", "示例行"),
    "report.data.no_warnings": ("No warnings: the data passed every validation rule.",
                                "没有警告：数据通过了所有校验规则。"),
    # ---- model card
    "report.model.model": ("Model", "模型"),
    "report.model.description": ("Description", "说明"),
    "report.model.source": ("Source", "来源"),
    "report.model.fitted_on": ("Fitted on", "训练数据规模"),
    "report.model.fitted_value": ("{users} users × {items} items", "{users} 位用户 × {items} 件商品"),
    "report.model.checkpoint": ("Checkpoint", "检查点"),
    "report.model.parameter": ("parameter: {name}", "参数：{name}"),
    "report.model.epochs_run": ("Epochs run", "已训练轮数"),
    "report.model.best_epoch": ("Best epoch", "最佳轮次"),
    "report.model.best_epoch_value": ("{epoch} (validation {value})", "{epoch}（验证集 {value}）"),
    "report.model.stopped_early": ("Stopped early", "提前停止"),
    "report.model.device": ("Device", "设备"),
    "report.model.epoch": ("Epoch", "轮次"),
    "report.model.history": ("Training history", "训练过程"),
    "report.model.warnings": ("Model warnings", "模型警告"),
    # ---- accuracy, users, providers
    "report.acc.counts": ("{n_eval} of {n_users} users have held-out positives and are "
                          "evaluated; {n_excluded} are excluded. {n_list} users received a list.",
                          "{n_users} 位用户中有 {n_eval} 位有留出正样本并参与评估，{n_excluded} 位"
                          "被排除。{n_list} 位用户收到了推荐列表。"),
    "report.users.intro": ("For every user grouping, the mean of each per-user metric per group; "
                           "the gap between the best and the worst group as a difference and a "
                           "ratio (worst / best), with bootstrap intervals. Groups too small to "
                           "judge are shown but not compared.",
                           "对每种用户分组，给出各组单用户指标的平均值；最好组与最差组之间的差距以"
                           "差值和比值（最差 / 最好）表示，并附 bootstrap 置信区间。人数太少、无法"
                           "评判的组会展示，但不参与比较。"),
    "report.users.col_grouping": ("Grouping", "分组方式"),
    "report.users.col_best": ("Best group", "最好组"),
    "report.users.col_worst": ("Worst group", "最差组"),
    "report.users.col_difference": ("Difference [CI]", "差值 [置信区间]"),
    "report.users.col_ratio": ("Ratio [CI]", "比值 [置信区间]"),
    "report.users.caption": ("Ranking metrics; the gaps of every metric (novelty, ARP, APLT, "
                             "miscalibration too) are in tables/user_gaps.csv.",
                             "此处为排序指标；所有指标（包括新颖度、ARP、APLT、校准偏差）的差距见 "
                             "tables/user_gaps.csv。"),
    "report.prov.intro": ("Exposure share (ES) of each item group against its catalogue share "
                          "(CS) and its merit share (RS, share of held-out positives). ES/CS = 1 "
                          "means equal exposure per item; ES/RS = 1 means exposure in proportion "
                          "to merit.",
                          "各商品组的曝光份额（ES）与其目录份额（CS）和价值份额（RS，即在留出正样本"
                          "中的占比）的对比。ES/CS = 1 表示每件商品获得同等曝光；ES/RS = 1 表示曝光"
                          "与价值成正比。"),
    "report.prov.col_es": ("ES [CI]", "ES [置信区间]"),
    "report.prov.col_rs": ("RS [CI]", "RS [置信区间]"),
    "report.prov.col_escs": ("ES/CS [CI]", "ES/CS [置信区间]"),
    "report.prov.col_esrs": ("ES/RS [CI]", "ES/RS [置信区间]"),
    "report.prov.caption": ("The {top} largest of {n} groups; all are in tables/item_groups.csv.",
                            "{n} 个组中最大的 {top} 个；全部组见 tables/item_groups.csv。"),
    "report.prov.concentration": ("Exposure concentration", "曝光集中度"),
    "report.prov.gini": ("Exposure Gini {gini}; catalogue coverage {coverage}; IGF = ES(head) − "
                         "ES(tail) = {igf}.",
                         "曝光基尼系数 {gini}；目录覆盖率 {coverage}；IGF = ES(头部) − ES(长尾) = "
                         "{igf}。"),
    # ---- trade-off
    "report.flabel.es_cs_ratio": ("ES/CS of {group}", "{group} 的 ES/CS"),
    "report.flabel.es_rs_ratio": ("ES/RS of {group}", "{group} 的 ES/RS"),
    "report.flabel.exposure_share": ("exposure share of {group}", "{group} 的曝光份额"),
    "report.flabel.ndcg_ratio": ("NDCG ratio across {group}", "各{group}间的 NDCG 比值"),
    "report.flabel.ndcg_difference": ("NDCG difference across {group}",
                                      "各{group}间的 NDCG 差值"),
    "report.flabel.other": ("{name} of {group}", "{group} 的 {name}"),
    "report.trade.none": ("No trade-off curve was computed.", "未计算权衡曲线。"),
    "report.trade.method": ("Method: {title} ('{method}'), {role} {grouping} = {protected}{auto}. "
                            "{note}",
                            "方法：{title}（“{method}”），{role} {grouping} = {protected}{auto}。"
                            "{note}"),
    "report.trade.role_acting": ("acting for", "保护对象为"),
    "report.trade.role_measured": ("measured for", "衡量对象为"),
    "report.trade.auto": (" (the most under-exposed group, chosen automatically)",
                          "（自动选出的曝光最不足的组）"),
    "report.trade.operating": ("Operating point: λ = {lam}, {acc} {ndcg}, {flabel} {fvalue}. ",
                               "运行点：λ = {lam}，{acc} {ndcg}，{flabel} {fvalue}。"),
    "report.trade.own": ("The audited lists are the model's own ranking (λ = 0).",
                         "被审计的列表即模型自身的排序（λ = 0）。"),
    "report.trade.reranked": ("The audited lists are re-ranked at this λ.",
                              "被审计的列表按此 λ 重排。"),
    "report.trade.pareto": ("Pareto", "帕累托最优"),
    "report.trade.operating_col": ("Operating point", "运行点"),
    # ---- explanations
    "report.expl.sample": ("{n} evaluable users drawn at random (seeded) per group, with their "
                           "top {m} recommendations; a hit is an item among the user's held-out "
                           "positives.",
                           "每组随机抽取（固定随机种子）{n} 位可评估用户，列出其前 {m} 个推荐；"
                           "“命中”指该商品属于用户的留出正样本。"),
    "report.expl.hit": (" (hit)", "（命中）"),
    "report.expl.user": ("User", "用户"),
    "report.expl.top": ("Top recommendations", "排名靠前的推荐"),
    "report.expl.why": ("Why (attribution)", "推荐原因（归因）"),
    "report.expl.limits": ("What these explanations can and cannot say",
                           "这些解释能说明什么、不能说明什么"),
    "report.expl.limits_where": (" (Each explanation's own statement of its limits is in "
                                 "report.json and tables/explanation_samples.csv.)",
                                 "（每条解释对自身局限的说明见 report.json 和 "
                                 "tables/explanation_samples.csv。）"),
    # ---- methodology section, reproducibility
    "report.method.notes": ("Notes on this audit", "本次审计的说明"),
    "report.repro.generated": ("Generated at (UTC)", "生成时间（UTC）"),
    "report.repro.platform": ("Platform", "平台"),
    "report.repro.seed": ("Seed", "随机种子"),
    "report.repro.schema": ("Report schema", "报告结构版本"),
    "report.repro.not_installed": ("not installed", "未安装"),
    "report.repro.input": ("Input", "输入"),
    "report.repro.file": ("File", "文件"),
    "report.repro.encoding": ("Encoding", "编码"),
    "report.repro.delimiter": ("Delimiter", "分隔符"),
    "report.repro.rows": ("Rows", "行数"),
    "report.repro.config": ("The full configuration (fairrec audit --config with this file "
                            "reproduces the report):",
                            "完整配置（用 fairrec audit --config 加载此文件即可复现本报告）："),
    # ---- page furniture
    "report.html.meta": ("Generated {at} · fairrec {version} · report schema {schema} · K = {k}",
                         "生成于 {at} · fairrec {version} · 报告结构版本 {schema} · K = {k}"),
    "report.pdf.meta": ("Generated {at} · fairrec {version} · K = {k} · seed {seed}",
                        "生成于 {at} · fairrec {version} · K = {k} · 随机种子 {seed}"),
    "report.pdf.footer": ("{title} · page {page}/{pages}", "{title} · 第 {page}/{pages} 页"),
    "report.pdf.no_cjk_font": ("A Chinese PDF report needs a font with Chinese characters, and "
                               "none was found. Install Debian's fonts-wqy-microhei (or "
                               "fonts-noto-cjk): apt-get install fonts-wqy-microhei. The HTML "
                               "and JSON reports do not need it.",
                               "生成中文 PDF 报告需要含中文字符的字体，但系统中没有找到。请安装 "
                               "Debian 的 fonts-wqy-microhei（或 fonts-noto-cjk）：apt-get install "
                               "fonts-wqy-microhei。HTML 和 JSON 报告不需要该字体。"),
}
