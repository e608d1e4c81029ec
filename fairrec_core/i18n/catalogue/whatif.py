"""What-if page: the train-time curve overlay (issue 15.2)."""

MESSAGES = {
    "whatif.train_curve": ("Fairness in training (λ_train grid)", "训练中加入公平性（λ_train 网格）"),
    "whatif.train_front": ("Pareto front (re-ranking and training)",
                           "帕累托前沿（重排序与训练合并）"),
    "whatif.train_overlaid": (
        "The green curve is the λ_train grid trained on the Train page, on the same axes: "
        "each point is a model trained with the fairness term at that weight, without "
        "re-ranking. The dotted front runs over both curves.",
        "绿色曲线是在“训练”页训练的 λ_train 网格，与本图坐标轴相同：每个点是按该权重加入公平性项训练、"
        "未经重排序的模型。虚线前沿同时覆盖两条曲线。"),
    "whatif.train_other_axis": (
        "The λ_train grid from the Train page is not drawn here: it is measured on {train}, "
        "this curve on {here}. Train the grid for the same measure (or choose a re-ranker "
        "that targets it) to compare them on one chart.",
        "未在此图叠加“训练”页的 λ_train 网格：它的度量是 {train}，本曲线的度量是 {here}。"
        "请针对同一度量训练网格（或选择以该度量为目标的重排序方法），即可在同一张图上比较。"),
}
