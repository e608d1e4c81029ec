"""Language-model recommenders and their fairness (issue 14; DESIGN.md §10.1, 10.2, 10.4).

* :mod:`~fairrec_core.llm.profile` -- profile texts from a template over user
  attributes and recent history titles (aware, unaware, neutral, counterfactual);
* :mod:`~fairrec_core.llm.profile_tower` -- the text two-tower whose user tower
  reads the profile;
* :mod:`~fairrec_core.llm.ranker` -- a local causal LM re-ranking candidates by
  title likelihood, with a shared prompt cache;
* :mod:`~fairrec_core.llm.probe` -- FaiRLLM / CFaiRLLM counterfactual probe
  (:func:`run_probe`);
* :mod:`~fairrec_core.llm.leakage` -- attacker AUC on user vectors
  (:func:`leakage_auc`);
* :mod:`~fairrec_core.llm.similarity` -- Jaccard, SERP*, PRAG*, SNSR, SNSV.

Nothing here imports torch or transformers at import time.
"""

from fairrec_core.llm.leakage import (
           LeakageResult,
           leakage_auc,
           model_leakage,
           user_vectors,
)
from fairrec_core.llm.probe import AttributeProbe, ProbeResult, run_probe
from fairrec_core.llm.profile import Profiles, ProfileTemplate, render_profiles
from fairrec_core.llm.similarity import list_similarities, snsr_snsv

__all__ = ["AttributeProbe", "LeakageResult", "ProbeResult", "ProfileTemplate", "Profiles",
           "leakage_auc", "list_similarities", "model_leakage", "render_profiles", "run_probe",
           "snsr_snsv", "user_vectors"]
