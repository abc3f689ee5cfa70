"""The command line as a first-time funder, hunter and maintainer meets it (issue 15): every
refusal in one line of words (human units and dates, never an internal error name or a
Python message), nothing sent; and the conveniences a newcomer looks for. Runs the real
`bountychain` against a real anvil node (the `world` of tests/test_cli.py)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_cli import DAY, ETHER, ISSUE, PR1, PR2, World, w, world  # noqa: F401 (fixtures)

pytestmark = pytest.mark.anvil


def one_line_refusal(proc: subprocess.CompletedProcess[str], *needles: str) -> str:
    """The refusal's words, checked: exit 1, one red line on stderr, no Python in sight."""
    text = " ".join(proc.stderr.split())
    assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
    assert len(proc.stderr.strip().splitlines()) == 1 and proc.stderr.startswith("error: "), proc.stderr
    for needle in needles:
        assert needle in text, text
    for internal in ("Traceback", "No such option", "[Unknown", "[Pledge", "[Bounty", "base units of"):
        assert internal not in text, text
    return text


def unchanged(w: World, *accounts: str) -> tuple[list[int], int]:
    return [w.nonce(a) for a in accounts], w.node.w3.eth.block_number


# --- amounts and shares (problem 11) ---------------------------------------------------------


def test_amount_mistakes_get_a_clear_error_or_a_suggestion_and_send_nothing(w: World) -> None:
    bounty_id = str(w.escrow.create_bounty(ISSUE, w.node.now() + 5 * DAY).bounty_id)
    before = unchanged(w, w.funder.address, w.issuer.address)
    one_line_refusal(w.run("--yes", "pledge", bounty_id, "-1", key=w.funder), "'-1' is negative")
    one_line_refusal(w.run("--yes", "pledge", bounty_id, "500000000000000000", key=w.funder),
                     "if 500000000000000000 is wei, write '0.5 ETH'")
    one_line_refusal(w.run("--yes", "link", bounty_id, "-0.5 ETH"), "is negative")
    assert unchanged(w, w.funder.address, w.issuer.address) == before


def test_award_with_bare_percentages_asks_did_you_mean(w: World) -> None:
    bounty_id = str(w.escrow.create_bounty(ISSUE, w.node.now() + 5 * DAY).bounty_id)
    before = unchanged(w, w.issuer.address)
    text = one_line_refusal(w.run("--yes", "award", bounty_id, "1=70", "2=30", key=w.issuer),
                            "shares sum to 1%, not 100%", "did you mean 1=70% 2=30%?")
    assert "bps" not in text
    assert unchanged(w, w.issuer.address) == before


# --- issue URLs and --repo (problem 8) -------------------------------------------------------


@pytest.mark.parametrize("url, reason", [
    ("javascript:alert(document.domain)", "starts with https://"),
    ("https://example.com", "not on a known forge"),
    ("https://github.com/bountychain/toolkit/pull/43", "a pull request, not an issue"),
    ("https://github.com/bountychain/toolkit", "not an issue"),
])
def test_create_refuses_what_is_not_an_issue(w: World, url: str, reason: str) -> None:
    before = unchanged(w, w.issuer.address)
    one_line_refusal(w.run("--yes", "create", url, "--deadline", "30d", key=w.issuer), reason)
    assert unchanged(w, w.issuer.address) == before


def test_create_records_the_canonical_issue_url_and_repo_matches_host_owner_and_name(w: World) -> None:
    created = w.json("--yes", "create", "https://GitHub.com/BountyChain/Toolkit/issues/42/#top", "--deadline", "30d",
                     key=w.issuer)
    assert created["uri"] == ISSUE
    assert w.escrow.bounty(created["bounty_id"]).issue_url == ISSUE  # the SDK carries it too
    # A look-alike on another forge, planted by calling the escrow directly (the SDK would refuse it).
    w.escrow.contract.functions  # noqa: B018 - the escrow is the world's
    planted = "https://gitlab.com/bountychain/toolkit/-/issues/1"
    w.escrow.create_bounty(planted, w.node.now() + 5 * DAY)
    for repo in ("bountychain/toolkit", "github.com/bountychain/toolkit", "https://github.com/BountyChain/Toolkit"):
        issues = {b["issue"] for b in w.json("list", "--source", "chain", "--repo", repo)["bounties"]}
        assert ISSUE in issues and planted not in issues, (repo, issues)
    on_gitlab = {b["issue"] for b in w.json("list", "--source", "chain", "--repo", "gitlab.com/bountychain/toolkit")
                 ["bounties"]}
    assert on_gitlab == {planted}
    one_line_refusal(w.run("list", "--repo", "toolkit"), "write OWNER/NAME for GitHub, or HOST/OWNER/NAME")


