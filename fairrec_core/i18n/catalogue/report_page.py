"""The Report page and its controller's messages."""

MESSAGES: dict[str, tuple[str, str]] = {
    "reportpage.title": ("Report", "报告"),
    "reportpage.caption": ("The audit report for a regulator, a manager or a CI pipeline: the "
                           "same builder as `fairrec audit`, so a downloaded report equals the "
                           "command line's.",
                           "面向监管机构、管理者或 CI 流水线的审计报告：与 `fairrec audit` 使用同一"
                           "构建器，因此下载的报告与命令行生成的一致。"),
    "reportpage.no_data": ("Load data on the Data page first.", "请先在“数据”页加载数据。"),
    "reportpage.no_model": ("Train a model on the Train page (or upload the production "
                            "recommendations on the Data page to audit them as they are); then "
                            "come back here.",
                            "请在“训练”页训练模型（或在“数据”页上传线上推荐列表以按原样审计），"
                            "然后回到这里。"),
    "reportpage.data_link": ("Data page", "“数据”页"),
    "reportpage.train_link": ("Train page", "“训练”页"),
    "reportpage.imported": ("No model has been trained in this session, so the report audits "
                            "the production recommendations you uploaded, as they are.",
                            "本次会话尚未训练模型，因此报告按原样审计您上传的线上推荐列表。"),
    "reportpage.audited": ("Audited lists: {lists}.", "审计的推荐列表：{lists}。"),
    "reportpage.report_title": ("Report title", "报告标题"),
    "reportpage.default_title": ("Recommender fairness audit", "推荐系统公平性审计"),
    "reportpage.sections": ("Sections (HTML and PDF; JSON and CSV always hold everything)",
                            "章节（用于 HTML 和 PDF；JSON 与 CSV 始终包含全部内容）"),
    "reportpage.thresholds": ("Check thresholds", "检查阈值"),
    "reportpage.thresholds_note": ("Changing them re-judges the checks without recomputing any "
                                   "metric.", "修改阈值只会重新判定检查结果，不会重新计算任何指标。"),
    "reportpage.user_fail": ("User ratio: fail below", "用户比值：低于此值不通过"),
    "reportpage.user_warn": ("User ratio: warn below", "用户比值：低于此值警告"),
    "reportpage.prov_fail": ("Provider ratio: fail below", "商家比值：低于此值不通过"),
    "reportpage.prov_warn": ("Provider ratio: warn below", "商家比值：低于此值警告"),
    "reportpage.basis": ("Provider exposure judged against", "商家曝光的比较基准"),
    "reportpage.basis_merit": ("merit (held-out positives, ES/RS)",
                               "价值份额（留出正样本，ES/RS）"),
    "reportpage.basis_catalog": ("catalogue share (ES/CS)", "目录份额（ES/CS）"),
    "reportpage.toml": ("Download audit.toml (run it with fairrec audit --config)",
                        "下载 audit.toml（用 fairrec audit --config 运行）"),
    "reportpage.build": ("Build the report", "生成报告"),
    "reportpage.rebuild": ("Rebuild the report", "重新生成报告"),
    "reportpage.running": ("Running the audit…", "正在运行审计…"),
    "reportpage.complete": ("Audit complete", "审计完成"),
    "reportpage.stopped": ("The audit stopped", "审计已停止"),
    "reportpage.step": ("{index}/{total} · {message}", "第 {index}/{total} 步 · {message}"),
    "reportpage.build_first": ("Build the report to preview and download it.",
                               "生成报告后即可预览和下载。"),
    "reportpage.download": ("Download", "下载"),
    "reportpage.html": ("HTML (interactive)", "HTML（可交互）"),
    "reportpage.pdf": ("PDF", "PDF"),
    "reportpage.json": ("JSON", "JSON"),
    "reportpage.csv": ("CSV tables (zip)", "CSV 表格（zip）"),
    "reportpage.preview": ("Preview", "预览"),
    "reportpage.failed": ("The report could not be built ({error}). Check the settings and try "
                          "again; if it persists, retrain the model.",
                          "无法生成报告（{error}）。请检查设置后重试；若问题持续，请重新训练模型。"),
    "reportpage.missing": ("missing", "缺失"),
}
