"""The dashboard shell: navigation, sidebar, last-resort error box."""

MESSAGES: dict[str, tuple[str, str]] = {
    "nav.data": ("Data", "数据"),
    "nav.train": ("Train", "训练"),
    "nav.fairness": ("Fairness", "公平性"),
    "nav.explain": ("Explain", "解释"),
    "nav.whatif": ("What-if", "假设分析"),
    "nav.report": ("Report", "报告"),
    "sidebar.session_data": ("Session data", "会话数据"),
    "sidebar.loaded_sample": ("Dataset loaded from sample data", "已加载示例数据"),
    "sidebar.loaded_upload": ("Dataset loaded from uploaded files", "已加载上传的文件"),
    "sidebar.counts": ("**{users}** users · **{items}** items · **{interactions}** interactions",
                       "**{users}** 位用户 · **{items}** 件商品 · **{interactions}** 条交互"),
    "sidebar.warnings": ("Validation warnings: **{n}**", "校验警告：**{n}** 条"),
    "sidebar.errors": ("Data has {n} error(s); see the Data page.", "数据有 {n} 处错误，请到“数据”页查看。"),
    "sidebar.incomplete": ("An interactions file is still needed.", "还需要上传交互记录文件。"),
    "sidebar.empty": ("No data loaded yet. Start on the Data page.", "尚未加载数据，请从“数据”页开始。"),
    "sidebar.files": ("Files: {files}", "文件：{files}"),
    "sidebar.privacy": ("Data stays in this browser session; nothing is written to disk.",
                        "数据只保留在本次浏览器会话中，不会写入磁盘。"),
    "sidebar.model": ("Model", "模型"),
    "sidebar.audited_lists": ("Audited lists: {lists}", "审计的推荐列表：{lists}"),
    "sidebar.none": ("none", "无"),
    "app.sample_unreadable": ("The sample data could not be read: {error}.", "无法读取示例数据：{error}。"),
    "app.page_error": ("This page stopped because of an unexpected problem: {error}. Reload the "
                       "page; if the data is the cause, check it on the Data page.",
                       "页面因意外问题停止：{error}。请刷新页面；如果是数据导致的，请在“数据”页检查。"),
}