# --- messages in words (problem 9) -----------------------------------------------------------


def test_contract_refusals_read_in_dates_and_words_and_json_names_the_exception(w: World) -> None:
    bounty_id = w.escrow.create_bounty(ISSUE, w.node.now() + 5 * DAY).bounty_id
    w.escrow.as_signer(w.funder).pledge(bounty_id, ETHER)
    unlocks = w.escrow.pledge_of(bounty_id, w.funder).unlocks_at  # an account object, as as_signer takes
    text = one_line_refusal(w.run("--yes", "refund", str(bounty_id), key=w.funder), "is locked until")
    from bountychain.words import utc
    assert utc(unlocks) in text and str(unlocks) not in text

    unknown = w.run("--json", "show", "999")
    body = json.loads(unknown.stdout)
    assert body["error_type"] == "BountyNotFound" and body["error"] == "bounty 999 does not exist"
    assert "UnknownBounty" not in unknown.stderr

    no_credit = one_line_refusal(w.run("--yes", "withdraw", key=w.hunters[0]), "has no ETH credit to withdraw")
    assert "0x0000000000000000000000000000000000000000" not in no_credit


def test_a_review_window_out_of_range_is_said_in_days(w: World) -> None:
    text = one_line_refusal(w.run("--yes", "create-optimistic", ISSUE, "--deadline", "30d", "--window", "60d",
                                  key=w.issuer), "--window 60d is 60 days: a review window is from 1 day to 30 days")
    assert "5184000" not in text


# --- deadlines (problem 15) ------------------------------------------------------------------


def test_a_date_without_a_zone_is_utc_and_years_are_understood(w: World) -> None:
    day = w.node.now() // DAY * DAY + 40 * DAY
    from datetime import datetime, timezone
    date = datetime.fromtimestamp(day, timezone.utc).strftime("%Y-%m-%d")
    proc = w.ok("--json", "--yes", "create", ISSUE, "--deadline", date, key=w.issuer)
    assert json.loads(proc.stdout)["deadline"] == day
    assert f"deadline {date} names no time zone: read as UTC" in proc.stderr
    year = w.json("--yes", "create", ISSUE, "--deadline", "1y", key=w.issuer)
    assert abs(year["deadline"] - (w.node.now() + 365 * DAY)) < 120


# --- awarded and cancelled bounties (problems 10 and 12) -------------------------------------


