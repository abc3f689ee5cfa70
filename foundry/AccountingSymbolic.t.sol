// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BountyEscrow} from "../contracts/BountyEscrow.sol";
import {BountyReview} from "../contracts/BountyReview.sol";
import {IBountyReview} from "../contracts/interfaces/IBountyReview.sol";
import {vm} from "./Vm.sol";

/// @notice The escrow's pure accounting: `check_` functions proved by Halmos for every input
/// within the bounds they state (`make halmos`), `testFuzz_` ones fuzzed by forge.
/// The arithmetic lives in private functions of BountyEscrow and BountyReview, which cannot be
/// called from outside without changing their bytecode; `AccountingCopy` repeats each
/// expression character for character, and tests/test_invariants_forge.py checks that every
/// one of them is still in the contracts, and that the copy computes what the deployed
/// contracts pay (`AccountingDifferentialTest`).
///
/// The copy is `unchecked`: the compiler's overflow test of a checked `a * b` divides the
/// product back by `a`, a 256-bit division by an unknown no solver here settles.
/// `check_lemma_noProductOverflows` proves that within the bounds no product comes near 2^256,
/// and the checks prove that no subtraction underflows, so the checked contract computes the
/// same values and never reverts on them.
contract AccountingCopy {
    uint256 internal constant BPS = 10_000;
    uint256 internal constant MAX_FEE_BPS = 500;

    /// @dev BountyEscrow._closePool: the fee on a pool, and what is left to pay out.
    function closePool(uint256 pool, uint256 _feeBps) internal pure returns (uint256 fee, uint256 net) {
        unchecked {
            fee = pool * _feeBps / BPS;
            net = pool - fee;
        }
    }

    /// @dev BountyEscrow._payWinners: each winner's part of the net; the last takes the dust.
    function payWinners(uint256 net, uint256[] memory claimIds, uint256[] memory sharesBps)
        internal
        pure
        returns (uint256[] memory parts)
    {
        uint256 remaining = net;
        uint256 last = claimIds.length - 1;
        parts = new uint256[](sharesBps.length);
        for (uint256 i; i <= last; ++i) {
            unchecked {
                uint256 amount = i == last ? remaining : net * sharesBps[i] / BPS;
                remaining -= amount;
                parts[i] = amount;
            }
        }
    }

    /// @dev The fields of BountyReview's and BountyEscrow's records the copies read.
    struct Review {
        uint16 quorumBps;
        uint256 totalAtProposal;
    }

    struct Bounty {
        uint256 total;
    }

    /// @dev BountyReview.object: whether the objections block the proposal (given an arbiter).
    function blocks(uint256 against, Review memory review) internal pure returns (bool) {
        unchecked {
            return against * BPS >= uint256(review.quorumBps) * review.totalAtProposal;
        }
    }

    /// @dev BountyEscrow.settleReview: the pool an award takes, the withheld pledges left out.
    function settledPool(Bounty memory bounty, uint256 _withheld, bool overruled) internal pure returns (uint256 pool) {
        unchecked {
            uint256 withheld = overruled ? 0 : _withheld;
            pool = bounty.total - withheld;
        }
    }
}

