"""A minimal QR code encoder (ISO/IEC 18004): byte mode, versions 1 to 10, any error
correction level, automatic mask choice. Enough for payment URIs of up to 271 bytes at level L;
used by `bountychain link` to draw a code in the terminal. No dependency.

    matrix = encode("ethereum:0x...@1/pledge?uint256=1")   # list of rows of bools (True = dark)
    print("\\n".join(to_text(matrix)))
"""

from __future__ import annotations

from collections.abc import Sequence

# Error correction levels: the two bits that the format information carries for each.
LEVEL_BITS = {"L": 0b01, "M": 0b00, "Q": 0b11, "H": 0b10}

MAX_VERSION = 10

# Per version 1..10 (index 0 is version 1): error correction codewords per block, and the
# number of blocks, for each level (ISO/IEC 18004 table 9).
_EC_PER_BLOCK = {
    "L": (7, 10, 15, 20, 26, 18, 20, 24, 30, 18),
    "M": (10, 16, 26, 18, 24, 16, 18, 22, 22, 26),
    "Q": (13, 22, 18, 26, 18, 24, 18, 22, 20, 24),
    "H": (17, 28, 22, 16, 22, 28, 26, 26, 24, 28),
}
_BLOCKS = {
    "L": (1, 1, 1, 1, 1, 2, 2, 2, 2, 4),
    "M": (1, 1, 1, 2, 2, 4, 4, 4, 5, 5),
    "Q": (1, 1, 2, 2, 4, 4, 6, 6, 8, 8),
    "H": (1, 1, 2, 4, 4, 4, 5, 6, 8, 8),
}
# Centre rows/columns of the alignment patterns (ISO/IEC 18004 annex E).
_ALIGNMENT = (
    (), (6, 18), (6, 22), (6, 26), (6, 30), (6, 34),
    (6, 22, 38), (6, 24, 42), (6, 26, 46), (6, 28, 50),
)
# Total codewords (data + error correction) a symbol of each version holds.
_TOTAL_CODEWORDS = (26, 44, 70, 100, 134, 172, 196, 242, 292, 346)


class QRCapacityError(ValueError):
    """The data does not fit in a version-10 symbol at the requested level."""


# --- Reed-Solomon over GF(256), primitive polynomial x^8 + x^4 + x^3 + x^2 + 1 ---------------

_EXP = [0] * 512
_LOG = [0] * 256
_value = 1
for _power in range(255):
    _EXP[_power] = _value
    _LOG[_value] = _power
    _value <<= 1
    if _value & 0x100:
        _value ^= 0x11D
for _power in range(255, 512):
    _EXP[_power] = _EXP[_power - 255]


def _gf_mul(a: int, b: int) -> int:
    return 0 if a == 0 or b == 0 else _EXP[_LOG[a] + _LOG[b]]


def _generator(degree: int) -> list[int]:
    """Coefficients, highest power first, of (x - a^0)(x - a^1)...(x - a^(degree-1))."""
    poly = [1]
    for i in range(degree):
        # multiply by (x + a^i): in GF(2^8), minus is plus
        poly = [c ^ _gf_mul(p, _EXP[i]) for c, p in zip(poly + [0], [0] + poly)]
    return poly


def reed_solomon(data: Sequence[int], ec_count: int) -> list[int]:
    """The `ec_count` error correction codewords of `data`: the remainder of
    data(x) * x^ec_count divided by the generator polynomial."""
    generator = _generator(ec_count)
    remainder = list(data) + [0] * ec_count
    for i in range(len(data)):
        factor = remainder[i]
        if factor:
            for j, coefficient in enumerate(generator):
                remainder[i + j] ^= _gf_mul(coefficient, factor)
    return remainder[len(data):]


# --- BCH codes of the format and version information --------------------------------------


def format_bits(level: str, mask: int) -> int:
    """The 15 format-information bits (level and mask, BCH(15,5), XOR-masked with 0x5412)."""
    data = LEVEL_BITS[level] << 3 | mask
    remainder = data
    for _ in range(10):
        remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537)
    return (data << 10 | remainder) ^ 0x5412


def version_bits(version: int) -> int:
    """The 18 version-information bits of versions 7 and up (BCH(18,6))."""
    remainder = version
    for _ in range(12):
        remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25)
    return version << 12 | remainder


# --- data encoding ------------------------------------------------------------------------