def test_list_shows_what_was_paid_and_a_cancelled_bounty_no_deadline(w: World) -> None:
    awarded = w.escrow.create_bounty(ISSUE, w.node.now() + 5 * DAY).bounty_id
    w.escrow.as_signer(w.funder).pledge(awarded, ETHER // 2)
    claim = w.escrow.as_signer(w.hunters[0]).submit_solution(awarded, PR1).claim_id
    w.escrow.award(awarded, {claim: 10_000})
    cancelled = w.escrow.create_bounty(ISSUE, w.node.now() + 7 * DAY).bounty_id
    w.escrow.cancel(cancelled)

    listed = {b["bounty_id"]: b for b in w.json("list", "--source", "chain")["bounties"]}
    assert listed[awarded]["paid"] == ETHER // 2 and listed[awarded]["total"] == 0
    table = w.ok("list", "--source", "chain").stdout
    row = next(line for line in table.splitlines() if re.match(rf"\W*{awarded}\W", line))
    assert "paid 0.5 ETH" in row and "0 ETH" not in row.replace("0.5 ETH", "")
    shown = w.ok("show", str(cancelled)).stdout
    assert "none (cancelled" in shown and "not passed" not in shown

    for bounty_id in (awarded, cancelled):
        state = "awarded" if bounty_id == awarded else "cancelled"
        proc = w.run("link", str(bounty_id), "0.05 ETH")
        one_line_refusal(proc, f"bounty {bounty_id} is {state}: it takes no more pledges")
        assert "ethereum:" not in proc.stdout  # no QR code, no link


# --- hunters (problem 15) --------------------------------------------------------------------


def test_the_same_hunter_cannot_submit_the_same_pull_request_twice(w: World) -> None:
    bounty_id = str(w.escrow.create_bounty(ISSUE, w.node.now() + 5 * DAY).bounty_id)
    hunter = w.hunters[0]
    w.ok("--yes", "submit", bounty_id, PR1, key=hunter)
    before = unchanged(w, hunter.address)
    one_line_refusal(w.run("--yes", "submit", bounty_id, PR1, key=hunter),
                     f"already registered {PR1} on bounty {bounty_id} as claim 1", "nothing was sent")
    assert unchanged(w, hunter.address) == before
    w.ok("--yes", "submit", bounty_id, PR2, key=hunter)  # another solution is fine
    w.ok("--yes", "submit", bounty_id, PR1, key=w.hunters[1])  # and another hunter's own claim
    # A signed claim the hunter then registered itself: the relayer is refused, paying nothing.
    pr3 = PR2 + "3"
    signed = w.escrow.as_signer(hunter).sign_solution(int(bounty_id), pr3).to_json()
    w.ok("--yes", "submit", bounty_id, pr3, key=hunter)
    relayer = w.hunters[1]
    before = unchanged(w, hunter.address, relayer.address)
    one_line_refusal(w.run("--yes", "relay", "-", key=relayer, stdin=signed),
                     f"{hunter.address} already registered {pr3} on bounty {bounty_id}", "nothing was sent")
    assert unchanged(w, hunter.address, relayer.address) == before


# --- the index (problem 3) -------------------------------------------------------------------


def test_list_from_the_index_syncs_first_and_says_how_far_behind_it_is(w: World) -> None:
    db = str(w.root / f"list-index-{w.node.w3.eth.block_number}.sqlite3")
    w.ok("index", "--db", db)
    created = w.escrow.create_bounty("https://github.com/bountychain/toolkit/issues/900", w.node.now() + 5 * DAY)
    stale = w.json("list", "--db", db, "--no-sync", "--issue", created.uri)
    assert stale["bounties"] == [] and stale["blocks_behind"] >= 1 and stale["synced"] is False
    human = w.ok("list", "--db", db, "--no-sync", "--issue", created.uri).stdout
    assert re.search(r"\d+ blocks behind: not synced \(--no-sync\)", " ".join(human.split())), human
    assert "no bounties match (the index is behind: try --source chain)" in " ".join(human.split())
    fresh = w.json("list", "--db", db, "--issue", created.uri)
    assert [b["bounty_id"] for b in fresh["bounties"]] == [created.bounty_id] and fresh["blocks_behind"] == 0
    assert "(up to date)" in w.ok("list", "--db", db).stdout


# --- the command line itself (problem 15) ----------------------------------------------------


def test_version_and_subcommand_help_without_the_global_options(w: World) -> None:
    assert re.fullmatch(r"bountychain \d+\.\d+\.\d+\S*\n", w.ok("--version").stdout)
    text = w.ok("pledge", "--help").stdout
    assert "AMOUNT" in text and "see `bountychain --help`" in text
    assert "--keystore PATH" not in text and "--allow-unofficial-escrow" not in text
    assert "--keystore PATH" in w.ok("--help").stdout
    # They are still accepted after the command name.
    assert w.json("list", "--chain-id", "31337", "--source", "chain")["chain_id"] == 31337


def test_piped_accounts_new_confirms_the_password_and_refuses_an_empty_one(w: World) -> None:
    env = {"BOUNTYCHAIN_PASSWORD": ""}
    without_env = {key: value for key, value in w.env.items() if key != "BOUNTYCHAIN_PASSWORD"}
    argv = [sys.executable, "-m", "bountychain.cli", "accounts", "new"]

    def new(name: str, stdin: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*argv, name], input=stdin, capture_output=True, text=True, env=without_env,
                              cwd=w.root, timeout=120)

    keystores = w.root / "config" / "bountychain" / "keystores"
    one_line_refusal(new("typo", "secret one\nsecret two\n"), "the two entries differ")
    one_line_refusal(new("once", "secret one\n"), "give it twice")
    one_line_refusal(new("empty", "\n\n"), "an empty password would leave empty.json unprotected")
    one_line_refusal(w.run("accounts", "new", "empty2", env=env), "an empty password")
    assert not any((keystores / f"{name}.json").exists() for name in ("typo", "once", "empty", "empty2"))
    made = new("piped", "secret one\nsecret one\n")
    assert made.returncode == 0, made.stderr
    assert (keystores / "piped.json").exists()