/// @notice What the checks may take as given about the EVM's MUL and DIV, for amounts below
/// 2^AMOUNT_BITS and factors in basis points (at most 10,000 < 2^14). Halmos keeps a product
/// of two unknowns and a division opaque (uninterpreted functions) until a query needs their
/// bits; these facts give it what the proofs need without bit-blasting 256-bit arithmetic.
/// `check_lemma_*` prove the product facts for every input within the bounds; the division
/// fact is the definition of DIV (the Yellow Paper's floor(x / y)), which forge fuzzes too.
abstract contract ArithmeticFacts {
    uint256 internal constant AMOUNT_BITS = 128;
    /// @dev An amount times a factor up to 2^14 stays below 2^PRODUCT_BITS, far below 2^256.
    uint256 internal constant PRODUCT_BITS = AMOUNT_BITS + 14;
    uint256 private constant DIVISOR = 10_000;

    /// @notice x * y, unchecked, behind an external call: calling it as (x, y) and (y, x) names
    /// the product in both operand orders, whichever order the compiled copy uses.
    function mul(uint256 x, uint256 y) external pure returns (uint256) {
        unchecked {
            return x * y;
        }
    }

    /// @dev For x < 2^AMOUNT_BITS and a + b <= 10,000: x*a, x*b and x*(a+b) commute, stay
    /// below 2^PRODUCT_BITS, and x*a + x*b = x*(a+b). (`>> k == 0` rather than `< 2**k`:
    /// the solver reads it as high bits that are zero.)
    function productFacts(uint256 x, uint256 a, uint256 b) internal view returns (bool) {
        unchecked {
            uint256 xa = this.mul(x, a);
            uint256 xb = this.mul(x, b);
            uint256 xab = this.mul(x, a + b);
            return xa == this.mul(a, x) && xb == this.mul(b, x) && xab == this.mul(a + b, x)
                && xa >> PRODUCT_BITS == 0 && xb >> PRODUCT_BITS == 0 && xab >> PRODUCT_BITS == 0
                && xa + xb == xab;
        }
    }

    /// @dev DIV by 10,000 is floor division: q * 10,000 <= x < q * 10,000 + 10,000.
    function floorDivision(uint256 x) internal pure returns (bool) {
        unchecked {
            uint256 q = x / DIVISOR;
            return q * DIVISOR <= x && x - q * DIVISOR < DIVISOR;
        }
    }

    function isAmount(uint256 x) internal pure returns (bool) {
        return x >> AMOUNT_BITS == 0;
    }

    /// @dev Takes the product facts of (x, a, b) as given (proved by check_lemma_*), and DIV's
    /// definition for x*a and x*b in both operand orders.
    function assumeProducts(uint256 x, uint256 a, uint256 b) internal view {
        require(isAmount(x) && a <= DIVISOR && b <= DIVISOR - a, "outside the proved bounds");
        vm.assume(productFacts(x, a, b));
        vm.assume(floorDivision(this.mul(x, a)) && floorDivision(this.mul(a, x)));
        vm.assume(floorDivision(this.mul(x, b)) && floorDivision(this.mul(b, x)));
    }
}

