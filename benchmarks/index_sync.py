"""How fast the index follows the escrow: events per second of a full sync on anvil, on SQLite
and on PostgreSQL.

    .venv/bin/python -m benchmarks.index_sync [EVENTS] [--postgres URL] [--no-profile] [--profile-postgres]

Builds a realistic mix on a fresh anvil node (default about 100,000 events): bounties, many
pledges each, solutions, and awards that pay two winners (Awarded + 2 WinnerPaid), with
hundreds of events per block (anvil with automine off: the transactions of a block are sent
in JSON-RPC batches from impersonated accounts, then one block is mined). Then indexes it
from scratch in ranges of 25 blocks (about 10,000 logs: what public endpoints serve per
eth_getLogs) into a SQLite file, and into PostgreSQL (the URL given, else a throwaway cluster
when PostgreSQL is installed). Prints events/s, the indexer's CPU time (its own process) and
where the time went (a profile of the SQLite run's main thread, by part of the code; with
--profile-postgres, of a PostgreSQL run too).
"""

from __future__ import annotations

import cProfile
import json
import pstats
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from pathlib import Path
from typing import Any

from bountychain import AnvilNode, BountyClient
from bountychain._artifacts import load_artifact
from bountychain.index import Indexer

ETH = "0x" + "00" * 20
PER_BLOCK = 400  # transactions per mined block
PLEDGES, SOLUTIONS = 18, 4  # per bounty; every other bounty is awarded to two solutions


def _batch(url: str, calls: list[tuple[str, list[Any]]]) -> list[Any]:
    body = json.dumps([{"jsonrpc": "2.0", "id": n, "method": m, "params": p} for n, (m, p) in enumerate(calls)])
    request = urllib.request.Request(url, body.encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=300) as response:  # noqa: S310 - loopback anvil
        answers = json.loads(response.read())
    errors = [a["error"] for a in answers if "error" in a]
    if errors:
        raise RuntimeError(f"{len(errors)} calls failed, first: {errors[0]}")
    return [a["result"] for a in answers]


def build(node: AnvilNode, events: int) -> BountyClient:
    """Deploys an escrow and fills the chain with about `events` escrow events."""
    issuer = node.new_account()
    client = BountyClient.deploy(node, issuer, poll_latency=0.002)
    escrow = node.w3.eth.contract(address=client.address, abi=load_artifact("BountyEscrow").abi)
    bounties = max(1, round(events / (1 + PLEDGES + SOLUTIONS + 1.5)))
    funders = [f"0x{n:040x}" for n in range(0x1000, 0x1000 + 20)]
    hunters = [f"0x{n:040x}" for n in range(0x2000, 0x2000 + SOLUTIONS)]
    for account in (issuer.address, *funders, *hunters):
        node._rpc("anvil_setBalance", [account, hex(10**24)])
        node._rpc("anvil_impersonateAccount", [account])
    node._rpc("evm_setAutomine", [False])
    deadline = node.now() + 30 * 86_400
    first = client.bounty_count() + 1
    ids = range(first, first + bounties)

    nonces = {account: int(node._rpc("eth_getTransactionCount", [account, "latest"]), 16) for account in (issuer.address, *funders, *hunters)}

    def tx(sender: str, data: str, gas: int, value: int = 0) -> tuple[str, list[Any]]:
        nonces[sender] += 1  # given, not left to the node: a batch's calls are handled at once
        return "eth_sendTransaction", [{"from": sender, "to": client.address, "data": data, "gas": hex(gas),
                                        "value": hex(value), "nonce": hex(nonces[sender] - 1)}]

    def send(txs: list[tuple[str, list[Any]]]) -> None:
        for start in range(0, len(txs), PER_BLOCK):
            _batch(node.url, txs[start:start + PER_BLOCK])
            node._rpc("evm_mine", [])

    send([tx(issuer.address, escrow.encode_abi("createBounty", [ETH, deadline, issuer.address,
                                                               f"https://github.com/org/repo{n % 97}/issues/{n}"]),
             300_000) for n in ids])
    send([tx(funders[(b + p) % len(funders)], escrow.encode_abi("pledge", [b, 10**15 + p, 2**64 - 1]), 150_000,
             10**15 + p) for b in ids for p in range(PLEDGES)])
    send([tx(hunters[s], escrow.encode_abi("submitSolution", [b, f"https://github.com/org/repo/pull/{b}-{s}"]),
             200_000) for b in ids for s in range(SOLUTIONS)])
    send([tx(issuer.address, escrow.encode_abi("award", [b, [1, 2], [6_000, 4_000]]), 400_000)
          for b in ids if b % 2 == 0])
    node._rpc("evm_setAutomine", [True])
    return client


