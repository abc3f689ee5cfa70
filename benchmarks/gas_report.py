"""Receipt gas of each escrow operation, measured on a real EVM.

`make bench` runs this: it prints a table against PRODUCT.md's targets and StandardBounties
v2, and writes gas-report.json. tests/test_gas.py runs the same scenarios and fails when an
operation costs more than the committed report says.

Every figure is the `gasUsed` of one transaction's receipt in a steady state: the escrow
already holds pledges and credits, the accounts involved exist, and (except where the key
says otherwise) the operation is not the first of its kind. The escrow charges a 1% fee, so
awards include crediting it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bountychain import BountyClient, DevChain, InProcessChain, ReviewTerms
from bountychain.client import deploy_contract, send_transaction

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "gas-report.json"
README = ROOT / "README.md"
TABLE_START, TABLE_END = "<!-- gas-table: written by `make bench` -->\n", "<!-- /gas-table -->"
ISSUE_URL = "https://github.com/bountychain/toolkit/issues/42"[:45]  # 45 characters
PR_URL = "https://github.com/bountychain/toolkit/pull/4242/commits/abcd"[:60]  # 60 characters
assert len(ISSUE_URL) == 45 and len(PR_URL) == 60

# key: (what, StandardBounties v2, target), from ../shared/PRODUCT.md
OPERATIONS = {
    "create_bounty": ("ETH bounty, 45-character issue URL", 153_000, 75_000),
    "pledge_eth_new_funder": ("first pledge of a funder on a funded bounty", 89_000, 58_000),
    "pledge_eth_topup": ("same funder pledges again", 89_000, 40_000),
    "pledge_erc20_new_funder": ("after approve; escrow already holds the token", 110_000, 90_000),
    "submit_solution": ("60-character PR URL", 124_000, 65_000),
    "award_one": ("one winner, ETH, account exists", 83_000, 65_000),
    "award_three": ("three winners, ETH, accounts exist", 105_000, 100_000),
    "refund": ("one funder pulls its pledge", 78_000, 45_000),
    "withdraw": ("a credited recipient pulls", 0, 40_000),
    # Fundraisers and one-transaction actions (issue 6); targets are ours: the bounty
    # operation they mirror, or that plus the extra work (a permit, a signature check).
    "create_fundraiser": ("ETH all-or-nothing fundraiser, 45-character URL", 0, 120_000),
    "pledge_fundraiser": ("first ETH pledge of a backer on a funded fundraiser", 0, 58_000),
    "pledge_erc20_permit": ("permit + pledge in one tx; escrow already holds the token", 0, 110_000),
    "submit_solution_by_sig": ("relayed, hunter-signed (EIP-712), 60-character PR URL", 0, 80_000),
    "withdraw_raised": ("goal met, ETH, beneficiary account exists", 0, 65_000),
    "refund_fundraiser": ("a backer of a failed all-or-nothing fundraiser pulls", 0, 45_000),
    # Backer governance (issue 5): no product target; budgets set here so regressions show.
    "propose": ("optimistic bounty, one winner, opens the review window", 0, 100_000),
    "object": ("a funder objects with its pledge, below the quorum", 0, 62_000),
    "finalize": ("anyone pays an unblocked proposal after the window, one winner, ETH", 0, 75_000),
}


def measure(chain: DevChain) -> dict[str, int]:
    """Runs every scenario on `chain` and returns {key: receipt gas}."""
    deployer, fee_recipient = chain.new_account(), chain.new_account()
    funders = [chain.new_account() for _ in range(3)]
    hunters = [chain.new_account() for _ in range(3)]
    escrow = BountyClient.deploy(chain, deployer, fee_recipient=fee_recipient.address, fee_bps=100)
    as_ = escrow.as_signer
    gas: dict[str, int] = {}
    deadline = chain.now() + 30 * 86_400

    # Warm-up: the bounty counter, the fee recipient's ETH credit and the escrow's token
    # balance exist before anything is measured.
    first = escrow.create_bounty(ISSUE_URL, deadline).bounty_id
    as_(funders[0]).pledge(first, 10**18)
    warm_claim = as_(hunters[0]).submit_solution(first, PR_URL).claim_id
    escrow.award(first, {warm_claim: 10_000})

    bounty = escrow.create_bounty(ISSUE_URL, deadline)
    gas["create_bounty"] = bounty.gas_used
    bounty_id = bounty.bounty_id
    as_(funders[0]).pledge(bounty_id, 10**18)
    gas["pledge_eth_new_funder"] = as_(funders[1]).pledge(bounty_id, 10**18).gas_used
    gas["pledge_eth_topup"] = as_(funders[1]).pledge(bounty_id, 10**18).gas_used

    token = deploy_contract(chain.w3, deployer, "TestToken", "USD Coin", "USDC", 6)
    token_bounty = escrow.create_bounty(ISSUE_URL, deadline, token=token.address).bounty_id
    for funder in funders[:2]:
        send_transaction(chain.w3, deployer, token.functions.mint(funder.address, 10**12))
    as_(funders[0]).pledge(token_bounty, 10**9)
    gas["pledge_erc20_new_funder"] = as_(funders[1]).pledge(token_bounty, 10**9).gas_used

    claims = [as_(hunter).submit_solution(bounty_id, PR_URL) for hunter in hunters]
    gas["submit_solution"] = claims[1].gas_used
    gas["award_one"] = escrow.award(bounty_id, {claims[0].claim_id: 10_000}).gas_used

    three = escrow.create_bounty(ISSUE_URL, deadline).bounty_id
    as_(funders[2]).pledge(three, 10**18)
    ids = [as_(hunter).submit_solution(three, PR_URL).claim_id for hunter in hunters]
    gas["award_three"] = escrow.award(three, {ids[0]: 5_000, ids[1]: 3_000, ids[2]: 2_000}).gas_used

    expiring = escrow.create_bounty(ISSUE_URL, chain.now() + 86_400)
    as_(funders[2]).pledge(expiring.bounty_id, 10**18)
    chain.set_next_block_timestamp(expiring.deadline + 1)
    gas["refund"] = as_(funders[2]).refund(expiring.bounty_id).gas_used

    # Optimistic review: two funders, a 3-day window, quorum of 60% of the pledged total.
    reviewed = escrow.create_bounty(ISSUE_URL, deadline, review=ReviewTerms(3 * 86_400, 6_000)).bounty_id
    for funder in funders[:2]:
        as_(funder).pledge(reviewed, 10**18)
    winner = as_(hunters[0]).submit_solution(reviewed, PR_URL).claim_id
    proposal = escrow.propose(reviewed, {winner: 10_000})
    gas["propose"] = proposal.gas_used
    gas["object"] = as_(funders[0]).object(reviewed).gas_used
    chain.set_next_block_timestamp(proposal.window_end)
    gas["finalize"] = as_(funders[2]).finalize(reviewed).gas_used

    gas["withdraw"] = as_(fee_recipient).withdraw().gas_used

    # Fundraisers: a warm-up pays out once, so the beneficiary's account exists.
    beneficiary = chain.new_account()
    short = chain.now() + 86_400
    warm = escrow.create_fundraiser(ISSUE_URL, beneficiary.address, 10**18, short).fundraiser_id
    raising = escrow.create_fundraiser(ISSUE_URL, beneficiary.address, 10**18, short)
    gas["create_fundraiser"] = raising.gas_used
    failing = escrow.create_fundraiser(ISSUE_URL, beneficiary.address, 10**21, short).fundraiser_id
    as_(funders[0]).pledge(warm, 10**18)
    as_(funders[0]).pledge(raising.fundraiser_id, 10**18)
    gas["pledge_fundraiser"] = as_(funders[1]).pledge(raising.fundraiser_id, 10**18).gas_used
    as_(funders[2]).pledge(failing, 10**18)

    permit_token = deploy_contract(chain.w3, deployer, "TestPermitToken", "Permit USD", "PUSD", 6)
    permit_bounty = escrow.create_bounty(ISSUE_URL, short, token=permit_token.address).bounty_id
    warm_permit = escrow.create_bounty(ISSUE_URL, short, token=permit_token.address).bounty_id
    for funder in funders[:2]:
        send_transaction(chain.w3, deployer, permit_token.functions.mint(funder.address, 10**12))
    as_(funders[0]).pledge(permit_bounty, 10**9)
    as_(funders[1]).pledge(warm_permit, 10**9)  # the funder's permit nonce is not fresh
    gas["pledge_erc20_permit"] = as_(funders[1]).pledge(permit_bounty, 10**9).gas_used

    relayer = as_(funders[2])
    signed_bounty = escrow.create_bounty(ISSUE_URL, short).bounty_id
    relayer.relay_solution(as_(hunters[0]).sign_solution(signed_bounty, PR_URL))  # the nonce is not fresh
    signed = as_(hunters[0]).sign_solution(signed_bounty, PR_URL)
    gas["submit_solution_by_sig"] = relayer.relay_solution(signed).gas_used

    chain.set_next_block_timestamp(short + 1)
    escrow.withdraw_raised(warm)
    gas["withdraw_raised"] = escrow.withdraw_raised(raising.fundraiser_id).gas_used
    gas["refund_fundraiser"] = as_(funders[2]).refund(failing).gas_used
    return gas


def markdown_table(gas: dict[str, int]) -> str:
    """The README's gas table."""
    rows = ["| operation | scenario | gas | target | StandardBounties v2 |", "|---|---|---:|---:|---:|"]
    for key, (what, standard, target) in OPERATIONS.items():
        rows.append(f"| {key} | {what} | {gas[key]:,} | {target:,} | {f'{standard:,}' if standard else '-'} |")
    return "\n".join(rows) + "\n"


def write_readme_table(gas: dict[str, int]) -> None:
    text = README.read_text()
    start = text.index(TABLE_START) + len(TABLE_START)
    README.write_text(text[:start] + markdown_table(gas) + text[text.index(TABLE_END):])


def main() -> int:
    with InProcessChain() as chain:
        gas = measure(chain)
    REPORT.write_text(json.dumps(gas, indent=2) + "\n")
    write_readme_table(gas)
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Receipt gas (in-process EVM, solc 0.8.37, optimizer on)")
    for column in ("operation", "scenario", "gas", "target", "StandardBounties v2", "met"):
        table.add_column(column, justify="left" if column in ("operation", "scenario") else "right")
    for key, (what, standard, target) in OPERATIONS.items():
        met = "yes" if gas[key] <= target else "NO"
        table.add_row(key, what, f"{gas[key]:,}", f"{target:,}", f"{standard:,}" if standard else "-", met)
    Console(width=120).print(table)
    print(f"wrote {REPORT.name} and the table in {README.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
