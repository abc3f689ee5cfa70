"""The demo's bounties on a local anvil node (`bountychain seed`), so that the index and the
page have something to show: bounties open, awarded and cancelled, in ETH and in a test USDC,
an optimistic bounty whose proposed award is in its review window (one backer objected,
withholding its pledge), and
two fundraisers still raising (all-or-nothing in ETH, flexible in USDC).

Accounts are throwaway keys funded with `anvil_setBalance`; only a development node offers
that, so this refuses any other chain.
"""

from __future__ import annotations

from typing import Any

from eth_account import Account

from bountychain.sdk import BountyClient, deploy_contract, send_transaction
from bountychain.errors import BountychainError
from bountychain.results import ReviewTerms

DAY = 86_400
ETHER = 10**18
USDC = 10**6
REPO = "https://github.com/bountychain-demo/parser"


class SeedError(BountychainError):
    """The chain is not a local development node."""


def seed(client: BountyClient) -> dict[str, Any]:
    """Creates five bounties with pledges, solutions, an award, a cancellation and a refund, a
    live proposal under the backers' review with an objection, and two fundraisers with pledges;
    returns their ids, the test token and the keys of the throwaway accounts."""
    w3 = client.w3
    names = ("maintainer", "alice", "bob", "carol", "dana", "eve", "project")
    accounts = {name: Account.create() for name in names}
    for account in accounts.values():
        response = w3.provider.make_request("anvil_setBalance", [account.address, hex(1_000 * ETHER)])  # type: ignore[arg-type]
        if "error" in response:
            raise SeedError("seeding needs a local anvil node (`bountychain node`): anvil_setBalance failed")
    maintainer, alice, bob, carol, dana, eve, project = (accounts[name] for name in names)
    usdc = deploy_contract(w3, maintainer, "TestToken", "USD Coin (test)", "USDC", 6)
    for funder in (alice, bob, carol):
        send_transaction(w3, maintainer, usdc.functions.mint(funder.address, 10_000 * USDC))
    issuer = client.as_signer(maintainer)
    now = int(w3.eth.get_block("latest")["timestamp"])

    # An ETH bounty with three funders and two solutions, still open.
    parser = issuer.create_bounty(f"{REPO}/issues/17", now + 30 * DAY).bounty_id
    for funder, amount in ((alice, "0.5 ether"), (bob, "0.3 ether"), (carol, "0.2 ether")):
        client.as_signer(funder).pledge(parser, amount)
    client.as_signer(dana).submit_solution(parser, f"{REPO}/pull/41")
    client.as_signer(eve).submit_solution(parser, f"{REPO}/pull/44")

    # A USDC bounty, awarded to one hunter.
    docs = issuer.create_bounty(f"{REPO}/issues/23", now + 30 * DAY, token=usdc.address).bounty_id
    for funder, amount in ((alice, "100 USDC"), (bob, "50 USDC")):
        client.as_signer(funder).pledge(docs, amount)
    claim = client.as_signer(dana).submit_solution(docs, f"{REPO}/pull/45").claim_id
    issuer.award(docs, {claim: 10_000})

    # An ETH bounty cancelled by its issuer; one funder has taken its pledge back.
    stale = issuer.create_bounty(f"{REPO}/issues/31", now + 7 * DAY).bounty_id
    for funder, amount in ((bob, "0.1 ether"), (carol, "0.25 ether")):
        client.as_signer(funder).pledge(stale, amount)
    issuer.cancel(stale)
    client.as_signer(bob).refund(stale)

    # A USDC bounty on another repository, open, with one pledge.
    cli = issuer.create_bounty("https://github.com/bountychain-demo/cli/issues/5", now + 60 * DAY,
                               token=usdc.address).bounty_id
    client.as_signer(alice).pledge(cli, "25 USDC")

    # An ETH bounty under the backers' review: the maintainer proposed a 70/30 split and backers
    # have 3 days to object. Carol objected: her 0.3 ETH is withheld, so an award after the
    # window takes the other 0.7 ETH and she refunds hers at once. Objections of half the pool
    # would block the proposal and send it to the project's account, the arbiter.
    review = issuer.create_bounty(f"{REPO}/issues/52", now + 30 * DAY,
                                  review=ReviewTerms(3 * DAY, 5_000, project.address)).bounty_id
    for funder, amount in ((alice, "0.4 ether"), (bob, "0.3 ether"), (carol, "0.3 ether")):
        client.as_signer(funder).pledge(review, amount)
    first = client.as_signer(dana).submit_solution(review, f"{REPO}/pull/53").claim_id
    second = client.as_signer(eve).submit_solution(review, f"{REPO}/pull/54").claim_id
    issuer.propose(review, {first: 7_000, second: 3_000})
    client.as_signer(carol).object(review)

    # Fundraisers for the project's treasury: all-or-nothing in ETH (60% of its goal so far)
    # and flexible in USDC.
    release = issuer.create_fundraiser("https://github.com/bountychain-demo/parser/milestone/2", project.address,
                                       "2 ether", now + 45 * DAY).fundraiser_id
    for funder, amount in ((bob, "0.5 ether"), (carol, "0.7 ether")):
        client.as_signer(funder).pledge(release, amount)
    hosting = issuer.create_fundraiser("https://github.com/bountychain-demo/infra", project.address, "1000 USDC",
                                       now + 20 * DAY, token=usdc.address, all_or_nothing=False).fundraiser_id
    client.as_signer(carol).pledge(hosting, "150 USDC")

    return {
        "bounties": {"open_eth": parser, "awarded_usdc": docs, "cancelled_eth": stale, "open_usdc": cli,
                     "under_review_eth": review},
        "fundraisers": {"raising_eth": release, "flexible_usdc": hosting},
        "usdc": usdc.address,
        "escrow": client.address,
        "chain_id": client.chain_id,
        # Throwaway keys of this local chain only, to import into a browser wallet for trying.
        "keys": {name: "0x" + bytes(account.key).hex() for name, account in accounts.items()},
        "addresses": {name: account.address for name, account in accounts.items()},
    }
