"""Plotly figure builders and other streamlit-free helpers behind the dashboard pages.

Nothing here imports streamlit: the same figures can go into the HTML report,
a notebook or a test.
"""

from fairrec_core.viz.data_charts import (
                                          ITEM_COLOR,
                                          USER_COLOR,
                                          item_groups_figure,
                                          long_tail_figure,
                                          user_activity_figure,
                                          user_groups_figure,
)

__all__ = ["ITEM_COLOR", "USER_COLOR", "item_groups_figure", "long_tail_figure",
           "user_activity_figure", "user_groups_figure"]
