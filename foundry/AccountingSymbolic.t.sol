// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BountyEscrow} from "../contracts/BountyEscrow.sol";
import {BountyReview} from "../contracts/BountyReview.sol";
import {IBountyReview} from "../contracts/interfaces/IBountyReview.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
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
    uint256 internal constant SLASH_SCALE = 1e36;

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

    /// @dev BountyEscrow.settleReview: what the withheld pledges keep, their shares' value rounded
    /// up (none if the arbiter overruled them). `_withheld` is the escrow's mapping, as an array.
    /// OpenZeppelin's mulDiv: fuzzed, not proved.
    function keptByObjectors(uint256 total, uint256 supply, uint256[] memory _withheld, uint256 bountyId, bool overruled)
        internal
        pure
        returns (uint256 kept)
    {
        uint256 withheldShares = overruled ? 0 : _withheld[bountyId];
        kept = withheldShares == 0 ? 0 : Math.mulDiv(withheldShares, total, supply, Math.Rounding.Ceil);
    }

    /// @dev BountyEscrow.settleReview: the pool an award (or a milestone, `partBps` < BPS) takes
    /// of what the objectors do not keep.
    function settledPool(uint256 total, uint256 kept, uint256 partBps) internal pure returns (uint256 pool) {
        unchecked {
            pool = (total - kept) * partBps / BPS;
        }
    }

    /// @dev BountyEscrow._pledge: the shares a pledge (or top-up) that brought `received` buys
    /// at the pool's current ratio, rounded down; a unit each while the pool has no shares.
    function sharesFor(uint256 received, uint256 total, uint256 supply) internal pure returns (uint256) {
        unchecked {
            uint256 shares = supply == 0 ? received : received * supply / total;
            return shares;
        }
    }

    /// @dev BountyEscrow._refund and pledgeOf: what `shares` of the pool are worth, rounded down;
    /// the last shares out (shares == supply) take the whole remainder.
    function valueOf(uint256 shares, uint256 total, uint256 supply) internal pure returns (uint256 pledged) {
        unchecked {
            pledged = shares < supply ? shares * total / supply : total;
        }
    }

    /// @dev BountyEscrow._refund: the shares a refund of `amount` burns, rounded up (the pool's
    /// favour); all of them when it takes everything they are worth.
    function sharesBurned(uint256 amount, uint256 pledged, uint256 shares, uint256 total, uint256 supply)
        internal
        pure
        returns (uint256)
    {
        uint256 burned = amount == pledged ? shares : supply == total ? amount : Math.mulDiv(amount, supply, total, Math.Rounding.Ceil);
        return burned;
    }

    /// @dev BountyEscrow.awardPart: the part of the pool a milestone takes, rounded down.
    function partPool(Bounty memory bounty, uint256 partBps) internal pure returns (uint256) {
        unchecked {
            uint256 pool = _total(bounty) * partBps / BPS;
            return pool;
        }
    }

    /// @dev BountyEscrow.markSpam: the shares that split a slashed bond (the approver's and the
    /// issuer's are left out), and the bond per share the funders' shares accrue (times
    /// SLASH_SCALE, rounded down). `_slashedPerShare` is the escrow's mapping, as an array.
    function slashSharing(uint256 supply, uint256 approverShares, uint256 issuerShares) internal pure returns (uint256) {
        unchecked {
            uint256 sharing = supply - approverShares - issuerShares;
            return sharing;
        }
    }

    function slashedPerShare(uint256[] memory _slashedPerShare, uint256 bountyId, uint256 bond, uint256 sharing)
        internal
        pure
        returns (uint256)
    {
        unchecked {
            uint256 perShare = _slashedPerShare[bountyId] + bond * SLASH_SCALE / sharing;
            return perShare;
        }
    }

    /// @dev BountyEscrow._settleSlashed and markSpam: what `shares` accrued at `perShare` (a
    /// funder is owed this less its debt, the same at the rate it last settled).
    function slashedPart(uint256 shares, uint256 perShare) internal pure returns (uint256) {
        unchecked {
            return shares * perShare / SLASH_SCALE;
        }
    }

    /// @dev BountyEscrow._total: what a bounty's pledges are worth (the escrow packs it with
    /// the share supply in one slot; the copy keeps it apart).
    function _total(Bounty memory bounty) internal pure returns (uint256) {
        return bounty.total;
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

    /// @dev Pro-rata arithmetic divides by unknowns (a pool's total or share supply), so its
    /// facts are about products of two unknowns. Each is guarded by the bounds under which it
    /// is true of the EVM's MUL and DIV for every input (forge fuzzes them unguarded by the
    /// checks' bounds: `testFuzz_theProRataFactsHold`), and the checks assume instances of them.

    /// @dev x*z + y*z = (x+y)*z with no wrap, in both operand orders, when x + y < 2^bits and
    /// z < 2^(256 - bits): every product here is exact (below 2^256).
    function distributes(uint256 x, uint256 y, uint256 z, uint256 bits) internal view returns (bool) {
        unchecked {
            if ((x + y) >> bits != 0 || x + y < x || z >> (256 - bits) != 0) return true;
            uint256 xz = this.mul(x, z);
            uint256 yz = this.mul(y, z);
            uint256 sz = this.mul(x + y, z);
            return xz == this.mul(z, x) && yz == this.mul(z, y) && sz == this.mul(z, x + y) && xz + yz == sz
                && sz >= xz;
        }
    }

    /// @dev DIV by any d > 0 is floor division: q*d <= x and x - q*d < d for q = x / d (q*d is
    /// then exact: it is at most x), in both operand orders.
    function floorDivisionBy(uint256 x, uint256 d) internal view returns (bool) {
        unchecked {
            if (d == 0) return true;
            uint256 q = x / d;
            uint256 qd = this.mul(q, d);
            return qd == this.mul(d, q) && qd <= x && x - qd < d;
        }
    }

    /// @dev The floors of two parts never sum to more than the floor of the whole:
    /// x / d + y / d <= (x + y) / d, for d > 0 and x + y without wrap.
    function floorsOfPartsAtMostFloorOfSum(uint256 x, uint256 y, uint256 d) internal pure returns (bool) {
        unchecked {
            if (d == 0 || x + y < x) return true;
            return x / d + y / d <= (x + y) / d;
        }
    }

    /// @dev x / d <= y exactly when x < y * d + d, for 0 < d < 2^128 and y < 2^128 (then
    /// y * d + d is exact). With d a constant, y * d is the same term as the copy's own.
    function quotientAtMostBy(uint256 x, uint256 d, uint256 y) internal pure returns (bool) {
        unchecked {
            if (d == 0 || d >> 128 != 0 || y >> 128 != 0) return true;
            return (x / d <= y) == (x < y * d + d);
        }
    }

    /// @dev Floor division's other face: x / d <= y exactly when x < (y + 1) * d, for d > 0 and
    /// (y + 1) * d exact (y + 1 and d below 2^AMOUNT_BITS).
    function quotientAtMost(uint256 x, uint256 d, uint256 y) internal view returns (bool) {
        unchecked {
            if (d == 0 || !isAmount(y + 1) || y + 1 == 0 || !isAmount(d)) return true;
            return (x / d <= y) == (x < this.mul(y + 1, d));
        }
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

    /// @notice Withheld weight: an award (or a milestone of `partBps`) takes the floor of its
    /// fraction of what the objectors do not keep, and never a wei of what they keep; a whole
    /// award takes exactly the rest. Fuzzed: Halmos timed out on it (120 s) once the part came in.
    function testFuzz_anAwardTakesThePoolLessTheWithheldPledges(uint128 total, uint128 kept, uint16 partBps)
        public
        pure
    {
        kept = uint128(uint256(kept) % (uint256(total) + 1));
        uint256 part = 1 + uint256(partBps) % BPS;
        uint256 rest = uint256(total) - kept;
        uint256 pool = settledPool(total, kept, part);
        assert(pool * BPS <= rest * part && rest * part < pool * BPS + BPS);
        assert(pool + kept <= total);
        if (part == BPS) assert(pool + kept == total);
    }

    /// @notice What the objectors keep is their shares' value rounded up, never more than the
    /// pool: the winners never take a wei of a withheld pledge.
    function testFuzz_theObjectorsKeepTheirSharesValueRoundedUp(uint128 total, uint128 supply, uint128 withheld)
        public
        pure
    {
        supply = supply == 0 ? 1 : supply;
        withheld = uint128(uint256(withheld) % (uint256(supply) + 1));
        uint256[] memory book = new uint256[](1);
        book[0] = withheld;
        uint256 kept = keptByObjectors(total, supply, book, 0, false);
        assert(kept <= total);
        assert(kept * uint256(supply) >= uint256(withheld) * total);
        assert(keptByObjectors(total, supply, book, 0, true) == 0);
    }

    /*//////////////////////////////////////////////////////////////
            MILESTONES: PLEDGES ARE SHARES OF THE POOL (promise 10)
    //////////////////////////////////////////////////////////////*/

    /// @notice A top-up buys shares at the pool's current ratio, rounded down: the shares it
    /// gets are worth at most what it brought (shares x total <= received x supply), so the
    /// pool's value per share never falls ((total + received) x supply >= total x (supply +
    /// shares)) and no funder is diluted. Bounds: total, supply, received and the sums the
    /// contract stores below 2^128 (it refuses more: `toUint128`), total and supply > 0 (an
    /// empty pool mints a share per unit).
    function check_aTopUpBuysSharesAtTheCurrentRatioAndNeverDilutes(uint256 received, uint256 total, uint256 supply)
        public
        view
    {
        vm.assume(total > 0 && supply > 0 && isAmount(total + received) && total + received >= total && isAmount(supply));
        uint256 shares = sharesFor(received, total, supply);
        vm.assume(isAmount(supply + shares));
        unchecked {
            vm.assume(this.mul(received, supply) == this.mul(supply, received));
            vm.assume(floorDivisionBy(this.mul(received, supply), total));
            vm.assume(distributes(total, received, supply, AMOUNT_BITS));
            vm.assume(distributes(supply, shares, total, AMOUNT_BITS));
            assert(this.mul(shares, total) <= this.mul(received, supply));
            assert(this.mul(total + received, supply) >= this.mul(total, supply + shares));
        }
    }

    /// @notice A refund is worth its shares' part of the pool rounded down (pledged x supply
    /// <= shares x total), never more than the pool (the checked `total - amount` cannot
    /// underflow); the last shares out take the whole remainder, so a pool whose shares are all
    /// gone holds nothing. Bounds: supply below 2^128 and total below 2^128 - 1 (as stored, less
    /// one unit), 0 < shares <= supply.
    function check_aRefundIsWorthItsSharesRoundedDownAndTheLastSharesTakeTheRest(
        uint256 shares,
        uint256 total,
        uint256 supply
    ) public view {
        vm.assume(isAmount(total + 1) && total + 1 != 0 && isAmount(supply) && shares > 0 && shares <= supply);
        uint256 pledged = valueOf(shares, total, supply);
        // A whole refund burns every share the funder holds.
        uint256 burned = shares;
        if (supply - burned == 0) {
            assert(pledged == total && total - pledged == 0);
            return;
        }
        unchecked {
            vm.assume(this.mul(shares, total) == this.mul(total, shares));
            vm.assume(floorDivisionBy(this.mul(shares, total), supply));
            vm.assume(distributes(shares, supply - shares, total, AMOUNT_BITS));
            vm.assume(distributes(total, 1, supply, AMOUNT_BITS));
            vm.assume(quotientAtMost(this.mul(shares, total), supply, total));
            assert(this.mul(pledged, supply) <= this.mul(shares, total));
            assert(pledged <= total);
        }
    }

    /// @notice A milestone of partBps takes floor(total x part / 10,000) of the pool and not a
    /// wei more; what stays is at least the rest of the pool's fraction ((total - pool) x
    /// 10,000 >= total x (10,000 - part)), and fee + net = the part taken. Bounds: total below
    /// 2^128, part 1..9,999 (the contract refuses others), any fee rate up to 5%.
    function check_aMilestoneTakesTheFloorOfItsFractionAndLeavesTheRest(uint256 total, uint256 partBps, uint256 feeBps)
        public
        view
    {
        vm.assume(isAmount(total) && partBps > 0 && partBps < BPS && feeBps <= MAX_FEE_BPS);
        assumeProducts(total, partBps, BPS - partBps);
        uint256 pool = partPool(Bounty(total), partBps);
        (uint256 fee, uint256 net) = closePool(pool, feeBps);
        unchecked {
            assert(pool * BPS <= this.mul(total, partBps) && this.mul(total, partBps) < pool * BPS + BPS);
            assert(pool <= total);
            assert((total - pool) * BPS >= this.mul(total, BPS - partBps));
            assert(fee + net == pool && fee <= pool);
        }
    }

    /*//////////////////////////////////////////////////////////////
            CLAIM BONDS: THE SLASHED-BOND ACCUMULATOR (promise 10)
    //////////////////////////////////////////////////////////////*/

    /// @notice A slashed bond split by the per-share accumulator between two funders holding
    /// `a` and `b` shares, the approver and the issuer holding more: the shares that split it
    /// leave the judges out; the funders' parts never sum to more than the bond; the judges,
    /// settled at the new rate, are owed nothing. (How little rounding leaves unpaid, at most
    /// a wei per funder and mark, is checked by the campaign against its ghost books.)
    /// Bounds: one mark on a fresh accumulator, a bond below 2^96 (a uint96), the funders'
    /// shares and the judges' shares each below 2^99 (6 x 10^11 ether in wei), the funders'
    /// shares at least the bond / 2^36 (so a share's part stays below 2^157).
    function check_aSlashedBondReachesOnlyTheFundersAndNeverMoreThanTheBond(
        uint256 bond,
        uint256 a,
        uint256 b,
        uint256 approverShares,
        uint256 issuerShares
    ) public view {
        vm.assume(bond > 0 && bond >> 96 == 0 && a > 0 && b > 0);
        uint256 supply = a + b + approverShares + issuerShares;
        vm.assume((a + b) >> 99 == 0 && (approverShares + issuerShares) >> 99 == 0 && supply >> 100 == 0);
        uint256 sharing = slashSharing(supply, approverShares, issuerShares);
        assert(sharing == a + b);
        vm.assume(sharing >= bond >> 36);
        uint256[] memory accumulator = new uint256[](1);
        uint256 perShare = slashedPerShare(accumulator, 0, bond, sharing);
        assert(_fundersPartsAtMostTheBond(a, b, bond, sharing, perShare));
        // The judges' debts are set at the new rate: settled with their shares, they get 0.
        assert(slashedPart(approverShares, perShare) - slashedPart(approverShares, perShare) == 0);
        assert(slashedPart(issuerShares, perShare) - slashedPart(issuerShares, perShare) == 0);
    }

    /// @dev The funders' parts of one slashed bond (a fresh accumulator at `perShare`) sum to
    /// at most the bond, from the facts of the accumulator's two divisions.
    function _fundersPartsAtMostTheBond(uint256 a, uint256 b, uint256 bond, uint256 sharing, uint256 perShare)
        private
        view
        returns (bool)
    {
        unchecked {
            vm.assume(floorDivisionBy(bond * SLASH_SCALE, sharing));
            vm.assume(perShare >> 157 == 0); // what sharing >= bond / 2^36 gives (forge fuzzes it)
            vm.assume(distributes(a, b, perShare, 99));
            uint256 owedA = this.mul(a, perShare);
            uint256 owedB = this.mul(b, perShare);
            vm.assume(floorsOfPartsAtMostFloorOfSum(owedA, owedB, SLASH_SCALE));
            vm.assume(quotientAtMostBy(owedA + owedB, SLASH_SCALE, bond));
            return slashedPart(a, perShare) + slashedPart(b, perShare) <= bond;
        }
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

/// @notice The facts the pro-rata checks take as given, fuzzed over all inputs (they are
/// guarded by the bounds under which they hold, so any input must satisfy them).
contract ProRataFactsTest is ArithmeticFacts {
    function testFuzz_theProRataFactsHold(uint256 x, uint256 y, uint256 z, uint8 bitsSeed, uint128 a, uint128 b) public view {
        uint256 bits = 1 + bitsSeed % 255;
        assert(distributes(x, y, z, bits));
        assert(distributes(a, b, z >> bits, 256 - bits));
        assert(distributes(a, b, uint128(uint256(keccak256(abi.encode(z)))), 128));
        assert(floorDivisionBy(x, y) && floorDivisionBy(uint256(a) * b, z % 2 ** 128));
        assert(quotientAtMost(x, a, b) && quotientAtMost(uint256(a) * b, uint128(z), a));
        assert(floorsOfPartsAtMostFloorOfSum(x, y, z) && floorsOfPartsAtMostFloorOfSum(a, b, 1e36));
        assert(quotientAtMostBy(x, a, b) && quotientAtMostBy(uint256(a) * b, 1e36, uint96(z)));
    }

    /// @dev The slashed-bond check's bound: a bond below 2^96 split among shares >= bond / 2^36
    /// gives a part per share (times SLASH_SCALE) below 2^157; the edge (shares exactly bond /
    /// 2^36) every other run.
    function testFuzz_aShareOfASlashedBondStaysBelow2To157(uint96 bond, uint128 sharing) public pure {
        uint256 shares = (uint256(bond) >> 36) + (sharing % 2 == 0 ? 0 : sharing);
        if (shares == 0) return;
        assert((uint256(bond) * 1e36 / shares) >> 157 == 0);
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

    /// forge-config: default.fuzz.runs = 3000
    /// @dev A bonded ETH bounty at a 2.5% fee, pledged by two funders; a milestone of a fuzzed
    /// part; a third funder's top-up; a bond slashed; then, after the deadline, a partial
    /// refund. The part taken, the shares bought, what each pledge is worth, each funder's part
    /// of the slashed bond and the shares the refund burns must be what the copy computes.
    function testFuzz_theCopiedProRataAndSlashedBondsAreWhatTheEscrowPays(
        uint128 first,
        uint128 second,
        uint128 topUp,
        uint16 partBps,
        uint96 bond,
        uint128 refundSeed
    ) public {
        (first, second, topUp) = (uint128(1 + first % 2 ** 100), uint128(1 + second % 2 ** 100), uint128(1 + topUp % 2 ** 100));
        partBps = uint16(1 + partBps % (BPS - 1));
        bond = uint96(1 + bond % type(uint96).max);
        (BountyEscrow escrow, uint256 id, uint256 spamId) = _milestone(first, second, partBps, bond);
        (uint256 total, uint256 supply, uint256 bought) = _topUp(escrow, id, first, topUp);
        // The approver and issuer (this contract) hold no shares: every share splits the bond.
        escrow.markSpam(id, spamId);
        uint256 perShare = slashedPerShare(new uint256[](1), 0, bond, slashSharing(supply, 0, 0));
        assert(escrow.slashedOwed(id, address(0xF001)) == slashedPart(first, perShare));
        assert(escrow.slashedOwed(id, address(0xF003)) == slashedPart(bought, perShare));
        _partialRefund(escrow, id, second, total, supply, refundSeed);
    }

    /// @dev The bonded bounty, its two bonded claims and two pledges, and the milestone, whose
    /// part must be the copy's.
    function _milestone(uint256 first, uint256 second, uint256 partBps, uint96 bond)
        private
        returns (BountyEscrow escrow, uint256 id, uint256 spamId)
    {
        escrow = new BountyEscrow(FEE_RECIPIENT, 250);
        id = escrow.createBondedBounty(address(0), uint64(block.timestamp + 30 days), address(this), "ipfs://m", bond);
        uint256[] memory claimIds = new uint256[](1);
        uint256[] memory whole = new uint256[](1);
        (claimIds[0], whole[0]) = (_bondedClaim(escrow, id, address(0xB0001), bond), BPS);
        spamId = _bondedClaim(escrow, id, address(0xB0002), bond);
        _pledge(escrow, id, address(0xF001), first);
        _pledge(escrow, id, address(0xF002), second);
        vm.assume((first + second) * partBps / BPS > 0); // the escrow refuses a part worth nothing
        escrow.awardPart(id, partBps, claimIds, whole);
        assert(first + second - escrow.getBounty(id).total == partPool(Bounty(first + second), partBps));
    }

    /// @dev A third funder's top-up: the shares it buys, and what the first pledge is worth
    /// after it, must be the copy's. Returns the pool's total and supply after it.
    function _topUp(BountyEscrow escrow, uint256 id, uint256 first, uint256 topUp)
        private
        returns (uint256 total, uint256 supply, uint256 bought)
    {
        total = escrow.getBounty(id).total;
        (, supply) = escrow.sharesOf(id, address(0));
        _pledge(escrow, id, address(0xF003), topUp);
        (bought,) = escrow.sharesOf(id, address(0xF003));
        assert(bought == sharesFor(topUp, total, supply));
        (total, supply) = (total + topUp, supply + bought);
        (uint256 worth,) = escrow.pledgeOf(id, address(0xF001));
        assert(worth == valueOf(first, total, supply));
    }

    /// @dev After the deadline, the second funder takes back part of its pledge: the shares it
    /// burns must be the copy's.
    function _partialRefund(BountyEscrow escrow, uint256 id, uint256 shares, uint256 total, uint256 supply, uint256 seed)
        private
    {
        vm.warp(escrow.getBounty(id).deadline);
        (uint256 pledged,) = escrow.pledgeOf(id, address(0xF002));
        assert(pledged == valueOf(shares, total, supply));
        vm.assume(pledged > 0); // a milestone of 99.99% can leave a small pledge worth nothing
        uint256 amount = 1 + seed % pledged;
        vm.prank(address(0xF002));
        escrow.refundTo(id, amount, address(0xF002));
        (uint256 left,) = escrow.sharesOf(id, address(0xF002));
        assert(shares - left == sharesBurned(amount, pledged, shares, total, supply));
    }

    function _bondedClaim(BountyEscrow escrow, uint256 id, address hunter, uint256 bond) private returns (uint256) {
        vm.deal(hunter, bond);
        vm.prank(hunter);
        return escrow.submitSolution{value: bond}(id, "https://github.com/o/r/pull/2");
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
