"""The chains people know by name: what to call a chain id in a message or on the page, the
shorthand a command line accepts (`--network sepolia`), and where its block explorer shows
a transaction or an address.

One table for the CLI, the SDK, the index, the API and the page, so a chain is never
"chain 11155111" in one place and "Sepolia" in another. A chain that is not listed is still
usable everywhere; it is then named by its id ("chain 424242") and has no explorer links.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass


@dataclass(frozen=True)
class Chain:
    chain_id: int
    name: str  # what a person reads: "Base Sepolia"
    shorthand: str  # what a person types: "base-sepolia"
    explorer: str | None  # the block explorer's root URL, without a trailing slash
    testnet: bool

    def tx_url(self, tx_hash: str) -> str | None:
        return f"{self.explorer}/tx/{tx_hash}" if self.explorer else None

    def address_url(self, address: str) -> str | None:
        return f"{self.explorer}/address/{address}" if self.explorer else None

    @property
    def rpc_variable(self) -> str:
        """The environment variable that holds this chain's RPC URL, the same for the command line
        (`--network sepolia`) and ape's config: SEPOLIA_RPC_URL, BASE_SEPOLIA_RPC_URL."""
        return self.shorthand.upper().replace("-", "_") + "_RPC_URL"

    @property
    def ape_network(self) -> str | None:
        """ape's ecosystem:network:provider for this chain ("ethereum:sepolia:node"), when ape knows it."""
        return _APE_NETWORKS.get(self.chain_id)


KNOWN_CHAINS: tuple[Chain, ...] = (
    Chain(1, "Ethereum", "mainnet", "https://etherscan.io", False),
    Chain(11155111, "Sepolia", "sepolia", "https://sepolia.etherscan.io", True),
    Chain(17000, "Holesky", "holesky", "https://holesky.etherscan.io", True),
    Chain(560048, "Hoodi", "hoodi", "https://hoodi.etherscan.io", True),
    Chain(8453, "Base", "base", "https://basescan.org", False),
    Chain(84532, "Base Sepolia", "base-sepolia", "https://sepolia.basescan.org", True),
    Chain(10, "OP Mainnet", "optimism", "https://optimistic.etherscan.io", False),
    Chain(11155420, "OP Sepolia", "optimism-sepolia", "https://sepolia-optimism.etherscan.io", True),
    Chain(42161, "Arbitrum One", "arbitrum", "https://arbiscan.io", False),
    Chain(421614, "Arbitrum Sepolia", "arbitrum-sepolia", "https://sepolia.arbiscan.io", True),
    Chain(137, "Polygon", "polygon", "https://polygonscan.com", False),
    Chain(80002, "Polygon Amoy", "polygon-amoy", "https://amoy.polygonscan.com", True),
    Chain(100, "Gnosis", "gnosis", "https://gnosisscan.io", False),
    Chain(31337, "Local dev chain", "local", None, True),
)

# ape's names (ecosystem:network), for `ape run deploy --network sepolia`; the `node` provider
# reads the URL from the chain's `rpc_variable` (ape-config.yaml). The dev chain is ape's foundry.
_APE_NETWORKS = {
    1: "ethereum:mainnet:node", 11155111: "ethereum:sepolia:node", 17000: "ethereum:holesky:node",
    8453: "base:mainnet:node", 84532: "base:sepolia:node", 10: "optimism:mainnet:node",
    11155420: "optimism:sepolia:node", 42161: "arbitrum:mainnet:node", 421614: "arbitrum:sepolia:node",
    137: "polygon:mainnet:node", 80002: "polygon:amoy:node", 100: "gnosis:mainnet:node",
    31337: "ethereum:local:foundry",
}

_BY_ID = {chain.chain_id: chain for chain in KNOWN_CHAINS}
_BY_SHORTHAND = {chain.shorthand: chain for chain in KNOWN_CHAINS}


def known_chain(chain_id: int) -> Chain | None:
    """The listed chain with this id, or None."""
    return _BY_ID.get(int(chain_id))


@functools.lru_cache(maxsize=256)  # named in every record an answer lists, from a fixed table
def chain_name(chain_id: int) -> str:
    """What to call a chain in a sentence: "Sepolia", or "chain 424242" when it is not listed."""
    chain = known_chain(chain_id)
    return chain.name if chain else f"chain {int(chain_id)}"


def wrong_chain_message(connected: int, expected: int) -> str:
    """"connected to chain 31337 (Local dev chain), expected chain 11155111 (Sepolia)"."""
    def named(chain_id: int) -> str:
        chain = known_chain(chain_id)
        return f"chain {chain_id} ({chain.name})" if chain else f"chain {chain_id}"

    return f"connected to {named(connected)}, expected {named(expected)}"


def chain_by_shorthand(text: str) -> Chain:
    """The chain a person typed (`sepolia`, `base-sepolia`, `Base Sepolia` or a chain id);
    ValueError naming the choices when nothing matches."""
    key = text.strip().lower().replace(" ", "-").replace("_", "-")
    if key in _BY_SHORTHAND:
        return _BY_SHORTHAND[key]
    for chain in KNOWN_CHAINS:
        if chain.name.lower().replace(" ", "-") == key:
            return chain
    if key.isdigit() and int(key) in _BY_ID:
        return _BY_ID[int(key)]
    choices = ", ".join(chain.shorthand for chain in KNOWN_CHAINS)
    raise ValueError(f"unknown network {text!r}: use one of {choices}, or a chain id")
