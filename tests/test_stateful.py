"""Stateful invariant fuzzing: hypothesis drives the real escrow on a real anvil node with
several funders, hunters, bounties and currencies, and a Python model predicts every
outcome. After every step the chain must agree with the model and these must hold:

- solvency per token: the escrow's balance covers outstanding pledges plus credits;
- accounting: pledged = awarded pools (paid + fees) + refunded + outstanding, per token;
- no double payout, no refund after an award, no award of an emptied bounty (the model
  predicts each refusal and the contract must refuse with exactly that error);
- every funder can refund exactly its own pledge once its lock ends on an unawarded bounty,
  whatever the others did, unless a proposed award is under review (checked for every
  funder and bounty with a simulated call);
- backer governance (optimistic bounties): the proposal's state, nonce and weight against
  match the model; no live proposal is stuck: once its window ends unblocked (or the arbiter
  upheld it) finalize succeeds, and once a blocked proposal's arbiter ran out of time lapse
  succeeds;
- value reaches only awarded winners, fundraisers' beneficiaries, refunding funders and the
  fee recipient: every actor's balance moves exactly as the model says.

Fundraisers (all-or-nothing and flexible) share the bounties' records, so every rule also
draws them: pledges, refunds (a failed or lapsed fundraiser's backers only), cancels (before
the deadline only), and the refusals of solutions and extensions; `withdraw_raised` pays
a successful fundraiser to its beneficiary.

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
CLAIM_PERIOD = 365 * 86_400
CURRENCIES = ["eth", "standard", "no-return", "fee-on-transfer"]
AMOUNTS = st.sampled_from([1, 3, 999, 10**6, 10**15, 7 * 10**17])


BOUNTY_INFO = "(address,address,address,uint64,uint8,uint256,uint256)"
REVIEW_INFO = "(address,uint32,uint16,address,bool,uint8,uint32,uint64,uint64,uint256,bytes32)"
STATUSES = ("open", "awarded", "cancelled", "under_review")
PROPOSAL_STATES = ("none", "pending", "blocked", "escalated", "upheld", "executed")
ARBITRATION_COST = 10**15
ARBITRATION_TIMEOUT = 30 * 86_400


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
    pledges: dict[int, tuple[int, int]] = field(default_factory=dict)  # funder -> (amount, unlocks_at)
    claims: list[int] = field(default_factory=list)  # claim id - 1 -> hunter index
    total: int = 0  # outstanding pledges; an award empties it but leaves the pledge records
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
    window_end: int = 0
    against: int = 0
    objected: set[int] = field(default_factory=set)  # funders who objected to the live proposal
    dispute_id: int | None = None

    @property
    def decide_by(self) -> int:
        return self.window_end + ARBITRATION_TIMEOUT


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
        self.tokens = {
            "standard": deploy_contract(chain.w3, deployer, "TestToken", "USD Coin", "USDC", 6),
            "no-return": deploy_mock(chain, deployer, "NoReturnToken"),
            "fee-on-transfer": deploy_mock(chain, deployer, "FeeOnTransferToken"),
        }
        for token in self.tokens.values():
            for funder in self.funders:
                send_transaction(chain.w3, deployer, token.functions.mint(funder.address, 10**24))
        self.erc20 = {token.address: token for token in self.tokens.values()}
        self.arbiter = chain.new_account()  # a plain-address arbiter (a Safe, say); not an actor
        self.arbitrator = deploy_mock(chain, deployer, "MockArbitrator", ARBITRATION_COST)
        self.base = chain.snapshot()
        self.steps = 0
        self.runs = 0
        self.started = time.monotonic()

    def token(self, kind: str) -> str:
        return ETH if kind == "eth" else self.tokens[kind].address

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
        self.pledged: dict[str, int] = defaultdict(int)  # per token, as received
        self.awarded: dict[str, int] = defaultdict(int)
        self.refunded: dict[str, int] = defaultdict(int)
        self.withdrawn: dict[str, int] = defaultdict(int)
        keys = [(account, self.fx.token(kind)) for account in self._actors() for kind in CURRENCIES]
        balances = self._read([self._balance_call(account, token) for account, token in keys])
        self.expected_balances: dict[tuple[str, str], int] = {key: value for key, (value,) in zip(keys, balances)}

    # --- helpers ---------------------------------------------------------------------------

    def _actors(self) -> list[str]:
        fx = self.fx
        return [a.address for a in (fx.treasury, *fx.issuers, *fx.funders, *fx.hunters)]

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

    # --- rules -----------------------------------------------------------------------------

    @rule(issuer=st.integers(0, 1), kind=st.sampled_from(CURRENCIES), days=st.integers(1, 60))
    def create_bounty(self, issuer: int, kind: str, days: int) -> None:
        deadline = self._next_time() + days * 86_400
        result = self._client(self.fx.issuers[issuer]).create_bounty(
            f"https://github.com/o/r/issues/{len(self.bounties)}", deadline, token=self.fx.token(kind))
        self._gas(self.fx.issuers[issuer], result)
        self.bounties.append(ModelBounty(result.bounty_id, kind, issuer, deadline))
        assert result.bounty_id == len(self.bounties)
        self.fx.steps += 1

    # Short campaigns too, so that runs reach their outcomes (paid, failed, lapsed) often.
    @rule(issuer=st.integers(0, 1), kind=st.sampled_from(CURRENCIES),
          duration=st.sampled_from([600, 3_600, 86_400, 7 * 86_400, 45 * 86_400]),
          all_or_nothing=st.booleans(), goal=st.sampled_from([1, 1_000, 10**6, 10**15, 10**18]),
          beneficiary=st.integers(0, 2))
    def create_fundraiser(self, issuer: int, kind: str, duration: int, all_or_nothing: bool, goal: int,
                          beneficiary: int) -> None:
        deadline = self._next_time() + duration
        result = self._client(self.fx.issuers[issuer]).create_fundraiser(
            f"https://github.com/o/r{len(self.bounties)}", self.fx.hunters[beneficiary].address, goal, deadline,
            token=self.fx.token(kind), all_or_nothing=all_or_nothing)
        self._gas(self.fx.issuers[issuer], result)
        self.bounties.append(ModelBounty(result.fundraiser_id, kind, issuer, deadline, fundraiser=True,
                                         all_or_nothing=all_or_nothing, goal=goal, beneficiary=beneficiary))
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
        beneficiary = self.fx.hunters[fundraiser.beneficiary].address
        assert (result.pool, result.fee, result.amount, result.beneficiary, result.credited) == (
            pool, fee, pool - fee, beneficiary, False)
        self.expected_balances[(beneficiary, token)] += delivered(fundraiser.kind, pool - fee)
        self.credits[(self.fx.treasury.address, token)] += fee
        self.awarded[token] += pool
        fundraiser.status = "awarded"
        fundraiser.total = 0
        self.fx.steps += 1

    @precondition(lambda self: self.bounties)
    @rule(data=st.data(), funder=st.integers(0, 2), amount=AMOUNTS)
    def pledge(self, data, funder: int, amount: int) -> None:
        bounty = data.draw(st.sampled_from(self.bounties))
        if self._near(bounty.deadline):
            return
        account = self.fx.funders[funder]
        token = self.fx.token(bounty.kind)
        fn = self.fx.escrow.contract.functions.pledge(bounty.bounty_id, amount)
        value = amount if bounty.kind == "eth" else 0
        if bounty.status != "open":
            return self._expect_refusal("BountyNotOpen", account, fn, value)
        if self._next_time() >= bounty.deadline:
            return self._expect_refusal("BountyExpired", account, fn, value)
        self._pledge(bounty, funder, amount)

    def _pledge(self, bounty: ModelBounty, funder: int, amount: int) -> None:
        """A pledge the model predicts to succeed."""
        account = self.fx.funders[funder]
        token = self.fx.token(bounty.kind)
        received = delivered(bounty.kind, amount)
        if received == 0:
            return
        result = self._client(account).pledge(bounty.bounty_id, amount)
        assert result.amount == received
        self._gas(account, result, result.approval)
        self.expected_balances[(account.address, token)] -= amount
        old, _ = bounty.pledges.get(funder, (0, 0))
        bounty.pledges[funder] = (old + received, bounty.deadline)
        bounty.total += received
        assert result.unlocks_at == bounty.deadline
        self.pledged[token] += received
        self.fx.steps += 1

    @precondition(lambda self: self.bounties)
    @rule(data=st.data(), hunter=st.integers(0, 2))
    def submit_solution(self, data, hunter: int) -> None:
        bounty = data.draw(st.sampled_from(self.bounties))
        if self._near(bounty.deadline):
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
        account = self.fx.hunters[hunter]
        result = self._client(account).submit_solution(bounty.bounty_id, "https://github.com/o/r/pull/1")
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
        count = data.draw(st.integers(1, min(3, len(bounty.claims))))
        claim_ids = data.draw(st.lists(st.integers(1, len(bounty.claims)), min_size=count, max_size=count,
                                       unique=True))
        cuts = sorted(data.draw(st.lists(st.integers(1, BPS - 1), min_size=count - 1, max_size=count - 1,
                                         unique=True)))
        shares = [b - a for a, b in zip([0, *cuts], [*cuts, BPS])]
        issuer = self.fx.issuers[bounty.issuer]
        caller = issuer if by_issuer else self.fx.issuers[1 - bounty.issuer]
        fn = self.fx.escrow.contract.functions.award(bounty.bounty_id, claim_ids, shares)
        if bounty.status != "open":
            return self._expect_refusal("BountyNotOpen", caller, fn)
        if self._next_time() >= bounty.deadline:
            return self._expect_refusal("BountyExpired", caller, fn)
        if bounty.review is not None:
            return self._expect_refusal("ReviewRequired", caller, fn)
        if caller is not issuer:
            return self._expect_refusal("NotApprover", caller, fn)
        if bounty.total == 0:
            return self._expect_refusal("NothingToAward", caller, fn)
        result = self._client(caller).award(bounty.bounty_id, dict(zip(claim_ids, shares)))
        self._gas(caller, result)
        self._paid(bounty, result, claim_ids, shares)

    def _paid(self, bounty: ModelBounty, result, claim_ids: list[int], shares: list[int]) -> None:
        """An award or finalize paid the whole pool: check each payout, move the model."""
        token = self.fx.token(bounty.kind)
        pool = bounty.total
        fee = pool * FEE_BPS // BPS
        assert (result.pool, result.fee) == (pool, fee)
        net, paid, count = pool - fee, 0, len(claim_ids)
        for i, (payout, claim_id, share) in enumerate(zip(result.payouts, claim_ids, shares)):
            expected = net - paid if i == count - 1 else net * share // BPS
            paid += expected
            hunter = self.fx.hunters[bounty.claims[claim_id - 1]].address
            assert (payout.hunter, payout.amount, payout.credited) == (hunter, expected, False)
            self.expected_balances[(hunter, token)] += delivered(bounty.kind, expected)
        self.credits[(self.fx.treasury.address, token)] += fee
        self.awarded[token] += pool
        bounty.status = "awarded"
        bounty.total = 0
        self.fx.steps += 1

    @precondition(lambda self: self.bounties)
    @rule(data=st.data(), funder=st.integers(0, 2))
    def refund(self, data, funder: int) -> None:
        bounty = data.draw(st.sampled_from(self.bounties))
        amount, unlocks_at = bounty.pledges.get(funder, (0, 0))
        if amount and bounty.status == "open" and self._near(unlocks_at):
            return
        if bounty.fundraiser and self._near(bounty.deadline + CLAIM_PERIOD):
            return
        account = self.fx.funders[funder]
        fn = self.fx.escrow.contract.functions.refund(bounty.bounty_id)
        if amount == 0:
            return self._expect_refusal("NothingToRefund", account, fn)
        if bounty.status == "awarded":
            return self._expect_refusal("AlreadyAwarded", account, fn)
        if bounty.status == "under_review":
            return self._expect_refusal("ProposalPending", account, fn)
        if bounty.status == "open" and self._next_time() < unlocks_at:
            return self._expect_refusal("PledgeLocked", account, fn)
        if bounty.status == "open" and bounty.fundraiser and not bounty.refundable_fundraiser(self._next_time()):
            return self._expect_refusal("FundsGoToBeneficiary", account, fn)
        result = self._client(account).refund(bounty.bounty_id)
        assert result.amount == amount
        token = self.fx.token(bounty.kind)
        self._gas(account, result)
        self.expected_balances[(account.address, token)] += delivered(bounty.kind, amount)
        bounty.pledges[funder] = (0, unlocks_at)
        bounty.total -= amount
        self.refunded[token] += amount
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
        new_deadline = bounty.deadline + days * 86_400
        fn = self.fx.escrow.contract.functions.extendDeadline(bounty.bounty_id, new_deadline)
        if bounty.status != "open":
            return self._expect_refusal("BountyNotOpen", issuer, fn)
        if self._next_time() >= bounty.deadline:
            return self._expect_refusal("BountyExpired", issuer, fn)
        if bounty.fundraiser:
            return self._expect_refusal("NotABounty", issuer, fn)
        if new_deadline > self._next_time() + 730 * 86_400:
            return
        result = self._client(issuer).extend_deadline(bounty.bounty_id, new_deadline)
        self._gas(issuer, result)
        bounty.deadline = new_deadline
        self.fx.steps += 1

    @rule(data=st.data(), kind=st.sampled_from(CURRENCIES))
    def withdraw(self, data, kind: str) -> None:
        token = self.fx.token(kind)
        account = self.fx.treasury
        credit = self.credits[(account.address, token)]
        fn = self.fx.escrow.contract.functions.withdraw(token)
        if credit == 0:
            return self._expect_refusal("NothingToWithdraw", account, fn)
        result = self._client(account).withdraw(token)
        assert result.amount == credit
        self._gas(account, result)
        self.expected_balances[(account.address, token)] += delivered(kind, credit)
        self.credits[(account.address, token)] = 0
        self.withdrawn[token] += credit
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
        bounty.proposal = "none"
        bounty.status = "open"
        bounty.objected = set()

    @rule(issuer=st.integers(0, 1), kind=st.sampled_from(CURRENCIES), days=st.integers(1, 60),
          window_days=st.integers(1, 3), quorum=st.sampled_from([1, 3_000, 5_000, 10_000]),
          arbiter=st.sampled_from(["none", "plain", "erc792"]), data=st.data())
    def create_review_bounty(self, issuer: int, kind: str, days: int, window_days: int, quorum: int,
                             arbiter: str, data) -> None:
        """Creates an optimistic bounty; often funds it, registers claims and proposes at once,
        so that runs of 40 steps reach objections, arbitration and lapses."""
        deadline = self._next_time() + days * 86_400
        address = {"none": None, "plain": self.fx.arbiter.address, "erc792": self.fx.arbitrator.address}[arbiter]
        terms = ReviewTerms(window_days * 86_400, quorum, address, arbiter == "erc792")
        result = self._client(self.fx.issuers[issuer]).create_bounty(
            f"https://github.com/o/r/issues/{len(self.bounties)}", deadline, token=self.fx.token(kind), review=terms)
        self._gas(self.fx.issuers[issuer], result)
        bounty = ModelBounty(result.bounty_id, kind, issuer, deadline, review=(window_days * 86_400, quorum, arbiter))
        self.bounties.append(bounty)
        assert result.bounty_id == len(self.bounties)
        self.fx.steps += 1
        if not data.draw(st.booleans()):
            return
        for funder in data.draw(st.lists(st.integers(0, 2), min_size=1, max_size=3, unique=True)):
            self._pledge(bounty, funder, data.draw(AMOUNTS))
        for hunter in data.draw(st.lists(st.integers(0, 2), min_size=1, max_size=2, unique=True)):
            self._submit(bounty, hunter)
        if bounty.total and data.draw(st.booleans()):
            self._propose(bounty, data, self.fx.issuers[issuer])

    @precondition(lambda self: any(b.review and b.claims for b in self.bounties))
    @rule(data=st.data(), by_issuer=st.booleans())
    def propose(self, data, by_issuer: bool) -> None:
        bounty = self._reviewed(data, lambda b: bool(b.claims))
        if bounty is None or self._near(bounty.deadline):
            return
        claim_ids, shares = self._shares(data, bounty)
        issuer = self.fx.issuers[bounty.issuer]
        caller = issuer if by_issuer else self.fx.issuers[1 - bounty.issuer]
        fn = self.fx.escrow.contract.functions.propose(bounty.bounty_id, claim_ids, shares)
        if bounty.status != "open":
            return self._expect_refusal("BountyNotOpen", caller, fn)
        if self._next_time() >= bounty.deadline:
            return self._expect_refusal("BountyExpired", caller, fn)
        if caller is not issuer:
            return self._expect_refusal("NotApprover", caller, fn)
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
        bounty.against, bounty.objected = 0, set()
        self.fx.steps += 1

    @precondition(lambda self: any(b.review for b in self.bounties))
    @rule(data=st.data(), funder=st.integers(0, 2))
    def object(self, data, funder: int) -> None:
        bounty = self._reviewed(data, ready=lambda b: b.proposal == "pending")
        if bounty is None or (bounty.proposal == "pending" and self._near(bounty.window_end)):
            return
        account = self.fx.funders[funder]
        fn = self.fx.escrow.contract.functions.object(bounty.bounty_id)
        weight, _ = bounty.pledges.get(funder, (0, 0))
        if bounty.proposal != "pending":
            return self._expect_refusal("WrongProposalState", account, fn)
        if self._next_time() >= bounty.window_end:
            return self._expect_refusal("ReviewWindowClosed", account, fn)
        if weight == 0:
            return self._expect_refusal("NoWeight", account, fn)
        if funder in bounty.objected:
            return self._expect_refusal("AlreadyObjected", account, fn)
        result = self._client(account).object(bounty.bounty_id)
        self._gas(account, result)
        bounty.objected.add(funder)
        bounty.against += weight
        assert (result.weight, result.weight_against) == (weight, bounty.against)
        outcome = "pending"
        if bounty.against * BPS >= bounty.review[1] * bounty.total:
            if bounty.review[2] == "none":
                outcome = "rejected"
                self._rejected(bounty)
            else:
                outcome = bounty.proposal = "blocked"
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
        fn = self.fx.escrow.contract.functions.finalize(bounty.bounty_id, claim_ids, shares)
        if bounty.proposal == "pending":
            if self._next_time() < bounty.window_end:
                return self._expect_refusal("ReviewWindowOpen", account, fn)
        elif bounty.proposal != "upheld":
            return self._expect_refusal("WrongProposalState", account, fn)
        result = self._client(account).finalize(bounty.bounty_id)
        self._gas(account, result)
        bounty.proposal = "executed"
        self._paid(bounty, result, claim_ids, shares)

    @precondition(lambda self: any(b.review and b.review[2] != "none" and b.nonce for b in self.bounties))
    @rule(data=st.data(), funder=st.integers(0, 2))
    def escalate(self, data, funder: int) -> None:
        bounty = self._reviewed(data, lambda b: b.review[2] != "none" and b.nonce > 0,
                                ready=lambda b: b.proposal == "blocked")
        if bounty is None or (bounty.proposal == "blocked" and self._near(bounty.decide_by)):
            return
        account = self.fx.funders[funder]
        erc792 = bounty.review[2] == "erc792"
        fn = self.fx.escrow.contract.functions.escalate(bounty.bounty_id)
        value = ARBITRATION_COST if erc792 else 0
        if bounty.proposal != "blocked":
            return self._expect_refusal("WrongProposalState", account, fn, value)
        if self._next_time() >= bounty.decide_by:
            return self._expect_refusal("ArbitrationLapsed", account, fn, value)
        result = self._client(account).escalate(bounty.bounty_id)
        self._gas(account, result)
        assert result.fee_paid == value
        self.expected_balances[(account.address, ETH)] -= value
        bounty.proposal, bounty.dispute_id = "escalated", result.dispute_id
        self.fx.steps += 1

    @precondition(lambda self: any(b.proposal == "escalated" for b in self.bounties))
    @rule(data=st.data(), ruling=st.sampled_from([0, 1, 1, 2]))
    def arbiter_rules(self, data, ruling: int) -> None:
        bounty = self._reviewed(data, lambda b: b.proposal == "escalated")
        assert bounty is not None and bounty.dispute_id is not None
        arbiter = self.fx.arbiter
        if bounty.review[2] == "erc792":
            send_transaction(self.fx.node.w3, arbiter, self.fx.arbitrator.functions.giveRuling(bounty.dispute_id,
                                                                                                ruling))
        else:
            stale = self.fx.escrow.contract.functions.rule(bounty.dispute_id + 10**6, ruling)
            self._expect_refusal("UnknownDispute", arbiter, stale)
            assert self._client(arbiter).rule(bounty.bounty_id, ruling).ruling == ruling
        if ruling == 1:
            bounty.proposal = "upheld"
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
        fn = self.fx.escrow.contract.functions.lapse(bounty.bounty_id)
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
        """Moves time just past a live proposal's window end (pending) or its arbiter's time
        (blocked, escalated), where finalize and lapse become possible."""
        bounty = data.draw(st.sampled_from([b for b in self.bounties
                                            if b.proposal in ("pending", "blocked", "escalated")]))
        target = bounty.window_end if bounty.proposal == "pending" else bounty.decide_by
        seconds = target - self._next_time() + data.draw(st.integers(5, 3_600))
        if seconds > 0:
            self.advance_time(seconds)
        if data.draw(st.booleans()):  # and settle it there, which 40-step runs rarely reach otherwise
            who = data.draw(st.integers(0, 2))
            self._finalize(bounty, who) if bounty.proposal == "pending" else self._lapse(bounty, who)

    @rule(seconds=st.sampled_from([1, 60, 3_600, 86_400, 7 * 86_400, 30 * 86_400, CLAIM_PERIOD]))
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

    def _escrow_call(self, signature: str, *args: str | int, types: list[str]) -> tuple[str, str, list[str]]:
        selector = function_signature_to_4byte_selector(signature).hex()
        return (self.fx.escrow.address, "0x" + selector + "".join(_word(a) for a in args), types)

    @invariant()
    def chain_matches_model(self) -> None:
        calls, expected = [], []
        for bounty in self.bounties:
            calls.append(self._escrow_call("getBounty(uint256)", bounty.bounty_id, types=[BOUNTY_INFO]))
            expected.append(("bounty", bounty))
            if bounty.review is not None:
                calls.append(self._escrow_call("getReview(uint256)", bounty.bounty_id, types=[REVIEW_INFO]))
                expected.append(("review", bounty))
            for funder, (amount, _) in bounty.pledges.items():
                calls.append(self._escrow_call("pledgeOf(uint256,address)", bounty.bounty_id,
                                               self.fx.funders[funder].address, types=["uint256", "uint64"]))
                expected.append(("pledge", amount))
        for (account, token), amount in self.credits.items():
            calls.append(self._escrow_call("creditOf(address,address)", account, token, types=["uint256"]))
            expected.append(("credit", amount))
        for (kind, want), got in zip(expected, self._read(calls)):
            if kind == "bounty":
                _, _, _, deadline, status, claim_count, total = got[0]
                assert (total, deadline, claim_count) == (want.total, want.deadline, len(want.claims))
                assert STATUSES[status] == want.status
            elif kind == "review":
                _, window, quorum, _, _, state, nonce, window_end, _, against, _ = got[0]
                assert (window, quorum, nonce) == (want.review[0], want.review[1], want.nonce)
                assert PROPOSAL_STATES[state] == want.proposal, (PROPOSAL_STATES[state], want.proposal)
                if want.nonce:
                    assert (window_end, against) == (want.window_end, want.against)
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
            credits = sum(a for (_, t), a in self.credits.items() if t == token)
            assert balance >= outstanding + credits, f"{kind}: escrow holds {balance}, owes {outstanding + credits}"
            assert self.pledged[token] == self.awarded[token] + self.refunded[token] + outstanding
            if token != ETH:
                assert token_owed == outstanding + credits

    @invariant()
    def value_reaches_only_the_right_hands(self) -> None:
        keys = list(self.expected_balances)
        actual = self._read([self._balance_call(account, token) for account, token in keys])
        for (account, token), (got,) in zip(keys, actual):
            assert got == self.expected_balances[(account, token)], f"{account} in {token}"

    @invariant()
    def every_unlocked_pledge_can_be_refunded_in_full(self) -> None:
        """Each such funder's refund, simulated on the pending block, returns exactly its pledge."""
        now = self._next_time()
        requests, amounts = [], []
        for bounty in self.bounties:
            if bounty.status in ("awarded", "under_review"):
                continue  # paid out, or frozen while a proposal is live (see the next invariant)
            for funder, (amount, unlocks_at) in bounty.pledges.items():
                if bounty.fundraiser and bounty.status == "open" and not (
                        now >= bounty.deadline + CLAIM_PERIOD + 3
                        or (bounty.all_or_nothing and bounty.total < bounty.goal)):
                    continue  # a successful fundraiser's pledges go to its beneficiary
                if amount and (bounty.status == "cancelled" or now >= unlocks_at + 3):
                    _, data, _ = self._escrow_call("refund(uint256)", bounty.bounty_id, types=[])
                    call = {"from": self.fx.funders[funder].address, "to": self.fx.escrow.address, "data": data}
                    requests.append(("eth_call", [call, "pending"]))
                    amounts.append(amount)
        if requests:
            responses = self.fx.node.w3.provider.make_batch_request(requests)
            assert [int(r.get("result", "0x0"), 16) for r in responses] == amounts, responses


    @invariant()
    def no_live_proposal_is_stuck(self) -> None:
        """Every path ends in a payout or refundable pledges: past its window an unblocked
        proposal (or one the arbiter upheld) can be finalized by anyone, and past its
        arbiter's time a blocked or escalated one can be lapsed by anyone (simulated)."""
        now = self._next_time()
        requests = []
        for bounty in self.bounties:
            if bounty.status != "under_review":
                continue
            contract = self.fx.escrow.contract
            if (bounty.proposal == "pending" and now >= bounty.window_end + 3) or bounty.proposal == "upheld":
                fn = contract.functions.finalize(bounty.bounty_id, *bounty.proposed)
            elif bounty.proposal in ("blocked", "escalated") and now >= bounty.decide_by + 3:
                fn = contract.functions.lapse(bounty.bounty_id)
            else:
                continue
            call = {"from": self.fx.hunters[0].address, "to": self.fx.escrow.address, "data": fn._encode_transaction_data()}
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
            suppress_health_check=list(HealthCheck)))
        elapsed = time.monotonic() - fuzz_fixture.started
        print(f"stateful fuzzing: {fuzz_fixture.steps} steps in {elapsed:.0f} s", file=sys.stderr, flush=True)
