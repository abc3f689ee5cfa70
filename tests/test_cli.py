"""The `bountychain` command line, end to end: every command runs as a real subprocess
(`python -m bountychain.cli`) against a real anvil node started here, and what it did is
checked on the chain: balances to the wei (gas read from the receipts of the printed
transaction hashes), nonces that do not move when a command refuses, and outputs that never
show a private key. The QR codes behind `link` come from segno; a version-1 symbol is checked
against an independent encoder (python-qrcode 8.2)."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import requests
from eth_account import Account
from eth_account.signers.local import LocalAccount

from bountychain import ETH, AnvilNode, BountyClient, deploy_contract, qr, send_transaction
from bountychain import deployments as registry
from bountychain.devchain import find_anvil

pytestmark = pytest.mark.anvil

REPO = Path(__file__).resolve().parents[1]
ISSUE = "https://github.com/bountychain/toolkit/issues/42"
PR1 = "https://github.com/bountychain/toolkit/pull/43"
PR2 = "https://github.com/bountychain/toolkit/pull/44"
PASSWORD = "correct horse battery staple"
FEE_BPS = 100
DAY = 86_400
ETHER = 10**18
USDC = 10**6


@dataclass
class World:
    node: AnvilNode
    root: Path
    env: dict[str, str]
    escrow: BountyClient
    token: Any
    issuer: LocalAccount
    funder: LocalAccount  # also stored as the keystore "funder", imported through the CLI
    approver_address: str  # the keystore "approver", created through the CLI
    hunters: list[LocalAccount]
    treasury: LocalAccount
    secrets: list[str] = field(default_factory=list)  # private keys, lowercase hex without 0x

    def run(self, *args: str, key: LocalAccount | None = None, stdin: str | None = None,
            env: dict[str, str] | None = None, argv: list[str] | None = None) -> subprocess.CompletedProcess[str]:
        """Runs the command line; no output may ever show a private key or a traceback."""
        full_env = {**self.env, **(env or {})}
        if key is not None:
            full_env["BOUNTYCHAIN_PRIVATE_KEY"] = "0x" + bytes(key.key).hex()
        command = argv or [sys.executable, "-m", "bountychain.cli", *args]
        proc = subprocess.run(command, input=stdin if stdin is not None else "", capture_output=True, text=True,
                              env=full_env, cwd=self.root, timeout=180)
        output = (proc.stdout + proc.stderr).lower()
        for secret in self.secrets:
            assert secret not in output, f"{args}: the output shows a private key"
        assert "traceback" not in output, f"{args}: {proc.stderr}"
        return proc

    def ok(self, *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        proc = self.run(*args, **kwargs)
        assert proc.returncode == 0, f"{args} failed ({proc.returncode}): {proc.stderr}"
        return proc

    def json(self, *args: str, **kwargs: Any) -> dict[str, Any]:
        return json.loads(self.ok("--json", *args, **kwargs).stdout)

    def balance(self, address: str, token: str = ETH) -> int:
        return self.escrow.balance_of(address, token)

    def gas_cost(self, tx_hash: str) -> int:
        receipt = self.node.w3.eth.get_transaction_receipt(tx_hash)
        assert receipt["status"] == 1
        return receipt["gasUsed"] * receipt["effectiveGasPrice"]

    def nonce(self, address: str) -> int:
        return self.node.w3.eth.get_transaction_count(address)


def _fund(node: AnvilNode, address: str, wei: int = 10_000 * ETHER) -> None:
    node.w3.provider.make_request("anvil_setBalance", [address, hex(wei)])


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    node = AnvilNode()
    try:
        root = tmp_path_factory.mktemp("cli")
        issuer, treasury, funder = node.new_account(), node.new_account(), node.new_account()
        hunters = [node.new_account() for _ in range(2)]
        escrow = BountyClient.deploy(node, issuer, fee_recipient=treasury.address, fee_bps=FEE_BPS,
                                     poll_latency=0.01)
        assert escrow.deployment is not None
        registry.save(registry.record_for(node.chain_id, escrow.deployment, issuer.address), root / "deployments")
        token = deploy_contract(node.w3, issuer, "TestToken", "USD Coin", "USDC", 6)
        send_transaction(node.w3, issuer, token.functions.mint(funder.address, 1_000 * USDC))
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("BOUNTYCHAIN_", "APE_", "XDG_CONFIG_HOME"))}
        env.update({
            "BOUNTYCHAIN_RPC": node.url,
            "BOUNTYCHAIN_DEPLOYMENTS": str(root / "deployments"),
            "BOUNTYCHAIN_PASSWORD": PASSWORD,
            "BOUNTYCHAIN_ANVIL": find_anvil(),
            "XDG_CONFIG_HOME": str(root / "config"),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
            "PYTHONIOENCODING": "utf-8",
        })
        world = World(node, root, env, escrow, token, issuer, funder, "", hunters, treasury)
        world.secrets = [bytes(a.key).hex() for a in (issuer, treasury, funder, *hunters)]

        # The funder's key goes in through standard input, never an argument; the password from the env.
        imported = world.json("accounts", "import", "funder", stdin="0x" + bytes(funder.key).hex() + "\n")
        assert imported["address"] == funder.address
        assert Path(imported["keystore"]) == root / "config" / "bountychain" / "keystores" / "funder.json"
        keystore = json.loads(Path(imported["keystore"]).read_text())
        assert Account.decrypt(keystore, PASSWORD) == funder.key
        created = world.json("accounts", "new", "approver")
        world.approver_address = created["address"]
        world.secrets.append(bytes(Account.decrypt(json.loads(Path(created["keystore"]).read_text()),
                                                   PASSWORD)).hex())
        _fund(node, world.approver_address)
        yield world
    finally:
        node.close()


@pytest.fixture
def w(world: World):
    snapshot = world.node.snapshot()
    try:
        yield world
    finally:
        world.node.revert(snapshot)


# --- the bounty story ---------------------------------------------------------------------


def test_eth_bounty_pledged_submitted_and_split_moves_exactly_the_expected_wei(w: World) -> None:
    created = w.json("--yes", "create", ISSUE, "--deadline", "30d", "--approver", w.approver_address, key=w.issuer)
    bounty_id = created["bounty_id"]
    assert created["approver"] == w.approver_address and created["uri"] == ISSUE
    # "30d" counts from when the command ran; a loaded machine may take minutes to start it.
    assert abs(created["deadline"] - (w.node.now() + 30 * DAY)) < 600

    hunter1, hunter2 = w.hunters
    parties = {"funder": w.funder.address, "hunter1": hunter1.address, "hunter2": hunter2.address,
               "approver": w.approver_address, "escrow": w.escrow.address}
    before = {name: w.balance(address) for name, address in parties.items()}

    pledged = w.json("--account", "funder", "pledge", str(bounty_id), "0.5 ETH", "--yes")
    assert pledged["amount"] == ETHER // 2 and pledged["funder"] == w.funder.address
    claim1 = w.json("submit", str(bounty_id), PR1, "--yes", key=hunter1)
    claim2 = w.json("submit", str(bounty_id), PR2, "--yes", key=hunter2)
    assert (claim1["claim_id"], claim2["claim_id"]) == (1, 2)
    awarded = w.json("--yes", "--account", "approver", "award", str(bounty_id), "1=70%", "2=3000")

    pool, fee = ETHER // 2, ETHER // 2 * FEE_BPS // 10_000
    first = (pool - fee) * 7_000 // 10_000
    assert (awarded["pool"], awarded["fee"]) == (pool, fee)
    assert [(p["claim_id"], p["hunter"], p["amount"], p["credited"]) for p in awarded["payouts"]] == [
        (1, hunter1.address, first, False), (2, hunter2.address, pool - fee - first, False)]
    expected = {
        "funder": -pool - w.gas_cost(pledged["tx_hash"]),
        "hunter1": first - w.gas_cost(claim1["tx_hash"]),
        "hunter2": pool - fee - first - w.gas_cost(claim2["tx_hash"]),
        "approver": -w.gas_cost(awarded["tx_hash"]),
        "escrow": fee,  # accrued for the fee recipient, who withdraws it with `withdraw-fees`
    }
    assert {name: w.balance(address) - before[name] for name, address in parties.items()} == expected
    assert (w.escrow.fees_accrued(), w.escrow.credit_of(w.treasury.address)) == (fee, 0)  # fees are not credits

    shown = w.json("show", str(bounty_id))
    assert (shown["status"], shown["issue"], shown["issuer"], shown["approver"]) == (
        "awarded", ISSUE, w.issuer.address, w.approver_address)
    assert (shown["symbol"], shown["total"], shown["expired"]) == ("ETH", 0, False)
    assert [(p["funder"], p["pledged"], p["state"]) for p in shown["pledges"]] == [(w.funder.address, pool, "awarded")]
    assert [(c["claim_id"], c["hunter"], c["uri"]) for c in shown["claims"]] == [
        (1, hunter1.address, PR1), (2, hunter2.address, PR2)]
    assert [p["amount"] for p in shown["payouts"]] == [first, pool - fee - first]

    text = w.ok("show", str(bounty_id)).stdout
    for needle in (ISSUE, PR1, PR2, w.issuer.address, w.approver_address, w.funder.address, "awarded", "0.5 ETH"):
        assert needle in text
    assert re.search(r"deadline\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(no longer matters: awarded\)", text)
    assert re.search(rf"paid\s+{pool / ETHER:g} ETH to the winners", text), text  # not "total 0 ETH"
    assert shown["paid"] == pool

    listed = w.json("list", "--issue", ISSUE)["bounties"]
    assert [(b["bounty_id"], b["status"], b["issue"]) for b in listed] == [(bounty_id, "awarded", ISSUE)]
    table = w.ok("list", "--repo", "BountyChain/Toolkit", "--status", "awarded").stdout
    assert ISSUE in table and "awarded" in table


def test_token_bounty_pledge_of_25_usdc_approves_exactly_then_pledges(w: World) -> None:
    deadline = datetime.fromtimestamp(w.node.now() + 10 * DAY, timezone.utc).isoformat()  # +00:00
    created = w.json("--yes", "create", ISSUE, "--token", w.token.address, "--deadline", deadline, key=w.issuer)
    bounty_id = created["bounty_id"]
    assert created["token"] == w.token.address and created["symbol"] == "USDC"
    eth_before = w.balance(w.funder.address)
    usdc_before = {a: w.balance(a, w.token.address) for a in (w.funder.address, w.escrow.address)}

    pledged = w.json("--yes", "--account", "funder", "pledge", str(bounty_id), "25 USDC")
    assert pledged["amount"] == 25 * USDC and pledged["approval"] is not None
    assert w.balance(w.funder.address, w.token.address) == usdc_before[w.funder.address] - 25 * USDC
    assert w.balance(w.escrow.address, w.token.address) == usdc_before[w.escrow.address] + 25 * USDC
    assert w.balance(w.funder.address) == eth_before - w.gas_cost(pledged["approval"]["tx_hash"]) - w.gas_cost(
        pledged["tx_hash"])
    assert w.token.functions.allowance(w.funder.address, w.escrow.address).call() == 0

    link = w.ok("link", str(bounty_id), "2.5 USDC").stdout
    assert f"ethereum:{w.token.address}@31337/approve?address={w.escrow.address}&uint256=2500000" in link
    deadline = w.escrow.bounty(bounty_id).deadline  # pledge(bountyId, amount, maxUnlocksAt)
    assert f"ethereum:{w.escrow.address}@31337/pledge?uint256={bounty_id}&uint256=2500000&uint64={deadline}\n" in link
    assert "approve" in link and "then call pledge" in link


def test_link_prints_the_eip681_uri_and_its_qr_code(w: World) -> None:
    bounty_id = w.escrow.create_bounty(ISSUE, w.node.now() + 5 * DAY).bounty_id
    deadline = w.escrow.bounty(bounty_id).deadline  # pledge(bountyId, amount, maxUnlocksAt)
    uri = (f"ethereum:{w.escrow.address}@31337/pledge?uint256={bounty_id}"
           f"&uint256=50000000000000000&uint64={deadline}&value=50000000000000000")
    out = w.ok("link", str(bounty_id), "0.05 ETH").stdout.splitlines()
    assert uri in out
    qr_lines = [line.rstrip() for line in qr.to_text(qr.encode(uri))]
    start = out.index(uri) + 1
    assert [line.rstrip() for line in out[start:start + len(qr_lines)]] == qr_lines
    assert w.json("link", str(bounty_id), "0.05 ether")["uri"] == uri
    svg = w.root / "pledge.svg"
    assert w.json("link", str(bounty_id), "5e-2 ETH", "--svg", str(svg))["svg"] == str(svg)
    assert svg.read_text() == qr.to_svg(uri)


def test_a_pledge_is_locked_at_most_until_the_deadline_it_showed(w: World) -> None:
    deadline = w.node.now() + 5 * DAY
    bounty_id = w.escrow.create_bounty(ISSUE, deadline).bounty_id
    shown = datetime.fromtimestamp(deadline, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    text = " ".join(w.ok("--yes", "pledge", str(bounty_id), "0.5 ETH", key=w.funder).stdout.split())
    assert f"locked until {shown} (the bounty's deadline; refused, not locked longer, if the deadline moves " \
           "later before the pledge is mined)" in text
    assert f"Pledged 0.5 ETH to bounty {bounty_id}" in text
    pledged = w.json("--yes", "pledge", str(bounty_id), "0.25 ETH", key=w.funder)
    assert (pledged["max_unlocks_at"], pledged["unlocks_at"], pledged["locked_until_utc"]) == (deadline, deadline, shown)
    assert w.escrow.pledge_of(bounty_id, w.funder.address).unlocks_at == deadline


def test_refund_takes_part_of_a_pledge_to_another_address(w: World) -> None:
    deadline = w.node.now() + 2 * DAY
    bounty_id = w.escrow.create_bounty(ISSUE, deadline).bounty_id
    w.escrow.as_signer(w.funder).pledge(bounty_id, ETHER)
    payee = w.node.new_account()
    w.node.set_next_block_timestamp(deadline + 1)
    before = w.balance(payee.address)
    text = " ".join(w.ok("--yes", "refund", str(bounty_id), "--amount", "0.25 ETH", "--to", payee.address,
                         key=w.funder).stdout.split())
    assert f"Refunded 0.25 ETH from bounty {bounty_id} to {payee.address}" in text
    assert "still pledged 0.75 ETH" in text
    assert "(part: 0.75 ETH stays pledged)" in text
    assert w.balance(payee.address) - before == ETHER // 4
    assert w.escrow.pledge_of(bounty_id, w.funder.address).amount == 3 * ETHER // 4

    too_much = w.run("--yes", "refund", str(bounty_id), "--amount", "2 ETH", key=w.funder)
    assert too_much.returncode == 1 and "2 ETH is more than your pledge, 0.75 ETH" in " ".join(too_much.stderr.split())
    rest = w.json("--yes", "refund", str(bounty_id), key=w.funder)
    assert (rest["amount"], rest["to"], rest["still_pledged"]) == (3 * ETHER // 4, w.funder.address, 0)


def test_the_fee_recipient_withdraws_fees_in_part_to_another_address(w: World) -> None:
    bounty_id = w.escrow.create_bounty(ISSUE, w.node.now() + 5 * DAY).bounty_id
    w.escrow.as_signer(w.funder).pledge(bounty_id, ETHER)
    claim = w.escrow.as_signer(w.hunters[0]).submit_solution(bounty_id, PR1).claim_id
    w.escrow.award(bounty_id, {claim: 10_000})
    fee = ETHER * FEE_BPS // 10_000  # 0.01 ETH
    assert w.escrow.fees_accrued() == fee

    not_recipient = w.run("--yes", "withdraw-fees", key=w.funder)
    assert not_recipient.returncode == 1
    assert f"{w.funder.address} is not the fee recipient ({w.treasury.address})" in not_recipient.stderr
    no_credit = w.run("--yes", "withdraw", key=w.treasury)
    assert no_credit.returncode == 1 and "fees are not credits: the fee recipient uses `withdraw-fees`" in \
        " ".join(no_credit.stderr.split())

    payee = w.node.new_account()
    before = w.balance(payee.address)
    text = " ".join(w.ok("--yes", "withdraw-fees", "--amount", "0.004 ETH", "--to", payee.address,
                         key=w.treasury).stdout.split())
    assert f"Withdrew 0.004 ETH of fees to {payee.address}" in text and "fees left 0.006 ETH" in text
    assert w.balance(payee.address) - before == 4 * ETHER // 1_000
    rest = w.json("--yes", "withdraw-fees", key=w.treasury)
    assert (rest["amount"], rest["to"]) == (6 * ETHER // 1_000, w.treasury.address)
    assert w.escrow.fees_accrued() == 0
    empty = w.run("--yes", "withdraw-fees", key=w.treasury)
    assert empty.returncode == 1 and "no ETH fees have accrued" in empty.stderr


def test_a_credited_winner_withdraws_part_of_its_credit_to_another_address(w: World) -> None:
    """A token that blocklists the winner makes the award credit it; once unblocked, it pulls."""
    artifact = json.loads((REPO / "tests" / "artifacts" / "BlocklistToken.json").read_text())
    token = deploy_contract(w.node.w3, w.issuer, "BlocklistToken", abi=artifact["abi"], bytecode=artifact["bytecode"])
    send_transaction(w.node.w3, w.issuer, token.functions.mint(w.funder.address, 100 * USDC))
    bounty_id = w.escrow.create_bounty(ISSUE, w.node.now() + 5 * DAY, token=token.address).bounty_id
    w.escrow.as_signer(w.funder).pledge(bounty_id, 100 * USDC)
    hunter = w.hunters[1]
    claim = w.escrow.as_signer(hunter).submit_solution(bounty_id, PR2).claim_id
    send_transaction(w.node.w3, w.issuer, token.functions.blocklist(hunter.address))
    assert w.escrow.award(bounty_id, {claim: 10_000}).payouts[0].credited
    send_transaction(w.node.w3, w.issuer, token.functions.unblocklist(hunter.address))
    assert w.escrow.credit_of(hunter.address, token.address) == 99 * USDC

    payee = w.node.new_account()
    text = " ".join(w.ok("--yes", "withdraw", "--token", token.address, "--amount", "40 BUSD", "--to", payee.address,
                         key=hunter).stdout.split())
    assert f"Withdrew 40 BUSD to {payee.address}" in text and "credit left 59 BUSD" in text
    assert token.functions.balanceOf(payee.address).call() == 40 * USDC
    too_much = w.run("--yes", "withdraw", "--token", token.address, "--amount", "60 BUSD", key=hunter)
    assert too_much.returncode == 1 and "60 BUSD is more than your credit, 59 BUSD" in " ".join(too_much.stderr.split())
    rest = w.json("--yes", "withdraw", "--token", token.address, key=hunter)
    assert (rest["amount"], rest["to"]) == (59 * USDC, hunter.address)
    assert token.functions.balanceOf(hunter.address).call() == 59 * USDC
    # With nothing left, what was typed wrong is still named first.
    for args, words in [(("--to", "0xabc"), "--to"), (("--amount", "-1 BUSD"), "is negative"),
                        ((), "has no BUSD credit to withdraw")]:
        refused = w.run("--yes", "withdraw", "--token", token.address, *args, key=hunter)
        assert refused.returncode == 1 and words in refused.stderr, (args, refused.stderr)


# --- refusals: clear, one line, exit 1, nothing sent ----------------------------------------


def test_every_bad_input_is_refused_in_one_line_and_sends_nothing(w: World) -> None:
    eth_bounty = w.escrow.create_bounty(ISSUE, w.node.now() + 5 * DAY).bounty_id
    token_bounty = w.escrow.create_bounty(ISSUE, w.node.now() + 5 * DAY, token=w.token.address).bounty_id
    w.escrow.as_signer(w.funder).pledge(eth_bounty, ETHER)
    e, t = str(eth_bounty), str(token_bounty)
    no_rpc_config = w.root / "empty-config"
    hide_ape = ["-c", "import sys; sys.modules['ape'] = None; from bountychain.cli import main; main()"]
    cases: list[tuple[str, dict[str, Any], str, int]] = [
        ("unknown bounty", dict(args=("pledge", "999", "1 ETH")), "bounty 999 does not exist", 1),
        ("malformed address", dict(args=("create", ISSUE, "--deadline", "30d", "--approver", "0x12345")),
         "is not a 20-byte hex address", 1),
        ("too many decimals", dict(args=("pledge", t, "0.0000001 USDC")), "more than 6 decimal places", 1),
        ("bare number", dict(args=("pledge", e, "0.5")), "has no unit: write e.g. '0.5 ETH'", 1),
        ("wrong unit", dict(args=("pledge", t, "1 ETH")), "does not match 'USDC'", 1),
        ("wrong chain", dict(args=("--chain-id", "1", "pledge", e, "1 ETH")), "expected chain 1", 1),
        ("too little ETH", dict(args=("pledge", e, "20000 ETH")), "less than the 20000 ETH to pledge", 1),
        ("too little USDC", dict(args=("pledge", t, "5000 USDC")), "holds 1000 USDC, less than the 5000 USDC", 1),
        ("deadline in the past", dict(args=("create", ISSUE, "--deadline", "2020-01-01T00:00:00Z")),
         "is in the past", 1),
        ("refund before the lock", dict(args=("refund", e)), f"pledge on bounty {e} is locked until", 1),
        ("shares not whole", dict(args=("award", e, "1=70%", "2=20%")), "not 100%", 1),
        ("not confirmed", dict(args=("pledge", e, "1 ETH"), yes=False, stdin="n\n"), "not confirmed", 1),
        ("usage", dict(args=("pledge", e)), "Missing argument 'AMOUNT'", 2),
        ("no RPC", dict(args=("show", e), env={"BOUNTYCHAIN_RPC": "", "XDG_CONFIG_HOME": str(no_rpc_config)}),
         "no RPC URL", 1),
        ("ape missing", dict(args=("--ape-account", "alice", "pledge", e, "1 ETH"), argv=hide_ape),
         "needs the `ape` package (eth-ape), which is not installed", 1),
        ("bad key", dict(args=("pledge", e, "1 ETH"), key=None,
                         env={"BOUNTYCHAIN_PRIVATE_KEY": "0x" + bytes(w.funder.key).hex()[:-2] + "zz"}),
         "BOUNTYCHAIN_PRIVATE_KEY is not a valid", 1),
    ]
    accounts = [w.funder.address, w.issuer.address, w.approver_address]
    nonces, block = [w.nonce(a) for a in accounts], w.node.w3.eth.block_number

    def attempt(case: tuple[str, dict[str, Any], str, int]) -> tuple[str, subprocess.CompletedProcess[str]]:
        name, spec, _, _ = case
        args = spec["args"] if not spec.get("yes", True) else ("--yes", *spec["args"])
        key = spec["key"] if "key" in spec else (w.issuer if "create" in args else w.funder)
        argv = [sys.executable, *spec["argv"], *args] if "argv" in spec else None
        return name, w.run(*args, key=key, stdin=spec.get("stdin"), env=spec.get("env"), argv=argv)

    with ThreadPoolExecutor(max_workers=3) as pool:
        results = dict(pool.map(attempt, cases))
    for name, _, message, code in cases:
        proc = results[name]
        assert proc.returncode == code, f"{name}: exit {proc.returncode}: {proc.stderr}"
        assert message in " ".join(proc.stderr.split()), f"{name}: {proc.stderr}"
        if code == 1:
            assert len(proc.stderr.strip().splitlines()) == 1 and proc.stderr.startswith("error: "), proc.stderr
    assert [w.nonce(a) for a in accounts] == nonces
    assert w.node.w3.eth.block_number == block  # not one transaction was mined

    assert bytes(w.funder.key).hex()[:-2] not in (results["bad key"].stdout + results["bad key"].stderr).lower()
    json_refusal = w.run("--json", "--yes", "refund", e, key=w.funder)
    assert json_refusal.returncode == 1
    assert json.loads(json_refusal.stdout)["error_type"] == "PledgeLocked"


def test_a_wrong_keystore_password_is_refused_without_showing_the_keystore(w: World) -> None:
    proc = w.run("--account", "funder", "--yes", "pledge", "1", "1 ETH", env={"BOUNTYCHAIN_PASSWORD": "wrong"})
    assert proc.returncode == 1 and "wrong password for keystore" in proc.stderr
    assert '"ciphertext"' not in proc.stderr


# --- accounts, configuration, other signers, the dev node ---------------------------------


def test_accounts_list_shows_names_and_addresses(w: World) -> None:
    listed = {a["name"]: a["address"] for a in w.json("accounts", "list")["accounts"]}
    assert listed == {"funder": w.funder.address, "approver": w.approver_address}
    table = w.ok("accounts", "list").stdout
    assert "funder" in table and w.funder.address in table


def test_the_rpc_url_can_come_from_the_config_file(w: World) -> None:
    config = w.root / "other-config"
    (config / "bountychain").mkdir(parents=True, exist_ok=True)
    (config / "bountychain" / "config.toml").write_text(f'rpc = "{w.node.url}"\n')
    listed = w.json("list", env={"BOUNTYCHAIN_RPC": "", "XDG_CONFIG_HOME": str(config)})
    assert listed["chain_id"] == 31337 and listed["escrow"] == w.escrow.address


def test_an_ape_account_signs_a_pledge(w: World) -> None:
    pytest.importorskip("ape")
    ape_home = w.root / "ape"
    account = Account.create()
    w.secrets.append(bytes(account.key).hex())
    (ape_home / "accounts").mkdir(parents=True, exist_ok=True)
    (ape_home / "accounts" / "tester.json").write_text(json.dumps(Account.encrypt(account.key, "pw")))
    _fund(w.node, account.address)
    bounty_id = w.escrow.create_bounty(ISSUE, w.node.now() + 5 * DAY).bounty_id
    pledged = w.json("--yes", "--ape-account", "tester", "pledge", str(bounty_id), "0.25 ETH",
                     env={"APE_DATA_FOLDER": str(ape_home), "APE_ACCOUNTS_tester_PASSPHRASE": "pw"})
    assert (pledged["funder"], pledged["amount"]) == (account.address, ETHER // 4)
    assert w.escrow.pledge_of(bounty_id, account.address).amount == ETHER // 4


def test_node_starts_a_chain_with_a_recorded_escrow_and_stops_on_ctrl_c(w: World) -> None:
    from bountychain.create2 import canonical_escrow

    registry_dir = w.root / "node-registry"
    process = subprocess.Popen([sys.executable, "-m", "bountychain.cli", "--json", "--deployments", str(registry_dir),
                                "node"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=w.env,
                               cwd=w.root)
    try:
        assert process.stdout is not None
        started = json.loads(process.stdout.readline())
        record = json.loads((registry_dir / "31337.json").read_text())
        assert record["address"] == started["escrow"] and started["chain_id"] == 31337
        # Deployed through the CREATE2 proxy: the address a fee-free escrow has on every chain.
        assert started["escrow"] == canonical_escrow() and started["deterministic"] is True
        client = BountyClient.connect(started["rpc"], deployments=str(registry_dir))
        assert client.fee() == (ETH, 0)
        assert client.balance_of(started["address"]) > 1_000 * ETHER
        assert Account.from_key(started["private_key"]).address == started["address"]
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    with pytest.raises(Exception):
        BountyClient.connect(started["rpc"], deployments=str(registry_dir))


def test_serve_answers_the_api_and_the_page_and_stops_on_sigterm(w: World) -> None:
    """`bountychain serve`: syncs, serves the page and the API on uvicorn (CORS only for the
    origin the operator named) and ends cleanly on SIGTERM."""
    bounty_id = w.escrow.create_bounty(ISSUE, w.node.now() + 30 * DAY).bounty_id
    process = subprocess.Popen([sys.executable, "-m", "bountychain.cli", "--json", "serve", "--port", "0",
                                "--db", str(w.root / "serve-index.sqlite3"), "--cors-origin", "https://board.example"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=w.env, cwd=w.root)
    try:
        assert process.stdout is not None
        started = json.loads(process.stdout.readline())
        url = started["url"]
        listed = requests.get(url + "api/bounties", params={"repo": "bountychain/toolkit"}, timeout=10,
                              headers={"Origin": "https://board.example"})
        assert [b["bounty_id"] for b in listed.json()["bounties"]] == [bounty_id]
        assert listed.headers["Access-Control-Allow-Origin"] == "https://board.example"
        assert "default-src 'self'" in requests.get(url, timeout=10).headers["Content-Security-Policy"]
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert "traceback" not in stderr.lower()



def test_serve_and_node_say_in_words_when_their_port_is_taken_or_their_host_is_not_this_machine(w: World) -> None:
    """A port in use, a host that is not this machine's: one line that says which and what to
    do, exit status 1, no Python error name. `node` finds the port taken before starting anvil
    (which would otherwise talk to whatever answers there)."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = str(taken.getsockname()[1])
        index = str(w.root / "serve-ports.sqlite3")
        busy = w.run("serve", "--port", port, "--db", index)
        assert busy.returncode == 1
        assert busy.stderr.strip() == (f"error: cannot listen on 127.0.0.1:{port}: the port is in use (another "
                                       "server?); choose another --port, or 0 for a free one")
        node = w.run("--deployments", str(w.root / "ports-registry"), "node", "--port", port)
        assert node.returncode == 1
        assert node.stderr.strip() == (f"error: port {port} on 127.0.0.1 is already in use (another node?): give "
                                       "another port, or none for a free one")
    elsewhere = w.run("serve", "--port", "0", "--host", "192.0.2.1", "--db", index)
    assert elsewhere.returncode == 1 and elsewhere.stderr.strip() == (
        "error: cannot listen on 192.0.2.1:0: 192.0.2.1 is not an address of this machine (127.0.0.1 for this "
        "machine only, 0.0.0.0 for every network)")
    for proc in (busy, node, elsewhere):
        assert "Error:" not in proc.stderr and "Errno" not in proc.stderr