/// @notice The checks Halmos proves for every input within the stated bounds (amounts below
/// 2^AMOUNT_BITS; a pledge is a uint216, but 2^128 base units is 3.4 x 10^20 ether).
/// Each assumes only the facts of `ArithmeticFacts`, on the copy's own products.
contract AccountingSymbolicTest is AccountingCopy, ArithmeticFacts {
    /// @notice Lemma: for x < 2^AMOUNT_BITS and a + b <= 10,000 the products commute, stay below
    /// 2^PRODUCT_BITS (so no checked `*` of the contracts can overflow within the bounds), and
    /// distribute. The solver settles these on the products' bits.
    function check_lemma_noProductOverflowsAndProductsDistribute(uint256 x, uint256 a, uint256 b) public view {
        vm.assume(isAmount(x) && a <= BPS && b <= BPS - a);
        assert(productFacts(x, a, b));
    }

    /// @notice Fee: floor(pool x rate / 10,000) exactly, at most 5% of the pool, never more
    /// than the pool (the checked `pool - fee` cannot underflow), and fee + net = pool.
    /// Bounds: pool < 2^128, any rate 0..MAX_FEE_BPS (the constructor refuses more).
    function check_feeIsTheFloorOfTheRateAndFeePlusNetIsThePool(uint256 pool, uint256 feeBps) public view {
        vm.assume(isAmount(pool) && feeBps <= MAX_FEE_BPS);
        assumeProducts(pool, feeBps, MAX_FEE_BPS - feeBps);
        (uint256 fee, uint256 net) = closePool(pool, feeBps);
        unchecked {
            assert(fee <= pool);
            assert(fee + net == pool);
            assert(fee * BPS <= this.mul(pool, feeBps) && this.mul(pool, feeBps) < fee * BPS + BPS);
            assert(fee * BPS <= pool * MAX_FEE_BPS); // at most 5%
        }
    }

    /// @notice Award split between two winners (shares > 0 summing to 10,000): the first gets
    /// floor(net x share / 10,000), which never exceeds the net (nothing underflows), the
    /// parts sum to the net exactly, and the last gets at least its own floor (the dust is
    /// never negative). Bounds: net < 2^128. How small the dust is (at most 1 unit here, 2
    /// for three winners) is fuzzed by forge (`testFuzz_theDustIsUnderOneUnitPerOtherWinner`):
    /// it needs both solvers' reasoning in one query, which neither settled in 120 s.
    function check_awardSplitBetweenTwoWinners(uint256 net, uint256 a) public view {
        vm.assume(isAmount(net) && a > 0 && a < BPS);
        uint256 b = BPS - a;
        assumeProducts(net, a, b);
        uint256[] memory shares = new uint256[](2);
        (shares[0], shares[1]) = (a, b);
        uint256[] memory parts = payWinners(net, shares, shares);
        unchecked {
            uint256 floorA = net * a / BPS;
            uint256 floorB = net * b / BPS;
            assert(parts[0] == floorA && floorA <= net);
            assert(parts[0] + parts[1] == net);
            assert(parts[1] >= floorB && parts[1] - floorB <= net);
        }
    }

    /// @notice Award split among three winners (shares > 0 summing to 10,000): each but the
    /// last gets floor(net x share / 10,000); the first two never exceed the net, so the
    /// parts sum to it exactly; the last gets at least its own floor. Bounds: net < 2^128,
    /// any such shares.
    function check_awardSplitAmongThreeWinners(uint256 net, uint256 a, uint256 b) public view {
        vm.assume(isAmount(net) && a > 0 && b > 0 && a + b < BPS);
        uint256 c = BPS - a - b;
        assumeProducts(net, a, b);
        assumeProducts(net, a + b, c);
        uint256[] memory shares = new uint256[](3);
        (shares[0], shares[1], shares[2]) = (a, b, c);
        uint256[] memory parts = payWinners(net, shares, shares);
        unchecked {
            uint256 floorC = net * c / BPS;
            assert(parts[0] == net * a / BPS && parts[1] == net * b / BPS);
            assert(parts[0] + parts[1] <= net);
            assert(parts[0] + parts[1] + parts[2] == net);
            assert(parts[2] >= floorC && parts[2] - floorC <= net);
        }
    }

    /// @notice One winner takes the whole net, whatever the net.
    function check_aSingleWinnerTakesTheWholeNet(uint256 net) public pure {
        uint256[] memory shares = new uint256[](1);
        shares[0] = BPS;
        assert(payWinners(net, shares, shares)[0] == net);
    }

    /// @notice Quorum: the contract's comparison is exact, because neither product can
    /// overflow (against x 10,000 and quorum x total stay below 2^142), so objections block
    /// exactly when against / total >= quorum / 10,000; the whole pool always blocks; a
    /// quorum of 100% needs every pledge; more objections never unblock. Bounds: weights and
    /// totals < 2^128, against <= total, quorum 1..10,000 (createBountyWithReview refuses others).
    function check_objectionsBlockExactlyAtTheQuorum(uint256 against, uint256 quorumBps, uint256 total, uint256 more)
        public
        view
    {
        vm.assume(isAmount(total) && against <= total && more <= total - against);
        vm.assume(quorumBps > 0 && quorumBps <= BPS);
        assumeProducts(total, quorumBps, BPS - quorumBps);
        bool blocked = blocks(against, Review(uint16(quorumBps), total));
        unchecked {
            assert((against * BPS) >> PRODUCT_BITS == 0 && this.mul(quorumBps, total) >> PRODUCT_BITS == 0);
            assert(blocks(total, Review(uint16(quorumBps), total)));
            assert(blocks(against, Review(uint16(BPS), total)) == (against == total));
            if (blocked) assert(blocks(against + more, Review(uint16(quorumBps), total)));
        }
    }

    /// @notice Withheld weight: an award takes the pool less the objectors' pledges (or all of
    /// it if the arbiter overruled them); what it leaves is exactly the withheld pledges.
    function check_anAwardTakesThePoolLessTheWithheldPledges(uint256 total, uint256 withheld, bool overruled)
        public
        pure
    {
        if (withheld > total) return; // withheld pledges are outstanding pledges
        uint256 pool = settledPool(Bounty(total), withheld, overruled);
        assert(pool + (overruled ? 0 : withheld) == total);
        assert(pool <= total);
    }

    /// @notice The dust the last winner takes is under one unit per other winner: at most 1
    /// for two winners, 2 for three.
    function testFuzz_theDustIsUnderOneUnitPerOtherWinner(uint128 net, uint16 a, uint16 b) public pure {
        a = uint16(1 + a % (BPS - 2));
        b = uint16(1 + b % (BPS - 1 - a));
        uint256[] memory two = new uint256[](2);
        (two[0], two[1]) = (a, BPS - a);
        uint256[] memory parts = payWinners(net, two, two);
        assert(parts[0] + parts[1] == net && parts[1] - uint256(net) * two[1] / BPS <= 1);
        uint256[] memory three = new uint256[](3);
        (three[0], three[1], three[2]) = (a, b, BPS - a - b);
        parts = payWinners(net, three, three);
        assert(parts[0] + parts[1] + parts[2] == net && parts[2] - uint256(net) * three[2] / BPS <= 2);
    }

    /// @notice The facts the checks take as given hold on the EVM (forge fuzzes them; the
    /// product facts are also proved above, DIV's definition is the EVM's own).
    function testFuzz_theArithmeticFactsHold(uint128 x, uint16 a, uint16 b, uint256 anyX) public view {
        uint256 fa = a % (BPS + 1);
        uint256 fb = b % (BPS + 1 - fa);
        assert(productFacts(x, fa, fb));
        assert(floorDivision(anyX) && floorDivision(uint256(x) * fa));
    }
}