def _where(stats: pstats.Stats, total: float) -> list[tuple[str, float]]:
    """Own time by part of the code (file), largest first."""
    parts: dict[str, float] = defaultdict(float)
    for (filename, _, _), (_, _, own, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        path = filename.replace("\\", "/")
        name = ("bountychain " + path.split("bountychain/", 1)[1].split("/")[-1] if "/bountychain/" in path
                else path.split("site-packages/", 1)[1].split("/")[0] if "site-packages/" in path
                else "python (json, http, sqlite3, ...)")
        parts[name] += own
    return sorted(((name, seconds / total) for name, seconds in parts.items()), key=lambda item: -item[1])


def run(client: BountyClient, target: str, label: str, batch: int, profile: bool = False) -> None:
    indexer = Indexer.for_client(client, target, batch=batch)
    profiler = cProfile.Profile() if profile else None
    cpu = time.process_time()
    if profiler:
        profiler.enable()
    report = indexer.sync()
    if profiler:
        profiler.disable()
    # The indexer's own CPU (this process; anvil and PostgreSQL are others): what a machine
    # shared with other work inflates far less than the wall clock.
    cpu = time.process_time() - cpu
    print(f"{label}: {report.events:,} events, {report.blocks} blocks, {report.ranges} ranges of {batch} blocks in "
          f"{report.seconds:.2f} s = {report.events / report.seconds:,.0f} events/s; indexer CPU {cpu:.2f} s ="
          f" {report.events / cpu:,.0f} events per CPU second", flush=True)
    if profiler:
        stats = pstats.Stats(profiler)
        total = sum(own for (_, _, own, _, _) in stats.stats.values())  # type: ignore[attr-defined]
        print("  where the time goes (own time, profiled run): " + ", ".join(
            f"{name} {share:.0%}" for name, share in _where(stats, total)[:8]))
    indexer.db.close()


def main() -> None:
    args = sys.argv[1:]
    postgres_url = args[args.index("--postgres") + 1] if "--postgres" in args else None
    numbers = [a for a in args if a.isdigit()]
    events = int(numbers[0]) if numbers else 100_000
    cluster = None
    with AnvilNode() as node, tempfile.TemporaryDirectory() as tmp:
        started = time.monotonic()
        client = build(node, events)
        print(f"setup: {node.w3.eth.block_number} blocks in {time.monotonic() - started:.0f} s", flush=True)
        run(client, str(Path(tmp) / "bench.sqlite3"), "SQLite", 25)
        if "--no-profile" not in args:
            run(client, str(Path(tmp) / "profiled.sqlite3"), "SQLite (profiled)", 25, profile=True)
        if postgres_url is None:
            try:
                from tests.postgres import PostgresCluster

                cluster = PostgresCluster()
                postgres_url = cluster.database()
            except (ImportError, FileNotFoundError) as exc:
                print(f"PostgreSQL: skipped ({exc})")
        try:
            if postgres_url:
                run(client, postgres_url, "PostgreSQL", 25)
                if "--profile-postgres" in args:
                    second = cluster.database() if cluster is not None else None
                    if second is None:
                        print("PostgreSQL (profiled): needs the throwaway cluster (no --postgres URL)")
                    else:
                        run(client, second, "PostgreSQL (profiled)", 25, profile=True)
        finally:
            if cluster is not None:
                cluster.close()


if __name__ == "__main__":
    main()
