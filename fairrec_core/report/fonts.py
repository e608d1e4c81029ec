"""The CJK font for Chinese PDF reports and Chinese matplotlib charts.

DejaVu Sans (bundled with matplotlib) has no Chinese characters. A Chinese
report takes them from a system CJK font: Debian's ``fonts-wqy-microhei`` or
``fonts-noto-cjk``. Without one, a Chinese PDF would be full of empty boxes, so
:func:`require_cjk_font` stops with a message naming the package instead.
"""

from __future__ import annotations

import functools
from pathlib import Path

from fairrec_core.errors import FairrecError

#: Where Debian (and most Linux distributions) install the CJK fonts, in order of preference.
CJK_FONT_PATHS = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
                  "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                  "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
                  "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
                  "/usr/share/fonts/truetype/arphic/uming.ttc")


class MissingFontError(FairrecError):
    """A Chinese PDF was asked for and no font with Chinese characters is installed."""


def cjk_font_path() -> str | None:
    """The first installed CJK font of :data:`CJK_FONT_PATHS`, or None."""
    return next((p for p in CJK_FONT_PATHS if Path(p).is_file()), None)


def require_cjk_font() -> str:
    """The CJK font's path; :class:`MissingFontError` naming the Debian package when absent."""
    from fairrec_core.i18n import t

    path = cjk_font_path()
    if path is None:
        # Both languages: whoever asked for a Chinese report may not read the English one.
        raise MissingFontError(f'{t("report.pdf.no_cjk_font", "en")}\n'
                               f'{t("report.pdf.no_cjk_font", "zh")}')
    return path


@functools.lru_cache(maxsize=1)
def matplotlib_cjk_family() -> str | None:
    """Register the CJK font with matplotlib once; its family name, or None without one."""
    path = cjk_font_path()
    if path is None:
        return None
    from matplotlib import font_manager

    font_manager.fontManager.addfont(path)
    return font_manager.FontProperties(fname=path).get_name()
