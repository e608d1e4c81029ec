"""Choosing a text encoding for CSV bytes, and saying so when the choice is unsure.

UTF-8 (with or without BOM) is tried first. When it fails, the lines holding
non-ASCII bytes vote: a file whose non-ASCII lines are mostly valid UTF-8 is a
UTF-8 file with a few damaged lines (they are decoded with U+FFFD in place of
the bad bytes, and named in a warning), otherwise it is read as GB18030 (a
superset of GBK and GB2312, what Chinese platforms export). Reading a UTF-8
file whole as GB18030 garbles every accented or Chinese character ("Café"
becomes "Caf茅"), so that is never done silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_LINE_END = re.compile("\r\n|\r|\n")
MAX_LINES_SHOWN = 5


@dataclass
class Decoded:
    """Text decoded from bytes, the codec used, and doubtful lines.

    Attributes
    ----------
    text : str
    encoding : str
        ``utf-8``, ``utf-8-sig``, ``gb18030`` or the forced codec.
    doubtful : list of int
        Up to ``MAX_LINES_SHOWN`` line numbers (header = 1) decoded with doubt.
    n_doubtful : int
        How many lines are doubtful.
    """

    text: str
    encoding: str
    doubtful: list[int] = field(default_factory=list)
    n_doubtful: int = 0


def decode(data: bytes, encoding: str | None = None) -> Decoded:
    """Decode CSV bytes; see the module docstring for how the codec is chosen.

    Raises
    ------
    LookupError
        When a forced ``encoding`` is unknown.
    UnicodeDecodeError
        When a forced codec fails, or neither UTF-8 nor GB18030 fits.
    """
    if encoding:
        return Decoded(data.decode(encoding), encoding)
    label = "utf-8"
    if data.startswith(b"\xef\xbb\xbf"):
        data, label = data[3:], "utf-8-sig"
    try:
        return Decoded(data.decode("utf-8"), label)
    except UnicodeDecodeError as first:
        lenient = data.decode("utf-8", errors="replace")
        valid, invalid = _vote(lenient)
        if len(valid) >= len(invalid):
            return Decoded(lenient, label, invalid[:MAX_LINES_SHOWN], len(invalid))
        del lenient
        try:
            # GB18030 decodes GBK and GB2312 too; exports from Chinese platforms use them.
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise first from None
        return Decoded(text, "gb18030", valid[:MAX_LINES_SHOWN], len(valid))


def _vote(lenient: str) -> tuple[list[int], list[int]]:
    """Line numbers (header = 1) of non-ASCII lines valid and invalid as UTF-8.

    ``lenient`` is the text decoded with U+FFFD for every invalid byte
    sequence, so a line is invalid exactly when it holds U+FFFD. Splitting and
    testing run in C; one Python step per line keeps a 200 MB file in seconds.
    """
    lines = _LINE_END.split(lenient)
    invalid = [k + 1 for k, line in enumerate(lines) if "\ufffd" in line]
    valid = [k + 1 for k, line in enumerate(lines)
             if not line.isascii() and "\ufffd" not in line]
    return valid, invalid
