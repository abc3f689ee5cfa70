"""The command line against hostile chain data and a hostile working directory (issue 18),
end to end as subprocesses against a real anvil node (the set-up of tests/test_cli.py):

- finding 1: a bounty and a solution whose URIs are invalid UTF-8 (sent as raw calldata)
  still `show`, `list --source chain` and `award`, with U+FFFD where the bytes were invalid;
- finding 2: a `./deployments` folder in the working directory that names an attacker's
  escrow is not read; an escrow whose runtime code is not the artifact's (a token, a
  BountyEscrow runtime with a forged review address or fee written into its immutables) is
  refused; an escrow with the right code on a public chain is refused unless
  --allow-unofficial-escrow, which warns; a dev chain's escrow needs no flag;
- finding 4: rich markup, OSC 52 clipboard writes, cursor moves and window titles in a URI
  and in a token's symbol are printed as inert text by `list` and `show`, on a terminal;
- finding 7: a token whose symbol is "ETH" never parses "1 ETH" and always shows its address;
- finding 9: the keystores the CLI created are 0600 in a 0700 folder.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import rlp
from eth_abi import encode
from eth_utils import keccak, to_checksum_address

from bountychain import ETH, AnvilNode, BountyClient, deploy_contract
from bountychain import deployments as registry
from bountychain._artifacts import load_artifact
from tests.test_cli import DAY, ETHER, ISSUE, World, w, world  # noqa: F401 (fixtures)

pytestmark = pytest.mark.anvil

REPLACEMENT = "\ufffd"
BAD_ISSUE = b"https://github.com/hostile/repo/issues/9\xff\xfe"
BAD_PR = b"https://github.com/hostile/repo/pull/10\xc3("
OSC52 = "\x1b]52;c;cm0gLXJmIH4K\x07"  # writes "rm -rf ~" to the clipboard
REWRITE = "\x1b[1A\x1b[2K"  # cursor up, erase the line: rewrites what was shown
TITLE = "\x1b]0;pwned\x07"
MARKUP = "[/] [link=https://evil.example]x[/link]"
HOSTILE_URI = f"https://github.com/org/repo/issues/5 {MARKUP} {OSC52}{REWRITE}{TITLE}"
HOSTILE_SYMBOL = f"U[/]{OSC52}\x1b[2J"
# What a terminal must never receive from a chain string (rich's own styles, e.g. ESC[1m, may pass).
TERMINAL_COMMANDS = ("\x1b]52", "\x1b[1A", "\x1b[2K", "\x1b]0;", "\x1b[2J", "\x1b]8;", "\x07")


def raw_create(w: World, uri: bytes, token: str = ETH) -> int:
    """createBounty with calldata built here: a string is encoded as bytes, unchecked."""
    call(w, w.issuer, w.escrow.address, "createBounty(address,uint64,address,string)",
         ["address", "uint64", "address", "bytes"], [token, w.node.now() + 30 * DAY, w.issuer.address, uri])
    return w.escrow.bounty_count()


def call(w: World, signer, to: str, signature: str, types: list[str], args: list) -> None:
    data = keccak(text=signature)[:4] + encode(types, args)
    tx = {"to": to, "data": data, "value": 0, "gas": 1_000_000, "chainId": w.node.chain_id,
          "nonce": w.node.w3.eth.get_transaction_count(signer.address), "maxPriorityFeePerGas": 10**9,
          "maxFeePerGas": 2 * int(w.node.w3.eth.get_block("latest")["baseFeePerGas"]) + 10**9}
    tx_hash = w.node.w3.eth.send_raw_transaction(signer.sign_transaction(tx).raw_transaction)
    assert w.node.w3.eth.wait_for_transaction_receipt(tx_hash)["status"] == 1


def on_terminal(w: World, *args: str) -> str:
    """What a terminal would receive: rich forced into terminal mode (styles, hyperlinks)."""
    proc = w.ok(*args, env={"FORCE_COLOR": "1", "TTY_COMPATIBLE": "1", "COLUMNS": "400"})
    assert "\x1b[1m" in proc.stdout  # rich's own styles: it did write for a terminal
    return proc.stdout + proc.stderr


# --- finding 1: invalid UTF-8 ------------------------------------------------------------


def test_invalid_utf8_uris_show_list_and_award_with_the_replacement_character(w: World) -> None:
    bounty_id = raw_create(w, BAD_ISSUE)
    w.escrow.as_signer(w.funder).pledge(bounty_id, ETHER)
    hunter = w.hunters[0]
    call(w, hunter, w.escrow.address, "submitSolution(uint256,string)", ["uint256", "bytes"], [bounty_id, BAD_PR])
    shown_issue = BAD_ISSUE.decode("utf-8", "replace")
    shown_pr = BAD_PR.decode("utf-8", "replace")
    assert REPLACEMENT in shown_issue and REPLACEMENT in shown_pr

    shown = w.json("show", str(bounty_id))
    assert shown["issue"] == shown_issue and [c["uri"] for c in shown["claims"]] == [shown_pr]
    assert shown_issue in w.ok("show", str(bounty_id)).stdout
    listed = w.json("list", "--source", "chain")["bounties"]
    assert [b["issue"] for b in listed if b["bounty_id"] == bounty_id] == [shown_issue]
    assert [b["bounty_id"] for b in w.json("list", "--source", "chain", "--repo", "hostile/repo")["bounties"]] == [
        bounty_id]

    before = w.balance(hunter.address)
    awarded = w.json("--yes", "award", str(bounty_id), "1=100%", key=w.issuer)
    assert w.balance(hunter.address) - before == awarded["payouts"][0]["amount"] == ETHER - awarded["fee"]


# --- finding 4: terminal injection -----------------------------------------------------------


def test_markup_and_escape_sequences_in_chain_strings_print_as_inert_text(w: World) -> None:
    token = deploy_contract(w.node.w3, w.issuer, "TestToken", f"Evil {MARKUP}{TITLE}", HOSTILE_SYMBOL, 6)
    eth_bounty = raw_create(w, HOSTILE_URI.encode())
    token_bounty = raw_create(w, HOSTILE_URI.encode(), token.address)

    for args in (("list", "--source", "chain"), ("show", str(eth_bounty)), ("show", str(token_bounty))):
        text = on_terminal(w, *args)
        for command in TERMINAL_COMMANDS:
            assert command not in text, f"{args}: {command!r} reached the terminal"
        assert MARKUP in text  # shown as the text it is, not a hyperlink, not a crash
        assert "\\x1b]52;c;cm0gLXJmIH4K\\x07" in text  # the escape, visible
    assert "U[/]\\x1b]52" in on_terminal(w, "show", str(token_bounty))  # the symbol, inert
    # JSON keeps the chain's exact strings, escaped as JSON escapes them.
    shown = w.json("show", str(token_bounty))
    assert shown["issue"] == HOSTILE_URI and shown["symbol"] == HOSTILE_SYMBOL


def test_an_error_message_carrying_a_chain_string_is_inert_too(w: World) -> None:
    token = deploy_contract(w.node.w3, w.issuer, "TestToken", "Evil", HOSTILE_SYMBOL, 6)
    bounty_id = raw_create(w, b"https://github.com/org/repo/issues/6", token.address)
    proc = w.run("--yes", "--account", "funder", "pledge", str(bounty_id), "1 USDC",
                 env={"FORCE_COLOR": "1", "TTY_COMPATIBLE": "1"})
    assert proc.returncode == 1 and "does not match" in proc.stderr
    for command in TERMINAL_COMMANDS:
        assert command not in proc.stderr


# --- finding 7: a token called ETH -----------------------------------------------------------


def test_a_token_called_eth_never_parses_or_shows_as_ether(w: World) -> None:
    fake = deploy_contract(w.node.w3, w.issuer, "TestToken", "Ether", "ETH", 6)
    fake_bounty = raw_create(w, b"https://github.com/org/repo/issues/7", fake.address)
    real_bounty = raw_create(w, b"https://github.com/org/repo/issues/8")
    usdc_bounty = raw_create(w, b"https://github.com/org/repo/issues/11", w.token.address)
    nonce = w.nonce(w.funder.address)
    refused = w.run("--yes", "--account", "funder", "pledge", str(fake_bounty), "1 ETH")
    assert refused.returncode == 1
    assert f"the token {fake.address} calls itself 'ETH' but is not ether" in refused.stderr
    assert w.nonce(w.funder.address) == nonce  # nothing was sent

    rows = {b["bounty_id"]: b["total_text"] for b in w.json("list", "--source", "chain")["bounties"]}
    assert rows[real_bounty] == "0 ETH"
    assert rows[fake_bounty] == f"0 ETH (token {fake.address}, not ether)"
    assert rows[usdc_bounty] == f"0 USDC ({w.token.address[:6]}…{w.token.address[-4:]})"
    assert f"token {fake.address}, not ether" in w.ok("show", str(fake_bounty)).stdout


# --- finding 2: which escrow ---------------------------------------------------------------


def test_a_deployments_folder_in_the_working_directory_does_not_redirect_a_pledge(w: World, tmp_path: Path) -> None:
    attacker = w.hunters[1]
    lookalike = BountyClient.deploy(w.node, attacker, poll_latency=0.01)  # genuine code, the attacker's instance
    bait = lookalike.create_bounty(ISSUE, w.node.now() + 10 * DAY).bounty_id
    clone = tmp_path / "cloned-repo"
    registry.save(registry.record_for(w.node.chain_id, lookalike.deployment, attacker.address), clone / "deployments")
    nonce = w.nonce(w.funder.address)
    proc = _run_in(w, clone, "--yes", "--account", "funder", "pledge", str(bait), "5 ETH")
    assert proc.returncode == 1
    assert "deployments/31337.json in the current directory is read only when named" in proc.stderr
    assert w.nonce(w.funder.address) == nonce and lookalike.bounty(bait).total == 0
    # Named explicitly, a dev chain's escrow with the right code is used, quietly.
    named = _run_in(w, clone, "--deployments", "deployments", "show", str(bait))
    assert named.returncode == 0 and "WARNING" not in named.stderr and lookalike.address in named.stdout


def _run_in(w: World, directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The command line in `directory`, with no registry named (no $BOUNTYCHAIN_DEPLOYMENTS)."""
    env = {key: value for key, value in w.env.items() if key != "BOUNTYCHAIN_DEPLOYMENTS"}
    return subprocess.run([sys.executable, "-m", "bountychain.cli", *args], capture_output=True, text=True, env=env,
                          cwd=directory, timeout=180)


