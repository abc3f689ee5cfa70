"""The command line for milestones and claim bonds, on anvil: what a person reads before and
after each step, and the exact wei that moves."""

from __future__ import annotations

from tests.test_cli import DAY, ETHER, FEE_BPS, ISSUE, PR1, PR2, World, w, world  # noqa: F401 (fixtures)

BOND = ETHER // 100


def test_a_bonded_bounty_shows_its_bond_before_a_claim_and_pays_milestones(w: World) -> None:
    created = w.json("--yes", "create", ISSUE, "--deadline", "30d", "--bond", "0.01 ETH", key=w.issuer)
    bounty_id = str(created["bounty_id"])
    hunter, flooder = w.hunters
    w.json("--account", "funder", "pledge", bounty_id, "1 ETH", "--yes")

    # The hunter reads the bond before anything is sent (no --yes, answering no).
    shown = w.run("submit", bounty_id, PR1, key=hunter, stdin="n\n")
    assert "claim bond" in shown.stdout and "0.01 ETH" in shown.stdout and "spam" in shown.stdout
    assert w.escrow.bounty(int(bounty_id)).claim_count == 0
    before = w.balance(hunter.address)
    claim = w.json("submit", bounty_id, PR1, "--yes", key=hunter)
    assert w.balance(hunter.address) == before - BOND - w.gas_cost(claim["tx_hash"])
    spam = w.json("submit", bounty_id, PR2, "--yes", key=flooder)

    # The issuer (the approver) marks the flooder's claim: its bond goes to the funder.
    text = w.ok("--yes", "mark-spam", bounty_id, str(spam["claim_id"]), key=w.issuer).stdout
    assert "the bounty's funders" in text and "0.01 ETH" in text
    assert w.escrow.slashed_owed(int(bounty_id), w.funder.address) == BOND

    # A milestone of 30%: the hunter is paid 30% of the pool less the fee; 70% stays pledged.
    before = w.balance(hunter.address)
    paid = w.json("--yes", "award", bounty_id, "1=100%", "--part", "30%", key=w.issuer)
    pool = ETHER * 3_000 // 10_000
    fee = pool * FEE_BPS // 10_000
    assert (paid["pool"], paid["fee"]) == (pool, fee)
    assert w.balance(hunter.address) == before + pool - fee
    assert w.escrow.pledge_of(int(bounty_id), w.funder.address).amount == ETHER - pool
    words = w.ok("show", bounty_id).stdout
    assert "0.7 ETH" in words

    # The rest, then the hunter's bond comes back and the funder collects the slashed one.
    w.json("--yes", "award", bounty_id, "1=100%", key=w.issuer)
    before = w.balance(hunter.address)
    back = w.json("withdraw-bond", bounty_id, str(claim["claim_id"]), "--yes", key=hunter)
    assert w.balance(hunter.address) == before + BOND - w.gas_cost(back["tx_hash"])
    credited = w.ok("--account", "funder", "--yes", "claim-slashed", bounty_id).stdout
    assert "0.01 ETH" in credited and "bountychain withdraw" in credited
    assert w.escrow.credit_of(w.funder.address) == BOND
    # Twice, or a claim that is not there: said so, nothing sent.
    nonce = w.nonce(w.funder.address)
    again = w.run("--account", "funder", "--yes", "claim-slashed", bounty_id)
    assert again.returncode == 1 and f"no slashed bond of bounty {bounty_id} is owed to {w.funder.address}" in " ".join(
        again.stderr.split())
    assert w.nonce(w.funder.address) == nonce
    missing = w.run("--yes", "mark-spam", bounty_id, "9", key=w.issuer)
    assert missing.returncode == 1 and f"claim 9 does not exist on bounty {bounty_id} (2 claims)" in missing.stderr


def test_milestone_and_bond_inputs_are_refused_in_words_and_send_nothing(w: World) -> None:
    created = w.json("--yes", "create", ISSUE, "--deadline", "30d", key=w.issuer)
    bounty_id = str(created["bounty_id"])
    nonce = w.nonce(w.issuer.address)
    for part, words in (("100%", "less than 100%"), ("0", "more than 0%"), ("abc", "not a part of the pool")):
        proc = w.run("--yes", "award", bounty_id, "1=100%", "--part", part, key=w.issuer)
        assert proc.returncode != 0 and words in proc.stderr + proc.stdout
    proc = w.run("--yes", "create", ISSUE, "--deadline", "30d", "--bond", "0 ETH", key=w.issuer)
    assert proc.returncode != 0 and "--bond must be positive" in proc.stderr + proc.stdout
    proc = w.run("--yes", "withdraw-bond", bounty_id, "1", key=w.hunters[0])
    assert proc.returncode == 1 and f"claim 1 does not exist on bounty {bounty_id} (0 claims)" in proc.stderr
    w.json("submit", bounty_id, PR1, "--yes", key=w.hunters[0])
    proc = w.run("--yes", "withdraw-bond", bounty_id, "1", key=w.hunters[0])
    assert proc.returncode != 0 and "claim bonds come back once it is awarded" in proc.stderr + proc.stdout
    assert w.nonce(w.issuer.address) == nonce
