"""Stateful invariant fuzzing: hypothesis drives the real escrow and its review contract on a
real anvil node with several funders, hunters, bounties and currencies, and a Python model
predicts every outcome. After every step the chain must agree with the model and these must
hold, each named after the promise it keeps:

- solvency per token: the escrow's balance covers outstanding pledges, credits and the fees
  accrued (`feesAccrued`; fees are not credits);
- accounting: pledged = awarded pools (paid + fees) + refunded + outstanding, per token, and
  a token's `tokenOwed` is its outstanding pledges + credits + fees;
- no double payout, no refund of a pledge an award took, no award of an emptied bounty, no
  pledge locked later than its funder accepted (`maxUnlocksAt`, LockTooLong after an
  extension): the model predicts each refusal and the contract must refuse with exactly
  that error;
- no pledge is paid to a proposal its funder objected to unless the arbiter ruled for it:
  each award records, from the chain, whose pledges it took, and no objector of the awarded
  round is among them unless the arbiter upheld the proposal; the objectors refund at once;
- a pledge whose lock ended is held by a live proposal at most once and at most 127 days:
  every funder can refund exactly its own pledge once its lock ends on an unawarded bounty,
  whatever the others did, except while a proposal made before its lock ended is live, and
  then only until that proposal + 127 days (checked for every pledge with a simulated call);
- no credit that can never leave: every credit can be withdrawn (simulated `withdrawTo`);
- backer governance: the proposal's state, nonce, window, weight against and total at
  proposal match the model; no live proposal is stuck: once its window ends unblocked (or
  the arbiter upheld it) finalize succeeds, and once a blocked proposal was not escalated
  within 7 days of its window, or an escalated one not decided within 90 days of its
  escalation, lapse succeeds;
- value reaches only awarded winners, fundraisers' beneficiaries, refunding funders and
  their recipients, and the fee recipient: every actor's balance moves exactly as the model
  says.
- milestones and claim bonds (promise 10): pledges are shares; a partial award pays
  floor(pool x part) and every pledge is then worth shares x total / supply, rounded down
  (the model predicts each `pledgeOf`); a pool nobody holds shares of holds nothing; claim
  bonds are owed until returned (after the award, cancel or deadline, refused before) or
  slashed; a slashed bond is owed to the funders per share, each funder's part predicted to
  the wei, and the parts credited never exceed what was slashed; solvency and `tokenOwed`
  count the bonds held and the slashed bonds not yet credited.

Fundraisers (all-or-nothing and flexible) share the bounties' records, so every rule also
draws them: pledges, refunds (a failed or lapsed fundraiser's backers only), cancels (before
the deadline only), and the refusals of solutions and extensions; `withdraw_raised` pays
a successful fundraiser to its beneficiary. One hunter and beneficiary is a contract that
refuses ETH, so ETH payouts to it become credits, which it withdraws in parts to others.

`make test` runs a short profile. `make fuzz` runs the deep profile (at least 100,000 steps;
BOUNTYCHAIN_FUZZ_STEPS sets the number) and writes build/fuzz-report.json.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule, run_state_machine_as_test

from eth_abi import decode as abi_decode
from eth_utils import function_signature_to_4byte_selector

from bountychain import ETH, AnvilNode, BountyClient, ContractError, ReviewTerms, deploy_contract, send_transaction
from tests.conftest import deploy_mock

STEPS_PER_RUN = 40
TARGET_STEPS = int(os.environ.get("BOUNTYCHAIN_FUZZ_STEPS", "600"))
REPORT = Path(__file__).resolve().parent.parent / "build" / "fuzz-report.json"
FEE_BPS = 250
BPS = 10_000
DAY = 86_400
CLAIM_PERIOD = 365 * DAY
CURRENCIES = ["eth", "standard", "no-return", "fee-on-transfer"]
AMOUNTS = st.sampled_from([1, 3, 999, 10**6, 10**15, 7 * 10**17])


BOUNTY_INFO = "(address,address,address,uint64,uint8,uint256,uint256)"
REVIEW_INFO = "(address,uint32,uint16,address,bool,uint8,uint32,uint64,uint64,uint256,uint256,bytes32,uint256)"
STATUSES = ("open", "awarded", "cancelled", "under_review")
PROPOSAL_STATES = ("none", "pending", "blocked", "escalated", "upheld", "executed")
ARBITRATION_COST = 10**15
ESCALATION_PERIOD = 7 * DAY
ARBITRATION_PERIOD = 90 * DAY
MAX_REVIEW_HOLD = 127 * DAY
SLASH_SCALE = 10**36
PARTS_BPS = st.sampled_from([1, 7, 3_333, 5_000, 9_999])
BONDS = st.sampled_from([1, 999, 10**15])
_ITERATE = {'phases': [__import__('hypothesis').Phase.generate]} if os.environ.get('FUZZ_NOSHRINK') else {}
REFUSER = 3  # the hunter (and beneficiary) index of the contract that refuses ETH


def _word(value: str | int) -> str:
    """One ABI word: an address or an unsigned integer, as 64 hex digits."""
    number = int(value, 16) if isinstance(value, str) else value
    return f"{number:064x}"


def delivered(kind: str, amount: int) -> int:
    return amount - amount * 100 // 10_000 if kind == "fee-on-transfer" else amount


@dataclass
class ModelBounty:
    bounty_id: int
    kind: str
    issuer: int
    deadline: int
    status: str = "open"
    pledges: dict[int, tuple[int, int]] = field(default_factory=dict)  # funder -> (outstanding, unlocks_at)
    taken: set[int] = field(default_factory=set)  # funders whose pledge an award took (pledgeOf 0)
    deadlines: list[int] = field(default_factory=list)  # every deadline it had (stale ones for LockTooLong)
    claims: list[int] = field(default_factory=list)  # claim id - 1 -> hunter index
    total: int = 0  # outstanding pledges (after an award: those it left out)
    fundraiser: bool = False
    all_or_nothing: bool = False
    goal: int = 0
    beneficiary: int = 0  # hunter index

    def refundable_fundraiser(self, now: int) -> bool:
        """Past its deadline, may an open fundraiser's backers refund? (failed or lapsed)"""
        return now >= self.deadline + CLAIM_PERIOD or (self.all_or_nothing and self.total < self.goal)
    # Backer governance: (review window, quorum bps, arbiter kind "none"|"plain"|"erc792"), or None.
    review: tuple[int, int, str] | None = None
    proposal: str = "none"  # one of PROPOSAL_STATES
    nonce: int = 0
    proposed: tuple[list[int], list[int]] = ([], [])
    proposed_at: int = 0
    window_end: int = 0
    escalated_at: int = 0
    against: int = 0
    total_at_proposal: int = 0
    objected: set[int] = field(default_factory=set)  # funders who objected to the live (or awarded) proposal
    upheld: bool = False  # the arbiter ruled for the live (or awarded) proposal
    dispute_id: int | None = None
    # Milestones: pledges are shares of the pool; a partial award makes a share worth less
    # than a unit (`partly`), and each pledge is then worth shares x total / supply, rounded down.
    shares: dict[int, int] = field(default_factory=dict)  # funder -> shares
    supply: int = 0
    partly: bool = False
    # Claim bonds: the bond each claim posts, what each claim still holds, and the slashed
    # bonds owed per share (x SLASH_SCALE) with each funder's debt, as the escrow counts them.
    bond: int = 0
    bonds: dict[int, int] = field(default_factory=dict)  # claim id -> bond held
    per_share: int = 0
    debt: dict[int, int] = field(default_factory=dict)  # funder -> slashed owed at its last settlement

    @property
    def decide_by(self) -> int:
        """Blocked: the last moment to escalate; escalated: the arbiter's last moment."""
        if self.proposal == "escalated":
            return self.escalated_at + ARBITRATION_PERIOD
        return self.window_end + ESCALATION_PERIOD

    @property
    def withheld(self) -> int:
        """What the objections keep out of the award: the objectors' outstanding pledges."""
        return 0 if self.upheld else sum(self.pledges.get(f, (0, 0))[0] for f in self.objected)

    def held(self, unlocks_at: int) -> bool:
        """Does the live proposal hold a pledge with this lock? (the hold ends after 127 days)"""
        return unlocks_at > self.proposed_at


@dataclass
class Award:
    """What one award took, read from the chain right after it."""
    bounty_id: int
    nonce: int
    pool: int
    taken: dict[int, int]  # funder -> pledge the award took
    objectors: frozenset[int]
    upheld: bool


