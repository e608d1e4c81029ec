"""``python serve_dashboard.py run app.py ...``: Streamlit's own command line.

The dashboard navigates with ``st.navigation`` from ``app.py``, and its page
scripts live in a folder named ``pages/``. Streamlit's older, file-based
navigation notices that folder once per server process: the first session
then resolves its URL (``/what-if``) against the folder's file names, finds
none, and shows "Page not found" over the right page. Saying up front that the
app does not use that mechanism removes the message; everything else is
``streamlit`` unchanged. It lives beside app.py, with the dashboard, because
the library (fairrec_core) never imports Streamlit.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Run Streamlit's command line with ``argv`` (default: this process's arguments)."""
    try:
        from streamlit.runtime.pages_manager import PagesManager

        # app.py calls st.navigation, which sets this same flag; set before the first
        # session so that the first run does not take the legacy pages/ path.
        PagesManager.uses_pages_directory = False
    except (ImportError, AttributeError):  # another Streamlit: the toast at worst, no failure
        pass
    from streamlit.web import cli

    args = list(sys.argv[1:] if argv is None else argv)
    return cli.main.main(args=args, prog_name="streamlit", standalone_mode=True) or 0


if __name__ == "__main__":
    sys.exit(main())