/// @notice The copy against the deployed contracts: a fresh escrow at a fuzzed fee pays a fuzzed
/// pool to one, two or three winners at fuzzed shares, and a review with a fuzzed quorum meets
/// fuzzed objections; the fee, every winner's payment and whether the proposal is blocked must
/// be what `AccountingCopy` computes. It fails as soon as a copied formula drifts.
contract AccountingDifferentialTest is AccountingCopy {
    address private constant FEE_RECIPIENT = address(0xFEE);

    function setUp() public {
        vm.warp(1_700_000_000);
    }

    /// forge-config: default.fuzz.runs = 3000
    function testFuzz_theCopiedFeeAndSplitAreWhatTheEscrowPays(uint128 pool, uint16 feeBps, uint8 winners, uint16 a, uint16 b)
        public
    {
        vm.assume(pool > 0);
        feeBps = uint16(feeBps % (MAX_FEE_BPS + 1));
        uint256 count = 1 + winners % 3;
        uint256[] memory shares = new uint256[](count);
        uint256[] memory claimIds = new uint256[](count);
        if (count == 1) shares[0] = BPS;
        if (count == 2) (shares[0], shares[1]) = (1 + a % (BPS - 1), 0);
        if (count == 2) shares[1] = BPS - shares[0];
        if (count == 3) {
            shares[0] = 1 + a % (BPS - 2);
            shares[1] = 1 + b % (BPS - 1 - shares[0]);
            shares[2] = BPS - shares[0] - shares[1];
        }

        BountyEscrow escrow = new BountyEscrow(FEE_RECIPIENT, feeBps);
        uint256 id = escrow.createBounty(address(0), uint64(block.timestamp + 30 days), address(this), "ipfs://d");
        address[] memory hunters = new address[](count);
        for (uint256 i; i < count; ++i) {
            hunters[i] = address(uint160(0xB0000 + i));
            vm.prank(hunters[i]);
            claimIds[i] = escrow.submitSolution(id, "https://github.com/o/r/pull/1");
        }
        _pledge(escrow, id, address(0xF00D), pool);
        escrow.award(id, claimIds, shares);

        (uint256 fee, uint256 net) = closePool(pool, feeBps);
        uint256[] memory parts = payWinners(net, claimIds, shares);
        assert(escrow.feesAccrued(address(0)) == fee);
        for (uint256 i; i < count; ++i) {
            assert(hunters[i].balance == parts[i]);
        }
    }

    /// forge-config: default.fuzz.runs = 3000
    /// @dev Half the runs put the objections within a unit of the quorum, where `>=` and `>`
    /// (or any rounding) would part ways.
    function testFuzz_theCopiedQuorumIsWhatTheReviewDecides(uint128 total, uint128 against, uint16 quorumBps, uint8 nearQuorum)
        public
    {
        vm.assume(total >= 2);
        quorumBps = uint16(1 + quorumBps % BPS);
        if (nearQuorum % 2 == 0) {
            // ceil(quorum x total / 10,000) less 1, itself, or plus 1 (the ceiling is >= 1)
            uint256 threshold = (uint256(quorumBps) * total + BPS - 1) / BPS;
            against = uint128(threshold + nearQuorum % 3 - 1);
        } else {
            against = uint128(1 + against % (total - 1));
        }
        // Two funders, each with a pledge: the objector's is 1..total-1.
        if (against == 0) against = 1;
        if (against >= total) against = total - 1;
        IBountyReview.ReviewInfo memory info = _objectedProposal(against, total - against, quorumBps);
        bool blocked = blocks(against, Review(quorumBps, total));
        assert(info.totalAtProposal == total && info.weightAgainst == against);
        assert((info.state == IBountyReview.ProposalState.Blocked) == blocked);
    }

    /// @dev A reviewed bounty with an arbiter and the given quorum, pledged by two funders; a
    /// proposal that the first (pledging `against`) objects to. Returns the review's record.
    function _objectedProposal(uint256 against, uint256 others, uint16 quorumBps)
        private
        returns (IBountyReview.ReviewInfo memory)
    {
        BountyEscrow escrow = new BountyEscrow(FEE_RECIPIENT, 0);
        BountyReview review = BountyReview(escrow.review());
        IBountyReview.ReviewTerms memory terms;
        (terms.reviewWindow, terms.quorumBps, terms.arbiter) = (1 days, quorumBps, address(0xA4B));
        uint256 id = review.createBountyWithReview(address(0), uint64(block.timestamp + 30 days), address(this), "ipfs://q", terms);
        vm.prank(address(0xB0000));
        escrow.submitSolution(id, "https://github.com/o/r/pull/1");
        _pledge(escrow, id, address(0xF001), against);
        _pledge(escrow, id, address(0xF002), others);
        uint256[] memory claimIds = new uint256[](1);
        uint256[] memory shares = new uint256[](1);
        (claimIds[0], shares[0]) = (1, BPS);
        review.propose(id, claimIds, shares);
        vm.prank(address(0xF001));
        review.object(id);
        return review.getReview(id);
    }

    function _pledge(BountyEscrow escrow, uint256 id, address funder, uint256 amount) private {
        vm.deal(funder, amount);
        vm.prank(funder);
        escrow.pledge{value: amount}(id, amount, type(uint64).max);
    }
}
