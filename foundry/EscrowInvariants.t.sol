// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IBountyEscrow} from "../contracts/interfaces/IBountyEscrow.sol";
import {BountyEscrow} from "../contracts/BountyEscrow.sol";
import {EscrowHandler} from "./EscrowHandler.sol";
import {InvariantTest, console} from "./Vm.sol";

/// @notice The escrow's promises (docs/SECURITY.md, "What it promises"), each an invariant
/// named after the promise it proves, checked after every handler call of forge's campaigns.
contract EscrowInvariants is InvariantTest {
    /// @dev Pledges probed per check, rotating with the handler's call count so that a run
    /// reaches every pledge (checking all after every call would cost O(pledges) per call).
    uint256 private constant PROBES_PER_CHECK = 8;

    uint256 private constant CURRENCIES = 7;
    uint256 private constant TRANSFER_CAP = type(uint96).max;

    /// @dev What the escrow says it owes and holds, per currency (index as in the handler).
    struct Books {
        uint256[CURRENCIES] outstanding;
        uint256[CURRENCIES] credits;
        uint256[CURRENCIES] fees;
        uint256[CURRENCIES] balance;
        uint256[CURRENCIES] tokenOwed;
        uint256[CURRENCIES] bonds; // claim bonds the escrow says it still holds
        address[CURRENCIES] tokens;
        address[] accounts; // every (account, currency) ever credited
        uint8[] accountCurrencies;
    }

    EscrowHandler internal handler;

    error GasCeilingBreached(bytes32 fn, uint256 gasUsed);

    function setUp() public {
        handler = new EscrowHandler();
        _targetContract(address(handler));
        // The adversarial bundles come first; the probes and views are not fuzzed.
        bytes4[] memory selectors = new bytes4[](35);
        selectors[0] = EscrowHandler.pledgeThenPropose.selector;
        selectors[1] = EscrowHandler.lapseThenPropose.selector;
        selectors[2] = EscrowHandler.extendThenPledge.selector;
        selectors[3] = EscrowHandler.warp.selector;
        selectors[4] = EscrowHandler.createBounty.selector;
        selectors[5] = EscrowHandler.pledge.selector;
        selectors[6] = EscrowHandler.pledgeFromCrowd.selector;
        selectors[7] = EscrowHandler.pledgeWithPermit.selector;
        selectors[8] = EscrowHandler.submitSolution.selector;
        selectors[9] = EscrowHandler.submitSolutionBySig.selector;
        selectors[10] = EscrowHandler.invalidateNonce.selector;
        selectors[11] = EscrowHandler.award.selector;
        selectors[12] = EscrowHandler.refund.selector;
        selectors[13] = EscrowHandler.withdraw.selector;
        selectors[14] = EscrowHandler.withdrawFees.selector;
        selectors[15] = EscrowHandler.cancel.selector;
        selectors[16] = EscrowHandler.extendDeadline.selector;
        selectors[17] = EscrowHandler.createFundraiser.selector;
        selectors[18] = EscrowHandler.withdrawRaised.selector;
        selectors[19] = EscrowHandler.createBountyWithReview.selector;
        selectors[20] = EscrowHandler.propose.selector;
        selectors[21] = EscrowHandler.object.selector;
        selectors[22] = EscrowHandler.finalize.selector;
        selectors[23] = EscrowHandler.escalate.selector;
        selectors[24] = EscrowHandler.decide.selector;
        selectors[25] = EscrowHandler.lapse.selector;
        selectors[26] = EscrowHandler.setHook.selector;
        selectors[27] = EscrowHandler.createBondedBounty.selector;
        selectors[28] = EscrowHandler.pledgeAsJudge.selector;
        selectors[29] = EscrowHandler.awardPart.selector;
        selectors[30] = EscrowHandler.markSpam.selector;
        selectors[31] = EscrowHandler.withdrawBond.selector;
        selectors[32] = EscrowHandler.claimSlashed.selector;
        // Milestones come often: a second entry doubles their weight.
        selectors[33] = EscrowHandler.awardPart.selector;
        selectors[34] = EscrowHandler.submitSolution.selector;
        _targetSelectorsOf(address(handler), _ordered(selectors));
    }

    /// @dev The order forge picks the selectors from (the same random draws reach other
    /// functions in another order).
    function _ordered(bytes4[] memory selectors) internal pure virtual returns (bytes4[] memory) {
        return selectors;
    }

    /// @notice One campaign, every promise checked after every handler call. Each check is
    /// named after the promise of docs/SECURITY.md it proves, and so is its failure message.
    function invariant_escrowKeepsItsPromises() public {
        Books memory books = _books();
        EscrowHandler.GhostBooks memory ghost = handler.ghostBooks();
        promise1_solvencyPerToken(books, ghost);
        promise1_accountingIdentity(books, ghost);
        promise2_noPledgePaidToAProposalItsFunderObjectedTo();
        promise3_pledgesLockAsSignedAndNoLonger();
        promise4_everyUnlockedPledgeRefundableWithinMaxReviewHold();
        promise5_noCreditThatCanNeverLeave(books);
        promise6_gasDoesNotGrowWithFunders();
        promise10_partialAwardsNeverPayMoreThanThePool();
        promise10_aSlashedBondNeverReachesTheApproverOrIssuer();
        promise10_anUnslashedBondIsWithdrawableOnceTheBountyCloses();
        promise10_noDustNobodyCanTakeBeyondTheBound();
    }

    /// @notice Promise 1 and 5, solvency per token: the escrow holds at least what it owes in
    /// each currency (outstanding pledges + credits + accrued fees), and `tokenOwed` says so.
    function promise1_solvencyPerToken(Books memory books, EscrowHandler.GhostBooks memory g) internal view {
        for (uint256 c; c < CURRENCIES; ++c) {
            // Bonds still held, and slashed bonds not yet credited to the funders, are owed too.
            require(books.bonds[c] == g.bondsIn[c] - g.bondsReturned[c] - g.bondsSlashed[c], "promise 10: bonds held differ from the bonds booked");
            uint256 owed = books.outstanding[c] + books.credits[c] + books.fees[c] + books.bonds[c]
                + g.bondsSlashed[c] - g.slashCredited[c];
            require(books.balance[c] >= owed, "promise 1: the escrow holds less than it owes");
            if (c != 0) require(books.tokenOwed[c] == owed, "promise 1: tokenOwed is not what is owed");
        }
        require(address(handler.review()).balance == 0, "promise 1: the review contract kept ETH");
    }

    /// @notice Promise 1, the accounting identity, against the handler's ghost books (kept
    /// from what each call moved): pledged = refunded + awarded pools + outstanding; pool =
    /// fee + pushed + credited; each fee is floor(pool x rate); the balance is exactly what
    /// came in less what went out; each recipient got exactly its amount.
    function promise1_accountingIdentity(Books memory books, EscrowHandler.GhostBooks memory g) internal view {
        for (uint256 c; c < CURRENCIES; ++c) {
            require(books.outstanding[c] == g.outstanding[c], "promise 1: bounty totals differ from the pledges booked");
            require(
                g.received[c] == g.refunded[c] + g.pools[c] + g.outstanding[c],
                "promise 1: pledged != refunded + awarded + outstanding"
            );
            require(g.pools[c] == g.fees[c] + g.pushed[c] + g.credited[c], "promise 1: pool != fee + paid + credited");
            require(g.fees[c] == g.expectedFees[c], "promise 3: a fee is not floor(pool * rate)");
            require(books.fees[c] == g.fees[c] - g.feesWithdrawn[c], "promise 1: fees accrued != fees - withdrawn");
            require(
                books.credits[c] == g.credited[c] + g.slashCredited[c] - g.withdrawn[c],
                "promise 5: credits != credited - withdrawn"
            );
            uint256 out = g.refunded[c] + g.pushed[c] + g.withdrawn[c] + g.feesWithdrawn[c] + g.bondsReturned[c];
            require(books.balance[c] == g.received[c] + g.bondsIn[c] - out, "promise 1: balance != in - out");
        }
        require(handler.wrongDelivery() == 0, "promise 1: a recipient got another amount than the books say");
    }

    /// @notice Promise 2, consent cannot be bought: no pledge is paid to a proposal its funder
    /// objected to, unless the bounty's arbiter ruled for that proposal.
    function promise2_noPledgePaidToAProposalItsFunderObjectedTo() internal view {
        require(handler.objectorPaidWithoutRuling() == 0, "promise 2: an objector's pledge was paid without a ruling");
    }

    /// @notice Promise 3, terms are fixed when you pledge: a pledge unlocks at the deadline in
    /// force when it was made, never later than its funder signed, and never leaves earlier.
    function promise3_pledgesLockAsSignedAndNoLonger() internal view {
        require(handler.lockAboveSignedMax() == 0, "promise 3: a lock is not the deadline signed for");
        require(handler.refundBeforeUnlock() == 0, "promise 3: a pledge left before its unlock");
    }

    /// @notice Promise 4: every unlocked pledge is refundable, a live proposal holding it at
    /// most MAX_REVIEW_HOLD (127 days) from the proposal, and no live proposal outlives that.
    function promise4_everyUnlockedPledgeRefundableWithinMaxReviewHold() internal {
        uint256 count = handler.pledgeCount();
        if (count != 0) {
            uint256 start = handler.calls() * PROBES_PER_CHECK;
            uint256 probes = count < PROBES_PER_CHECK ? count : PROBES_PER_CHECK;
            for (uint256 k; k < probes; ++k) {
                uint256 i = (start + k) % count;
                if (!handler.mustBeRefundable(i)) continue;
                (uint256 bountyId, address funder, uint256 amount,,,) = handler.pledges(i);
                if (amount > TRANSFER_CAP) amount = TRANSFER_CAP;
                require(
                    _probe(abi.encodeCall(handler.probeRefund, (bountyId, funder, amount))),
                    "promise 4: an unlocked pledge cannot be refunded"
                );
            }
        }
        BountyEscrow escrow = handler.escrow();
        uint256 hold = escrow.MAX_REVIEW_HOLD();
        (uint256[] memory reviewed, uint64[] memory proposedAt) = handler.reviewedBounties();
        for (uint256 b; b < reviewed.length; ++b) {
            uint256 bountyId = reviewed[b];
            if (block.timestamp < proposedAt[b] + hold) continue;
            if (escrow.getBounty(bountyId).status != IBountyEscrow.Status.UnderReview) continue;
            require(
                _probe(abi.encodeCall(handler.probeEndProposal, (bountyId))),
                "promise 4: a live proposal outlived MAX_REVIEW_HOLD"
            );
        }
    }

    /// @notice Promise 5, money can always leave: every credit (PROBES_PER_CHECK per check,
    /// rotating over all) and every accrued fee can be withdrawn (in parts where the token caps
    /// a transfer), and no re-entry from a hook token ever lands.
    function promise5_noCreditThatCanNeverLeave(Books memory books) internal {
        BountyEscrow escrow = handler.escrow();
        // Credits rotate like pledges: PROBES_PER_CHECK of them per check.
        uint256 count = books.accounts.length;
        uint256 start = handler.calls() * PROBES_PER_CHECK;
        for (uint256 k; k < count && k < PROBES_PER_CHECK; ++k) {
            uint256 a = (start + k) % count;
            address token = books.tokens[books.accountCurrencies[a]];
            uint256 credit = escrow.creditOf(books.accounts[a], token);
            if (credit == 0) continue;
            if (credit > TRANSFER_CAP) credit = TRANSFER_CAP;
            require(
                _probe(abi.encodeCall(handler.probeWithdraw, (books.accounts[a], token, credit))),
                "promise 5: a credit cannot leave"
            );
        }
        for (uint256 c; c < CURRENCIES; ++c) {
            uint256 fees = books.fees[c];
            if (fees == 0) continue;
            if (fees > TRANSFER_CAP) fees = TRANSFER_CAP;
            require(
                _probe(abi.encodeCall(handler.probeWithdrawFees, (books.tokens[c], fees))), "promise 5: fees cannot leave"
            );
        }
        require(handler.reentryLanded() == 0, "promise 5: a hook token's re-entry landed");
    }

    /// @notice Promise 6, O(1) gas: no call cost more than its fixed ceiling (per winner for
    /// awards), however many funders the crowd brought to one bounty.
    function promise6_gasDoesNotGrowWithFunders() internal view {
        if (handler.gasCeilingBreaches() != 0) {
            revert GasCeilingBreached(handler.lastBreach(), handler.lastBreachGas());
        }
    }

    /// @notice Promise 10, milestones: a partial award takes floor(pool x part) and not a wei
    /// more, and every pledge is then worth exactly its shares' part of what is left.
    function promise10_partialAwardsNeverPayMoreThanThePool() internal view {
        require(handler.partialAwardMisrounded() == 0, "promise 10: a partial award paid more than its part of the pool");
        require(handler.proRataDrift() == 0, "promise 10: a pledge is not worth its shares' part of the pool");
    }

    /// @notice Promise 10, claim bonds: whoever judges spam gains nothing from it; no bond
    /// leaves (slashed or returned) while its bounty is open.
    function promise10_aSlashedBondNeverReachesTheApproverOrIssuer() internal view {
        require(handler.slashReachedJudge() == 0, "promise 10: a slashed bond reached the approver or the issuer");
        require(handler.bondLeftEarly() == 0, "promise 10: a bond left while its bounty was open");
    }

    /// @notice Promise 10: once a bounty is awarded, cancelled or expired, every bond not
    /// slashed goes back to its hunter (probing PROBES_PER_CHECK bonds per check, rotating).
    function promise10_anUnslashedBondIsWithdrawableOnceTheBountyCloses() internal {
        uint256 count = handler.bondCount();
        if (count == 0) return;
        uint256 start = handler.calls() * PROBES_PER_CHECK;
        uint256 probes = count < PROBES_PER_CHECK ? count : PROBES_PER_CHECK;
        for (uint256 k; k < probes; ++k) {
            uint256 i = (start + k) % count;
            if (!handler.mustBeWithdrawableBond(i)) continue;
            require(
                _probe(abi.encodeCall(handler.probeWithdrawBond, (i))),
                "promise 10: a hunter's unslashed bond cannot be withdrawn after the bounty closed"
            );
        }
    }

    /// @notice Promise 10, no dust: a pool nobody holds shares of holds nothing; the funders'
    /// parts of the slashed bonds never sum to more than was slashed, and rounding leaves at
    /// most a wei per funder and mark unpaid (docs/SECURITY.md).
    function promise10_noDustNobodyCanTakeBeyondTheBound() internal view {
        BountyEscrow escrow = handler.escrow();
        EscrowHandler.SlashedBooks[] memory slashed = handler.slashedBooks();
        for (uint256 b; b < slashed.length; ++b) {
            EscrowHandler.SlashedBooks memory books = slashed[b];
            (, uint256 supply) = escrow.sharesOf(books.bountyId, address(0));
            if (supply == 0) {
                require(escrow.getBounty(books.bountyId).total == 0, "promise 10: dust left in a pool with no shares");
            }
            require(
                books.paid + books.pending <= books.slashed,
                "promise 10: funders were owed more of the slashed bonds than were slashed"
            );
            require(
                books.slashed - books.paid - books.pending <= books.dustBound,
                "promise 10: slashed-bond dust beyond a wei per funder and mark"
            );
        }
    }

    /// @notice After each run (shown with -vv): what the run reached, so a campaign that
    /// stopped reaching a path shows it.
    function afterInvariant() public view {
        bytes32[21] memory fns = [
            bytes32("pledge"), "refund", "refundTo", "award", "propose", "object", "finalize", "escalate",
            "decide", "rule", "lapse", "withdrawRaised", "withdrawTo", "withdrawFees", "awardPart",
            "submitBondedSolution", "markSpam", "withdrawBond", "claimSlashed", "createBondedBounty",
            "submitBondedByPermit"
        ];
        for (uint256 i; i < fns.length; ++i) {
            console.log(string(abi.encodePacked(fns[i])), handler.successes(fns[i]));
        }
        bytes32[6] memory metered = [bytes32("pledge"), "refund", "award", "object", "finalize", "propose"];
        for (uint256 i; i < metered.length; ++i) {
            console.log(string.concat("max gas ", string(abi.encodePacked(metered[i]))), handler.maxGas(metered[i]));
        }
        console.log("max funders on one bounty", handler.maxFundersOnOneBounty());
        console.log("hook calls refused", handler.hookCallsSeen());
        console.log("bounties", handler.bountyCount());
    }

    /*//////////////////////////////////////////////////////////////
                                HELPERS
    //////////////////////////////////////////////////////////////*/

    /// @dev Runs a handler probe, which always reverts (nothing it does stays): true if the
    /// action inside went through.
    function _probe(bytes memory call) private returns (bool) {
        (bool ok, bytes memory result) = address(handler).call(call);
        return !ok && result.length == 4 && bytes4(result) == EscrowHandler.ProbeSucceeded.selector;
    }

    /// @dev The escrow's books per currency, from its views and balances, in one pass.
    function _books() internal view returns (Books memory books) {
        BountyEscrow escrow = handler.escrow();
        (
            uint256[] memory ids,
            uint8[] memory bountyCurrencies,
            address[CURRENCIES] memory tokens,
            address[] memory accounts,
            uint8[] memory accountCurrencies
        ) = handler.bookLayout();
        for (uint256 b; b < ids.length; ++b) {
            books.outstanding[bountyCurrencies[b]] += escrow.getBounty(ids[b]).total;
        }
        (uint256[] memory bondBounties, uint256[] memory claimIds, uint8[] memory bondCurrencies) = handler.bondLayout();
        for (uint256 i; i < bondBounties.length; ++i) {
            books.bonds[bondCurrencies[i]] += escrow.claimBond(bondBounties[i], claimIds[i]);
        }
        for (uint256 a; a < accounts.length; ++a) {
            books.credits[accountCurrencies[a]] += escrow.creditOf(accounts[a], tokens[accountCurrencies[a]]);
        }
        for (uint256 c; c < CURRENCIES; ++c) {
            books.fees[c] = escrow.feesAccrued(tokens[c]);
            books.balance[c] = c == 0 ? address(escrow).balance : IERC20(tokens[c]).balanceOf(address(escrow));
            if (c != 0) books.tokenOwed[c] = escrow.tokenOwed(tokens[c]);
        }
        books.accounts = accounts;
        books.accountCurrencies = accountCurrencies;
        books.tokens = tokens;
    }
}

/// @notice The same campaign on the machine's second core: `make invariant` runs both at once
/// (forge -j 2), half the runs each. Its selectors come in reverse order, so that forge's
/// random draws (the same seed) drive other sequences than the first campaign's.
contract EscrowInvariantsSecondCore is EscrowInvariants {
    function _ordered(bytes4[] memory selectors) internal pure override returns (bytes4[] memory reversed) {
        reversed = new bytes4[](selectors.length);
        for (uint256 i; i < selectors.length; ++i) {
            reversed[i] = selectors[selectors.length - 1 - i];
        }
    }
}
