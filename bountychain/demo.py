"""The end-to-end bounty story on the in-process chain (`make demo`).

Deploy the escrow; fund an ETH bounty with three funders and a token bounty with two;
two hunters submit (one of them gasless: she signs, the maintainer relays); the approver
awards with a split; two fundraisers run, one all-or-nothing that meets its goal and pays the
project, one that misses and refunds its backer; a third bounty expires and its funders take
their refunds. Then backers' review: two reviewed bounties with a 3-day window. On the first
(no arbiter) the approver proposes a split, one funder objects, withholding her pledge, and
after the window anyone finalizes it: the winners get the pool less her pledge, and she takes
hers back at once. On the second (a 33% quorum, the maintainers' account as arbiter standing in
for their Safe) the objections reach the quorum, the blocked proposal is escalated, and the
arbiter decides to pay the whole pool. A private security report: a hunter commits to a
vulnerability on chain, the report sealed to the bounty's security contact key, and is
awarded; his later reveal verifies. Last, the fee recipient withdraws the fees. Then every
account's balance is reconciled against what the story says it paid and received, and the
escrow must end holding exactly what it owes: nothing. Exit status 1 if anything does not
reconcile.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from eth_account.signers.local import LocalAccount
from rich.console import Console
from rich.table import Table

from bountychain.amounts import format_amount
from bountychain.errors import ReportNotVerified
from bountychain.reports import ReportBundle, decrypt_report, public_key_of, with_security_contact
from bountychain.sdk import BountyClient, deploy_contract, send_transaction
from bountychain.devchain import InProcessChain
from bountychain.results import ETH, ReviewTerms, TxResult

DAY = 86_400


@dataclass
class Step:
    actor: str
    action: str
    amount: str
    gas_used: int


class Story:
    """Runs the steps and keeps the ledger: what each account should have gained or lost."""

    def __init__(self, chain: InProcessChain, escrow: BountyClient, names: dict[str, str]) -> None:
        self.chain, self.escrow, self.names = chain, escrow, names
        self.steps: list[Step] = []
        self.expected: dict[tuple[str, str], int] = defaultdict(int)  # (address, token) -> delta
        self.gas_costs: dict[str, int] = defaultdict(int)

    def record(self, actor: LocalAccount, action: str, result: TxResult, amount: str = "") -> None:
        approval = getattr(result, "approval", None)
        if approval is not None:
            self.steps.append(Step(self.names[actor.address], "approve the escrow for exactly", amount,
                                   approval.gas_used))
            self.pay_gas(actor.address, approval)
        self.steps.append(Step(self.names[actor.address], action, amount, result.gas_used))
        self.pay_gas(actor.address, result)

    def pay_gas(self, address: str, result: TxResult) -> None:
        self.expected[(address, ETH)] -= result.gas_cost_wei
        self.gas_costs[address] += result.gas_cost_wei

    def move(self, address: str, token: str, delta: int) -> None:
        self.expected[(address, token)] += delta


def run(console: Console) -> bool:
    chain = InProcessChain()
    accounts = {name: chain.new_account() for name in
                ("maintainer", "treasury", "alice", "bob", "carol", "dana", "eve", "project",
                 "maintainers")}
    maintainer, treasury = accounts["maintainer"], accounts["treasury"]
    alice, bob, carol, dana, eve = (accounts[n] for n in ("alice", "bob", "carol", "dana", "eve"))
    project = accounts["project"]
    maintainers = accounts["maintainers"]  # a plain address standing in for the maintainers' Safe
    names = {account.address: name for name, account in accounts.items()}

    escrow = BountyClient.deploy(chain, maintainer, fee_recipient=treasury.address, fee_bps=100)
    names[escrow.address] = "escrow"
    usdc = deploy_contract(chain.w3, maintainer, "TestToken", "USD Coin (test)", "USDC", 6)
    for funder in (alice, bob):
        send_transaction(chain.w3, maintainer, usdc.functions.mint(funder.address, 1_000 * 10**6))
    tokens = {ETH: "ETH", usdc.address: "USDC"}
    watched = [*accounts.values()]
    start = {(a.address, t): escrow.balance_of(a.address, t) for a in watched for t in tokens}
    escrow_start = {t: escrow.balance_of(escrow.address, t) for t in tokens}

    story = Story(chain, escrow, names)
    as_ = escrow.as_signer
    # Set-up (deploying, minting test USDC) happened before the ledger starts.
    story.steps.append(Step("maintainer", f"(set-up) deploy BountyEscrow, fee 1% to treasury: {escrow.address}",
                            "", escrow.deployment.gas_used))
    console.print(f"[bold]bountychain demo[/] on the in-process chain (id {escrow.chain_id})")

    # 1. An ETH bounty on an issue, funded by three backers.
    now = chain.now()
    parser_issue = "https://github.com/bountychain-demo/parser/issues/17"
    eth_bounty = escrow.create_bounty(parser_issue, now + 30 * DAY)
    story.record(maintainer, f"create ETH bounty #{eth_bounty.bounty_id} for {parser_issue}", eth_bounty)
    for funder, amount in ((alice, "0.5 ether"), (bob, "0.3 ether"), (carol, "0.2 ether")):
        result = as_(funder).pledge(eth_bounty.bounty_id, amount)
        story.record(funder, f"pledge on #{eth_bounty.bounty_id}", result, amount)
        story.move(funder.address, ETH, -result.amount)

    # 2. A token bounty on a second issue.
    docs_issue = "https://github.com/bountychain-demo/parser/issues/23"
    token_bounty = escrow.create_bounty(docs_issue, now + 30 * DAY, token=usdc.address)
    story.record(maintainer, f"create USDC bounty #{token_bounty.bounty_id} for {docs_issue}", token_bounty)
    for funder, amount in ((alice, "100 USDC"), (bob, "50 USDC")):
        result = as_(funder).pledge(token_bounty.bounty_id, amount)
        story.record(funder, f"pledge on #{token_bounty.bounty_id}", result, amount)
        story.move(funder.address, usdc.address, -result.amount)

    # 3. Two hunters submit solutions. Eve signs hers off-chain (EIP-712) and the maintainer
    # relays it: the claim is Eve's, the gas the maintainer's.
    claims = {}
    for hunter, bounty_id, pr in ((dana, eth_bounty.bounty_id, 41), (eve, eth_bounty.bounty_id, 44),
                                  (dana, token_bounty.bounty_id, 45)):
        url = f"https://github.com/bountychain-demo/parser/pull/{pr}"
        if hunter is eve:
            signed = as_(eve).sign_solution(bounty_id, url)
            result = escrow.relay_solution(signed.to_json())
            story.steps.append(Step("eve", f"sign claim on #{bounty_id} off-chain (no gas): {url}", "", 0))
            story.record(maintainer, f"relay eve's signed claim {result.claim_id} on #{bounty_id}", result)
        else:
            result = as_(hunter).submit_solution(bounty_id, url)
            story.record(hunter, f"submit claim {result.claim_id} on #{bounty_id}: {url}", result)
        claims[(hunter.address, bounty_id)] = result.claim_id

    # 4. The approver awards: a 70/30 split in ETH, the whole token pool to one hunter.
    for bounty_id, shares, token in (
        (eth_bounty.bounty_id, {claims[(dana.address, eth_bounty.bounty_id)]: 7_000,
                                claims[(eve.address, eth_bounty.bounty_id)]: 3_000}, ETH),
        (token_bounty.bounty_id, {claims[(dana.address, token_bounty.bounty_id)]: 10_000}, usdc.address),
    ):
        award = escrow.award(bounty_id, shares)
        story.record(maintainer, f"award #{bounty_id} ({', '.join(f'claim {c}: {s / 100:g}%' for c, s in shares.items())})",
                     award, format_amount(award.pool, 6 if token != ETH else 18, tokens[token]))
        for payout in award.payouts:
            story.move(payout.hunter, token, payout.amount)

    # 5. Two all-or-nothing fundraisers for the project: one meets its 1 ETH goal, one misses
    # its 5 ETH goal. They end before the stale bounty below.
    project_url = "https://github.com/bountychain-demo/parser"
    fundraisers = {}
    for label, goal in (("met", "1 ether"), ("missed", "5 ether")):
        created = escrow.create_fundraiser(project_url, project.address, goal, chain.now() + 5 * DAY)
        fundraisers[label] = created.fundraiser_id
        story.record(maintainer, f"create all-or-nothing fundraiser #{created.fundraiser_id} for the project, "
                                 f"goal {goal}", created)
    for funder, label, amount in ((alice, "met", "0.6 ether"), (carol, "met", "0.5 ether"),
                                  (bob, "missed", "0.2 ether")):
        result = as_(funder).pledge(fundraisers[label], amount)
        story.record(funder, f"pledge on fundraiser #{fundraisers[label]}", result, amount)
        story.move(funder.address, ETH, -result.amount)

    # 6. A third bounty gets no solution; after its deadline both funders take refunds.
    stale_issue = "https://github.com/bountychain-demo/parser/issues/31"
    stale = escrow.create_bounty(stale_issue, chain.now() + 7 * DAY)
    story.record(maintainer, f"create ETH bounty #{stale.bounty_id} for {stale_issue}", stale)
    for funder, amount in ((bob, "0.1 ether"), (carol, "0.25 ether")):
        result = as_(funder).pledge(stale.bounty_id, amount)
        story.record(funder, f"pledge on #{stale.bounty_id}", result, amount)
        story.move(funder.address, ETH, -result.amount)
    chain.set_next_block_timestamp(stale.deadline)
    story.steps.append(Step("-", f"time passes: the fundraisers and bounty #{stale.bounty_id} reach their deadlines",
                            "", 0))
    # Anyone may pay a successful fundraiser out; the money goes only to its beneficiary.
    paid = as_(eve).withdraw_raised(fundraisers["met"])
    story.record(eve, f"pay fundraiser #{fundraisers['met']} out to the project (goal met; 1% fee)", paid,
                 format_amount(paid.pool, 18, "ETH"))
    story.move(project.address, ETH, paid.amount)
    refund = as_(bob).refund(fundraisers["missed"])
    story.record(bob, f"refund from fundraiser #{fundraisers['missed']} (goal missed)", refund,
                 format_amount(refund.amount, 18, "ETH"))
    story.move(bob.address, ETH, refund.amount)
    for funder in (bob, carol):
        refund = as_(funder).refund(stale.bounty_id)
        story.record(funder, f"refund from #{stale.bounty_id}", refund, format_amount(refund.amount, 18, "ETH"))
        story.move(funder.address, ETH, refund.amount)

    # 7. Backers' review: two reviewed bounties. The approver only proposes; during a 3-day
    # window each funder may object, which withholds its own pledge from the proposal (silence
    # is consent). The first names no arbiter, so no quorum: an objection only withholds. The
    # second names the maintainers' account (standing in for their Safe) as arbiter with a 33%
    # quorum: objections reaching it block the proposal, and only the arbiter decides it.
    plain_terms = ReviewTerms(review_window=3 * DAY)
    arbiter_terms = ReviewTerms(review_window=3 * DAY, quorum_bps=3_300, arbiter=maintainers.address)
    optimistic = {}
    for label, number, terms in (("withheld", 52, plain_terms), ("blocked", 58, arbiter_terms)):
        issue = f"https://github.com/bountychain-demo/parser/issues/{number}"
        created = escrow.create_bounty(issue, chain.now() + 10 * DAY, review=terms)
        optimistic[label] = created.bounty_id
        story.record(maintainer, f"create optimistic ETH bounty #{created.bounty_id} for {issue}", created)
    story.steps.append(Step("-", f"#{optimistic['withheld']} review terms: 3-day window, no arbiter (an objection "
                                 "withholds the objector's pledge)", "", 0))
    story.steps.append(Step("-", f"#{optimistic['blocked']} review terms: 3-day window, 33% quorum, arbiter "
                                 "maintainers (a Safe stand-in)", "", 0))
    for funder, label, amount in ((alice, "withheld", "0.4 ether"), (bob, "withheld", "0.3 ether"),
                                  (carol, "withheld", "0.3 ether"), (alice, "blocked", "0.5 ether"),
                                  (bob, "blocked", "0.25 ether"), (carol, "blocked", "0.25 ether")):
        result = as_(funder).pledge(optimistic[label], amount)
        story.record(funder, f"pledge on #{optimistic[label]}", result, amount)
        story.move(funder.address, ETH, -result.amount)
    review_claims = {}
    for hunter, label, pr in ((dana, "withheld", 53), (eve, "withheld", 54), (eve, "blocked", 59)):
        url = f"https://github.com/bountychain-demo/parser/pull/{pr}"
        result = as_(hunter).submit_solution(optimistic[label], url)
        story.record(hunter, f"submit claim {result.claim_id} on #{optimistic[label]}: {url}", result)
        review_claims[(hunter.address, label)] = result.claim_id

    def propose(label: str, shares: dict[int, int]) -> int:
        proposed = escrow.propose(optimistic[label], shares)
        story.record(maintainer, f"propose an award of #{optimistic[label]} "
                                 f"({', '.join(f'claim {c}: {s / 100:g}%' for c, s in shares.items())}); "
                                 f"the review window opens", proposed, format_amount(proposed.total, 18, "ETH"))
        return proposed.window_end

    def object_(funder: LocalAccount, label: str) -> None:
        objection = as_(funder).object(optimistic[label])
        story.record(funder, f"object to the proposal on #{optimistic[label]}, withholding "
                             f"{format_amount(objection.weight, 18, 'ETH')}: {objection.outcome}", objection)

    def show_proposal(label: str) -> None:
        proposal = escrow.proposal(optimistic[label])
        window_end = datetime.fromtimestamp(proposal.window_end, UTC).strftime("%Y-%m-%d %H:%M UTC")
        quorum = (f"quorum {format_amount(proposal.quorum_weight, 18, 'ETH')}" if proposal.quorum_weight is not None
                  else "no quorum")
        story.steps.append(Step("-", f"proposal on #{optimistic[label]} {proposal.state.name.lower()}: "
                                     f"{format_amount(proposal.weight_against, 18, 'ETH')} withheld, "
                                     f"{format_amount(proposal.weight_for, 18, 'ETH')} for, {quorum}; "
                                     f"window ends {window_end}", "", 0))

    def pay(label: str, actor: LocalAccount, action: str) -> None:
        final = as_(actor).finalize(optimistic[label])
        story.record(actor, f"finalize #{optimistic[label]}: {action} (1% fee)", final,
                     format_amount(final.pool, 18, "ETH"))
        for payout in final.payouts:
            story.move(payout.hunter, ETH, payout.amount)

    # 7a. A 60/40 proposal; carol objects, withholding her 0.3 ETH. Silence is consent: after
    # the window anyone (here dana, a winner) finalizes, the award takes the 0.7 ETH of alice
    # and bob, and carol takes her pledge back at once, before the bounty's deadline.
    window_end = propose("withheld", {review_claims[(dana.address, "withheld")]: 6_000,
                                      review_claims[(eve.address, "withheld")]: 4_000})
    object_(carol, "withheld")
    show_proposal("withheld")
    chain.set_next_block_timestamp(window_end)
    story.steps.append(Step("-", f"time passes: the review window of #{optimistic['withheld']} ends", "", 0))
    pay("withheld", dana, "the award takes the pool less carol's withheld pledge")
    refund = as_(carol).refund(optimistic["withheld"])
    story.record(carol, f"refund of the withheld pledge from #{optimistic['withheld']}, at once", refund,
                 format_amount(refund.amount, 18, "ETH"))
    story.move(carol.address, ETH, refund.amount)

    # 7b. The whole pool to one claim; bob objects (25%, below the quorum: withheld), then carol
    # (together 50%): blocked. Anyone escalates (free for a plain-address arbiter); the
    # maintainers decide to pay, which takes the whole pool, the objectors' pledges included.
    propose("blocked", {review_claims[(eve.address, "blocked")]: 10_000})
    object_(bob, "blocked")
    object_(carol, "blocked")
    show_proposal("blocked")
    escalation = as_(bob).escalate(optimistic["blocked"])
    story.record(bob, f"escalate #{optimistic['blocked']}'s blocked proposal to the maintainers (no fee)",
                 escalation)
    story.move(bob.address, ETH, -escalation.fee_paid)
    ruling = as_(maintainers).rule(optimistic["blocked"], "pay")
    story.record(maintainers, f"decide #{optimistic['blocked']}: pay; the proposal is {ruling.outcome}", ruling)
    pay("blocked", eve, "the arbiter overruled the objections: the whole pool")

    # 8. A private security report: committed on chain, read only by the security contact.
    _security_report_chapter(story, escrow, maintainer, alice, watched, start)

    # 9. The treasury withdraws the fees that accrued.
    for token, symbol in tokens.items():
        withdrawal = as_(treasury).withdraw_fees(token)
        story.record(treasury, f"withdraw fees in {symbol}", withdrawal,
                     format_amount(withdrawal.amount, 18 if token == ETH else 6, symbol))
        story.move(treasury.address, token, withdrawal.amount)

    _print_steps(console, story)
    return _reconcile(console, story, escrow, watched, tokens, start, escrow_start)


def _security_report_chapter(story: Story, escrow: BountyClient, maintainer: LocalAccount, funder: LocalAccount,
                             watched: list[LocalAccount], start: dict[tuple[str, str], int]) -> None:
    """A bounty that names a security contact key at creation (in its URI's fragment). Frank
    finds a vulnerability: he commits to it on chain (a claim whose URI is the report's hash,
    so the block time proves he was first) and seals the report to the contact's key. The
    contact opens it, the maintainer awards the claim like any other, and Frank's later reveal
    verifies against the commitment while a changed one does not. The report's text is never
    printed."""
    chain = story.chain
    security, frank = chain.new_account(), chain.new_account()
    for name, account in (("security", security), ("frank", frank)):
        story.names[account.address] = name
        watched.append(account)
        for token in (ETH, *{token for _, token in start}):
            start[(account.address, token)] = escrow.balance_of(account.address, token)
    issue = "https://github.com/bountychain-demo/parser/issues/66"
    created = escrow.create_bounty(with_security_contact(issue, public_key_of(security)), chain.now() + 30 * DAY)
    bounty_id = created.bounty_id
    story.record(maintainer, f"create ETH bounty #{bounty_id} for {issue}, naming the security contact's key", created)
    pledged = escrow.as_signer(funder).pledge(bounty_id, "0.4 ether")
    story.record(funder, f"pledge on #{bounty_id}", pledged, "0.4 ether")
    story.move(funder.address, ETH, -pledged.amount)

    report = b"The parser's include directive follows ../ out of the project root (CVE pending).\n"
    submission = escrow.as_signer(frank).submit_report(bounty_id, report)
    claim = submission.claim
    story.record(frank, f"commit a private security report as claim {claim.claim_id} on #{bounty_id} "
                        "(only its hash on chain; the report sealed to the security contact)", claim)
    opened = decrypt_report(submission.envelope, security)
    checked = escrow.verify_report(opened)
    committed = datetime.fromtimestamp(checked.committed_at, UTC).strftime("%Y-%m-%d %H:%M UTC")
    story.steps.append(Step("security", f"open the envelope ({len(opened.report)} bytes): it matches claim "
                                        f"{checked.claim_id}, committed {committed}", "", 0))
    award = escrow.award(bounty_id, {claim.claim_id: 10_000})
    story.record(maintainer, f"award #{bounty_id} (claim {claim.claim_id}, the security report: 100%)", award,
                 format_amount(award.pool, 18, "ETH"))
    for payout in award.payouts:
        story.move(payout.hunter, ETH, payout.amount)
    revealed = ReportBundle.from_json(submission.bundle.to_json())  # what frank publishes after the fix
    escrow.verify_report(revealed)
    try:
        escrow.verify_report(replace(revealed, report=report.replace(b"include", b"import")))
        changed = "verifies (wrong!)"
    except ReportNotVerified:
        changed = "does not"
    story.steps.append(Step("-", f"frank reveals the report: it verifies against claim {claim.claim_id}; "
                                 f"a changed one {changed}", "", 0))


def _print_steps(console: Console, story: Story) -> None:
    table = Table(title="What happened")
    for column in ("who", "action", "amount", "gas"):
        table.add_column(column, justify="right" if column == "gas" else "left")
    for step in story.steps:
        table.add_row(step.actor, step.action, step.amount, f"{step.gas_used:,}" if step.gas_used else "")
    console.print(table)


def _reconcile(console, story, escrow, watched, tokens, start, escrow_start) -> bool:
    table = Table(title="Who paid and who received (net of gas for ETH)")
    table.add_column("account")
    for symbol in tokens.values():
        table.add_column(f"{symbol} change", justify="right")
    table.add_column("reconciled")
    ok = True
    for account in watched:
        cells, row_ok = [], True
        for token, symbol in tokens.items():
            actual = escrow.balance_of(account.address, token) - start[(account.address, token)]
            expected = story.expected[(account.address, token)]
            row_ok &= actual == expected
            decimals = 18 if token == ETH else 6
            shown = actual + (story.gas_costs[account.address] if token == ETH else 0)
            cells.append(format_amount(shown, decimals, symbol) if shown >= 0
                         else "-" + format_amount(-shown, decimals, symbol))
        ok &= row_ok
        table.add_row(story.names[account.address], *cells, "yes" if row_ok else "[red]NO[/]")
    # The escrow holds exactly what it owes: every bounty's and fundraiser's outstanding
    # pledges, every credit and the fees not yet withdrawn; here all settled, so nothing. The
    # review contract never holds money.
    escrow_cells, escrow_ok = [], True
    pools = [escrow.bounty(b) for b in range(1, escrow.bounty_count() + 1)]  # bounties and fundraisers
    for token, symbol in tokens.items():
        held = escrow.balance_of(escrow.address, token) - escrow_start[token]
        owed = (sum(pool.total for pool in pools if pool.token == token)
                + sum(escrow.credit_of(account.address, token) for account in watched)
                + escrow.fees_accrued(token))
        escrow_ok &= held == owed == 0 and escrow.balance_of(escrow.review_contract.address, token) == 0
        escrow_cells.append(format_amount(held, 18 if token == ETH else 6, symbol))
    ok &= escrow_ok
    table.add_row("escrow (holds what it owes: nothing)", *escrow_cells, "yes" if escrow_ok else "[red]NO[/]")
    console.print(table)
    console.print("[green]every balance reconciles[/]" if ok else "[red bold]balances do not reconcile[/]")
    return ok


def main() -> int:
    console = Console(width=140)
    return 0 if run(console) else 1


if __name__ == "__main__":
    sys.exit(main())
