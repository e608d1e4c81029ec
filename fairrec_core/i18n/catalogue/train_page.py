"""The Train page: model choice, training feedback, fairness during training (λ_train grid)."""

MESSAGES: dict[str, tuple[str, str]] = {
    # --- page ---
    "train.title": ("Train", "训练"),
    "train.caption": (
        "Train a recommender on the loaded data, or audit the production lists as they "
        "are. Each user's most recent interactions are held out to measure accuracy.",
        "在已加载的数据上训练推荐模型，或直接审计线上推荐列表。每个用户最近的交互会被留出，用于评估准确率。"),
    "train.no_data": (
        "No data yet: load your CSV exports or the sample data on the Data page first.",
        "还没有数据：请先在“数据”页面加载 CSV 导出文件或示例数据。"),
    "train.go_data": ("Go to the Data page", "前往“数据”页面"),
    "train.no_model": (
        "No model yet: choose one above and press **Train** (BPR-MF trains in seconds on "
        "the sample data).",
        "还没有模型：请在上方选择模型并点击**训练**（BPR-MF 在示例数据上几秒即可训练完成）。"),
    "train.button": ("Train", "训练"),
    "train.button_imported": ("Use the production lists", "使用线上推荐列表"),
    "train.error_suffix": ("Adjust the settings above and try again.",
                           "请调整上方设置后重试。"),
    "train.unexpected": (
        "Training stopped because of an unexpected problem ({kind}: {error}). Try a smaller "
        "learning rate, the CPU device, or the BPR-MF model.",
        "训练因意外问题而中止（{kind}：{error}）。请尝试更小的学习率、改用 CPU 设备，或改用 BPR-MF 模型。"),
    # --- form ---
    "train.model": ("Model", "模型"),
    "train.model_help": (
        "BPR-MF is a fast, strong default. The text two-tower reads item titles and "
        "descriptions with a transformer, which helps items with few interactions. The "
        "production lists audit what your platform already serves.",
        "BPR-MF 速度快、效果好，适合作为默认选择。文本双塔模型用 Transformer 读取商品标题和描述，"
        "对交互较少的商品更友好。“线上推荐列表”则直接审计平台当前实际推送的结果。"),
    "train.model.bpr": ("BPR matrix factorisation", "BPR 矩阵分解"),
    "train.model.popularity": ("Popularity baseline", "热门度基线"),
    "train.model.two-tower": ("Text two-tower (transformer)", "文本双塔模型（Transformer）"),
    "train.model.profile-two-tower": ("Profile-reading two-tower (transformer)",
                                      "读取用户画像的双塔模型（Transformer）"),
    "train.model.imported": ("Production recommendations (uploaded lists)",
                             "线上推荐结果（已上传列表）"),
    "train.upload_recs_hint": (
        " Upload recommendations.csv on the Data page to audit your production lists.",
        " 在“数据”页面上传 recommendations.csv，即可审计线上推荐列表。"),
    "train.k": ("List length K", "列表长度 K"),
    "train.k_help": ("How many items each user's list holds; every metric is @K.",
                     "每个用户推荐列表包含的商品数；所有指标均按 @K 计算。"),
    "train.epochs": ("Maximum epochs", "最大训练轮数"),
    "train.epochs_help": (
        "Training stops earlier when validation NDCG stops improving (early stopping); "
        "the best epoch is kept.",
        "验证集 NDCG 不再提升时会提前停止训练（早停），并保留最佳一轮的模型。"),
    "train.device_label": ("**Device**", "**设备**"),
    "train.encoder": ("Text encoder", "文本编码器"),
    "train.encoder_placeholder": ("bundled all-MiniLM-L6-v2 (English)",
                                  "内置 all-MiniLM-L6-v2（英文）"),
    "train.encoder_help": (
        "Empty: the bundled MiniLM (English; it tokenizes Chinese poorly). Or a local "
        "Hugging Face model folder, or a hub id when this machine has internet access.",
        "留空：使用内置 MiniLM（英文模型，对中文分词效果较差）。也可填写本地 Hugging Face 模型目录，"
        "或在本机可联网时填写 Hub 上的模型 ID。"),
    "train.mode": ("Encoder mode", "编码器模式"),
    "train.mode_help": (
        "Frozen: item texts are encoded once (about 10 s for 1,000 items on a CPU) and "
        "only the layers on top train. Fine-tuning updates the transformer too and needs "
        "a GPU to be practical.",
        "冻结：商品文本只编码一次（CPU 上 1,000 个商品约 10 秒），只训练上层网络。微调会同时更新 "
        "Transformer，实际使用需要 GPU。"),
    "train.mode.frozen": ("Frozen encoder (CPU-friendly)", "冻结编码器（适合 CPU）"),
    "train.mode.top": ("Fine-tune the top layers (GPU recommended)", "微调顶部几层（建议使用 GPU）"),
    "train.mode.all": ("Fine-tune the whole encoder (GPU recommended)",
                       "微调整个编码器（建议使用 GPU）"),
    "train.advanced": ("Advanced settings: model size, learning rate, split, device",
                       "高级设置：模型大小、学习率、数据划分、设备"),
    "train.dim": ("Embedding size", "嵌入维度"),
    "train.lr": ("Learning rate", "学习率"),
    "train.batch": ("Batch size (BPR)", "批大小（BPR）"),
    "train.patience": ("Early-stopping patience (epochs, 0 = off)", "早停耐心轮数（0 = 关闭）"),
    "train.device": ("Device", "设备"),
    "train.device_help": ("auto: a CUDA GPU when there is one, else the CPU.",
                          "auto：有 CUDA GPU 时使用 GPU，否则使用 CPU。"),
    "train.seed": ("Seed", "随机种子"),
    "train.split": ("Split", "数据划分"),
    "train.split_help": (
        "auto: temporal (each user's last interactions are the test set) when there are "
        "timestamps, else random.",
        "auto：有时间戳时按时间划分（每个用户最近的交互作为测试集），否则随机划分。"),
    "train.ratios": ("Random split ratios train:valid:test", "随机划分比例 训练:验证:测试"),
    "train.ratios_error": ("The random split ratios must be three numbers like 8:1:1.",
                           "随机划分比例必须是三个数字，例如 8:1:1。"),
    "train.test_n": ("Temporal: test interactions per user", "按时间划分：每个用户的测试交互数"),
    "train.valid_n": ("Temporal: validation interactions per user",
                      "按时间划分：每个用户的验证交互数"),
    # --- training feedback ---
    "train.starting": ("Starting…", "正在启动…"),
    "train.encoding": ("Encoding item texts: {done:,} of {total:,}",
                       "正在编码商品文本：{done:,} / {total:,}"),
    "train.epoch_text": ("Epoch {epoch}/{epochs} on {device}", "第 {epoch}/{epochs} 轮，设备 {device}"),
    "train.validation_text": (" · validation {metric} {value:.4f}", " · 验证集 {metric} {value:.4f}"),
    "train.training": ("Training…", "训练中…"),
    "train.done": ("Done", "完成"),
    "train.stop": ("Stop training", "停止训练"),
    "train.stop_help": (
        "Stops after the current step; the current model (if any) stays in place.",
        "在当前步骤结束后停止；已有的当前模型会保留。"),
    "train.stage.split": ("Splitting the data into train, validation and test",
                          "正在将数据划分为训练集、验证集和测试集"),
    "train.stage.train": ("Training {model}", "正在训练 {model}"),
    "train.stage.audit": (
        "Auditing the lists on the test set (accuracy, fairness, bootstrap intervals)",
        "正在测试集上审计推荐列表（准确率、公平性、自助法置信区间）"),
    "train.ready": ("{label} ready in {seconds:.1f} s; the audit is on the Fairness page.",
                    "{label} 已就绪，用时 {seconds:.1f} 秒；审计结果见“公平性”页面。"),
    "train.stopped": (
        "Training was stopped ({where}). Nothing was replaced: {kept}",
        "训练已停止（{where}）。没有替换任何内容：{kept}"),
    "train.stopped_where": ("at {progress}, after {seconds:.0f} s", "停在 {progress}，已用 {seconds:.0f} 秒"),
    "train.stopped_before": ("before it started", "尚未开始"),
    "train.stopped_kept": ("the current model below is still the session's model.",
                           "下方的当前模型仍是本会话的模型。"),
    "train.stopped_none": ("no model is loaded yet.", "目前尚未加载任何模型。"),
    "train.grid_stopped": (
        "The λ_train grid was stopped; the previous grid result (if any) is kept.",
        "λ_train 网格训练已停止；之前的网格结果（如有）予以保留。"),
    "train.checkpoint_loaded": ("Checkpoint '{name}' loaded.", "已加载检查点“{name}”。"),
    # --- checkpoints ---
    "train.load_expander": ("Load a saved checkpoint", "加载已保存的检查点"),
    "train.ckpt_upload": ("Checkpoint archive (.zip)", "检查点压缩包（.zip）"),
    "train.ckpt_help": (
        "A .zip from 'Download checkpoint', trained on this same data. Its lists are "
        "evaluated with the list length and split above.",
        "通过“下载检查点”得到的 .zip 文件，须在同一份数据上训练。其推荐列表将按上方的列表长度和数据划分进行评估。"),
    "train.ckpt_button": ("Load checkpoint", "加载检查点"),
    "train.ckpt_first": ("Choose a checkpoint .zip first.", "请先选择检查点 .zip 文件。"),
    "train.ckpt_loading": ("Loading the checkpoint and auditing its lists…",
                           "正在加载检查点并审计其推荐列表…"),
    # --- current model ---
    "train.current": ("Current model", "当前模型"),
    "train.source.trained": ("trained", "本地训练"),
    "train.source.imported": ("imported", "导入"),
    "train.source.checkpoint": ("checkpoint", "检查点"),
    "train.epochs_fact": ("{n} epoch(s) on {device} in {seconds:.1f} s, best epoch {best}",
                          "在 {device} 上训练 {n} 轮，用时 {seconds:.1f} 秒，最佳轮次 {best}"),
    "train.stopped_early": (" (stopped early)", "（提前停止）"),
    "train.split_caption": ("Split: {text}", "数据划分：{text}"),
    "train.accuracy_header": (
        "**Accuracy on the test set** ({label}; {n:,} users with held-out positives)",
        "**测试集准确率**（{label}；{n:,} 个用户有留出的正样本）"),
    "train.no_audit": ("The audit is not computed.", "尚未计算审计结果。"),
    "train.open_fairness": (" Open the Fairness page to compute it.", " 请打开“公平性”页面进行计算。"),
    "train.history_title": ("Training history", "训练历史"),
    "train.live_title": ("Training (live)", "训练过程（实时）"),
    "train.download": ("Download checkpoint (.zip)", "下载检查点（.zip）"),
    "train.download_help": (
        "The fitted model (weights, ids, settings) as safetensors and JSON, loadable below "
        "or with fairrec_core.models.load_checkpoint.",
        "已训练的模型（权重、ID、设置），以 safetensors 和 JSON 格式保存，可在下方加载，"
        "或使用 fairrec_core.models.load_checkpoint 加载。"),
    "train.interval_none": ("no interval", "无置信区间"),
    # --- fairness during training ---
    "train.fair.expander": ("Fairness during training (λ_train)", "训练中的公平性约束（λ_train）"),
    "train.fair.caption": (
        "Add a fairness term to the training loss, weighted by λ_train (0 = the plain "
        "model, exactly). Train a grid of λ_train values to see what each level of fairness "
        "costs in accuracy, and compare it with re-ranking on the What-if page.",
        "在训练损失中加入公平性项，权重为 λ_train（0 即完全等同于普通模型）。训练一组 λ_train 取值，"
        "即可看到每种公平程度对应的准确率代价，并可在“假设分析”页面与重排序方法对比。"),
    "train.fair.term": ("Fairness term", "公平性项"),
    "train.fair.term.none": ("None (plain training)", "无（普通训练）"),
    "train.fair.term.user-loss": ("User groups: loss parity", "用户群体：损失均衡"),
    "train.fair.term.item-exposure": ("Items: exposure of a protected group",
                                      "商品：受保护群体的曝光"),
    "train.fair.term.adversary": ("User vectors: remove an attribute (adversary)",
                                  "用户向量：去除敏感属性（对抗训练）"),
    "train.fair.term_help": (
        "Loss parity narrows the gap in training loss between user groups; exposure parity "
        "raises a protected item group's soft exposure toward its catalogue share; the "
        "adversary removes the attribute from the user vectors by gradient reversal.",
        "损失均衡会缩小不同用户群体之间的训练损失差距；曝光均衡会把受保护商品群体的软曝光提升到其在商品库中的占比；"
        "对抗训练通过梯度反转从用户向量中去除该属性。"),
    "train.fair.attribute": ("User attribute", "用户属性"),
    "train.fair.grouping": ("Item grouping", "商品分组"),
    "train.fair.protected": ("Protected group", "受保护群体"),
    "train.fair.protected_auto": ("(automatic: the least-interacted group)",
                                  "（自动：交互最少的群体）"),
    "train.fair.weight": ("λ_train (Train button)", "λ_train（“训练”按钮使用）"),
    "train.fair.weight_help": (
        "Weight of the term when you press Train; 0 trains exactly the plain model.",
        "点击“训练”时该公平性项的权重；0 表示训练与普通模型完全相同的模型。"),
    "train.fair.grid": ("λ_train grid", "λ_train 网格"),
    "train.fair.grid_help": (
        "Between 2 and 12 values, separated by commas; the useful range depends on the "
        "term.",
        "2 到 12 个取值，用逗号分隔；合适的取值范围取决于所选公平性项。"),
    "train.fair.grid_button": ("Train a λ_train grid", "训练 λ_train 网格"),
    "train.fair.grid_progress": ("Grid: model {n} of {total} (λ_train = {lam:g})",
                                 "网格：第 {n}/{total} 个模型（λ_train = {lam:g}）"),
    "train.fair.grid_done": (
        "λ_train grid of {n} models trained in {seconds:.1f} s; the What-if page overlays it "
        "on the re-ranking curve.",
        "已训练包含 {n} 个模型的 λ_train 网格，用时 {seconds:.1f} 秒；“假设分析”页面会将其叠加在重排序曲线上。"),
    "train.fair.need_term": ("Choose a fairness term to train a λ_train grid.",
                             "请先选择一个公平性项，再训练 λ_train 网格。"),
    "train.fair.result": ("Trade-off of fairness during training", "训练中公平性的权衡"),
    "train.fair.result_caption": (
        "{model}, term {term} on {attribute}; accuracy is NDCG@{k} on the test set, "
        "fairness is {fairness}. Circled points are Pareto-optimal: no other point is "
        "better on both.",
        "{model}，公平性项 {term}，作用于 {attribute}；准确率为测试集上的 NDCG@{k}，公平性指标为 {fairness}。"
        "带圆圈的点为帕累托最优：没有其他点在两个维度上都更好。"),
    "train.fair.col.lam": ("λ_train", "λ_train"),
    "train.fair.col.pareto": ("Pareto", "帕累托最优"),
    "train.fair.col.seconds": ("Seconds", "秒"),
    "train.fair.yes": ("yes", "是"),
    "train.fair.legend.train": ("fairness in training (λ_train grid)",
                                "训练中的公平性（λ_train 网格）"),
    "train.fair.legend.rerank": ("re-ranking (λ sweep)", "重排序（λ 扫描）"),
    "train.fair.legend.front": ("Pareto front (both)", "帕累托前沿（两者合并）"),
    "train.fair.legend.title": ("Trade-off: accuracy vs. fairness, training and re-ranking",
                                "权衡：准确率与公平性（训练阶段与重排序）"),
    "train.fair.ndcg_ratio": ("NDCG ratio across {grouping} (worst / best group)",
                              "{grouping} 各群体的 NDCG 比值（最差 / 最好群体）"),
    "train.fair.es_cs": ("ES/CS of {group} (exposure share / catalogue share)",
                         "{group} 的 ES/CS（曝光占比 / 商品库占比）"),
}
