"""The API under load: latency, throughput and memory of the web server on loopback.

    .venv/bin/python -m benchmarks.api_load [--bounties 10000] [--pledges 100000] [--clients 50]
                                            [--seconds 10] [--max-requests 20000] [--workers 1]
                                            [--postgres [URL]] [--repeat 1] [--answer-cache-mb 0]
                                            [--warmup 2]

Builds an index of BOUNTIES bounties and PLEDGES pledges (plus two claims per bounty, the
awarded ones paid) by inserting rows straight into a fresh SQLite index, the way a sync
leaves them: building it through a chain would take an hour and measure the indexer, not the
API. Starts the API as its own process, the way an operator runs stateless workers
(`uvicorn --factory bountychain.web:create_app`, with the guarded protocol), and sends it, one
route at a time, CLIENTS concurrent keep-alive clients (raw sockets, asyncio), each from its own
loopback address (the server caps connections per address). Each route runs SECONDS or MAX_REQUESTS requests,
whichever ends first, after WARMUP seconds of the same load on the same connections that are not
measured (a server's first answers fault the index's pages into memory: steady state is what is
measured). Routes: a page of the list (50 bounties at a random offset, newest
first), a page sorted by amount, a bounty's detail, a funder's record, and /api/status; each
request draws its offset, bounty or funder afresh from all of them, and the server's answer
cache is off (--answer-cache-mb to turn it on), so every answer is computed.

Prints p50, p99, the worst latency, requests/s, errors and the server's CPU time per request
(which, unlike latency, a machine shared with other work hardly changes) per route, and the server's resident
memory (all its workers) before, between and after the routes, with the machine's load
average; --repeat N runs the routes N times over against the same server, so that runs on a
shared machine can be compared. Writes them to build/api-load.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from collections.abc import Callable
from typing import Any

import httpx
from eth_utils import keccak
from web3 import Web3

from bountychain.index import listing, store
from bountychain.index.schema import EVENT_TABLES

ETH = "0x" + "0" * 40
USDC = Web3.to_checksum_address("0x" + "a0" * 20)
ESCROW = Web3.to_checksum_address("0x" + "5e" * 20)
NOW = 1_800_000_000
CHAIN = 31337  # the dev chain: the one chain of this index
PAGE = 50


def address(n: int, kind: str) -> str:
    return Web3.to_checksum_address(keccak(f"{kind}{n}".encode())[12:])


def build_index(path: Path, bounties: int, pledges: int) -> dict[str, Any]:
    """A synced-looking index of one chain: its `chains` row, tokens, bounty summaries, pledges,
    claims and payouts (every row carries the chain's id and escrow, as the sync writes it)."""
    db = store.connect(path)
    funders = [address(n, "funder") for n in range(max(1, pledges // 50))]
    hunters = [address(n, "hunter") for n in range(max(1, bounties // 5))]
    issuers = [address(n, "issuer") for n in range(max(1, bounties // 20))]
    rng = random.Random(13)
    with store.transaction(db):
        db.execute("INSERT INTO chains (chain_id, escrow, start_block, cursor, cursor_hash, cursor_time)"
                   " VALUES (?, ?, ?, ?, ?, ?)", (CHAIN, ESCROW, 1, 1_000_000, "0x" + "11" * 32, NOW))
        db.executemany("INSERT INTO tokens (chain_id, token, symbol, decimals) VALUES (?, ?, ?, ?)",
                       [(CHAIN, ETH, "ETH", 18), (CHAIN, USDC, "USDC", 6)])
        per_bounty = [0] * (bounties + 1)
        pledged_sum = [0] * (bounties + 1)
        funders_of: list[set[str]] = [set() for _ in range(bounties + 1)]
        rows = []
        for n in range(pledges):
            bounty_id = rng.randint(1, bounties)
            funder = funders[rng.randrange(len(funders))]
            amount = rng.randint(1, 5_000) * 10**15
            per_bounty[bounty_id] += 1
            pledged_sum[bounty_id] += amount
            funders_of[bounty_id].add(funder)
            rows.append((CHAIN, ESCROW, 10 + n // 50, n % 50, "0x" + keccak(b"p%d" % n).hex(), bounty_id, funder, str(amount),
                         NOW + 30 * 86_400))
        db.executemany("INSERT INTO pledges (chain_id, escrow, block_number, log_index, tx_hash, bounty_id, funder,"
                       " amount, unlocks_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        claims, payouts, summaries = [], [], []
        for bounty_id in range(1, bounties + 1):
            awarded = bounty_id % 4 == 0
            block = 10 + pledges // 50 + bounty_id
            for claim_id in (1, 2):
                hunter = hunters[(bounty_id + claim_id) % len(hunters)]
                claims.append((CHAIN, ESCROW, bounty_id, claim_id, hunter, f"https://github.com/org{bounty_id % 97}/repo/pull/{claim_id}",
                               block, claim_id, "0x" + keccak(b"c%d-%d" % (bounty_id, claim_id)).hex()))
                if awarded:
                    payouts.append((CHAIN, ESCROW, block + 1, claim_id, "0x" + keccak(b"w%d-%d" % (bounty_id, claim_id)).hex(),
                                    bounty_id, claim_id, hunter, str(pledged_sum[bounty_id] // 2), 0))
            total = 0 if awarded else pledged_sum[bounty_id]
            summaries.append((
                CHAIN, ESCROW, bounty_id, "bounty", issuers[bounty_id % len(issuers)], issuers[(bounty_id + 1) % len(issuers)],
                USDC if bounty_id % 3 == 0 else ETH, f"https://github.com/org{bounty_id % 97}/repo{bounty_id % 13}"
                f"/issues/{bounty_id}", "github.com", f"org{bounty_id % 97}/repo{bounty_id % 13}",
                NOW + rng.randint(-10, 60) * 86_400, "awarded" if awarded else "open", str(total),
                str(pledged_sum[bounty_id]), "0", str(pledged_sum[bounty_id]) if awarded else "0", "0",
                str(pledged_sum[bounty_id]) if awarded else "0", "", "0", 0, "0", len(funders_of[bounty_id]), 2,
                0, 0, 0, "", 0, "none", 0, "[]", "[]", "0", 0, 0, "0", "", 0, block - 1, block + 1))
        db.executemany("INSERT INTO claims (chain_id, escrow, bounty_id, claim_id, hunter, uri, block_number,"
                       " log_index, tx_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", claims)
        db.executemany("INSERT INTO payouts (chain_id, escrow, block_number, log_index, tx_hash, bounty_id, claim_id,"
                       " hunter, amount, credited) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", payouts)
        marks = ", ".join("?" for _ in summaries[0])
        db.executemany(f"INSERT INTO bounties VALUES ({marks})", summaries)  # noqa: S608
        listing.store_all_json(db)  # the API's JSON of each, as the sync stores it
    db.execute("ANALYZE")
    db.close()
    return {"funders": funders, "bounties": bounties, "pledges": pledges, "claims": len(claims),
            "payouts": len(payouts)}


def copy_to_postgres(path: Path, url: str) -> None:
    """Every row of the SQLite index at `path` into a new index at `url` (COPY per table)."""
    source, target = store.open_index(path), store.open_index(url)
    with source.reading(), target.transaction():
        target.execute("DELETE FROM meta")
        for table in ("meta", "chains", "blocks", "tokens", *EVENT_TABLES, "bounties", "bounty_json"):
            rows = source.execute(f"SELECT * FROM {table}")  # noqa: S608 - the schema's names
            target.insert(table, [dict(zip(row.keys(), row)) for row in rows])
    # The planner's statistics and the visibility map, as autovacuum leaves a live index after
    # the sync's inserts: without statistics (before session 8) a page's claims took 20 to 40
    # ms; without the visibility map an index-only scan (the list's offset walk) reads every
    # row it skips. VACUUM runs outside a transaction.
    with target.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM (ANALYZE)")
    source.close()
    target.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mib(pid: int) -> float:
    """Resident memory of a process and its children (uvicorn's workers), in MiB."""
    total = 0.0
    pids = [pid] + [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for each in pids:
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        except FileNotFoundError:
            pass
    return round(total, 1)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a process and its children (uvicorn's workers):
    what the answers cost the server, which a loaded machine does not inflate as it does latency."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for each in [pid] + [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
        except FileNotFoundError:
            pass
    return total


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> int:
    """One keep-alive GET over raw HTTP/1.1; the status (the body is read by its Content-Length)."""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    return int(head.split(b" ", 2)[1])


async def run_route(port: int, name: str, path: Callable[[random.Random], str], clients: int, seconds: float,
                    max_requests: int, warmup: float = 0.0, server_pid: int | None = None) -> dict[str, Any]:
    """`clients` keep-alive connections, each from its own loopback address (the server caps
    connections per address), asking for `path(rng)`, one request at a time each, until
    `max_requests` in all or `seconds` have passed. A raw-socket client: an HTTP library's own
    cost would be measured along with the server's on this shared machine."""
    latencies: list[float] = []
    errors = 0
    budget = [max_requests]
    measured_from = time.monotonic() + warmup  # the same load before it, on the same connections, is not measured
    deadline = measured_from + seconds

    async def client(n: int) -> None:
        nonlocal errors
        rng = random.Random(n)
        reader, writer = await asyncio.open_connection(
            "127.0.0.1", port, local_addr=(f"127.0.{1 + n // 250}.{1 + n % 250}", 0))
        try:
            while budget[0] > 0 and time.monotonic() < deadline:
                measured = time.monotonic() >= measured_from
                budget[0] -= measured
                started = time.perf_counter()
                try:
                    if await asyncio.wait_for(_get(reader, writer, path(rng)), 60) != 200:
                        errors += 1
                except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError):
                    errors += 1
                    return
                if measured:
                    latencies.append(time.perf_counter() - started)
        finally:
            writer.close()

    cpu_from: list[float] = []

    async def server_cpu_at_start() -> None:  # the server's CPU counted from the end of the warm-up
        await asyncio.sleep(max(0.0, measured_from - time.monotonic()))
        cpu_from.append(cpu_seconds(server_pid) if server_pid else 0.0)

    await asyncio.gather(server_cpu_at_start(), *(client(n) for n in range(clients)))
    elapsed = time.monotonic() - measured_from
    server_cpu = cpu_seconds(server_pid) - cpu_from[0] if server_pid else 0.0
    latencies.sort()
    quantile = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else latencies * 99
    return {"route": name, "requests": len(latencies), "errors": errors, "seconds": round(elapsed, 2),
            "requests_per_s": round(len(latencies) / elapsed, 1), "p50_ms": round(quantile[49] * 1000, 1),
            "p99_ms": round(quantile[98] * 1000, 1), "max_ms": round(latencies[-1] * 1000, 1),
            "server_cpu_ms_per_request": round(server_cpu * 1000 / max(1, len(latencies)), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bounties", type=int, default=10_000)
    parser.add_argument("--pledges", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--postgres", nargs="?", const="", default=None, metavar="URL",
                        help="serve the index from PostgreSQL (a throwaway cluster when no URL is given)")
    parser.add_argument("--warmup", type=float, default=2.0,
                        help="seconds of each route's load before it is measured (0: none; measure a cold server)")
    parser.add_argument("--repeat", type=int, default=1, help="run the routes this many times over")
    parser.add_argument("--answer-cache-mb", type=int, default=0,
                        help="the server's cache of answers by ETag (default 0: off, every answer computed)")
    args = parser.parse_args()
    cluster = None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "index.sqlite3"
        started = time.monotonic()
        built = build_index(path, args.bounties, args.pledges)
        database = f"sqlite:///{path}"
        if args.postgres is not None:
            database = args.postgres
            if not database:
                from tests.postgres import PostgresCluster

                cluster = PostgresCluster()
                database = cluster.database()
            copy_to_postgres(path, database)
        print(f"index: {built['bounties']:,} bounties, {built['pledges']:,} pledges, {built['claims']:,} claims, "
              f"{built['payouts']:,} payouts, on {'PostgreSQL' if args.postgres is not None else 'SQLite'}"
              f" with {args.workers} worker(s), built in {time.monotonic() - started:.1f} s", flush=True)
        port = free_port()
        env = {**os.environ, "BOUNTYCHAIN_DB": database, "BOUNTYCHAIN_ANSWER_CACHE_MB": str(args.answer_cache_mb)}
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "bountychain.web:create_app", "--port", str(port),
             "--workers", str(args.workers), "--http", "bountychain.web.server:GuardedH11Protocol",
             "--no-access-log", "--log-level", "warning"], env=env)
        base = f"http://127.0.0.1:{port}"
        runs = []
        try:
            for _ in range(300):
                try:
                    if httpx.get(base + "/api/status", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            time.sleep(1 if args.workers > 1 else 0)  # every worker up, not just the first
            # Each request is drawn afresh, over every offset, bounty and funder, as real traffic
            # spreads (and the server's answer cache is off, unless --answer-cache-mb): the
            # figures are of answers computed, not replayed.
            routes = {
                "list (page of 50)": lambda rng: f"/api/bounties?limit={PAGE}&offset={rng.randrange(args.bounties)}",
                "list by amount": lambda rng: f"/api/bounties?limit={PAGE}&sort=amount"
                                              f"&offset={rng.randrange(args.bounties)}",
                "detail": lambda rng: f"/api/bounties/{rng.randint(1, args.bounties)}",
                "funder": lambda rng: f"/api/funders/{rng.choice(built['funders'])}",
                "status": lambda rng: "/api/status",
            }
            for run in range(args.repeat):
                memory = [("start", rss_mib(server.pid))]
                results = []
                load = os.getloadavg()[0]
                for name, path in routes.items():
                    result = asyncio.run(run_route(port, name, path, args.clients, args.seconds, args.max_requests,
                                                   args.warmup, server.pid))
                    result["rss_mib_after"] = rss_mib(server.pid)
                    result["load_average"] = round(os.getloadavg()[0], 1)
                    results.append(result)
                    print(f"{name:<18} {result['requests']:>6} requests {result['requests_per_s']:>7.1f}/s  "
                          f"p50 {result['p50_ms']:>6.1f} ms  p99 {result['p99_ms']:>6.1f} ms  max {result['max_ms']:>6.1f}"
                          f" ms  errors {result['errors']}  server CPU {result['server_cpu_ms_per_request']} ms/request"
                          f"  server RSS {result['rss_mib_after']} MiB  load {result['load_average']}", flush=True)
                # One client alone: the time of one answer with nobody queued (the old server's
                # floor was 44 ms, Nagle's algorithm waiting on the client's delayed ACK).
                result = asyncio.run(run_route(port, "status, 1 client", routes["status"], 1, 3, 2000))
                results.append(result)
                print(f"status, 1 client   p50 {result['p50_ms']} ms  p99 {result['p99_ms']} ms")
                memory.append(("end", rss_mib(server.pid)))
                print(f"run {run + 1}: server RSS " + ", ".join(f"{when} {mib} MiB" for when, mib in memory)
                      + f"; load average {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end", flush=True)
                runs.append({"routes": results, "memory_mib": dict(memory)})
        finally:
            server.terminate()
            server.wait(30)
            if cluster is not None:
                cluster.close()
        out = Path("build") / "api-load.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps({"index": {k: v for k, v in built.items() if k != "funders"},
                                   "database": database.split(":")[0], "clients": args.clients, "warmup_s": args.warmup,
                                   "workers": args.workers, "runs": runs}, indent=2))


if __name__ == "__main__":
    main()