def test_faucet_funds_a_dev_account_and_says_how_much(w: World) -> None:
    target = "0x" + "ab" * 20
    before = w.balance(w.node.w3.to_checksum_address(target))
    out = w.ok("faucet", target, "2.5 ETH").stdout
    assert w.balance(w.node.w3.to_checksum_address(target)) == before + 5 * ETHER // 2
    assert "Gave 2.5 ETH to" in out and "it now holds" in out
    one_line_refusal(w.run("faucet", target, "0 ETH"), "must be positive")
    one_line_refusal(w.run("faucet", target, "-5 ETH"), "'-5 ETH' is negative")  # not "No such option: -5"
    # An id that is no id, named as what it was for (click's usage error: exit 2).
    for args, words in [(("pledge", "abc", "1 ETH"), "bounty id 'abc' is not a whole number from 1 up"),
                        (("show", "0"), "bounty id '0' is not a whole number from 1 up"),
                        (("fundraiser", "show", "x"), "fundraiser id 'x' is not a whole number from 1 up")]:
        refused = w.run(*args)
        assert refused.returncode == 2 and words in refused.stderr, refused.stderr


def test_seed_prints_sentences_not_python_dicts(w: World) -> None:
    out = w.ok("seed").stdout
    assert "bounty 1: open, in ETH, with two solutions" in out or re.search(r"bounty \d+: open, in ETH", out)
    assert "fundraiser" in out and "Throwaway accounts" in out
    assert "{'" not in out and "': " not in out  # no dict reprs


def test_node_keeps_a_running_nodes_record_and_removes_its_own_when_it_stops(w: World) -> None:
    folder = w.root / "busy-registry"
    folder.mkdir()
    record = folder / "31337.json"
    record.write_text(json.dumps({"address": w.escrow.address}))
    refused = w.run("--deployments", str(folder), "node")
    one_line_refusal(refused, f"{record} already records {w.escrow.address}", "--deployments OTHER_DIR")
    assert json.loads(record.read_text()) == {"address": w.escrow.address}
    gitignore = (Path(__file__).resolve().parents[1] / ".gitignore").read_text().splitlines()
    assert "deployments/31337.json" in gitignore


def test_escrows_lists_every_recorded_escrow_and_an_older_one_stays_reachable(w: World) -> None:
    """After a --replace the old escrow may still hold pledges: listed with what it holds, and
    every command taking a bounty id reaches it with --escrow."""
    from dataclasses import asdict, replace as with_fields

    from bountychain import BountyClient
    from bountychain import deployments as registry

    old = BountyClient.deploy(w.node, w.issuer)
    assert old.deployment is not None
    bounty_id = old.create_bounty(ISSUE, w.node.now() + 5 * DAY).bounty_id
    old.as_signer(w.funder).pledge(bounty_id, ETHER // 4)
    current = registry.load(w.node.chain_id, w.root / "deployments")
    old_record = registry.record_for(w.node.chain_id, old.deployment, w.issuer.address)
    folder = w.root / "replaced-registry"
    registry.save(with_fields(current, previous=(asdict(old_record),)), folder)

    listed = w.json("--deployments", str(folder), "escrows")["escrows"]
    assert [(e["address"], e["role"], e["ether_held"]) for e in listed] == [
        (old.address, "previous", ETHER // 4), (current.address, "current", w.node.w3.eth.get_balance(current.address))]
    table = " ".join(w.ok("--deployments", str(folder), "escrows").stdout.split())
    assert "0.25 ETH" in table and f"bountychain --escrow {old.address} show 1" in table
    shown = w.json("--deployments", str(folder), "--escrow", old.address, "show", str(bounty_id))
    assert shown["escrow"] == old.address and shown["total"] == ETHER // 4 and shown["issue"] == ISSUE


def test_network_by_name_takes_its_rpc_from_the_named_variable_and_pins_the_chain(w: World) -> None:
    listed = w.json("--network", "local", "list", "--source", "chain", env={"BOUNTYCHAIN_RPC": "", "LOCAL_RPC_URL": w.node.url})
    assert listed["chain_id"] == 31337
    one_line_refusal(w.run("--network", "sepolia", "show", "1", env={"SEPOLIA_RPC_URL": ""}),
                     "--network sepolia: set SEPOLIA_RPC_URL to your Sepolia RPC URL")
    # The right variable, the wrong chain behind it: refused before anything is read.
    one_line_refusal(w.run("--network", "sepolia", "show", "1", env={"SEPOLIA_RPC_URL": w.node.url}),
                     "expected chain 11155111")
    one_line_refusal(w.run("--network", "atlantis", "show", "1"), "unknown network 'atlantis'")
