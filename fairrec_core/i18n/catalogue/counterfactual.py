"""The Counterfactual page and the report's counterfactual section (issue 14)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "nav.counterfactual": ("Counterfactual", "反事实"),
    # ---------------------------------------------------------------- page
    "cf.title": ("Counterfactual probe", "反事实属性探测"),
    "cf.intro": (
        "Does the recommender change its list when the profile mentions a sensitive "
        "attribute? For a stratified sample of users, each list is ranked from a neutral "
        "profile (the attribute left out) and once per value of the attribute, then compared "
        "with the neutral list (FaiRLLM, RecSys 2023). Leakage is the AUC of an attacker that "
        "reads the attribute from the user vectors (UP5); 0.5 means nothing leaks.",
        "当用户画像里提到某个敏感属性时，推荐结果会不会变？对分层抽样的用户，先用不含该属性的中性画像生成推荐列表，"
        "再对该属性的每个取值各生成一次，并与中性列表比较（FaiRLLM，RecSys 2023）。"
        "泄露度是攻击模型从用户向量中识别该属性的 AUC（UP5）；0.5 表示没有泄露。"),
    "cf.no_data": ("Load data on the Data page first.", "请先在“数据”页加载数据。"),
    "cf.no_users": ("The counterfactual probe needs a users file with attributes (gender, "
                    "age, ...). Add one on the Data page.",
                    "反事实探测需要带属性（性别、年龄等）的用户文件，请在“数据”页上传。"),
    "cf.model": ("Model probed", "被探测的模型"),
    "cf.model_session": ("The session's trained model ({name})", "本次会话已训练的模型（{name}）"),
    "cf.model_aware": ("Train a profile two-tower here (profile states the attributes)",
                       "在此训练画像双塔模型（画像包含敏感属性）"),
    "cf.model_unaware": ("Train a profile two-tower here, unaware (sensitive attributes "
                         "left out)", "在此训练画像双塔模型（不含敏感属性）"),
    "cf.model_help": (
        "Only models that read a profile text can be probed. A model trained on the Train "
        "page is offered when it is the profile two-tower.",
        "只有读取画像文本的模型才能被探测。若“训练”页训练的是画像双塔模型，这里会提供该选项。"),
    "cf.epochs": ("Training epochs", "训练轮数"),
    "cf.attributes": ("Attributes probed", "探测的属性"),
    "cf.k": ("List length K", "列表长度 K"),
    "cf.n_users": ("Users sampled", "抽样用户数"),
    "cf.run": ("Run the probe", "运行探测"),
    "cf.running": ("Probing… (training a small model first when asked)",
                   "正在探测……（如有需要会先训练一个小模型）"),
    "cf.need_attribute": ("Choose at least one attribute.", "请至少选择一个属性。"),
    "cf.stale": ("The data changed since the probe ran; run it again.",
                 "探测运行后数据已变化，请重新运行。"),
    "cf.error": ("The probe could not run: {error}", "探测无法运行：{error}"),
    "cf.summary_header": ("Sensitivity per attribute", "各属性的敏感度"),
    "cf.summary_caption": (
        "SNSR = max − min over values of the mean similarity to the neutral list (0 = the "
        "attribute changes nothing); intervals are {level:.0%} bootstrap intervals over "
        "users. SERP* is FaiRLLM's definition (identical lists do not score 1); SERP*-norm "
        "divides by its value for identical lists.",
        "SNSR = 各取值与中性列表平均相似度的最大值减最小值（0 表示该属性不改变推荐）；"
        "区间为对用户自助抽样得到的 {level:.0%} 区间。SERP* 按 FaiRLLM 的定义计算（相同列表的得分不是 1）；"
        "SERP*-norm 除以相同列表时的取值。"),
    "cf.changed_metric": ("Users whose top-{k} changes ({attribute})",
                          "前 {k} 推荐发生变化的用户（{attribute}）"),
    "cf.values_header": ("Similarity to the neutral list per value", "各取值与中性列表的相似度"),
    "cf.leak_header": ("Representation leakage", "表征泄露"),
    "cf.leak_caption": (
        "Out-of-fold ROC-AUC of a logistic-regression attacker predicting the attribute from "
        "the user vectors (macro one-vs-one for more than two values), with a {level:.0%} "
        "interval. 0.5 = nothing leaks.",
        "逻辑回归攻击模型根据用户向量预测该属性的交叉验证 ROC-AUC（多于两个取值时取一对一宏平均），"
        "附 {level:.0%} 区间。0.5 表示没有泄露。"),
    "cf.leak_none": ("Leakage was not measured.", "未测量泄露度。"),
    "cf.user_header": ("One user's lists side by side", "单个用户的列表对比"),
    "cf.user": ("User", "用户"),
    "cf.value": ("Stated value", "画像中的取值"),
    "cf.user_caption": (
        "★ marks an item that is in this list but not in the other one.",
        "★ 表示该商品只出现在本列表中、不在另一列表中。"),
    "cf.col_rank": ("Rank", "排名"),
    "cf.col_neutral": ("Neutral profile", "中性画像"),
    "cf.col_counterfactual": ("Profile says {value}", "画像为 {value}"),
    "cf.left_out": ("Users without a known value were left out: {counts}.",
                    "没有已知取值的用户未参与探测：{counts}。"),
    "cf.probed_model": ("Probed: {name} ({source}); K = {k}; {n} users sampled; {seconds:.1f} s.",
                        "探测对象：{name}（{source}）；K = {k}；抽样 {n} 位用户；耗时 {seconds:.1f} 秒。"),
    "cf.source.audited": ("the audited model", "被审计的模型"),
    "cf.source.trained": ("trained for the probe", "为探测而训练"),
    # ---------------------------------------------------------------- tables (page and report)
    "cf.col_attribute": ("Attribute", "属性"),
    "cf.col_values": ("Values", "取值"),
    "cf.col_value": ("Value", "取值"),
    "cf.col_similarity": ("Similarity", "相似度"),
    "cf.col_snsr": ("SNSR", "SNSR"),
    "cf.col_interval": ("Interval", "区间"),
    "cf.col_snsv": ("SNSV", "SNSV"),
    "cf.col_snsr_ci": ("SNSR interval", "SNSR 区间"),
    "cf.col_snsv_ci": ("SNSV interval", "SNSV 区间"),
    "cf.col_changed": ("Top-K changed", "前 K 变化比例"),
    "cf.col_ndcg": ("NDCG@K (held-out)", "NDCG@K（留出集）"),
    "cf.col_model": ("Model", "模型"),
    "cf.col_auc": ("AUC", "AUC"),
    "cf.col_users": ("Users", "用户数"),
    "cf.col_folds": ("Folds", "折数"),
    "cf.model.probed": ("probed model", "被探测模型"),
    "cf.model.audited": ("audited model", "被审计模型"),
    "cf.chart_title": ("SNSR per attribute ({metric}@{k}), {level:.0%} interval",
                       "各属性 SNSR（{metric}@{k}），{level:.0%} 区间"),
    "cf.leak_chart_title": ("Attacker AUC per attribute, {level:.0%} interval",
                            "各属性攻击模型 AUC，{level:.0%} 区间"),
    # ---------------------------------------------------------------- report section
    "report.section.counterfactual": ("Counterfactual probe and representation leakage",
                                      "反事实探测与表征泄露"),
    "cf.report_absent": (
        "The counterfactual probe did not run. Enable it with [counterfactual] enabled = true "
        "in audit.toml or fairrec audit --counterfactual gender,age.",
        "未运行反事实探测。可在 audit.toml 中设置 [counterfactual] enabled = true，"
        "或使用 fairrec audit --counterfactual gender,age 启用。"),
    "cf.report_lead": (
        "{name} ({source}) ranked {n} sampled users' top-{k} lists from a neutral profile and "
        "from one profile per value of {attributes}. Every list is in "
        "tables/counterfactual_lists.csv, so the similarities can be recomputed.",
        "{name}（{source}）为 {n} 位抽样用户生成前 {k} 推荐：一次基于中性画像，另外对 {attributes} "
        "的每个取值各生成一次。所有列表见 tables/counterfactual_lists.csv，可据此复算相似度。"),
    "cf.report_definitions": (
        "Jaccard@K = |x ∩ y| / |x ∪ y|. SERP*@K and PRAG*@K as FaiRLLM's code defines them "
        "(identical 20-item lists give SERP* 0.2738, not 1); SERP*-norm divides by the value "
        "for identical lists. SNSR = max − min and SNSV = population standard deviation over "
        "values of the mean similarity. The NDCG column is CFaiRLLM's check against the "
        "users' held-out items.",
        "Jaccard@K = |x ∩ y| / |x ∪ y|。SERP*@K 与 PRAG*@K 按 FaiRLLM 代码的定义计算"
        "（两个相同的 20 项列表 SERP* 为 0.2738，而不是 1）；SERP*-norm 除以相同列表时的取值。"
        "SNSR = 各取值平均相似度的最大值减最小值，SNSV = 其总体标准差。NDCG 列是 CFaiRLLM 的检查："
        "用用户留出的真实交互来评估每个列表。"),
    # ---------------------------------------------------------------- mitigations
    "cf.mit_header": ("Compare mitigations", "比较缓解方法"),
    "cf.mit_intro": (
        "Trains the profile two-tower three times with the same seed -- told the sensitive "
        "attributes (aware), not told them (unaware), and told them with counterfactual data "
        "augmentation (while training, a share of the profiles state the attributes with "
        "values drawn at random, or leave them out) -- and measures each: SNSR, leakage AUC "
        "and NDCG.",
        "用同一随机种子训练三次画像双塔模型：画像包含敏感属性（知情）、不包含（不知情）、"
        "包含但做反事实数据增强（训练时将一部分画像中的属性替换为随机抽取的取值或删除），"
        "并分别计算 SNSR、泄露 AUC 和 NDCG。"),
    "cf.mit_augment": ("Augmentation", "增强方式"),
    "cf.mit_augment.swap": ("Random values", "随机取值"),
    "cf.mit_augment.remove": ("Leave the attribute out", "删除该属性"),
    "cf.mit_p": ("Share of profiles augmented", "增强的画像比例"),
    "cf.mit_run": ("Compare mitigations", "比较缓解方法"),
    "cf.mit_progress": ("Training and probing the {variant} model ({done} of {total})",
                        "正在训练并探测{variant}模型（第 {done}/{total} 个）"),
    "cf.mit_done": ("Done", "完成"),
    "cf.mit_variant.aware": ("Aware (profile states the attributes)",
                             "知情（画像含敏感属性）"),
    "cf.mit_variant.unaware": ("Unaware (attributes left out)", "不知情（画像不含敏感属性）"),
    "cf.mit_variant.augmented": ("Augmented (counterfactual data augmentation)",
                                 "反事实数据增强"),
    "cf.mit_col_variant": ("Model", "模型"),
    "cf.mit_col_snsr": ("{attribute}: SNSR Jaccard@{k} [interval]",
                        "{attribute}：SNSR Jaccard@{k} [区间]"),
    "cf.mit_col_auc": ("{attribute}: leakage AUC [interval]", "{attribute}：泄露 AUC [区间]"),
    "cf.mit_col_ndcg": ("NDCG@{k} (test)", "NDCG@{k}（测试集）"),
    "cf.mit_caption": (
        "Same split, seed and options for every model ({augment}, p = {p}). SNSR: how much "
        "the lists move when the profile states each value (0 = not at all); leakage AUC: "
        "how well an attacker reads the attribute from the user vectors (0.5 = not at all); "
        "{level:.0%} intervals from a bootstrap over users.",
        "所有模型使用相同的数据划分、随机种子和参数（{augment}，p = {p}）。SNSR：画像写明不同取值时"
        "推荐列表的变化幅度（0 表示不变）；泄露 AUC：攻击模型从用户向量中识别该属性的能力"
        "（0.5 表示无法识别）；区间为按用户自助抽样得到的 {level:.0%} 区间。"),
    "cf.mit_stale": ("The data changed since the comparison: run it again.",
                     "比较之后数据已变更，请重新运行。"),
    # ---------------------------------------------------------------- train page
    "cf.train_augment": ("Counterfactual augmentation", "反事实数据增强"),
    "cf.train_augment.none": ("None", "不使用"),
    "cf.train_augment.swap": ("Random values", "随机取值"),
    "cf.train_augment.remove": ("Leave the attribute out", "删除该属性"),
    "cf.train_augment_p": ("Share augmented", "增强比例"),
    "cf.train_augment_help": (
        "While training, a share of the profiles state the sensitive attributes with values "
        "drawn at random from their values (swap) or leave them out (remove), so the model "
        "relies less on them.",
        "训练时，将一部分画像中的敏感属性替换为从其取值中随机抽取的值（随机取值）或删除（删除），"
        "让模型减少对该属性的依赖。"),
}