def forged_escrow(w: World, genuine: str, *, review: str | None = None, fee_bps: int | None = None,
                  one_place_only: bool = False):
    """A BountyEscrow runtime copied from `genuine`, its review address or fee rewritten in
    the immutables (all of their places, or only the first), deployed as is: init code that
    returns it, no constructor ran. Its domain separator is rewritten for its own address, as
    a careful forger would."""
    code = bytearray(w.node.w3.eth.get_code(genuine))
    artifact = load_artifact("BountyEscrow")
    real_review = bytes.fromhex(w.escrow.review_contract.address[2:]).rjust(32, b"\0")
    real_fee = (100).to_bytes(32, "big")
    real_domain = bytes(w.escrow.contract.functions.DOMAIN_SEPARATOR().call())
    future = to_checksum_address(keccak(rlp.encode([bytes.fromhex(w.issuer.address[2:]),
                                                    w.nonce(w.issuer.address)]))[12:])
    for refs in artifact.immutable_references.values():
        current = bytes(code[refs[0]["start"]:refs[0]["start"] + 32])
        if current == real_domain:
            new = registry._domain_separator("BountyEscrow", "1", w.node.chain_id, future)
        elif review is not None and current == real_review:
            new = bytes.fromhex(review[2:]).rjust(32, b"\0")
        elif fee_bps is not None and current == real_fee:
            new = fee_bps.to_bytes(32, "big")
        else:
            continue
        for ref in refs[:1] if one_place_only else refs:
            code[ref["start"]:ref["start"] + 32] = new
    init = bytes.fromhex(f"61{len(code):04x}8061000d6000396000f3") + bytes(code)
    forged = deploy_contract(w.node.w3, w.issuer, "", abi=[], bytecode="0x" + init.hex())
    assert forged.address == future
    return forged


