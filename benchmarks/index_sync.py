"""How fast the index follows the escrow: events per second of a full sync on anvil.

    .venv/bin/python -m benchmarks.index_sync [BOUNTIES]

Creates BOUNTIES bounties (default 200), each with three pledges and a solution, on a fresh
anvil node, then indexes them from scratch with several range sizes, and once more after
mining 1,000 empty blocks (the cost of ranges without events). Prints one line per run.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from bountychain import AnvilNode, BountyClient
from bountychain.index import Indexer


def main() -> None:
    bounties = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with AnvilNode() as node, tempfile.TemporaryDirectory() as tmp:
        issuer = node.new_account()
        funders = [node.new_account() for _ in range(3)]
        client = BountyClient.deploy(node, issuer, poll_latency=0.002)
        started = time.monotonic()
        for n in range(bounties):
            bounty_id = client.create_bounty(f"https://github.com/org/repo/issues/{n}", node.now() + 86_400).bounty_id
            for funder in funders:
                client.as_signer(funder).pledge(bounty_id, 10**15)
            client.as_signer(funders[0]).submit_solution(bounty_id, f"https://github.com/org/repo/pull/{n}")
        blocks = node.w3.eth.block_number
        print(f"setup: {bounties * 5} transactions in {time.monotonic() - started:.1f} s, {blocks} blocks")
        for batch in (2_000, 100, 10):
            indexer = Indexer.for_client(client, Path(tmp) / f"index-{batch}.sqlite3", batch=batch)
            report = indexer.sync()
            print(f"batch {batch:>5}: {report.events} events, {report.blocks} blocks, {report.ranges} ranges in "
                  f"{report.seconds:.2f} s = {report.events / report.seconds:,.0f} events/s")
        node._rpc("anvil_mine", [hex(1_000)])
        indexer = Indexer.for_client(client, Path(tmp) / "index-2000.sqlite3", batch=2_000)
        report = indexer.sync()
        print(f"1,000 empty blocks, batch 2000: {report.ranges} ranges in {report.seconds:.2f} s "
              f"= {report.blocks / report.seconds:,.0f} blocks/s")


if __name__ == "__main__":
    main()
