"""Re-ranking on top of each fairness-trained model: the combined curves (What-if, report)."""

MESSAGES = {
    "combined.curve": ("Training + re-ranking", "训练 + 重排"),
    "combined.front": ("Pareto front (re-ranking, training and both)",
                       "帕累托前沿（重排、训练及两者结合）"),
    "combined.report_curve": ("training + re-ranking (each λ_train > 0 model re-ranked)",
                              "训练 + 重排（对每个 λ_train > 0 的模型再重排）"),
    "combined.report_front": ("Pareto front (all three)", "帕累托前沿（三者合并）"),
    "combined.whatif_caption": (
        "Light green lines: each of the {models} fairness-trained models (λ_train > 0) "
        "re-ranked by the same method over the same λ values (training + re-ranking). "
        "Of the {total} points on the Pareto front, {both} combine both, {rerank} come from "
        "re-ranking alone and {train} from training alone.",
        "浅绿色细线：{models} 个加入公平性训练的模型（λ_train > 0）各自用同一方法、在相同的 λ "
        "取值上再做重排（训练 + 重排）。帕累托前沿上的 {total} 个点中，{both} 个来自两者结合，"
        "{rerank} 个仅来自重排，{train} 个仅来自训练。"),
    "combined.report_para": (
        "Each λ_train > 0 model was also re-ranked by the audit's re-ranker over the same "
        "λ values (thin light lines: training + re-ranking), measured the same way. Of the "
        "{total} points on the Pareto front over all three sets, {both} combine both, "
        "{rerank} come from re-ranking alone and {train} from training alone.",
        "每个 λ_train > 0 的模型也用本次审计的重排器在相同的 λ 取值上做了重排（浅色细线：训练 + "
        "重排），度量方式相同。在三组点合并后的帕累托前沿上的 {total} 个点中，{both} 个来自两者"
        "结合，{rerank} 个仅来自重排，{train} 个仅来自训练。"),
    "combined.report_table_caption": (
        "Training + re-ranking at the audit's operating λ = {lam}, per λ_train",
        "训练 + 重排：本次审计工作点 λ = {lam} 下，各 λ_train 的结果"),
    "combined.col_lam_train": ("λ_train", "λ_train"),
    "combined.col_pareto": ("On the front", "位于前沿"),
    "combined.yes": ("yes", "是"),
    "combined.not_comparable": (
        "The re-ranking sweep measures {here}, not the grid's {train}: the combined curves "
        "are not computed.",
        "重排扫描度量的是 {here}，而非训练网格的 {train}：未计算“训练 + 重排”组合曲线。"),
    # --- the report's λ_train section (fairtrain_section) ---
    "fairtrain.report.heading": ("Fairness during training compared with re-ranking",
                                 "训练中的公平性与重排序的对比"),
    "fairtrain.report.term.user-loss": ("loss parity across user groups",
                                        "用户群体间的损失均衡"),
    "fairtrain.report.term.item-exposure": ("soft exposure parity of a protected item group",
                                            "受保护商品群体的软曝光均衡"),
    "fairtrain.report.term.adversary": ("attribute removal by an adversary (gradient reversal)",
                                        "对抗训练去除属性（梯度反转）"),
    "fairtrain.report.para": (
        "The {model} model was trained once per λ_train with the {term} term on "
        "'{attribute}' (λ_train = 0 is the plain model). Each point is a model measured on "
        "the test set: {acc} against {label}.",
        "{model}模型在每个 λ_train 取值下各训练一次，公平性项为{term}，作用于“{attribute}”"
        "（λ_train = 0 即普通模型）。每个点是一个模型在测试集上的结果：{acc} 对 {label}。"),
    "fairtrain.report.with_rerank": (
        "The re-ranking sweep is drawn on the same axes; circled points are Pareto-optimal "
        "over both.",
        "重排序扫描画在同一坐标轴上；带圆圈的点是两者合并后的帕累托最优点。"),
    "fairtrain.report.without_rerank": (
        "The re-ranking sweep does not report this fairness measure, so only the training "
        "curve is drawn; circled points are Pareto-optimal.",
        "重排序扫描未报告该公平性指标，因此只画出训练曲线；带圆圈的点为帕累托最优点。"),
    "fairtrain.report.table_caption": ("Fairness during training: the λ_train grid",
                                       "训练中的公平性：λ_train 网格"),
    "fairtrain.hover.train": ("λ_train %{customdata:g}: NDCG %{y:.4f}, fairness %{x:.3f}",
                              "λ_train %{customdata:g}：NDCG %{y:.4f}，公平性 %{x:.3f}"),
    "fairtrain.hover.rerank": ("re-ranking λ %{customdata:g}: NDCG %{y:.4f}, fairness %{x:.3f}",
                               "重排序 λ %{customdata:g}：NDCG %{y:.4f}，公平性 %{x:.3f}"),
    "fairtrain.hover.combined": (
        "λ_train %{customdata[0]:g}, re-ranking λ %{customdata[1]:g}: NDCG %{y:.4f}, "
        "fairness %{x:.3f}",
        "λ_train %{customdata[0]:g}，重排序 λ %{customdata[1]:g}：NDCG %{y:.4f}，"
        "公平性 %{x:.3f}"),
}