class Fixture:
    """One anvil node, escrow and cast, shared by every example (reverted in between)."""

    def __init__(self) -> None:
        self.node = AnvilNode()
        self.node._rpc("anvil_setBlockTimestampInterval", [1])  # every block: exactly +1 s
        chain = self.node
        deployer = chain.new_account()
        self.treasury = chain.new_account()
        self.issuers = [chain.new_account() for _ in range(2)]
        self.funders = [chain.new_account() for _ in range(3)]
        self.hunters = [chain.new_account() for _ in range(3)]
        self.escrow = BountyClient.deploy(chain, deployer, fee_recipient=self.treasury.address, fee_bps=FEE_BPS,
                                          poll_latency=0.002)
        self.review = self.escrow.review_contract
        self.tokens = {
            "standard": deploy_contract(chain.w3, deployer, "TestToken", "USD Coin", "USDC", 6),
            "no-return": deploy_mock(chain, deployer, "NoReturnToken"),
            "fee-on-transfer": deploy_mock(chain, deployer, "FeeOnTransferToken"),
        }
        for token in self.tokens.values():
            for account in (*self.funders, *self.hunters):  # hunters post token bonds
                send_transaction(chain.w3, deployer, token.functions.mint(account.address, 10**24))
        self.erc20 = {token.address: token for token in self.tokens.values()}
        self.arbiter = chain.new_account()  # a plain-address arbiter (a Safe, say); not an actor
        self.arbitrator = deploy_mock(chain, deployer, "MockArbitrator", ARBITRATION_COST)
        # A hunter and beneficiary contract that refuses ETH (its ETH payouts become credits);
        # `operator` (not an actor: its gas is not modelled) makes it act through `execute`.
        self.operator = chain.new_account()
        self.refuser = deploy_mock(chain, deployer, "HostileReceiver", self.escrow.address)
        send_transaction(chain.w3, deployer, self.refuser.functions.setMode(1))  # RevertWithPayload
        self.base = chain.snapshot()
        self.steps = 0
        self.runs = 0
        self.started = time.monotonic()

    def token(self, kind: str) -> str:
        return ETH if kind == "eth" else self.tokens[kind].address

    def hunter(self, index: int) -> str:
        return self.refuser.address if index == REFUSER else self.hunters[index].address

    def reset(self) -> None:
        self.node.revert(self.base)
        self.base = self.node.snapshot()  # anvil consumes a snapshot when reverting to it


@pytest.fixture(scope="module")
def fuzz_fixture():
    fixture = Fixture()
    yield fixture
    elapsed = time.monotonic() - fixture.started
    REPORT.parent.mkdir(exist_ok=True)
    report = {"steps": fixture.steps, "runs": fixture.runs, "seconds": round(elapsed, 1),
              "steps_per_second": round(fixture.steps / elapsed, 1)}
    REPORT.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nstateful fuzzing: {report}")
    fixture.node.close()


