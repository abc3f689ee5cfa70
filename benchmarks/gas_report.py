"""Receipt gas of each escrow operation, measured on a real EVM, in its worst state.

`make bench` runs this: it prints a table against PRODUCT.md's targets and StandardBounties
v2, and writes gas-report.json (with the runtime size of each deployed contract). tests/
test_gas.py runs the same scenarios and fails when an operation costs more than the committed
report or its target says.

Each key is measured in every state its scenario can be in that changes its cost (the first
of its kind on the escrow or the bounty, a storage slot at zero or at its floor, the last
funder out or not) and the worst is reported. The escrow charges a 1% fee, so awards include
accruing it.

The figures are deterministic: every account comes from a fixed key (so the escrow, tokens
and addresses in calldata are the same on every run and chain), timestamps written in
calldata have no zero byte, and the signed operations use a fixed key, expiry and a nonce (or
permit deadline) chosen so that the signature has no zero byte (a zero calldata byte costs 4
gas instead of 16: this is the signature's worst case).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from bountychain import BountyClient, DevChain, InProcessChain, ReviewTerms
from bountychain.client import deploy_contract, send_transaction

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "gas-report.json"
README = ROOT / "README.md"
TABLE_START, TABLE_END = "<!-- gas-table: written by `make bench` -->\n", "<!-- /gas-table -->"
ISSUE_URL = "https://github.com/bountychain/tool/issues/42"  # 45 characters, a valid issue URL
PR_URL = "https://github.com/bountychain/toolkit/pull/4242/commits/abcd"[:60]  # 60 characters
# A hunter's second solution on one bounty (the SDK refuses the same URL twice): as long, as costly.
OTHER_PR_URL = PR_URL[:-1] + "e"
assert len(ISSUE_URL) == 45 and len(PR_URL) == 60 and len(OTHER_PR_URL) == 60 and OTHER_PR_URL != PR_URL
ETHER = 10**18
DAY = 86_400
EIP170_LIMIT = 24_576  # bytes of runtime code a contract may have (EIP-170)
SIZES_KEY = "contract_sizes"  # gas-report.json: {name: {"bytes": n, "headroom": limit - n}}
HOSTILE_RECEIVER = ROOT / "tests" / "artifacts" / "HostileReceiver.json"

# key: (what, StandardBounties v2, target), from ../shared/PRODUCT.md
OPERATIONS = {
    "create_bounty": ("ETH bounty, 45-character issue URL; worst of the escrow's first and a later one", 153_000, 75_000),
    "pledge_eth_new_funder": ("first pledge of a funder on a funded bounty", 89_000, 58_000),
    "pledge_eth_topup": ("same funder pledges again", 89_000, 40_000),
    "pledge_erc20_new_funder": ("after approve; escrow already holds the token", 110_000, 90_000),
    "submit_solution": ("60-character PR URL; worst of a bounty's first and later claims", 124_000, 65_000),
    "award_one": ("one winner, ETH, account exists; fees accrued or just withdrawn", 83_000, 65_000),
    "award_three": ("three winners, ETH, accounts exist", 105_000, 100_000),
    "refund": ("one funder pulls its whole pledge: worst of last out, not last, objector after an award", 78_000, 45_000),
    "withdraw": ("a credited contract recipient pulls its whole credit (through its own call)", 0, 40_000),
    # Fundraisers and one-transaction actions (issue 6); targets are ours: the bounty
    # operation they mirror, or that plus the extra work (a permit, a signature check).
    "create_fundraiser": ("ETH all-or-nothing fundraiser, 45-character URL", 0, 120_000),
    "pledge_fundraiser": ("first ETH pledge of a backer on a funded fundraiser", 0, 58_000),
    "pledge_erc20_permit": ("permit + pledge in one tx; escrow already holds the token", 0, 110_000),
    # Unordered nonces (issue 11): every relayed signature marks a fresh nonce slot (20,000 gas
    # of it); the budget was 80,000 while nonces were sequential and their slot never fresh.
    "submit_solution_by_sig": ("relayed, hunter-signed (EIP-712), 60-character PR URL, fresh nonce", 0, 90_000),
    "withdraw_raised": ("goal met, ETH, beneficiary account exists", 0, 65_000),
    # Issue 16 made pledges shares of the pool: a refund converts shares to value and checks for
    # slashed claim bonds (about 500 gas), so these two budgets of ours rose by 1,000.
    "refund_fundraiser": ("a backer of a failed all-or-nothing fundraiser pulls", 0, 46_000),
    # Backers' review (issues 5 and 11): no product target; budgets set here so regressions show.
    # Issue 11 moved the review to its own contract (each step is a call between the two
    # contracts) and made an objection withhold the objector's pledge (a record per objector
    # in the escrow): the budgets were 100,000, 62,000 and 75,000 before.
    "propose": ("optimistic bounty, one winner, opens the review window", 0, 110_000),
    "object": ("a funder withholds its pledge: worst of below and reaching the quorum", 0, 115_000),
    "finalize": ("anyone pays a proposal, one winner, ETH: worst of unopposed, withheld, upheld", 0, 80_000),
    # Worst cases as their own keys (issue 11).
    "award_one_first_fee": ("one winner, ETH: the escrow's first fee, or fees just withdrawn to the floor", 0, 65_000),
    "pledge_eth_first_on_bounty": ("the first pledge on a bounty (its pool is zero)", 0, 75_000),
    "pledge_erc20_first_in_token": ("after approve; the first pledge ever in a new token", 0, 135_000),
    "refund_not_last": ("a funder who is not the last one out pulls its pledge", 0, 45_000),
    "refund_to_partial": ("a funder pulls part of its pledge to another address", 0, 51_000),
    # 46,000 since the IR pipeline (issue 16: the size headroom), which costs this path 533 gas.
    "withdraw_to": ("a credited contract recipient pulls part of its credit to another address", 0, 46_000),
    "withdraw_fees": ("the fee recipient pulls every accrued ETH fee", 0, 40_000),
    "escalate": ("anyone sends a blocked proposal to its plain-address arbiter", 0, 45_000),
    "decide": ("a plain-address arbiter upholds a blocked proposal", 0, 45_000),
    # Milestones and claim bonds (issue 16): targets from PRODUCT.md (award_one's + 10,000 and
    # submit_solution's + 25,000); the others are budgets set here so regressions show.
    "award_part": ("a milestone, one winner, ETH: worst of the first and a later one, fees accrued or at the floor, "
                   "after a top-up", 0, 75_000),
    "submit_solution_bonded": ("60-character PR URL with its bond: worst of ETH and a token the escrow holds, "
                               "first and later claims", 0, 90_000),
    "submit_solution_bonded_first_in_token": ("as bonded, the escrow's first holding of the token", 0, 135_000),
    "mark_spam": ("the approver slashes a bond to the funders: worst of the first and a later mark, judge funding "
                  "or not", 0, 80_000),
    "withdraw_bond": ("a hunter pulls its bond back after the award or a cancel, ETH or token", 0, 60_000),
    "claim_slashed": ("a funder is credited its part of the slashed bonds (its first credit in the currency)", 0,
                      80_000),
}


def _stamp(timestamp: int) -> int:
    """The first timestamp from `timestamp` on whose four low bytes are all non-zero: its
    calldata cost is then the same on every run."""
    while any(byte == 0 for byte in timestamp.to_bytes(4, "big")):
        timestamp += 1
    return timestamp


def _no_zero_byte(data: bytes) -> bool:
    return all(data)


class _Cast:
    """Accounts from fixed keys, funded from one fresh account of the chain."""

    def __init__(self, chain: DevChain) -> None:
        self.chain = chain
        self.bank = chain.new_account(wei=100_000 * ETHER)
        self.nonce = 0

    def __call__(self, name: str, wei: int = 1_000 * ETHER) -> LocalAccount:
        account = Account.from_key(keccak(text=f"bountychain gas report: {name}"))
        w3 = self.chain.w3
        tx = {"to": account.address, "value": wei, "gas": 21_000, "nonce": w3.eth.get_transaction_count(self.bank.address),
              "chainId": w3.eth.chain_id, "maxFeePerGas": 2 * w3.eth.get_block("latest")["baseFeePerGas"] + 10**9,
              "maxPriorityFeePerGas": 10**9}
        w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(self.bank.sign_transaction(tx).raw_transaction))
        return account


def contract_sizes(chain: DevChain, escrow: BountyClient) -> dict[str, dict[str, int]]:
    """The runtime size of each deployed contract and its headroom under EIP-170."""
    sizes = {}
    for name, address in (("BountyEscrow", escrow.address), ("BountyReview", escrow.review_contract.address)):
        size = len(chain.w3.eth.get_code(address))
        sizes[name] = {"bytes": size, "headroom": EIP170_LIMIT - size}
    return sizes


def measure(chain: DevChain, *, sizes: dict | None = None) -> dict[str, int]:
    """Runs every scenario on `chain` and returns {key: worst receipt gas}; fills `sizes`
    (if given) with the deployed contracts' runtime sizes."""
    cast = _Cast(chain)
    deployer, fee_recipient, arbiter, payee = (cast(n) for n in ("deployer", "fee", "arbiter", "payee"))
    funders = [cast(f"funder {i}") for i in range(4)]
    hunters = [cast(f"hunter {i}") for i in range(3)]
    w3 = chain.w3
    escrow = BountyClient.deploy(chain, deployer, fee_recipient=fee_recipient.address, fee_bps=100)
    if sizes is not None:
        sizes.update(contract_sizes(chain, escrow))
    as_ = escrow.as_signer
    gas: dict[str, int] = {}

    def worst(key: str, *results) -> None:
        gas[key] = max(gas.get(key, 0), *(r if isinstance(r, int) else r.gas_used for r in results))

    deadline = _stamp(chain.now() + 30 * DAY)

    # The escrow's first bounty, first pledge and first fee (the ETH fee slot holds its floor
    # of 1 from the constructor).
    first = escrow.create_bounty(ISSUE_URL, deadline)
    worst("create_bounty", first)
    worst("pledge_eth_first_on_bounty", as_(funders[0]).pledge(first.bounty_id, ETHER))
    claim = as_(hunters[0]).submit_solution(first.bounty_id, PR_URL)
    worst("submit_solution", claim)
    award = escrow.award(first.bounty_id, {claim.claim_id: 10_000})
    worst("award_one_first_fee", award)
    worst("award_one", award)
    worst("withdraw_fees", as_(fee_recipient).withdraw_fees())  # back to the floor

    # A later bounty, its pool zero, then funded; the award right after fees were withdrawn.
    bounty = escrow.create_bounty(ISSUE_URL, deadline)
    worst("create_bounty", bounty)
    bounty_id = bounty.bounty_id
    worst("pledge_eth_first_on_bounty", as_(funders[1]).pledge(bounty_id, ETHER))
    worst("pledge_eth_new_funder", as_(funders[2]).pledge(bounty_id, ETHER))
    worst("pledge_eth_topup", as_(funders[2]).pledge(bounty_id, ETHER))
    claims = [as_(hunter).submit_solution(bounty_id, PR_URL) for hunter in hunters]
    worst("submit_solution", *claims)
    award = escrow.award(bounty_id, {claims[1].claim_id: 10_000})
    worst("award_one_first_fee", award)
    worst("award_one", award)

    # Fees accrued and not withdrawn.
    accrued = escrow.create_bounty(ISSUE_URL, deadline).bounty_id
    worst("pledge_eth_first_on_bounty", as_(funders[3]).pledge(accrued, ETHER))
    worst("pledge_eth_new_funder", as_(funders[0]).pledge(accrued, ETHER))
    winner = as_(hunters[2]).submit_solution(accrued, PR_URL).claim_id
    worst("award_one", escrow.award(accrued, {winner: 10_000}))

    three = escrow.create_bounty(ISSUE_URL, deadline).bounty_id
    as_(funders[2]).pledge(three, ETHER)
    ids = [as_(hunter).submit_solution(three, PR_URL).claim_id for hunter in hunters]
    worst("award_three", escrow.award(three, {ids[0]: 5_000, ids[1]: 3_000, ids[2]: 2_000}))

    # Tokens: the first pledge ever in a new token, then a new funder in it.
    token = deploy_contract(w3, deployer, "TestToken", "USD Coin", "USDC", 6)
    for funder in funders[:2]:
        send_transaction(w3, deployer, token.functions.mint(funder.address, 10**12))
    token_bounty = escrow.create_bounty(ISSUE_URL, deadline, token=token.address).bounty_id
    worst("pledge_erc20_first_in_token", as_(funders[0]).pledge(token_bounty, 10**9))
    worst("pledge_erc20_new_funder", as_(funders[1]).pledge(token_bounty, 10**9))

    # Refunds after the deadline: not last (whole, then part of a pledge to another address,
    # then the rest), then the last one out.
    expiring = escrow.create_bounty(ISSUE_URL, _stamp(chain.now() + DAY))
    for funder in funders[:3]:
        as_(funder).pledge(expiring.bounty_id, ETHER)
    chain.set_next_block_timestamp(expiring.deadline + 1)
    not_last = as_(funders[0]).refund(expiring.bounty_id)
    worst("refund_not_last", not_last)
    worst("refund", not_last)
    worst("refund_to_partial", as_(funders[1]).refund(expiring.bounty_id, amount=ETHER // 2, to=payee.address))
    rest = as_(funders[1]).refund(expiring.bounty_id)
    worst("refund_not_last", rest)
    worst("refund", rest, as_(funders[2]).refund(expiring.bounty_id))

    # The backers' review, with a plain-address arbiter and a quorum of 60%.
    deadline = _stamp(chain.now() + 30 * DAY)
    terms = ReviewTerms(3 * DAY, 6_000, arbiter.address)
    # (1) One objection below the quorum: the award pays the rest; the objector refunds at once.
    reviewed = escrow.create_bounty(ISSUE_URL, deadline, review=terms).bounty_id
    for funder in funders[:3]:
        as_(funder).pledge(reviewed, ETHER)
    winner = as_(hunters[0]).submit_solution(reviewed, PR_URL).claim_id
    proposal = escrow.propose(reviewed, {winner: 10_000})
    worst("propose", proposal)
    worst("object", as_(funders[0]).object(reviewed))
    chain.set_next_block_timestamp(proposal.window_end)
    worst("finalize", as_(funders[3]).finalize(reviewed))
    worst("refund", as_(funders[0]).refund(reviewed))
    # (2) Unopposed.
    unopposed = escrow.create_bounty(ISSUE_URL, deadline, review=terms).bounty_id
    as_(funders[1]).pledge(unopposed, ETHER)
    winner = as_(hunters[1]).submit_solution(unopposed, PR_URL).claim_id
    proposal = escrow.propose(unopposed, {winner: 10_000})
    worst("propose", proposal)
    chain.set_next_block_timestamp(proposal.window_end)
    worst("finalize", as_(funders[3]).finalize(unopposed))
    # (3) Objections reach the quorum: blocked, escalated, upheld by the arbiter, paid in full.
    blocked = escrow.create_bounty(ISSUE_URL, deadline, review=terms).bounty_id
    for funder in funders[:3]:
        as_(funder).pledge(blocked, ETHER)
    winner = as_(hunters[2]).submit_solution(blocked, PR_URL).claim_id
    worst("propose", escrow.propose(blocked, {winner: 10_000}))
    worst("object", as_(funders[0]).object(blocked), as_(funders[1]).object(blocked))  # 2/3 >= 60%
    worst("escalate", as_(funders[3]).escalate(blocked))
    worst("decide", as_(arbiter).rule(blocked, "pay"))
    worst("finalize", as_(funders[3]).finalize(blocked))

    # A credit: the winner is a contract that refuses ETH while the award pushes.
    receiver_artifact = json.loads(HOSTILE_RECEIVER.read_text())
    receiver = deploy_contract(w3, deployer, "HostileReceiver", escrow.address, abi=receiver_artifact["abi"],
                               bytecode=receiver_artifact["bytecode"])
    send_transaction(w3, deployer, receiver.functions.setMode(1))  # reverts on ETH
    credited = escrow.create_bounty(ISSUE_URL, deadline).bounty_id
    as_(funders[2]).pledge(credited, ETHER)
    submit = escrow.contract.functions.submitSolution(credited, PR_URL)._encode_transaction_data()
    send_transaction(w3, deployer, receiver.functions.execute(escrow.address, 0, submit))
    escrow.award(credited, {1: 10_000})
    send_transaction(w3, deployer, receiver.functions.setMode(0))  # accepts ETH again
    eth = "0x" + "00" * 20
    credit = escrow.credit_of(receiver.address, eth)
    part = escrow.contract.functions.withdrawTo(eth, credit // 2, payee.address)._encode_transaction_data()
    worst("withdraw_to", send_transaction(w3, deployer, receiver.functions.execute(escrow.address, 0, part))["gasUsed"])
    whole = escrow.contract.functions.withdraw(eth)._encode_transaction_data()
    worst("withdraw", send_transaction(w3, deployer, receiver.functions.execute(escrow.address, 0, whole))["gasUsed"])

    # Fundraisers: a warm-up pays out once, so the beneficiary's account exists.
    beneficiary = cast("beneficiary")
    short = _stamp(chain.now() + DAY)
    warm = escrow.create_fundraiser(ISSUE_URL, beneficiary.address, ETHER, short).fundraiser_id
    raising = escrow.create_fundraiser(ISSUE_URL, beneficiary.address, ETHER, short)
    worst("create_fundraiser", raising)
    failing = escrow.create_fundraiser(ISSUE_URL, beneficiary.address, 1_000 * ETHER, short).fundraiser_id
    as_(funders[0]).pledge(warm, ETHER)
    as_(funders[0]).pledge(raising.fundraiser_id, ETHER)
    worst("pledge_fundraiser", as_(funders[1]).pledge(raising.fundraiser_id, ETHER))
    as_(funders[2]).pledge(failing, ETHER)
    as_(funders[3]).pledge(failing, ETHER)

    # Permit: the funder's permit nonce is not fresh; a fixed key, and the first permit
    # deadline from a fixed offset whose signature has no zero byte.
    permit_token = deploy_contract(w3, deployer, "TestPermitToken", "Permit USD", "PUSD", 6)
    permit_bounty = escrow.create_bounty(ISSUE_URL, short, token=permit_token.address).bounty_id
    warm_permit = escrow.create_bounty(ISSUE_URL, short, token=permit_token.address).bounty_id
    for funder in funders[:2]:
        send_transaction(w3, deployer, permit_token.functions.mint(funder.address, 10**12))
    as_(funders[0]).pledge(permit_bounty, 10**9)
    as_(funders[1]).pledge(warm_permit, 10**9)
    permitter = as_(funders[1])
    permit_deadline = _stamp(short)
    while True:
        v, r, s = permitter.sign_permit(permit_token.address, 10**9, permit_deadline)
        if _no_zero_byte(bytes(r) + bytes(s)):
            break
        permit_deadline = _stamp(permit_deadline + 1)
    pledge = escrow.contract.functions.pledgeWithPermit(permit_bounty, 10**9, short, permit_deadline, v, r, s)
    worst("pledge_erc20_permit", send_transaction(w3, funders[1], pledge)["gasUsed"])

    # A relayed solution: the hunter's nonce word is fresh; a fixed key, expiry and the first
    # nonce from a fixed value whose signature has no zero byte.
    relayer = as_(funders[2])
    signed_bounty = escrow.create_bounty(ISSUE_URL, short).bounty_id
    relayer.relay_solution(as_(hunters[0]).sign_solution(signed_bounty, OTHER_PR_URL, expiry=short, nonce=1))
    nonce = int.from_bytes(b"\x5a" * 31 + b"\x01", "big")
    while True:
        signed = as_(hunters[0]).sign_solution(signed_bounty, PR_URL, expiry=short, nonce=nonce)
        if _no_zero_byte(bytes.fromhex(signed.signature.removeprefix("0x"))):
            break
        nonce += 1
    worst("submit_solution_by_sig", relayer.relay_solution(signed))

    chain.set_next_block_timestamp(short + 1)
    escrow.withdraw_raised(warm)
    worst("withdraw_raised", escrow.withdraw_raised(raising.fundraiser_id))
    worst("refund_fundraiser", as_(funders[2]).refund(failing), as_(funders[3]).refund(failing))
    _measure_milestones_and_bonds(chain, escrow, cast, deployer, funders, hunters, worst)
    return {key: gas[key] for key in OPERATIONS}


def _measure_milestones_and_bonds(chain: DevChain, escrow: BountyClient, cast: _Cast, deployer: LocalAccount,
                                  funders: list[LocalAccount], hunters: list[LocalAccount], worst) -> None:
    """Partial awards and claim bonds, each in every state that changes its cost."""
    w3 = chain.w3
    as_ = escrow.as_signer
    fee_recipient = cast("fee", wei=ETHER)
    deadline = _stamp(chain.now() + 30 * DAY)
    # Milestones: the first on a bounty (shares equal amounts), a later one after a top-up,
    # one right after the fees were withdrawn to their floor, and a later bounty's first.
    milestone = escrow.create_bounty(ISSUE_URL, deadline).bounty_id
    as_(funders[0]).pledge(milestone, ETHER)
    as_(funders[1]).pledge(milestone, ETHER + 7)
    winner = as_(hunters[0]).submit_solution(milestone, PR_URL).claim_id
    worst("award_part", escrow.award_part(milestone, 3_000, {winner: 10_000}))
    as_(funders[1]).pledge(milestone, ETHER)
    worst("award_part", escrow.award_part(milestone, 2_500, {winner: 10_000}))
    as_(fee_recipient).withdraw_fees()
    worst("award_part", escrow.award_part(milestone, 9_999, {winner: 10_000}))
    later = escrow.create_bounty(ISSUE_URL, deadline).bounty_id
    as_(funders[2]).pledge(later, ETHER)
    winner = as_(hunters[1]).submit_solution(later, PR_URL).claim_id
    worst("award_part", escrow.award_part(later, 5_000, {winner: 10_000}))

    # Bonded claims in ETH: the bounty's first and a later claim.
    bond = 10**16
    bonded = escrow.create_bonded_bounty(ISSUE_URL, deadline, bond).bounty_id
    as_(funders[0]).pledge(bonded, ETHER)
    first_claim = as_(hunters[0]).submit_bonded_solution(bonded, PR_URL)
    worst("submit_solution_bonded", first_claim, as_(hunters[1]).submit_bonded_solution(bonded, PR_URL))
    spam = as_(hunters[2]).submit_bonded_solution(bonded, PR_URL).claim_id
    worst("mark_spam", escrow.mark_spam(bonded, spam))
    # The judge funds too (its shares are settled and left out), a later mark.
    as_(deployer).pledge(bonded, ETHER)
    spam = as_(hunters[2]).submit_bonded_solution(bonded, OTHER_PR_URL).claim_id
    worst("mark_spam", escrow.mark_spam(bonded, spam))
    worst("claim_slashed", as_(funders[0]).claim_slashed(bonded))
    escrow.award(bonded, {first_claim.claim_id: 10_000})
    worst("withdraw_bond", as_(hunters[0]).withdraw_bond(bonded, first_claim.claim_id))

    # Bonded claims in a token: the escrow's first holding of it, then later claims.
    token = deploy_contract(w3, deployer, "TestToken", "Bond USD", "BUSD", 6)
    for hunter in hunters:
        send_transaction(w3, deployer, token.functions.mint(hunter.address, 10**12))
    send_transaction(w3, deployer, token.functions.mint(funders[0].address, 10**12))
    token_bounty = escrow.create_bonded_bounty(ISSUE_URL, deadline, 10**7, token=token.address).bounty_id
    approve = [as_(hunter)._approve_exactly(token.address, 10**7) for hunter in hunters]
    assert all(approve)
    submit = escrow.contract.functions.submitSolution(token_bounty, PR_URL)
    worst("submit_solution_bonded_first_in_token", send_transaction(w3, hunters[0], submit)["gasUsed"])
    as_(funders[0]).pledge(token_bounty, 10**9)
    token_claims = [send_transaction(w3, hunter, submit) for hunter in hunters[1:]]
    worst("submit_solution_bonded", *(receipt["gasUsed"] for receipt in token_claims))
    escrow.cancel(token_bounty)
    worst("withdraw_bond", as_(hunters[1]).withdraw_bond(token_bounty, 2))


def markdown_table(report: dict) -> str:
    """The README's gas table, then the contracts' runtime sizes."""
    rows = ["| operation | scenario (worst state) | gas | target | StandardBounties v2 |", "|---|---|---:|---:|---:|"]
    for key, (what, standard, target) in OPERATIONS.items():
        rows.append(f"| {key} | {what} | {report[key]:,} | {target:,} | {f'{standard:,}' if standard else '-'} |")
    rows += ["", f"| contract | runtime bytes | headroom under EIP-170 ({EIP170_LIMIT:,}) |", "|---|---:|---:|"]
    for name, size in report[SIZES_KEY].items():
        rows.append(f"| {name} | {size['bytes']:,} | {size['headroom']:,} |")
    return "\n".join(rows) + "\n"


def write_readme_table(report: dict) -> None:
    text = README.read_text()
    start = text.index(TABLE_START) + len(TABLE_START)
    README.write_text(text[:start] + markdown_table(report) + text[text.index(TABLE_END):])


def main() -> int:
    sizes: dict[str, dict[str, int]] = {}
    with InProcessChain() as chain:
        gas = measure(chain, sizes=sizes)
    report = {**gas, SIZES_KEY: sizes}
    REPORT.write_text(json.dumps(report, indent=2) + "\n")
    write_readme_table(report)
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Receipt gas (in-process EVM, solc 0.8.37, optimizer on)")
    for column in ("operation", "scenario", "gas", "target", "StandardBounties v2", "met"):
        table.add_column(column, justify="left" if column in ("operation", "scenario") else "right")
    for key, (what, standard, target) in OPERATIONS.items():
        met = "yes" if gas[key] <= target else "NO"
        table.add_row(key, what, f"{gas[key]:,}", f"{target:,}", f"{standard:,}" if standard else "-", met)
    Console(width=140).print(table)
    for name, size in sizes.items():
        print(f"{name}: {size['bytes']:,} bytes of runtime code, {size['headroom']:,} under EIP-170")
    print(f"wrote {REPORT.name} and the table in {README.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