def test_an_escrow_whose_code_is_not_the_artifacts_is_refused(w: World) -> None:
    attacker = w.hunters[1]
    bounty_id = w.escrow.create_bounty(ISSUE, w.node.now() + 10 * DAY).bounty_id
    assert w.escrow.fee() == (w.treasury.address, 100)
    forgeries = {
        "review": forged_escrow(w, w.escrow.address, review=attacker.address),
        "review in one place": forged_escrow(w, w.escrow.address, review=attacker.address, one_place_only=True),
        "fee": forged_escrow(w, w.escrow.address, fee_bps=10_000),
    }
    expected = {"review": "uses a review contract", "review in one place": "not this version's BountyEscrow",
                "fee": "charges a fee of 100%"}
    nonce = w.nonce(w.funder.address)
    for name, forged in forgeries.items():
        assert forged.address != w.escrow.address
        proc = w.run("--escrow", forged.address, "--yes", "--account", "funder", "pledge", str(bounty_id), "1 ETH")
        assert proc.returncode == 1 and expected[name] in proc.stderr, (name, proc.stderr)
        assert "nothing was sent" in proc.stderr
    not_an_escrow = w.run("--escrow", w.token.address, "show", "1")
    assert not_an_escrow.returncode == 1 and "not this version's BountyEscrow" in not_an_escrow.stderr
    assert w.nonce(w.funder.address) == nonce
    assert "escrow" in w.json("show", str(bounty_id))  # the genuine escrow still answers


