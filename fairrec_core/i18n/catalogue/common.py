"""Words shared by the dashboard and the reports: statuses, languages, groups."""

MESSAGES: dict[str, tuple[str, str]] = {
    "lang.name": ("English", "中文"),
    "lang.switch": ("Language", "语言"),
    "status.pass": ("pass", "通过"),
    "status.warn": ("warn", "警告"),
    "status.fail": ("fail", "不通过"),
    "status.inconclusive": ("inconclusive", "无法判定"),
    "status.insufficient_data": ("insufficient data", "数据不足"),
}
