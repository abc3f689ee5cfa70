"""The table of chain names, shorthands and explorers (bountychain/chains.py)."""

import pytest

from bountychain.chains import KNOWN_CHAINS, chain_by_shorthand, chain_name, known_chain


def test_names_and_unknown_ids():
    assert chain_name(11155111) == "Sepolia"
    assert chain_name(31337) == "Local dev chain"
    assert chain_name(424242) == "chain 424242"


def test_shorthands_names_and_ids_are_understood():
    assert chain_by_shorthand("base-sepolia").chain_id == 84532
    assert chain_by_shorthand("Base Sepolia").chain_id == 84532
    assert chain_by_shorthand("sepolia").chain_id == 11155111
    assert chain_by_shorthand("8453").name == "Base"
    with pytest.raises(ValueError, match="unknown network 'sepolla'.*sepolia"):
        chain_by_shorthand("sepolla")


def test_the_table_has_no_duplicates_and_explorer_links():
    assert len({c.chain_id for c in KNOWN_CHAINS}) == len(KNOWN_CHAINS)
    assert len({c.shorthand for c in KNOWN_CHAINS}) == len(KNOWN_CHAINS)
    sepolia = known_chain(11155111)
    assert sepolia.tx_url("0xab") == "https://sepolia.etherscan.io/tx/0xab"
    assert known_chain(31337).address_url("0x01") is None