# --- QR codes (segno) ------------------------------------------------------------------

# python-qrcode 8.2 (an independent encoder), byte mode, level L, version 1, mask 5.
QR_V1_MASK5 = [
    "#######..###..#######",
    "#.....#..####.#.....#",
    "#.###.#.......#.###.#",
    "#.###.#.#..#..#.###.#",
    "#.###.#.###...#.###.#",
    "#.....#.....#.#.....#",
    "#######.#.#.#.#######",
    "...........##........",
    "##...###.#......##...",
    "##.##..#####.#...###.",
    "...####..#.#####..##.",
    "#####.....#.##.####..",
    "..###.#...#.##.....#.",
    "........##.#....###.#",
    "#######.#..##.##..##.",
    "#.....#.#.#..##..####",
    "#.###.#...##..####...",
    "#.###.#..##..####.##.",
    "#.###.#..#..#..######",
    "#.....#.#..###.####..",
    "#######.########.#.#.",
]


def test_qr_symbols_agree_with_an_independent_encoder_and_fit_a_terminal() -> None:
    assert ["".join("#" if m else "." for m in row) for row in qr.encode(b"https://bounty.ch", mask=5)] == QR_V1_MASK5
    # The smallest version that holds the data at level L: 17 bytes fit version 1, 271 version 10.
    assert len(qr.encode(b"x" * 17)) == 21 and len(qr.encode(b"x" * 18)) == 25 and len(qr.encode(b"x" * 271)) == 57
    with pytest.raises(qr.QRCapacityError):
        qr.encode(b"x" * 272)
    lines = qr.to_text(qr.encode("ethereum:0x0"))
    assert len(lines) == (21 + 8 + 1) // 2 and {len(line) for line in lines} == {29}
    # Two module rows per line (upper half, lower half, both): after a 4-module quiet zone, the
    # finder's dark top row over its hollow second row.
    assert lines[:2] == [" " * 29] * 2 and lines[2].startswith(" " * 4 + "\u2588" + "\u2580" * 5 + "\u2588 ")


def test_qr_svg_holds_the_same_symbol() -> None:
    svg = qr.to_svg("ethereum:0x0", scale=1)
    assert svg.startswith("<?xml") and "<svg" in svg and 'width="29"' in svg and 'height="29"' in svg
