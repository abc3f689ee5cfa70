"""Statements about many bounties at once (`bountychain.index.batches`): bounded lists, few texts."""

from __future__ import annotations

import pytest

from bountychain.index.batches import CHUNK, among, escrow_chunks


def test_a_list_of_ids_is_padded_to_a_power_of_two_with_its_last_id() -> None:
    params, condition = among(1, "0xE", [7, 3, 9], alias="b")
    assert condition == "b.chain_id = :chain AND b.escrow = :escrow AND b.bounty_id IN (:id0, :id1, :id2, :id3)"
    assert params == {"id0": 7, "id1": 3, "id2": 9, "id3": 9, "chain": 1, "escrow": "0xE"}
    assert among(1, "0xE", [5])[1] == "chain_id = :chain AND escrow = :escrow AND bounty_id IN (:id0)"
    # Every length from 1 to CHUNK makes one of ten statements.
    texts = {among(1, "0xE", list(range(n)))[1] for n in range(1, CHUNK + 1)}
    assert len(texts) == 10
    with pytest.raises(ValueError, match="between 1 and 512 ids, not 0"):
        among(1, "0xE", [])
    with pytest.raises(ValueError, match="not 513"):
        among(1, "0xE", list(range(CHUNK + 1)))


def test_keys_are_grouped_by_escrow_and_cut_into_chunks() -> None:
    keys = [(1, "0xA", n) for n in range(1, CHUNK + 3)] + [(2, "0xA", 5), (1, "0xB", 6)]
    chunks = list(escrow_chunks(keys))
    found = [(params["chain"], params["escrow"], sorted({v for k, v in params.items() if k.startswith("id")}))
             for params, _ in chunks]
    assert found == [(1, "0xA", list(range(1, CHUNK + 1))), (1, "0xA", [CHUNK + 1, CHUNK + 2]), (2, "0xA", [5]),
                     (1, "0xB", [6])]
    assert all(condition.startswith("{a}.chain_id = :chain") for _, condition in chunks)