def data_capacity(version: int, level: str) -> int:
    """Data codewords a symbol holds."""
    return _TOTAL_CODEWORDS[version - 1] - _EC_PER_BLOCK[level][version - 1] * _BLOCKS[level][version - 1]


def _count_bits(version: int) -> int:
    return 8 if version <= 9 else 16


def choose_version(length: int, level: str = "L") -> int:
    """The smallest version whose byte-mode capacity holds `length` bytes."""
    for version in range(1, MAX_VERSION + 1):
        if 4 + _count_bits(version) + 8 * length <= 8 * data_capacity(version, level):
            return version
    raise QRCapacityError(f"{length} bytes do not fit in a version-{MAX_VERSION} QR code at level {level}")


def data_codewords(payload: bytes, version: int, level: str) -> list[int]:
    """Mode indicator, character count, the bytes, terminator and padding, as codewords."""
    capacity_bits = 8 * data_capacity(version, level)
    bits: list[int] = []

    def put(value: int, width: int) -> None:
        bits.extend((value >> shift) & 1 for shift in range(width - 1, -1, -1))

    put(0b0100, 4)  # byte mode
    put(len(payload), _count_bits(version))
    for byte in payload:
        put(byte, 8)
    if len(bits) > capacity_bits:
        raise QRCapacityError(f"{len(payload)} bytes do not fit in version {version} at level {level}")
    put(0, min(4, capacity_bits - len(bits)))  # terminator
    put(0, -len(bits) % 8)
    codewords = [int("".join(map(str, bits[i:i + 8])), 2) for i in range(0, len(bits), 8)]
    pad = (0xEC, 0x11)
    codewords += [pad[i % 2] for i in range(capacity_bits // 8 - len(codewords))]
    return codewords


def interleave(data: Sequence[int], version: int, level: str) -> list[int]:
    """Splits the data codewords into blocks, appends each block's error correction, and
    interleaves them in the order the symbol carries them."""
    block_count = _BLOCKS[level][version - 1]
    ec_count = _EC_PER_BLOCK[level][version - 1]
    short_length, long_count = divmod(len(data), block_count)
    blocks, start = [], 0
    for index in range(block_count):
        length = short_length + (1 if index >= block_count - long_count else 0)
        blocks.append(list(data[start:start + length]))
        start += length
    ecs = [reed_solomon(block, ec_count) for block in blocks]
    result = [block[i] for i in range(short_length + 1) for block in blocks if i < len(block)]
    result += [ec[i] for i in range(ec_count) for ec in ecs]
    return result


# --- the symbol ---------------------------------------------------------------------------


class _Symbol:
    def __init__(self, version: int) -> None:
        self.version = version
        self.size = 17 + 4 * version
        self.dark = [[False] * self.size for _ in range(self.size)]
        self.reserved = [[False] * self.size for _ in range(self.size)]

    def set(self, row: int, col: int, dark: bool) -> None:
        self.dark[row][col] = dark
        self.reserved[row][col] = True

    def draw_function_patterns(self) -> None:
        size = self.size
        for i in range(size):  # timing patterns
            self.set(6, i, i % 2 == 0)
            self.set(i, 6, i % 2 == 0)
        for row, col in ((3, 3), (3, size - 4), (size - 4, 3)):  # finders with separators
            for dr in range(-4, 5):
                for dc in range(-4, 5):
                    r, c = row + dr, col + dc
                    if 0 <= r < size and 0 <= c < size:
                        ring = max(abs(dr), abs(dc))
                        self.set(r, c, ring not in (2, 4))
        centres = _ALIGNMENT[self.version - 1]
        last = len(centres) - 1
        for i, row in enumerate(centres):
            for j, col in enumerate(centres):
                if (i, j) in ((0, 0), (0, last), (last, 0)):
                    continue  # those places hold the finders
                for dr in range(-2, 3):
                    for dc in range(-2, 3):
                        self.set(row + dr, col + dc, max(abs(dr), abs(dc)) != 1)
        self.draw_format(0)  # reserves the areas; redrawn with the chosen mask
        if self.version >= 7:
            bits = version_bits(self.version)
            for i in range(18):
                dark = (bits >> i) & 1 == 1
                a, b = size - 11 + i % 3, i // 3
                self.set(a, b, dark)
                self.set(b, a, dark)

    def draw_format(self, bits: int) -> None:
        size = self.size

        def bit(i: int) -> bool:
            return (bits >> i) & 1 == 1

        for i in range(6):
            self.set(i, 8, bit(i))
        self.set(7, 8, bit(6))
        self.set(8, 8, bit(7))
        self.set(8, 7, bit(8))
        for i in range(9, 15):
            self.set(8, 14 - i, bit(i))
        for i in range(8):
            self.set(8, size - 1 - i, bit(i))
        for i in range(8, 15):
            self.set(size - 15 + i, 8, bit(i))
        self.set(size - 8, 8, True)  # the dark module

    def draw_codewords(self, codewords: Sequence[int]) -> None:
        """Places the bits in two-column strips, zigzagging up and down from the right."""
        size = self.size
        total_bits = 8 * len(codewords)
        index = 0
        right = size - 1
        while right >= 1:
            if right == 6:
                right = 5  # skip the vertical timing pattern
            upward = ((right + 1) & 2) == 0
            for step in range(size):
                row = size - 1 - step if upward else step
                for col in (right, right - 1):
                    if self.reserved[row][col]:
                        continue
                    if index < total_bits:
                        self.dark[row][col] = (codewords[index >> 3] >> (7 - (index & 7))) & 1 == 1
                        index += 1
            right -= 2

    def apply_mask(self, mask: int) -> None:
        condition = _MASKS[mask]
        for row in range(self.size):
            for col in range(self.size):
                if not self.reserved[row][col] and condition(row, col):
                    self.dark[row][col] = not self.dark[row][col]


_MASKS = (
    lambda r, c: (r + c) % 2 == 0,
    lambda r, c: r % 2 == 0,
    lambda r, c: c % 3 == 0,
    lambda r, c: (r + c) % 3 == 0,
    lambda r, c: (r // 2 + c // 3) % 2 == 0,
    lambda r, c: (r * c) % 2 + (r * c) % 3 == 0,
    lambda r, c: ((r * c) % 2 + (r * c) % 3) % 2 == 0,
    lambda r, c: ((r + c) % 2 + (r * c) % 3) % 2 == 0,
)

_FINDER_LIKE = ((1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0), (0, 0, 0, 0, 1, 0, 1, 1, 1, 0, 1))


def penalty(dark: Sequence[Sequence[bool]]) -> int:
    """The mask evaluation score of ISO/IEC 18004 section 7.8.3 (lower is better)."""
    size = len(dark)
    score = 0
    lines = [list(row) for row in dark] + [[dark[r][c] for r in range(size)] for c in range(size)]
    for line in lines:
        run = 1
        for i in range(1, size + 1):
            if i < size and line[i] == line[i - 1]:
                run += 1
                continue
            if run >= 5:
                score += 3 + run - 5  # N1
            run = 1
        bits = tuple(int(x) for x in line)
        for i in range(size - 10):
            if bits[i:i + 11] in _FINDER_LIKE:
                score += 40  # N3
    for r in range(size - 1):
        for c in range(size - 1):
            if dark[r][c] == dark[r][c + 1] == dark[r + 1][c] == dark[r + 1][c + 1]:
                score += 3  # N2
    dark_count = sum(map(sum, dark))
    score += 10 * (abs(dark_count * 100 - 50 * size * size) // (5 * size * size))  # N4
    return score


def encode(data: str | bytes, level: str = "L", *, version: int | None = None,
           mask: int | None = None) -> list[list[bool]]:
    """The QR symbol for `data` (UTF-8 for a str), as rows of modules, True for dark, without
    the quiet zone. The version is the smallest that fits unless given; the mask is the one
    with the lowest penalty unless given."""
    payload = data.encode() if isinstance(data, str) else bytes(data)
    if level not in LEVEL_BITS:
        raise ValueError(f"error correction level must be one of L, M, Q, H, not {level!r}")
    version = version or choose_version(len(payload), level)
    if not 1 <= version <= MAX_VERSION:
        raise ValueError(f"version must be 1 to {MAX_VERSION}")
    codewords = interleave(data_codewords(payload, version, level), version, level)
    symbol = _Symbol(version)
    symbol.draw_function_patterns()
    symbol.draw_codewords(codewords)
    base = [row[:] for row in symbol.dark]

    def masked(choice: int) -> list[list[bool]]:
        symbol.dark = [row[:] for row in base]
        symbol.apply_mask(choice)
        symbol.draw_format(format_bits(level, choice))
        return symbol.dark

    if mask is None:
        mask = min(range(8), key=lambda choice: penalty(masked(choice)))
    return masked(mask)


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
