"""The Train page's wording: progress bars, the current model's facts, the stopped notice.

The page's callbacks only draw; what the bar says and how full it is are
decided here (split out of ``pages/train_page.py``, issue 11's size limits), so
they are tested without a browser. No streamlit here.
"""

from __future__ import annotations

from fairrec_core.i18n import t

__all__ = ["grid_progress", "model_facts", "model_progress", "stopped_message"]


def model_progress(log, ev, lang: str = "en") -> tuple[float, str]:
    """``(fraction, text)`` of the bar while one model trains.

    Parameters
    ----------
    log : viz.model_charts.TrainingLog
        The log that has just seen ``ev`` (its ``fraction`` / ``encode_fraction``).
    ev : training event
        ``kind`` "encode" (text encoding, ``step`` of ``steps``) or an epoch event.
    """
    if ev.kind == "encode":
        return log.encode_fraction, t("train.encoding", lang, done=ev.step, total=ev.steps)
    text = t("train.epoch_text", lang, epoch=max(ev.epoch, 1), epochs=ev.epochs,
             device=ev.device)
    if log.epochs and log.epochs[-1][2] is not None:
        text += t("train.validation_text", lang, metric=ev.metric_name.upper(),
                  value=log.epochs[-1][2])
    return log.fraction, text


def grid_progress(ev, n: int, lambdas, lang: str = "en") -> tuple[float, str]:
    """``(fraction, text)`` of the bar while the ``n``-th (0-based) fit of a λ_train grid runs.

    Each fit fills its own slot of the bar, so the user sees the grid move.
    """
    inner = (0.0 if ev.kind in ("encode", "start") else
             1.0 if ev.kind == "end" else
             ((ev.epoch - 1) * max(ev.steps, 1) + ev.step) / max(ev.epochs * ev.steps, 1))
    text = t("train.fair.grid_progress", lang, n=n + 1, total=len(lambdas), lam=lambdas[n])
    if ev.kind == "encode":
        text += " · " + t("train.encoding", lang, done=ev.step, total=ev.steps)
    return min(1.0, (n + min(inner, 1.0)) / len(lambdas)), text


def stopped_message(run: dict, had_model: bool, lang: str = "en") -> str:
    """What to say after a training the user stopped (issue 13.7): where, and what is kept."""
    if run.get("what") == "grid":
        return t("train.grid_stopped", lang)  # HEAD's page named a missing key
    where = (t("train.stopped_where", lang, progress=run["progress"],
               seconds=run.get("elapsed", 0.0)) if run.get("progress")
             else t("train.stopped_before", lang))
    kept = t("train.stopped_kept" if had_model else "train.stopped_none", lang)
    return t("train.stopped", lang, where=where, kept=kept)


def model_facts(info, lang: str = "en") -> str:
    """One markdown line about the current model: name (source), K, and how it trained."""
    from fairrec_core.dashboard.pipeline_session import md

    run = info.training
    facts = [f"**{md(t(f'train.model.{info.name}', lang))}** "
             f"({t(f'train.source.{info.source}', lang)})", f"K = {info.k}"]
    if run:
        facts.append(t("train.epochs_fact", lang, n=run["epochs_run"], device=run["device"],
                       seconds=run["seconds"], best=run["best_epoch"])
                     + (t("train.stopped_early", lang) if run["stopped_early"] else ""))
    return " · ".join(facts)
