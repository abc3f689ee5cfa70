"""QR codes for payment links (`bountychain link`), encoded by segno: the matrix, its rendering
for a terminal with half-block characters (two module rows per line), and SVG."""

from __future__ import annotations

import io
from collections.abc import Sequence

import segno

# A terminal shows a symbol up to version 10 (57 modules, 33 lines with the quiet zone);
# longer links are printed as text only.
MAX_VERSION = 10


class QRCapacityError(ValueError):
    """The data does not fit a QR code of at most MAX_VERSION at the chosen level."""


def make(data: str | bytes, level: str = "L", *, mask: int | None = None) -> segno.QRCode:
    """The smallest QR code (version 1 to MAX_VERSION, never a Micro QR) holding `data` (UTF-8
    for a str) at error correction `level`; segno picks the mode and, unless given, the mask."""
    try:
        code = segno.make_qr(data, error=level, mask=mask, boost_error=False)
    except segno.DataOverflowError:
        raise QRCapacityError(f"{len(data)} characters do not fit a QR code at level {level}") from None
    if code.version > MAX_VERSION:
        raise QRCapacityError(f"{len(data)} characters need a QR code of version {code.version}, "
                              f"more than a terminal shows (version {MAX_VERSION})")
    return code


def encode(data: str | bytes, level: str = "L", *, mask: int | None = None) -> list[list[bool]]:
    """The symbol's modules, row by row, True for dark, without the quiet zone."""
    return [[bool(module) for module in row] for row in make(data, level, mask=mask).matrix]


def to_text(matrix: Sequence[Sequence[bool]], quiet_zone: int = 4) -> list[str]:
    """Renders the symbol with half-block characters, two module rows per text line: dark
    modules are drawn in the foreground colour, so print it dark on light."""
    size = len(matrix) + 2 * quiet_zone

    def module(row: int, col: int) -> bool:
        r, c = row - quiet_zone, col - quiet_zone
        return 0 <= r < len(matrix) and 0 <= c < len(matrix) and matrix[r][c]

    glyphs = {(False, False): " ", (True, False): "\u2580", (False, True): "\u2584", (True, True): "\u2588"}
    return [
        "".join(glyphs[module(row, col), module(row + 1, col)] for col in range(size))
        for row in range(0, size, 2)
    ]


def to_svg(data: str | bytes, level: str = "L", *, scale: int = 8) -> str:
    """The QR code of `data` as a standalone SVG document (dark on white, with a quiet zone)."""
    out = io.BytesIO()
    make(data, level).save(out, kind="svg", scale=scale, dark="#000", light="#fff", xmldecl=True)
    return out.getvalue().decode()


__all__ = ["MAX_VERSION", "QRCapacityError", "encode", "make", "to_svg", "to_text"]
