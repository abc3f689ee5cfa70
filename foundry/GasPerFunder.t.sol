// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BountyEscrow} from "../contracts/BountyEscrow.sol";
import {BountyReview} from "../contracts/BountyReview.sol";
import {IBountyReview} from "../contracts/interfaces/IBountyReview.sol";
import {vm} from "./Vm.sol";

/// @notice Promise 6 at scale, next to the campaign's per-call ceilings: on a reviewed bounty
/// with 300 funders, the 300th funder's pledge, objection and refund cost what the 2nd's do
/// (within 100 gas), and finalizing costs what it costs with 2 funders.
contract GasPerFunderTest {
    uint256 private constant FUNDERS = 300;

    /// @notice Step 0 pledge, 1 objection, 2 refund: the 2nd funder's gas and the last's.
    error GasGrewWithFunders(uint256 step, uint256 secondFunder, uint256 lastFunder);

    BountyEscrow private escrow;
    BountyReview private review;
    /// @dev The test's clock: under viaIR, `block.timestamp` read twice in one call may be the
    /// first value (the optimizer takes it as constant), so the second story's warp kept time.
    uint256 private clock = 1_700_000_000;

    function setUp() public {
        vm.warp(clock);
    }

    function test_pledgeObjectRefundAndFinalizeDoNotGrowWithFunders() public {
        (uint256[3] memory second, uint256[3] memory last, uint256 finalizeMany) = _story(FUNDERS);
        (,, uint256 finalizeFew) = _story(2);
        for (uint256 k; k < 3; ++k) {
            // pledge, object, refund: the same storage work for every funder
            // 100 gas of slack for the test's own bookkeeping; one storage read per earlier
            // funder would add 2,100 x 298.
            if (last[k] > second[k] + 100) revert GasGrewWithFunders(k, second[k], last[k]);
        }
        require(finalizeMany <= finalizeFew + 100, "promise 6: finalizing cost more with more funders");
    }

    /// @dev A reviewed bounty with `funders` funders; all but the first object to a proposal,
    /// which is finalized (paying the first's pledge); the objectors then refund theirs.
    /// Returns the gas of the 2nd and the last funder's pledge, objection and refund, and of
    /// finalize.
    function _story(uint256 funders) private returns (uint256[3] memory second, uint256[3] memory last, uint256 fin) {
        // A fresh escrow and hunter per story: nothing warm from the other one.
        escrow = new BountyEscrow(address(0xFEE), 250);
        review = BountyReview(escrow.review());
        IBountyReview.ReviewTerms memory terms;
        terms.reviewWindow = 1 days;
        uint256 id = review.createBountyWithReview(address(0), uint64(clock + 30 days), address(this), "ipfs://r", terms);
        vm.prank(address(uint160(0xBEEF0000 + funders)));
        escrow.submitSolution(id, "https://github.com/o/r/pull/1");
        for (uint256 i; i < funders; ++i) {
            uint256 used = _pledge(id, _funder(id, i));
            if (i == 1) second[0] = used;
            if (i == funders - 1) last[0] = used;
        }
        uint256[] memory claimIds = new uint256[](1);
        uint256[] memory shares = new uint256[](1);
        (claimIds[0], shares[0]) = (1, 10_000);
        review.propose(id, claimIds, shares);
        for (uint256 i = 1; i < funders; ++i) {
            address funder = _funder(id, i);
            vm.prank(funder);
            uint256 g = gasleft();
            review.object(id);
            uint256 used = g - gasleft();
            if (i == 1) second[1] = used;
            if (i == funders - 1) last[1] = used;
        }
        clock += 1 days;
        vm.warp(clock);
        uint256 before = gasleft();
        review.finalize(id, claimIds, shares);
        fin = before - gasleft();
        for (uint256 i = 1; i < funders; ++i) {
            address funder = _funder(id, i);
            vm.prank(funder);
            uint256 g = gasleft();
            escrow.refund(id);
            uint256 used = g - gasleft();
            if (i == 1) second[2] = used;
            if (i == funders - 1) last[2] = used;
        }
    }

    function _pledge(uint256 id, address funder) private returns (uint256 used) {
        vm.deal(funder, 1 ether);
        vm.prank(funder);
        uint256 g = gasleft();
        escrow.pledge{value: 1 ether}(id, 1 ether, type(uint64).max);
        used = g - gasleft();
    }

    function _funder(uint256 id, uint256 i) private pure returns (address) {
        return address(uint160(0xF0000000 + id * 100_000 + i));
    }
}
