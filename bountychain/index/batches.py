"""Statements about many bounties at once: their (chain id, escrow, bounty id) keys as bounded
parameter lists, in few enough shapes that a statement is prepared once and reused."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Iterator

CHUNK = 512  # ids per statement: a bounded parameter list on any database


def among(chain_id: int, escrow: str, bounty_ids: list[int], alias: str = "") -> tuple[dict[str, object], str]:
    """The condition that a row (of the table aliased `alias`, else unaliased) is one of
    `bounty_ids` (at most CHUNK, at least one) of one escrow, and its parameters (`chain`,
    `escrow`, `id0`...). The list is padded to a power of two by repeating its last id, so a
    statement has one of ten texts whatever the number of ids: SQLite's cache of prepared
    statements and PostgreSQL's prepared plans are reused, where a text per length would be
    parsed and planned again on nearly every call."""
    if not 0 < len(bounty_ids) <= CHUNK:
        raise ValueError(f"between 1 and {CHUNK} ids, not {len(bounty_ids)}")
    names, condition = _statement(1 << (len(bounty_ids) - 1).bit_length(), alias)
    params: dict[str, object] = dict(zip(names, bounty_ids))
    params.update(dict.fromkeys(names[len(bounty_ids):], bounty_ids[-1]))
    params.update(chain=chain_id, escrow=escrow)
    return params, condition


@functools.lru_cache(maxsize=256)
def _statement(size: int, alias: str) -> tuple[tuple[str, ...], str]:
    """The parameter names and the condition of a list of `size` ids (made once: a funder's
    profile makes three lists an answer)."""
    names = tuple(f"id{n}" for n in range(size))
    column = f"{alias}." if alias else ""
    return names, (f"{column}chain_id = :chain AND {column}escrow = :escrow"
                   f" AND {column}bounty_id IN ({', '.join(':' + name for name in names)})")


def escrow_chunks(bounties: Iterable[tuple[int, str, int]], alias: str = "{a}"
                  ) -> Iterator[tuple[dict[str, object], str]]:
    """(chain id, escrow, bounty id) keys as one statement's parameters per escrow and per CHUNK
    ids (`among`): the parameters and the condition on a table aliased `alias` (by default
    `{a}`, for the caller to format with `a=` its alias)."""
    by_escrow: dict[tuple[int, str], list[int]] = defaultdict(list)
    for chain_id, escrow, bounty_id in bounties:
        by_escrow[(chain_id, escrow)].append(bounty_id)
    for (chain_id, escrow), bounty_ids in by_escrow.items():
        for start in range(0, len(bounty_ids), CHUNK):
            yield among(chain_id, escrow, bounty_ids[start:start + CHUNK], alias)


__all__ = ["CHUNK", "among", "escrow_chunks"]