def test_on_a_public_chain_an_unofficial_escrow_needs_the_flag_and_is_warned_about(w: World) -> None:
    with AnvilNode(chain_id=11155111) as sepolia_like:
        deployer = sepolia_like.new_account()
        escrow = BountyClient.deploy(sepolia_like, deployer, poll_latency=0.01)
        bounty_id = escrow.create_bounty(ISSUE, sepolia_like.now() + 10 * DAY).bounty_id
        env = {"BOUNTYCHAIN_RPC": sepolia_like.url}
        refused = w.run("--escrow", escrow.address, "show", str(bounty_id), env=env)
        assert refused.returncode == 1
        assert "is not an official deployment on chain 11155111" in refused.stderr
        allowed = w.run("--escrow", escrow.address, "--allow-unofficial-escrow", "--json", "show", str(bounty_id),
                        env=env)
        assert allowed.returncode == 0 and json.loads(allowed.stdout)["issue"] == ISSUE
        assert "WARNING" in allowed.stderr and "not an official deployment" in allowed.stderr
        assert "no official escrow is recorded for Sepolia (chain 11155111)" in w.run(
            "show", "1", env={**env, "BOUNTYCHAIN_DEPLOYMENTS": ""}).stderr


def test_an_official_record_makes_an_escrow_official(w: World, tmp_path: Path, monkeypatch) -> None:
    official = tmp_path / "registry"
    monkeypatch.setattr(registry, "official_dir", lambda: official)
    assert not registry.check_escrow(w.node.w3, w.escrow.address, w.node.chain_id).official
    registry.save(registry.record_for(w.node.chain_id, w.escrow.deployment, w.issuer.address), official)
    assert registry.check_escrow(w.node.w3, w.escrow.address, w.node.chain_id).official
    monkeypatch.delenv("BOUNTYCHAIN_DEPLOYMENTS", raising=False)
    monkeypatch.chdir(tmp_path)
    assert BountyClient.connect(w.node.url).address == w.escrow.address  # from the shipped registry


def test_the_packaged_registry_ships_and_the_sdk_ignores_the_working_directory(w: World, tmp_path: Path,
                                                                              monkeypatch) -> None:
    assert (registry.official_dir() / "README.md").is_file()
    registry.save(registry.record_for(w.node.chain_id, w.escrow.deployment, w.issuer.address), tmp_path / "deployments")
    monkeypatch.delenv("BOUNTYCHAIN_DEPLOYMENTS", raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(registry.RegistryError, match="read only when named"):
        BountyClient.connect(w.node.url)
    assert BountyClient.connect(w.node.url, deployments="deployments").address == w.escrow.address


# --- finding 9: keystores ------------------------------------------------------------------


def test_the_keystores_the_cli_wrote_are_private(w: World) -> None:
    folder = w.root / "config" / "bountychain" / "keystores"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for name in ("funder.json", "approver.json"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600
    assert os.listdir(folder)