class EscrowMachine(RuleBasedStateMachine):
    fx: Fixture

    @initialize()
    def start(self) -> None:
        self.fx.reset()
        self.fx.runs += 1
        self.bounties: list[ModelBounty] = []
        self.credits: dict[tuple[str, str], int] = defaultdict(int)  # (address, token)
        self.fees: dict[str, int] = defaultdict(int)  # accrued, per token
        self.pledged: dict[str, int] = defaultdict(int)  # per token, as received
        self.awarded: dict[str, int] = defaultdict(int)
        self.refunded: dict[str, int] = defaultdict(int)
        self.withdrawn: dict[str, int] = defaultdict(int)
        # Claim bonds per token: posted, returned to hunters, slashed, credited to funders.
        self.bonds_in: dict[str, int] = defaultdict(int)
        self.bonds_returned: dict[str, int] = defaultdict(int)
        self.bonds_slashed: dict[str, int] = defaultdict(int)
        self.slash_credited: dict[str, int] = defaultdict(int)
        self.awards: list[Award] = []
        # (bounty id, funder) -> {proposal nonce: proposed_at} of the proposals that held the
        # pledge after its lock had ended
        self.held_unlocked: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
        keys = [(account, self.fx.token(kind)) for account in self._actors() for kind in CURRENCIES]
        balances = self._read([self._balance_call(account, token) for account, token in keys])
        self.expected_balances: dict[tuple[str, str], int] = {key: value for key, (value,) in zip(keys, balances)}

    # --- helpers ---------------------------------------------------------------------------

    def _actors(self) -> list[str]:
        fx = self.fx
        return [a.address for a in (fx.treasury, *fx.issuers, *fx.funders, *fx.hunters)] + [fx.refuser.address]

    def _client(self, account) -> BountyClient:
        return self.fx.escrow.as_signer(account)

    def _next_time(self) -> int:
        return self.fx.node.now() + 1

    def _gas(self, account, *results) -> None:
        for result in results:
            if result is not None:
                self.expected_balances[(account.address, ETH)] -= result.gas_cost_wei

    def _expect_refusal(self, error_name: str, signer, fn, value: int = 0) -> None:
        """The contract itself must refuse, with exactly this error (raw call, simulated)."""
        with pytest.raises(ContractError) as refused:
            send_transaction(self.fx.node.w3, signer, fn, value=value)
        assert refused.value.error_name == error_name, f"expected {error_name}, got {refused.value!r}"
        self.fx.steps += 1

    def _near(self, moment: int) -> bool:
        """Too close to a boundary to predict which side the next transactions land on."""
        return abs(moment - self._next_time()) <= 3

    def _receive(self, account: str, kind: str, amount: int) -> None:
        """`account` receives `amount` sent by the escrow (what a fee-on-transfer token delivers)."""
        key = (account, self.fx.token(kind))
        if key in self.expected_balances:
            self.expected_balances[key] += delivered(kind, amount)

    # --- rules -----------------------------------------------------------------------------

    @rule(issuer=st.integers(0, 1), kind=st.sampled_from(CURRENCIES), days=st.integers(1, 60))
    def create_bounty(self, issuer: int, kind: str, days: int) -> None:
        deadline = self._next_time() + days * DAY
        result = self._client(self.fx.issuers[issuer]).create_bounty(
            f"https://github.com/o/r/issues/{len(self.bounties) + 1}", deadline, token=self.fx.token(kind))
        self._gas(self.fx.issuers[issuer], result)
        self.bounties.append(ModelBounty(result.bounty_id, kind, issuer, deadline, deadlines=[deadline]))
        assert result.bounty_id == len(self.bounties)
        self.fx.steps += 1

    # Short campaigns too, so that runs reach their outcomes (paid, failed, lapsed) often.
    @rule(issuer=st.integers(0, 1), kind=st.sampled_from(CURRENCIES),
          duration=st.sampled_from([600, 3_600, DAY, 7 * DAY, 45 * DAY]),
          all_or_nothing=st.booleans(), goal=st.sampled_from([1, 1_000, 10**6, 10**15, 10**18]),
          beneficiary=st.integers(0, 3))
    def create_fundraiser(self, issuer: int, kind: str, duration: int, all_or_nothing: bool, goal: int,
                          beneficiary: int) -> None:
        deadline = self._next_time() + duration
        result = self._client(self.fx.issuers[issuer]).create_fundraiser(
            f"https://github.com/o/r{len(self.bounties)}", self.fx.hunter(beneficiary), goal, deadline,
            token=self.fx.token(kind), all_or_nothing=all_or_nothing)
        self._gas(self.fx.issuers[issuer], result)
        self.bounties.append(ModelBounty(result.fundraiser_id, kind, issuer, deadline, deadlines=[deadline],
                                         fundraiser=True, all_or_nothing=all_or_nothing, goal=goal,
                                         beneficiary=beneficiary))
        assert result.fundraiser_id == len(self.bounties)
        self.fx.steps += 1

    @precondition(lambda self: any(b.fundraiser for b in self.bounties))
    @rule(data=st.data(), caller=st.integers(0, 2))
    def withdraw_raised(self, data, caller: int) -> None:
        fundraiser = data.draw(st.sampled_from([b for b in self.bounties if b.fundraiser]))
        if self._near(fundraiser.deadline) or self._near(fundraiser.deadline + CLAIM_PERIOD):
            return
        account = self.fx.funders[caller]  # anyone may send it
        fn = self.fx.escrow.contract.functions.withdrawRaised(fundraiser.bounty_id)
        now = self._next_time()
        if fundraiser.status != "open":
            return self._expect_refusal("BountyNotOpen", account, fn)
        if now < fundraiser.deadline:
            return self._expect_refusal("FundraiserNotEnded", account, fn)
        if now >= fundraiser.deadline + CLAIM_PERIOD:
            return self._expect_refusal("ClaimPeriodOver", account, fn)
        if fundraiser.all_or_nothing and fundraiser.total < fundraiser.goal:
            return self._expect_refusal("GoalNotReached", account, fn)
        if fundraiser.total == 0:
            return self._expect_refusal("NothingToAward", account, fn)
        result = self._client(account).withdraw_raised(fundraiser.bounty_id)
        self._gas(account, result)
        token = self.fx.token(fundraiser.kind)
        pool = fundraiser.total
        fee = pool * FEE_BPS // BPS
        beneficiary = self.fx.hunter(fundraiser.beneficiary)
        credited = pool > fee and fundraiser.beneficiary == REFUSER and fundraiser.kind == "eth"
        assert (result.pool, result.fee, result.amount, result.beneficiary, result.credited) == (
            pool, fee, pool - fee, beneficiary, credited)
        if credited:
            self.credits[(beneficiary, token)] += pool - fee
        else:
            self._receive(beneficiary, fundraiser.kind, pool - fee)
        self.fees[token] += fee
        self.awarded[token] += pool
        self._take_all(fundraiser)
        fundraiser.status = "awarded"
        self.fx.steps += 1

    @precondition(lambda self: self.bounties)
    @rule(data=st.data(), funder=st.integers(0, 2), amount=AMOUNTS)
    def pledge(self, data, funder: int, amount: int) -> None:
        """`maxUnlocksAt` is the deadline the funder saw: the current one, a later bound, or
        one the issuer has since extended (which the escrow must refuse: LockTooLong)."""
        bounty = data.draw(st.sampled_from(self.bounties))
        if self._near(bounty.deadline):
            return
        account = self.fx.funders[funder]
        seen = data.draw(st.sampled_from([*bounty.deadlines, bounty.deadline + DAY]))
        fn = self.fx.escrow.contract.functions.pledge(bounty.bounty_id, amount, seen)
        value = amount if bounty.kind == "eth" else 0
        if bounty.status != "open":
            return self._expect_refusal("BountyNotOpen", account, fn, value)
        if self._next_time() >= bounty.deadline:
            return self._expect_refusal("BountyExpired", account, fn, value)
        if seen < bounty.deadline:
            return self._expect_refusal("LockTooLong", account, fn, value)
        self._pledge(bounty, funder, amount, seen)

    def _pledge(self, bounty: ModelBounty, funder: int, amount: int, max_unlocks_at: int | None = None) -> None:
        """A pledge the model predicts to succeed."""
        account = self.fx.funders[funder]
        token = self.fx.token(bounty.kind)
        received = delivered(bounty.kind, amount)
        if received == 0:
            return
        # Shares at the current ratio, rounded down: a top-up after a milestone pays for none of it.
        shares = received if bounty.supply == 0 else received * bounty.supply // bounty.total
        if shares == 0:
            return
        result = self._client(account).pledge(bounty.bounty_id, amount, max_unlocks_at=max_unlocks_at)
        assert result.amount == received
        self._gas(account, result, result.approval)
        self.expected_balances[(account.address, token)] -= amount
        held = bounty.shares.get(funder, 0)
        self._settle_slashed(bounty, funder, held + shares)
        old, _ = bounty.pledges.get(funder, (0, 0))
        bounty.pledges[funder] = (old + received, bounty.deadline)  # a top-up relocks it whole
        bounty.shares[funder] = held + shares
        bounty.supply += shares
        bounty.total += received
        self._revalue(bounty)
        assert result.unlocks_at == bounty.deadline
        self.pledged[token] += received
        self.fx.steps += 1

    @precondition(lambda self: self.bounties)
    @rule(data=st.data(), hunter=st.integers(0, 3))
    def submit_solution(self, data, hunter: int) -> None:
        bounty = data.draw(st.sampled_from(self.bounties))
        if self._near(bounty.deadline) or bounty.bond:  # bonded claims: submit_bonded_solution
            return
        if hunter == REFUSER:
            if bounty.status == "open" and self._next_time() < bounty.deadline and not bounty.fundraiser:
                self._submit(bounty, hunter)
            return
        account = self.fx.hunters[hunter]
        fn = self.fx.escrow.contract.functions.submitSolution(bounty.bounty_id, "https://github.com/o/r/pull/1")
        if bounty.status != "open":
            return self._expect_refusal("BountyNotOpen", account, fn)
        if self._next_time() >= bounty.deadline:
            return self._expect_refusal("BountyExpired", account, fn)
        if bounty.fundraiser:
            return self._expect_refusal("NotABounty", account, fn)
        self._submit(bounty, hunter)

    def _submit(self, bounty: ModelBounty, hunter: int) -> None:
        if hunter == REFUSER:  # the contract submits through `execute`
            escrow = self.fx.escrow.contract
            data = escrow.functions.submitSolution(bounty.bounty_id, "https://github.com/o/r/pull/2") \
                ._encode_transaction_data()
            send_transaction(self.fx.node.w3, self.fx.operator,
                             self.fx.refuser.functions.execute(escrow.address, 0, data))
            claim_count = self.fx.escrow.contract.functions.getBounty(bounty.bounty_id).call()[5]
            bounty.claims.append(hunter)
            assert claim_count == len(bounty.claims)
            self.fx.steps += 1
            return
        account = self.fx.hunters[hunter]
        # Each claim its own PR: the SDK refuses a hunter's second claim of the same URL.
        pull = f"https://github.com/o/r/pull/{len(bounty.claims) + 1}"
        result = self._client(account).submit_solution(bounty.bounty_id, pull)
        self._gas(account, result)
        bounty.claims.append(hunter)
        assert result.claim_id == len(bounty.claims)
        self.fx.steps += 1

    @precondition(lambda self: any(b.claims for b in self.bounties))
    @rule(data=st.data(), by_issuer=st.booleans())
    def award(self, data, by_issuer: bool) -> None:
        bounty = data.draw(st.sampled_from([b for b in self.bounties if b.claims]))
        if self._near(bounty.deadline):
            return
        claim_ids, shares = self._shares(data, bounty)
        issuer = self.fx.issuers[bounty.issuer]
        caller = issuer if by_issuer else self.fx.issuers[1 - bounty.issuer]
        fn = self.fx.escrow.contract.functions.award(bounty.bounty_id, claim_ids, shares)
        if bounty.status != "open":
            return self._expect_refusal("BountyNotOpen", caller, fn)
        if self._next_time() >= bounty.deadline:
            return self._expect_refusal("BountyExpired", caller, fn)
        if bounty.review is not None or caller is not issuer:
            # A reviewed bounty's approver is the review contract: nobody awards it directly.
            return self._expect_refusal("NotApprover", caller, fn)
        if bounty.total == 0:
            return self._expect_refusal("NothingToAward", caller, fn)
        result = self._client(caller).award(bounty.bounty_id, dict(zip(claim_ids, shares)))
        self._gas(caller, result)
        self._paid(bounty, result, claim_ids, shares, bounty.total)

    def _take_all(self, bounty: ModelBounty) -> None:
        for funder, (amount, _) in bounty.pledges.items():
            if amount:
                bounty.taken.add(funder)
                bounty.pledges[funder] = (0, 0)
        bounty.total = bounty.supply = 0
        bounty.shares.clear()

    def _paid(self, bounty: ModelBounty, result, claim_ids: list[int], shares: list[int], pool: int) -> None:
        """An award or finalize paid `pool`: check each payout and, from the chain, whose pledges
        it took; move the model."""
        token = self.fx.token(bounty.kind)
        assert result.rejected is None
        self._check_payouts(bounty, result, claim_ids, shares, pool)
        # Whose pledges did the award take? Those whose pledgeOf the chain now shows as zero.
        funders = [f for f, (amount, _) in bounty.pledges.items() if amount]
        after = self._read([self._escrow_call("pledgeOf(uint256,address)", bounty.bounty_id,
                                              self.fx.funders[f].address, types=["uint256", "uint64"])
                            for f in funders])
        taken = {f: bounty.pledges[f][0] for f, (amount, _) in zip(funders, after) if amount == 0}
        if bounty.partly:
            # Each pledge's worth rounds down: what they miss of the pool (the award takes it)
            # is under a unit per funder.
            assert 0 <= pool - sum(taken.values()) < max(1, len(taken)), (taken, pool)
        else:
            assert sum(taken.values()) == pool, (taken, pool)
        self.awards.append(Award(bounty.bounty_id, bounty.nonce, sum(taken.values()), taken,
                                 frozenset(bounty.objected), bounty.upheld))
        for funder in taken:
            bounty.taken.add(funder)
            bounty.pledges[funder] = (0, 0)
            bounty.shares.pop(funder, None)
        bounty.total -= pool
        # What stays is only the withheld pledges, whose shares are their amounts.
        bounty.shares = {f: amount for f, (amount, _) in bounty.pledges.items() if amount}
        bounty.supply = bounty.total
        bounty.status = "awarded"
        self.fx.steps += 1

    def _check_payouts(self, bounty: ModelBounty, result, claim_ids: list[int], shares: list[int], pool: int) -> None:
        """An award, whole or partial, paid `pool`: the fee, each winner's part (the last the
        dust), pushed or credited; the books move."""
        token = self.fx.token(bounty.kind)
        fee = pool * FEE_BPS // BPS
        assert (result.pool, result.fee) == (pool, fee)
        net, paid, count = pool - fee, 0, len(claim_ids)
        for i, (payout, claim_id, share) in enumerate(zip(result.payouts, claim_ids, shares)):
            expected = net - paid if i == count - 1 else net * share // BPS
            paid += expected
            hunter_index = bounty.claims[claim_id - 1]
            hunter = self.fx.hunter(hunter_index)
            # A zero share moves nothing, so it is never a credit, whoever the hunter is.
            credited = expected > 0 and hunter_index == REFUSER and bounty.kind == "eth"
            assert (payout.hunter, payout.amount, payout.credited) == (hunter, expected, credited)
            if credited:
                self.credits[(hunter, token)] += expected
            else:
                self._receive(hunter, bounty.kind, expected)
        assert len(result.payouts) == count
        self.fees[token] += fee
        self.awarded[token] += pool

    @precondition(lambda self: self.bounties)
    @rule(data=st.data(), funder=st.integers(0, 2), part=st.sampled_from(["all", "all", "half", "one", "too much"]),
          recipient=st.sampled_from([None, None, 0, 1]))
    def refund(self, data, funder: int, part: str, recipient: int | None) -> None:
        """All of a pledge, or part of it, to the funder or to another recipient (a hunter)."""
        self._refund(data.draw(st.sampled_from(self.bounties)), funder, part, recipient)

    def _refund(self, bounty: ModelBounty, funder: int, part: str = "all", recipient: int | None = None) -> None:
        amount, unlocks_at = bounty.pledges.get(funder, (0, 0))
        if amount and bounty.status == "open" and self._near(unlocks_at):
            return
        if amount and bounty.status == "under_review" and self._near(bounty.proposed_at + MAX_REVIEW_HOLD):
            return
        if bounty.fundraiser and self._near(bounty.deadline + CLAIM_PERIOD):
            return
        account = self.fx.funders[funder]
        to = account.address if recipient is None else self.fx.hunters[recipient].address
        value = {"all": amount, "half": max(1, amount // 2), "one": 1, "too much": amount + 1}[part]
        fn = self.fx.escrow.contract.functions.refundTo(bounty.bounty_id, value, to)
        now = self._next_time()
        if funder in bounty.taken:
            return self._expect_refusal("AlreadyAwarded", account, fn)  # the award took it
        if amount == 0:
            return self._expect_refusal("NothingToRefund", account, fn)
        if bounty.status == "open" and now < unlocks_at:
            return self._expect_refusal("PledgeLocked", account, fn)
        if bounty.status == "open" and bounty.fundraiser and not bounty.refundable_fundraiser(now):
            return self._expect_refusal("FundsGoToBeneficiary", account, fn)
        if bounty.status == "under_review" and bounty.held(unlocks_at) and now < bounty.proposed_at + MAX_REVIEW_HOLD:
            return self._expect_refusal("ProposalPending", account, fn)
        if value > amount:
            return self._expect_refusal("AmountNotAvailable", account, fn)
        # All of a pledge burns its shares; a part burns them rounded up (in the pool's favour),
        # and the last shares cannot leave a remainder behind.
        shares = bounty.shares.get(funder, 0)
        burned = shares if value == amount else value if bounty.supply == bounty.total \
            else -(-value * bounty.supply // bounty.total)
        if burned == bounty.supply and value != bounty.total:
            return self._expect_refusal("AmountNotAvailable", account, fn)
        if bounty.status == "awarded":
            assert funder in bounty.objected and not bounty.upheld  # withheld from the award
        client = self._client(account)
        if part == "all" and recipient is None:
            result = client.refund(bounty.bounty_id)
        else:
            result = client.refund(bounty.bounty_id, amount=value, to=to)
        assert (result.amount, result.to) == (value, to)
        token = self.fx.token(bounty.kind)
        self._gas(account, result)
        self._receive(to, bounty.kind, value)
        self._settle_slashed(bounty, funder, shares - burned)
        bounty.pledges[funder] = (amount - value, unlocks_at if value < amount else 0)
        bounty.shares[funder] = shares - burned
        bounty.supply -= burned
        bounty.total -= value
        self._revalue(bounty)
        self.refunded[token] += value
        self.fx.steps += 1

    @precondition(lambda self: self.bounties)
    @rule(data=st.data())
    def cancel(self, data) -> None:
        bounty = data.draw(st.sampled_from(self.bounties))
        if bounty.fundraiser and self._near(bounty.deadline):
            return
        issuer = self.fx.issuers[bounty.issuer]
        fn = self.fx.escrow.contract.functions.cancel(bounty.bounty_id)
        if bounty.status != "open":
            return self._expect_refusal("BountyNotOpen", issuer, fn)
        if bounty.fundraiser and self._next_time() >= bounty.deadline:
            return self._expect_refusal("FundraiserEnded", issuer, fn)
        result = self._client(issuer).cancel(bounty.bounty_id)
        self._gas(issuer, result)
        bounty.status = "cancelled"
        self.fx.steps += 1

    @precondition(lambda self: self.bounties)
    @rule(data=st.data(), days=st.integers(1, 30))
    def extend_deadline(self, data, days: int) -> None:
        bounty = data.draw(st.sampled_from(self.bounties))
        if self._near(bounty.deadline):
            return
        issuer = self.fx.issuers[bounty.issuer]
        new_deadline = bounty.deadline + days * DAY
        fn = self.fx.escrow.contract.functions.extendDeadline(bounty.bounty_id, new_deadline)
        if bounty.status != "open":
            return self._expect_refusal("BountyNotOpen", issuer, fn)
        if self._next_time() >= bounty.deadline:
            return self._expect_refusal("BountyExpired", issuer, fn)
        if bounty.fundraiser:
            return self._expect_refusal("NotABounty", issuer, fn)
        if new_deadline > self._next_time() + 730 * DAY:
            return
        result = self._client(issuer).extend_deadline(bounty.bounty_id, new_deadline)
        self._gas(issuer, result)
        bounty.deadline = new_deadline
        bounty.deadlines.append(new_deadline)
        self.fx.steps += 1

    @precondition(lambda self: any(b.per_share for b in self.bounties))
    @rule(kind=st.sampled_from(CURRENCIES), funder=st.integers(0, 2))
    def withdraw_slashed_credit(self, kind: str, funder: int) -> None:
        """A funder takes out what the slashed bonds credited it."""
        token = self.fx.token(kind)
        account = self.fx.funders[funder]
        credit = self.credits[(account.address, token)]
        if credit == 0:
            return
        result = self._client(account).withdraw(token)
        self._gas(account, result)
        self._receive(account.address, kind, credit)
        self.credits[(account.address, token)] = 0
        self.withdrawn[token] += credit
        self.fx.steps += 1

    @rule(kind=st.sampled_from(CURRENCIES), part=st.sampled_from(["all", "half", "too much"]),
          recipient=st.integers(0, 2), account=st.sampled_from(["refuser", "refuser", "refuser", "hunter", "treasury"]))
    def withdraw(self, kind: str, part: str, recipient: int, account: str) -> None:
        """Credits leave in parts, to another recipient: the contract that refuses ETH (the only
        account with credits) withdraws through `execute`; any other account has nothing to
        withdraw (the fee recipient's fees are not credits)."""
        token = self.fx.token(kind)
        to = self.fx.hunters[recipient].address
        escrow = self.fx.escrow.contract
        if account != "refuser":
            signer = self.fx.treasury if account == "treasury" else self.fx.hunters[recipient]
            assert self.credits[(signer.address, token)] == 0
            fn = escrow.functions.withdrawTo(token, 1, to) if part == "half" else escrow.functions.withdraw(token)
            return self._expect_refusal("NothingToWithdraw", signer, fn)
        credit = self.credits[(self.fx.refuser.address, token)]
        value = {"all": credit, "half": max(1, credit // 2), "too much": credit + 1}[part]
        if credit == 0 or value > credit:
            return  # the refusal is bubbled through `execute`, undecodable there
        call = escrow.functions.withdrawTo(token, value, to)._encode_transaction_data()
        send_transaction(self.fx.node.w3, self.fx.operator, self.fx.refuser.functions.execute(escrow.address, 0, call))
        self._receive(to, kind, value)
        self.credits[(self.fx.refuser.address, token)] -= value
        self.withdrawn[token] += value
        self.fx.steps += 1

    @rule(kind=st.sampled_from(CURRENCIES), part=st.sampled_from(["all", "half", "too much"]),
          recipient=st.sampled_from([None, 0]), by_treasury=st.sampled_from([True, True, True, False]))
    def withdraw_fees(self, kind: str, part: str, recipient: int | None, by_treasury: bool) -> None:
        token = self.fx.token(kind)
        treasury = self.fx.treasury
        to = treasury.address if recipient is None else self.fx.hunters[recipient].address
        accrued = self.fees[token]
        value = {"all": accrued, "half": max(1, accrued // 2), "too much": accrued + 1}[part]
        fn = self.fx.escrow.contract.functions.withdrawFees(token, value, to)
        if not by_treasury:
            return self._expect_refusal("NotFeeRecipient", self.fx.issuers[0], fn)
        if value == 0 or value > accrued:
            return self._expect_refusal("AmountNotAvailable", treasury, fn)
        result = self._client(treasury).withdraw_fees(token, amount=value, to=to)
        assert (result.amount, result.to) == (value, to)
        self._gas(treasury, result)
        self._receive(to, kind, value)
        self.fees[token] -= value
        self.withdrawn[token] += value
        self.fx.steps += 1

    # --- backer governance ---------------------------------------------------------------

    def _shares(self, data, bounty: ModelBounty) -> tuple[list[int], list[int]]:
        count = data.draw(st.integers(1, min(3, len(bounty.claims))))
        claim_ids = data.draw(st.lists(st.integers(1, len(bounty.claims)), min_size=count, max_size=count,
                                       unique=True))
        cuts = sorted(data.draw(st.lists(st.integers(1, BPS - 1), min_size=count - 1, max_size=count - 1,
                                         unique=True)))
        return claim_ids, [b - a for a, b in zip([0, *cuts], [*cuts, BPS])]

    def _reviewed(self, data, predicate=lambda b: True, ready=None) -> ModelBounty | None:
        """An optimistic bounty; mostly one where the step can succeed (`ready`), if any."""
        candidates = [b for b in self.bounties if b.review is not None and predicate(b)]
        preferred = [b for b in candidates if ready(b)] if ready else []
        if preferred and data.draw(st.integers(0, 3)):
            return data.draw(st.sampled_from(preferred))
        return data.draw(st.sampled_from(candidates)) if candidates else None

    def _rejected(self, bounty: ModelBounty) -> None:
        """No award: the bounty is open again, every pledge under its own lock, none withheld."""
        bounty.proposal = "none"
        bounty.status = "open"
        bounty.objected = set()
        bounty.upheld = False

    @rule(issuer=st.integers(0, 1), kind=st.sampled_from(CURRENCIES), days=st.integers(1, 60),
          window_days=st.integers(1, 3), quorum=st.sampled_from([1, 3_000, 5_000, 10_000]),
          arbiter=st.sampled_from(["none", "plain", "erc792"]), data=st.data())
    def create_review_bounty(self, issuer: int, kind: str, days: int, window_days: int, quorum: int,
                             arbiter: str, data) -> None:
        """Creates an optimistic bounty (a quorum only with an arbiter: without one, creation
        must refuse it); often funds it, registers claims and proposes at once, so that runs of
        40 steps reach objections, arbitration and lapses."""
        deadline = self._next_time() + days * DAY
        address = {"none": None, "plain": self.fx.arbiter.address, "erc792": self.fx.arbitrator.address}[arbiter]
        signer = self.fx.issuers[issuer]
        uri = f"https://github.com/o/r/issues/{len(self.bounties) + 1}"
        if arbiter == "none":
            raw_terms = (window_days * DAY, quorum, "0x" + "00" * 20, False, b"", "")
            fn = self.fx.review.functions.createBountyWithReview(self.fx.token(kind), deadline, signer.address, uri,
                                                                 raw_terms)
            self._expect_refusal("InvalidQuorum", signer, fn)
            quorum = 0
        terms = ReviewTerms(window_days * DAY, quorum, address, arbiter == "erc792")
        result = self._client(signer).create_bounty(uri, deadline, token=self.fx.token(kind), review=terms)
        self._gas(signer, result)
        bounty = ModelBounty(result.bounty_id, kind, issuer, deadline, deadlines=[deadline],
                             review=(window_days * DAY, quorum, arbiter))
        self.bounties.append(bounty)
        assert result.bounty_id == len(self.bounties)
        self.fx.steps += 1
        if not data.draw(st.booleans()):
            return
        funders = data.draw(st.lists(st.integers(0, 2), min_size=1, max_size=3, unique=True))
        for funder in funders:
            self._pledge(bounty, funder, data.draw(AMOUNTS))
        for hunter in data.draw(st.lists(st.integers(0, 3), min_size=1, max_size=2, unique=True)):
            self._submit(bounty, hunter)
        if data.draw(st.booleans()):
            # The issuer extends the deadline and the first locks end before the proposal: those
            # pledges are never held by it. A funder who saw the old deadline is refused.
            extension = bounty.deadline + data.draw(st.integers(2, 30)) * DAY
            self._gas(signer, self._client(signer).extend_deadline(bounty.bounty_id, extension))
            stale = self.fx.escrow.contract.functions.pledge(bounty.bounty_id, 10**6, bounty.deadline)
            bounty.deadline = extension
            bounty.deadlines.append(extension)
            self._expect_refusal("LockTooLong", self.fx.funders[0], stale, 10**6 if kind == "eth" else 0)
            self.advance_time(bounty.deadlines[-2] - self._next_time() + 10)
            late = data.draw(st.lists(st.integers(0, 2), max_size=2, unique=True))
            for funder in late:  # pledged (or topped up: relocked) under the new deadline
                self._pledge(bounty, funder, data.draw(AMOUNTS))
        if bounty.total and data.draw(st.booleans()):
            self._propose(bounty, data, signer)
            for funder in data.draw(st.lists(st.sampled_from(funders), max_size=len(funders), unique=True)):
                if bounty.proposal == "pending" and bounty.pledges.get(funder, (0, 0))[0]:
                    self._object(bounty, funder)

    @precondition(lambda self: any(b.review and b.claims for b in self.bounties))
    @rule(data=st.data(), by_issuer=st.booleans())
    def propose(self, data, by_issuer: bool) -> None:
        bounty = self._reviewed(data, lambda b: bool(b.claims))
        if bounty is None or self._near(bounty.deadline):
            return
        claim_ids, shares = self._shares(data, bounty)
        issuer = self.fx.issuers[bounty.issuer]
        caller = issuer if by_issuer else self.fx.issuers[1 - bounty.issuer]
        fn = self.fx.review.functions.propose(bounty.bounty_id, claim_ids, shares)
        if caller is not issuer:
            return self._expect_refusal("NotProposer", caller, fn)
        if bounty.status != "open":
            return self._expect_refusal("BountyNotOpen", caller, fn)
        if self._next_time() >= bounty.deadline:
            return self._expect_refusal("BountyExpired", caller, fn)
        if bounty.total == 0:
            return self._expect_refusal("NothingToAward", caller, fn)
        self._propose(bounty, data, caller, (claim_ids, shares))

    def _propose(self, bounty: ModelBounty, data, caller, split=None) -> None:
        """A proposal the model predicts to succeed."""
        claim_ids, shares = split or self._shares(data, bounty)
        moment = self._next_time()
        result = self._client(caller).propose(bounty.bounty_id, dict(zip(claim_ids, shares)))
        self._gas(caller, result)
        assert 0 <= result.window_end - moment - bounty.review[0] <= 1
        assert (result.nonce, result.total) == (bounty.nonce + 1, bounty.total)
        bounty.status, bounty.proposal, bounty.nonce = "under_review", "pending", result.nonce
        bounty.proposed, bounty.window_end = (claim_ids, shares), result.window_end
        bounty.proposed_at = result.window_end - bounty.review[0]
        bounty.against, bounty.objected, bounty.upheld = 0, set(), False
        bounty.total_at_proposal = bounty.total
        self.fx.steps += 1

    @precondition(lambda self: any(b.review for b in self.bounties))
    @rule(data=st.data(), funder=st.integers(0, 2))
    def object(self, data, funder: int) -> None:
        bounty = self._reviewed(data, ready=lambda b: b.proposal == "pending")
        if bounty is None or (bounty.proposal == "pending" and self._near(bounty.window_end)):
            return
        account = self.fx.funders[funder]
        fn = self.fx.review.functions.object(bounty.bounty_id)
        weight, _ = bounty.pledges.get(funder, (0, 0))
        if bounty.proposal != "pending":
            return self._expect_refusal("WrongProposalState", account, fn)
        if self._next_time() >= bounty.window_end:
            return self._expect_refusal("ReviewWindowClosed", account, fn)
        if weight == 0:
            return self._expect_refusal("NoWeight", account, fn)
        if funder in bounty.objected:
            return self._expect_refusal("AlreadyObjected", account, fn)
        self._object(bounty, funder)

    def _object(self, bounty: ModelBounty, funder: int) -> None:
        """An objection the model predicts to succeed."""
        account = self.fx.funders[funder]
        weight, _ = bounty.pledges[funder]
        result = self._client(account).object(bounty.bounty_id)
        self._gas(account, result)
        bounty.objected.add(funder)
        bounty.against += weight
        assert (result.weight, result.weight_against) == (weight, bounty.against)
        outcome = "withheld"  # the objector's pledge is out of this proposal's award
        if bounty.review[2] != "none" and bounty.against * BPS >= bounty.review[1] * bounty.total_at_proposal:
            outcome = bounty.proposal = "blocked"  # only the arbiter decides it now
        assert result.outcome == outcome
        self.fx.steps += 1

    @precondition(lambda self: any(b.review and b.nonce for b in self.bounties))
    @rule(data=st.data(), caller=st.integers(0, 2))
    def finalize(self, data, caller: int) -> None:
        bounty = self._reviewed(data, lambda b: b.nonce > 0, ready=lambda b: b.proposal == "upheld" or (
            b.proposal == "pending" and self._next_time() >= b.window_end))
        if bounty is None or (bounty.proposal == "pending" and self._near(bounty.window_end)):
            return
        self._finalize(bounty, caller)

    def _finalize(self, bounty: ModelBounty, caller: int) -> None:
        account = self.fx.funders[caller]  # anyone: a funder, objector or not
        claim_ids, shares = bounty.proposed
        fn = self.fx.review.functions.finalize(bounty.bounty_id, claim_ids, shares)
        if bounty.proposal == "pending":
            if self._next_time() < bounty.window_end:
                return self._expect_refusal("ReviewWindowOpen", account, fn)
        elif bounty.proposal != "upheld":
            return self._expect_refusal("WrongProposalState", account, fn)
        pool = bounty.total - bounty.withheld  # the whole pool when the arbiter upheld it
        result = self._client(account).finalize(bounty.bounty_id)
        self._gas(account, result)
        if pool == 0:  # every pledge withheld: nothing paid, the bounty reopens
            assert (result.pool, result.rejected) == (0, "unanimous")
            self._rejected(bounty)
            self.fx.steps += 1
            return
        bounty.proposal = "executed"
        self._paid(bounty, result, claim_ids, shares, pool)

    @precondition(lambda self: any(b.review and b.review[2] != "none" and b.nonce for b in self.bounties))
    @rule(data=st.data(), funder=st.integers(0, 2), overpay=st.sampled_from([0, 0, 12_345]))
    def escalate(self, data, funder: int, overpay: int) -> None:
        bounty = self._reviewed(data, lambda b: b.review[2] != "none" and b.nonce > 0,
                                ready=lambda b: b.proposal == "blocked")
        if bounty is None or (bounty.proposal == "blocked" and self._near(bounty.decide_by)):
            return
        account = self.fx.funders[funder]
        erc792 = bounty.review[2] == "erc792"
        fn = self.fx.review.functions.escalate(bounty.bounty_id)
        cost = ARBITRATION_COST if erc792 else 0
        if bounty.proposal != "blocked":
            return self._expect_refusal("WrongProposalState", account, fn, cost)
        if self._next_time() >= bounty.decide_by:
            return self._expect_refusal("ArbitrationLapsed", account, fn, cost)
        # An overpaid fee: the excess comes back to the escalator.
        result = self._client(account).escalate(bounty.bounty_id, fee=cost + overpay if erc792 else None)
        self._gas(account, result)
        assert result.fee_paid == cost
        self.expected_balances[(account.address, ETH)] -= cost
        bounty.proposal, bounty.dispute_id = "escalated", result.dispute_id
        bounty.escalated_at = self.fx.node.w3.eth.get_block(result.block_number)["timestamp"]
        self.fx.steps += 1

    @precondition(lambda self: any(b.proposal == "escalated" or (b.proposal == "blocked" and b.review[2] == "plain")
                                   for b in self.bounties))
    @rule(data=st.data(), ruling=st.sampled_from([0, 1, 1, 2]))
    def arbiter_rules(self, data, ruling: int) -> None:
        """An ERC-792 court rules on its dispute; a plain arbiter decides an escalated
        proposal, or a blocked one without waiting for an escalation."""
        bounty = self._reviewed(data, lambda b: b.proposal == "escalated" or (
            b.proposal == "blocked" and b.review[2] == "plain"))
        assert bounty is not None
        arbiter = self.fx.arbiter
        if bounty.review[2] == "erc792":
            assert bounty.dispute_id is not None
            stale = self.fx.review.functions.rule(bounty.dispute_id, ruling)  # not from the court
            self._expect_refusal("UnknownDispute", arbiter, stale)
            send_transaction(self.fx.node.w3, arbiter, self.fx.arbitrator.functions.giveRuling(bounty.dispute_id,
                                                                                                ruling))
        else:
            stale = self.fx.review.functions.decide(bounty.bounty_id, bounty.nonce + 1, ruling)  # another proposal
            self._expect_refusal("NotArbiter", arbiter, stale)
            result = self._client(arbiter).rule(bounty.bounty_id, ruling)
            assert (result.ruling, result.outcome) == (ruling, "upheld" if ruling == 1 else "rejected")
        if ruling == 1:
            bounty.proposal, bounty.upheld = "upheld", True
        else:
            self._rejected(bounty)
        self.fx.steps += 1

    @precondition(lambda self: any(b.review and b.nonce for b in self.bounties))
    @rule(data=st.data(), funder=st.integers(0, 2))
    def lapse(self, data, funder: int) -> None:
        bounty = self._reviewed(data, lambda b: b.nonce > 0, ready=lambda b: b.proposal in ("blocked", "escalated"))
        live = bounty is not None and bounty.proposal in ("blocked", "escalated")
        if bounty is None or (live and self._near(bounty.decide_by)):
            return
        self._lapse(bounty, funder)

    def _lapse(self, bounty: ModelBounty, funder: int) -> None:
        live = bounty.proposal in ("blocked", "escalated")
        account = self.fx.funders[funder]
        fn = self.fx.review.functions.lapse(bounty.bounty_id)
        if not live:
            return self._expect_refusal("WrongProposalState", account, fn)
        if self._next_time() < bounty.decide_by:
            return self._expect_refusal("ArbitrationNotLapsed", account, fn)
        result = self._client(account).lapse(bounty.bounty_id)
        self._gas(account, result)
        assert result.reason == "lapsed"
        self._rejected(bounty)
        self.fx.steps += 1

    @precondition(lambda self: any(b.proposal in ("pending", "blocked", "escalated") for b in self.bounties))
    @rule(data=st.data())
    def reach_a_review_deadline(self, data) -> None:
        """Moves time just past a live proposal's window end (pending), its last moment to
        escalate (blocked), its arbiter's time (escalated), or the end of its hold on pledges
        (proposal + 127 days), where finalize, lapse and refunds become possible."""
        bounty = data.draw(st.sampled_from([b for b in self.bounties
                                            if b.proposal in ("pending", "blocked", "escalated")]))
        target = bounty.window_end if bounty.proposal == "pending" else bounty.decide_by
        if data.draw(st.integers(0, 4)) == 0:
            target = bounty.proposed_at + MAX_REVIEW_HOLD
        seconds = target - self._next_time() + data.draw(st.integers(5, 3_600))
        if seconds > 0:
            self.advance_time(seconds)
        if data.draw(st.booleans()):  # and settle it there, which 40-step runs rarely reach otherwise
            if self._near(bounty.window_end) or self._near(bounty.decide_by):
                return
            who = data.draw(st.integers(0, 2))
            self._finalize(bounty, who) if bounty.proposal == "pending" else self._lapse(bounty, who)
            if data.draw(st.booleans()):  # each funder then tries to refund, in part or whole
                for funder in sorted(bounty.pledges):
                    self._refund(bounty, funder, data.draw(st.sampled_from(["all", "half"])),
                                 data.draw(st.sampled_from([None, 1])))

    # --- milestones and claim bonds ------------------------------------------------------------

    def _revalue(self, bounty: ModelBounty) -> None:
        """After a milestone each pledge is worth its shares' part of the pool, rounded down
        (the last shares out take all); before one, a share is a unit and nothing changes."""
        if not bounty.partly:
            return
        for funder, (_, unlocks_at) in bounty.pledges.items():
            shares = bounty.shares.get(funder, 0)
            worth = 0 if shares == 0 else shares * bounty.total // bounty.supply if shares < bounty.supply \
                else bounty.total
            bounty.pledges[funder] = (worth, unlocks_at)

    def _settle_slashed(self, bounty: ModelBounty, funder: int, new_shares: int) -> int:
        """Credits `funder` its part of the bonds slashed since its last settlement (the
        escrow's per-share count: the part rounded down, the debt up) and restarts its count."""
        if bounty.per_share == 0:
            return 0
        owed = self._slashed_owed(bounty, funder)
        bounty.debt[funder] = -(-new_shares * bounty.per_share // SLASH_SCALE)  # rounded up
        if owed:
            token = self.fx.token(bounty.kind)
            self.credits[(self.fx.funders[funder].address, token)] += owed
            self.slash_credited[token] += owed
        return owed

    def _slashed_owed(self, bounty: ModelBounty, funder: int) -> int:
        return max(0, bounty.shares.get(funder, 0) * bounty.per_share // SLASH_SCALE - bounty.debt.get(funder, 0))

    def _open_now(self, bounty: ModelBounty) -> bool:
        return bounty.status == "open" and self._next_time() < bounty.deadline and not self._near(bounty.deadline)

    @rule(issuer=st.integers(0, 1), kind=st.sampled_from(CURRENCIES), days=st.integers(1, 60), bond=BONDS,
          funder=st.integers(0, 2), amount=AMOUNTS)
    def create_bonded_bounty(self, issuer: int, kind: str, days: int, bond: int, funder: int, amount: int) -> None:
        """A bonded bounty and its first pledge (so that spam marks have funders to pay)."""
        deadline = self._next_time() + days * DAY
        result = self._client(self.fx.issuers[issuer]).create_bonded_bounty(
            f"https://github.com/o/r/issues/{len(self.bounties) + 1}", deadline, bond, token=self.fx.token(kind))
        self._gas(self.fx.issuers[issuer], result)
        self.bounties.append(ModelBounty(result.bounty_id, kind, issuer, deadline, deadlines=[deadline], bond=bond))
        assert result.bounty_id == len(self.bounties)
        self.fx.steps += 1
        self._pledge(self.bounties[-1], funder, amount)

    @precondition(lambda self: any(b.bond for b in self.bounties))
    @rule(data=st.data(), hunter=st.integers(0, 2))
    def submit_bonded_solution(self, data, hunter: int) -> None:
        """A claim posts the bond (a fee-on-transfer token delivers 99% of it)."""
        bounty = data.draw(st.sampled_from([b for b in self.bounties if b.bond]))
        if not self._open_now(bounty):
            return
        account = self.fx.hunters[hunter]
        token = self.fx.token(bounty.kind)
        approval = None
        if bounty.kind != "eth":
            approval = send_transaction(self.fx.node.w3, account,
                                        self.fx.tokens[bounty.kind].functions.approve(self.fx.escrow.address, bounty.bond))
            self.expected_balances[(account.address, ETH)] -= approval["gasUsed"] * approval["effectiveGasPrice"]
        pull = f"https://github.com/o/r/pull/{len(bounty.claims) + 1}"  # each claim its own PR
        result = self._client(account).submit_bonded_solution(bounty.bounty_id, pull)
        self._gas(account, result)
        self.expected_balances[(account.address, token)] -= bounty.bond
        bounty.claims.append(hunter)
        assert result.claim_id == len(bounty.claims)
        held = delivered(bounty.kind, bounty.bond)
        bounty.bonds[result.claim_id] = held
        self.bonds_in[token] += held
        assert self.fx.escrow.claim_bond(bounty.bounty_id, result.claim_id) == held
        self.fx.steps += 1

    @precondition(lambda self: any(b.claims and b.review is None and not b.fundraiser for b in self.bounties))
    @rule(data=st.data(), part_bps=PARTS_BPS)
    def award_part(self, data, part_bps: int) -> None:
        """A milestone: floor(pool x part) to the winners, the rest stays open and every
        pledge falls by the same fraction."""
        bounty = data.draw(st.sampled_from([b for b in self.bounties
                                            if b.claims and b.review is None and not b.fundraiser]))
        if not self._open_now(bounty):
            return
        claim_ids, shares = self._shares(data, bounty)
        issuer = self.fx.issuers[bounty.issuer]
        pool = bounty.total * part_bps // BPS
        if pool == 0:
            fn = self.fx.escrow.contract.functions.awardPart(bounty.bounty_id, part_bps, claim_ids, shares)
            return self._expect_refusal("NothingToAward", issuer, fn)
        result = self._client(issuer).award_part(bounty.bounty_id, part_bps, dict(zip(claim_ids, shares)))
        self._gas(issuer, result)
        self._check_payouts(bounty, result, claim_ids, shares, pool)
        bounty.total -= pool
        assert (result.part_bps, result.remaining) == (part_bps, bounty.total)
        bounty.partly = True
        self._revalue(bounty)
        self.fx.steps += 1

    @precondition(lambda self: any(any(b.bonds.values()) for b in self.bounties))
    @rule(data=st.data())
    def mark_spam(self, data) -> None:
        """The approver (here the issuer, who funds nothing) slashes a bond to the funders."""
        bounty = data.draw(st.sampled_from([b for b in self.bounties if any(b.bonds.values())]))
        claim_id = data.draw(st.sampled_from([c for c, held in bounty.bonds.items() if held]))
        if self._near(bounty.deadline):
            return
        issuer = self.fx.issuers[bounty.issuer]
        fn = self.fx.escrow.contract.functions.markSpam(bounty.bounty_id, claim_id)
        if bounty.status != "open":
            return self._expect_refusal("BountyNotOpen", issuer, fn)
        if self._next_time() >= bounty.deadline:
            return self._expect_refusal("BountyExpired", issuer, fn)
        if bounty.supply == 0:
            return self._expect_refusal("NoFundersToPay", issuer, fn)
        self._mark_spam(bounty, claim_id)

    def _mark_spam(self, bounty: ModelBounty, claim_id: int) -> None:
        issuer = self.fx.issuers[bounty.issuer]
        result = self._client(issuer).mark_spam(bounty.bounty_id, claim_id)
        self._gas(issuer, result)
        bond = bounty.bonds[claim_id]
        assert (result.amount, result.slashed) == (bond, True)
        bounty.bonds[claim_id] = 0
        bounty.per_share += bond * SLASH_SCALE // bounty.supply
        self.bonds_slashed[self.fx.token(bounty.kind)] += bond
        self.fx.steps += 1

    @precondition(lambda self: any(any(b.bonds.values()) for b in self.bounties))
    @rule(data=st.data())
    def withdraw_bond(self, data) -> None:
        """The hunter takes its bond back once the bounty is awarded, cancelled or expired."""
        bounty = data.draw(st.sampled_from([b for b in self.bounties if any(b.bonds.values())]))
        claim_id = data.draw(st.sampled_from([c for c, held in bounty.bonds.items() if held]))
        if self._near(bounty.deadline):
            return
        hunter = self.fx.hunters[bounty.claims[claim_id - 1]]
        if bounty.status == "open" and self._next_time() < bounty.deadline:
            fn = self.fx.escrow.contract.functions.withdrawBond(bounty.bounty_id, claim_id)
            return self._expect_refusal("BondLocked", hunter, fn)
        self._withdraw_bond(bounty, claim_id)

    def _withdraw_bond(self, bounty: ModelBounty, claim_id: int) -> None:
        hunter = self.fx.hunters[bounty.claims[claim_id - 1]]
        result = self._client(hunter).withdraw_bond(bounty.bounty_id, claim_id)
        self._gas(hunter, result)
        bond = bounty.bonds[claim_id]
        assert (result.amount, result.slashed) == (bond, False)
        self._receive(hunter.address, bounty.kind, bond)
        bounty.bonds[claim_id] = 0
        self.bonds_returned[self.fx.token(bounty.kind)] += bond
        self.fx.steps += 1

    @precondition(lambda self: any(b.bond and b.supply and any(b.bonds.values()) and b.status == "open"
                                   for b in self.bounties))
    @rule(data=st.data(), top_up=st.booleans(), funder=st.integers(0, 2), amount=AMOUNTS)
    def spam_settle_and_close(self, data, top_up: bool, funder: int, amount: int) -> None:
        """A sequence the uniform choice of rules seldom reaches: a spam mark, at times a
        top-up after it (which settles the funder's part first), every funder claiming its part,
        the issuer cancelling, and every hunter pulling back the bonds left."""
        bounty = data.draw(st.sampled_from([b for b in self.bounties
                                            if b.bond and b.supply and any(b.bonds.values()) and b.status == "open"]))
        if not self._open_now(bounty):
            return
        self._mark_spam(bounty, next(c for c, held in bounty.bonds.items() if held))
        if top_up:
            self._pledge(bounty, funder, amount)
        for payee in range(len(self.fx.funders)):
            owed = self._slashed_owed(bounty, payee)
            assert self.fx.escrow.slashed_owed(bounty.bounty_id, self.fx.funders[payee].address) == owed
            if owed:
                self._claim_slashed(bounty, payee, owed)
        issuer = self.fx.issuers[bounty.issuer]
        self._gas(issuer, self._client(issuer).cancel(bounty.bounty_id))
        bounty.status = "cancelled"
        for claim_id, held in list(bounty.bonds.items()):
            if held:
                self._withdraw_bond(bounty, claim_id)
        self.fx.steps += 1

    @precondition(lambda self: any(b.bond for b in self.bounties))
    @rule(data=st.data(), funder=st.integers(0, 2))
    def claim_slashed(self, data, funder: int) -> None:
        bounty = data.draw(st.sampled_from([b for b in self.bounties if b.bond]))
        account = self.fx.funders[funder]
        owed = self._slashed_owed(bounty, funder)
        assert self.fx.escrow.slashed_owed(bounty.bounty_id, account.address) == owed
        if owed == 0:
            fn = self.fx.escrow.contract.functions.claimSlashed(bounty.bounty_id)
            return self._expect_refusal("NothingToWithdraw", account, fn)
        self._claim_slashed(bounty, funder, owed)

    def _claim_slashed(self, bounty: ModelBounty, funder: int, owed: int) -> None:
        account = self.fx.funders[funder]
        result = self._client(account).claim_slashed(bounty.bounty_id)
        self._gas(account, result)
        shares = bounty.shares.get(funder, 0)
        assert self._settle_slashed(bounty, funder, shares) == owed
        self.fx.steps += 1

    @rule(seconds=st.sampled_from([1, 60, 3_600, DAY, 7 * DAY, 30 * DAY, CLAIM_PERIOD]))
    def advance_time(self, seconds: int) -> None:
        # evm_increaseTime has no effect under anvil_setBlockTimestampInterval (every block is
        # the previous + 1 s): set the next block's time instead.
        self.fx.node.set_next_block_timestamp(self.fx.node.now() + seconds)
        self.fx.node._rpc("evm_mine", [])
        self.fx.steps += 1

    # --- invariants ------------------------------------------------------------------------
    # Reads go in one JSON-RPC batch per invariant: one round trip instead of dozens.

    def _read(self, calls: list[tuple[str, str, list[str]]]) -> list[tuple]:
        """Many view calls in one raw JSON-RPC batch: (to, calldata, result types) each. Raw,
        because web3's per-call formatting, not the node, would dominate the fuzzer's time."""
        if not calls:
            return []
        requests = [
            ("eth_getBalance", [data, "latest"]) if to == "balance" else
            ("eth_call", [{"to": to, "data": data}, "latest"])
            for to, data, _ in calls
        ]
        responses = self.fx.node.w3.provider.make_batch_request(requests)
        assert all("result" in r for r in responses), responses
        return [
            (int(r["result"], 16),) if to == "balance" else abi_decode(types, bytes.fromhex(r["result"][2:]))
            for (to, _, types), r in zip(calls, responses)
        ]

    def _balance_call(self, account: str, token: str) -> tuple[str, str, list[str]]:
        if token == ETH:
            return ("balance", account, [])
        return (token, "0x70a08231" + _word(account), ["uint256"])

    def _escrow_call(self, signature: str, *args: str | int, types: list[str], to: str | None = None
                     ) -> tuple[str, str, list[str]]:
        selector = function_signature_to_4byte_selector(signature).hex()
        return (to or self.fx.escrow.address, "0x" + selector + "".join(_word(a) for a in args), types)

    def _simulate(self, sender: str, fn) -> dict:
        call = {"from": sender, "to": self.fx.escrow.address, "data": fn._encode_transaction_data()}
        return ("eth_call", [call, "pending"])

    @invariant()
    def chain_matches_model(self) -> None:
        calls, expected = [], []
        for bounty in self.bounties:
            calls.append(self._escrow_call("getBounty(uint256)", bounty.bounty_id, types=[BOUNTY_INFO]))
            expected.append(("bounty", bounty))
            if bounty.review is not None:
                calls.append(self._escrow_call("getReview(uint256)", bounty.bounty_id, types=[REVIEW_INFO],
                                               to=self.fx.review.address))
                expected.append(("review", bounty))
            for funder, (amount, _) in bounty.pledges.items():
                calls.append(self._escrow_call("pledgeOf(uint256,address)", bounty.bounty_id,
                                               self.fx.funders[funder].address, types=["uint256", "uint64"]))
                expected.append(("pledge", amount))
        for (account, token), amount in self.credits.items():
            calls.append(self._escrow_call("creditOf(address,address)", account, token, types=["uint256"]))
            expected.append(("credit", amount))
        for kind in CURRENCIES:
            token = self.fx.token(kind)
            calls.append(self._escrow_call("feesAccrued(address)", token, types=["uint256"]))
            expected.append(("fees", self.fees[token]))
            # Fees are not credits: the fee recipient has none.
            calls.append(self._escrow_call("creditOf(address,address)", self.fx.treasury.address, token,
                                           types=["uint256"]))
            expected.append(("treasury credit", 0))
        for (kind, want), got in zip(expected, self._read(calls)):
            if kind == "bounty":
                _, approver, _, deadline, status, claim_count, total = got[0]
                assert (total, deadline, claim_count) == (want.total, want.deadline, len(want.claims))
                assert STATUSES[status] == want.status, (STATUSES[status], want.status)
                if want.review is not None:  # only the review contract can award it
                    assert approver == self.fx.review.address.lower()
            elif kind == "review":
                (approver, window, quorum, _, _, state, nonce, window_end, decide_by, against, at_proposal, _,
                 _) = got[0]
                assert approver == self.fx.issuers[want.issuer].address.lower()
                assert (window, quorum, nonce) == (want.review[0], want.review[1], want.nonce)
                assert PROPOSAL_STATES[state] == want.proposal, (PROPOSAL_STATES[state], want.proposal)
                if want.nonce:
                    assert (window_end, against, at_proposal) == (want.window_end, want.against,
                                                                  want.total_at_proposal)
                if want.proposal in ("blocked", "escalated"):
                    assert decide_by == want.decide_by
            else:
                assert got[0] == want, f"{kind}: chain {got[0]} != model {want}"

    @invariant()
    def solvent_and_accounted_per_token(self) -> None:
        escrow_address = self.fx.escrow.address
        kinds = CURRENCIES
        tokens = [self.fx.token(kind) for kind in kinds]
        calls = [self._balance_call(escrow_address, token) for token in tokens]
        calls += [self._escrow_call("tokenOwed(address)", token, types=["uint256"]) for token in tokens[1:]]
        results = [value for (value,) in self._read(calls)]
        held, owed_on_chain = results[: len(tokens)], [0, *results[len(tokens):]]
        for kind, token, balance, token_owed in zip(kinds, tokens, held, owed_on_chain):
            outstanding = sum(b.total for b in self.bounties if b.kind == kind)
            for b in (b for b in self.bounties if b.kind == kind):
                worth = sum(a for a, _ in b.pledges.values())
                # After a milestone each pledge's worth rounds down: under a unit per funder is
                # left, which the last shares out take (never nobody's).
                assert worth == b.total if not b.partly else 0 <= b.total - worth < max(1, len(b.pledges))
                assert b.supply == sum(b.shares.values())
                if b.supply == 0:
                    assert b.total == 0, f"bounty {b.bounty_id}: dust left in a pool nobody holds shares of"
            credits = sum(a for (_, t), a in self.credits.items() if t == token)
            # Claim bonds held, and slashed bonds not yet credited to the funders, are owed too;
            # what the funders were credited never exceeds what was slashed.
            held_bonds = sum(v for b in self.bounties if b.kind == kind for v in b.bonds.values())
            assert self.bonds_in[token] == self.bonds_returned[token] + self.bonds_slashed[token] + held_bonds
            assert self.slash_credited[token] <= self.bonds_slashed[token]
            owed = outstanding + credits + self.fees[token] + held_bonds \
                + self.bonds_slashed[token] - self.slash_credited[token]
            assert balance >= owed, f"{kind}: escrow holds {balance}, owes {owed}"
            assert self.pledged[token] == self.awarded[token] + self.refunded[token] + outstanding
            if token != ETH:
                assert token_owed == owed

    @invariant()
    def value_reaches_only_the_right_hands(self) -> None:
        keys = list(self.expected_balances)
        actual = self._read([self._balance_call(account, token) for account, token in keys])
        for (account, token), (got,) in zip(keys, actual):
            assert got == self.expected_balances[(account, token)], f"{account} in {token}"

    @invariant()
    def no_pledge_is_paid_to_a_proposal_its_funder_objected_to_unless_the_arbiter_ruled_for_it(self) -> None:
        for award in self.awards:
            if not award.upheld:
                assert not award.objectors & award.taken.keys(), award
            assert sum(award.taken.values()) == award.pool

    @invariant()
    def a_pledge_whose_lock_ended_is_held_by_a_live_proposal_at_most_once_and_at_most_127_days(self) -> None:
        """Every outstanding pledge, refunded in a simulation on the pending block: refundable
        in full when the model says so (cancelled; lock ended on an open bounty; withheld from
        an award; not held by the live proposal, or its hold of 127 days over), and refused
        with ProposalPending while the live proposal holds it. A pledge still held after its
        lock ended is held by one proposal only, and never past that proposal + 127 days."""
        now = self._next_time()
        requests, expected = [], []
        escrow = self.fx.escrow.contract
        for bounty in self.bounties:
            for funder, (amount, unlocks_at) in bounty.pledges.items():
                if not amount:
                    continue
                sender = self.fx.funders[funder].address
                refund = escrow.functions.refund(bounty.bounty_id)
                if bounty.status == "under_review":
                    hold_ends = bounty.proposed_at + MAX_REVIEW_HOLD
                    if bounty.held(unlocks_at) and now < hold_ends - 3:
                        if now >= unlocks_at:  # its lock ended, the proposal still holds it
                            held = self.held_unlocked[(bounty.bounty_id, funder)]
                            held[bounty.nonce] = bounty.proposed_at
                            assert len(held) == 1, held
                        requests.append(self._simulate(sender, refund))
                        expected.append("ProposalPending")
                    elif not bounty.held(unlocks_at) or now >= hold_ends + 3:
                        requests.append(self._simulate(sender, refund))
                        expected.append(amount)
                    continue
                if bounty.status == "awarded":  # withheld from the award by its funder's objection
                    assert funder in bounty.objected and not bounty.upheld
                elif bounty.status == "open":
                    if now < unlocks_at + 3:
                        continue
                    if bounty.fundraiser and not (now >= bounty.deadline + CLAIM_PERIOD + 3
                                                  or (bounty.all_or_nothing and bounty.total < bounty.goal)):
                        continue  # a successful fundraiser's pledges go to its beneficiary
                requests.append(self._simulate(sender, refund))
                expected.append(amount)
        # Past proposal + 127 days the proposal may still be live (a late ruling counts), but it
        # holds nothing: those pledges are expected refundable above.
        if requests:
            responses = self.fx.node.w3.provider.make_batch_request(requests)
            selector = "0x" + function_signature_to_4byte_selector("ProposalPending(uint256,uint64)").hex()
            for response, want in zip(responses, expected):
                if want == "ProposalPending":
                    assert "error" in response and str(response["error"].get("data", "")).startswith(selector), \
                        response
                else:
                    assert int(response.get("result", "0x0"), 16) == want, response

    @invariant()
    def no_credit_that_can_never_leave(self) -> None:
        """Every credit can be withdrawn, all of it, to another recipient (simulated)."""
        escrow = self.fx.escrow.contract
        requests, owners = [], []
        for (account, token), amount in self.credits.items():
            if amount:
                fn = escrow.functions.withdrawTo(token, amount, self.fx.hunters[0].address)
                requests.append(self._simulate(account, fn))
                owners.append((account, token))
        if requests:
            responses = self.fx.node.w3.provider.make_batch_request(requests)
            assert all("result" in r for r in responses), list(zip(owners, responses))

    @invariant()
    def no_live_proposal_is_stuck(self) -> None:
        """Every path ends in a payout or refundable pledges: past its window an unblocked
        proposal (or one the arbiter upheld) can be finalized by anyone, and a blocked proposal
        7 days past its window, or an escalated one 90 days past its escalation, can be lapsed
        by anyone (simulated)."""
        now = self._next_time()
        requests = []
        for bounty in self.bounties:
            if bounty.status != "under_review":
                continue
            review = self.fx.review.functions
            if (bounty.proposal == "pending" and now >= bounty.window_end + 3) or bounty.proposal == "upheld":
                fn = review.finalize(bounty.bounty_id, *bounty.proposed)
            elif bounty.proposal in ("blocked", "escalated") and now >= bounty.decide_by + 3:
                fn = review.lapse(bounty.bounty_id)
            else:
                continue
            call = {"from": self.fx.hunters[0].address, "to": self.fx.review.address,
                    "data": fn._encode_transaction_data()}
            requests.append(("eth_call", [call, "pending"]))
        if requests:
            responses = self.fx.node.w3.provider.make_batch_request(requests)
            assert all("result" in r for r in responses), responses


def test_escrow_state_machine(fuzz_fixture):
    EscrowMachine.fx = fuzz_fixture
    runs = max(1, -(-TARGET_STEPS // STEPS_PER_RUN))
    batch = max(1, min(runs, 250))  # report progress between batches of runs
    while fuzz_fixture.steps < TARGET_STEPS:
        run_state_machine_as_test(EscrowMachine, settings=settings(
            max_examples=batch, stateful_step_count=STEPS_PER_RUN, deadline=None, database=None,
            suppress_health_check=list(HealthCheck), **_ITERATE))
        elapsed = time.monotonic() - fuzz_fixture.started
        print(f"stateful fuzzing: {fuzz_fixture.steps} steps in {elapsed:.0f} s", file=sys.stderr, flush=True)
