// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice The escrow's pure accounting: `check_` functions proved by Halmos for every input
/// (`FOUNDRY_SOLC=tools/solc halmos --function check_`), `property_` ones fuzzed by forge.
/// The arithmetic lives in private
/// functions of BountyEscrow and BountyReview, which cannot be called from outside without
/// changing their bytecode; `AccountingCopy` repeats each expression character for character,
/// and tests/test_invariants_forge.py checks that every one of them is still in the contracts.
contract AccountingCopy {
    uint256 internal constant BPS = 10_000;
    uint256 internal constant MAX_FEE_BPS = 500;

    /// @dev BountyEscrow._closePool: the fee on a pool, and what is left to pay out.
    function closePool(uint256 pool, uint256 _feeBps) internal pure returns (uint256 fee, uint256 net) {
        fee = pool * _feeBps / BPS;
        net = pool - fee;
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
            uint256 amount = i == last ? remaining : net * sharesBps[i] / BPS;
            unchecked {
                remaining -= amount;
            }
            parts[i] = amount;
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
        return against * BPS >= uint256(review.quorumBps) * review.totalAtProposal;
    }

    /// @dev BountyEscrow.settleReview: the pool an award takes, the withheld pledges left out.
    function settledPool(Bounty memory bounty, uint256 _withheld, bool overruled) internal pure returns (uint256 pool) {
        uint256 withheld = overruled ? 0 : _withheld;
        pool = _total(bounty) - withheld;
    }

    /// @dev BountyEscrow._total: what a bounty's pledges are worth (the escrow packs it with
    /// the share supply in one slot; the copy keeps it apart).
    function _total(Bounty memory bounty) internal pure returns (uint256) {
        return bounty.total;
    }
}

/// @dev `check_` functions are proved by Halmos for all inputs. `property_` functions multiply
/// and divide 256-bit symbolic values, which Halmos 0.3.3's solvers (yices, z3) did not settle
/// in 300 s per query here; forge fuzzes them instead (`testFuzz_`, runs in foundry.toml),
/// edge values included. They are the same assertions either way.
contract AccountingSymbolicTest is AccountingCopy {
    function testFuzz_feeIsTheFloorOfTheRateAndFeePlusNetIsThePool(uint240 pool, uint16 feeBps) public pure {
        property_feeIsTheFloorOfTheRateAndFeePlusNetIsThePool(pool, uint16(feeBps % (MAX_FEE_BPS + 1)));
    }

    function testFuzz_awardSplitPaysTheNetExactlyAndTheLastTakesTheDust(uint240 net, uint16 a, uint16 b) public pure {
        a = uint16(1 + a % (BPS - 2));
        b = uint16(1 + b % (BPS - 1 - a));
        property_awardSplitPaysTheNetExactlyAndTheLastTakesTheDust(net, a, b);
    }

    function testFuzz_objectionsBlockExactlyAtTheQuorum(uint216 against, uint16 quorumBps, uint216 total) public pure {
        if (against > total) (against, total) = (total, against);
        property_objectionsBlockExactlyAtTheQuorum(against, uint16(1 + quorumBps % BPS), total);
    }

    /// @notice Fee: exactly floor(pool x rate / 10,000), never above 5% of the pool, and fee +
    /// net = pool (no unit made or lost). Bounds: pool < 2^216 (a pledge is a uint216; a pool
    /// is their sum, far below 2^240), rate <= MAX_FEE_BPS.
    function property_feeIsTheFloorOfTheRateAndFeePlusNetIsThePool(uint240 pool, uint16 feeBps) public pure {
        if (feeBps > MAX_FEE_BPS) return;
        (uint256 fee, uint256 net) = closePool(pool, feeBps);
        assert(fee + net == pool);
        assert(fee * BPS <= uint256(pool) * feeBps);
        assert(uint256(pool) * feeBps < (fee + 1) * BPS);
        assert(fee * 20 <= pool); // at most 5%
    }

    /// @notice Award split among three winners (shares in basis points, each > 0, summing to
    /// 10,000): the parts sum to the net exactly; each but the last is floor(net x share /
    /// 10,000); the last gets its own floor plus the dust, and the dust is under 3 units (one
    /// per winner before it). Bounds: net < 2^240, any shares.
    function property_awardSplitPaysTheNetExactlyAndTheLastTakesTheDust(uint240 net, uint16 a, uint16 b) public pure {
        if (a == 0 || b == 0 || uint256(a) + b >= BPS) return;
        uint256[] memory shares = new uint256[](3);
        (shares[0], shares[1], shares[2]) = (a, b, BPS - a - b);
        uint256[] memory parts = payWinners(net, shares, shares);
        assert(parts[0] + parts[1] + parts[2] == net);
        assert(parts[0] == uint256(net) * a / BPS && parts[1] == uint256(net) * b / BPS);
        uint256 ownFloor = uint256(net) * shares[2] / BPS;
        assert(parts[2] >= ownFloor && parts[2] - ownFloor < 3);
    }

    /// @notice One winner takes the whole net, whatever the net.
    function check_aSingleWinnerTakesTheWholeNet(uint256 net) public pure {
        uint256[] memory shares = new uint256[](1);
        shares[0] = BPS;
        assert(payWinners(net, shares, shares)[0] == net);
    }

    /// @notice Quorum: objections block exactly when their weight reaches quorum x total /
    /// 10,000 (against / total >= quorum / 10,000, with no rounding), and the products cannot
    /// overflow. Bounds: weights and totals < 2^216 (pledges are uint216), quorum 1..10,000.
    function property_objectionsBlockExactlyAtTheQuorum(uint216 against, uint16 quorumBps, uint216 total) public pure {
        if (quorumBps == 0 || quorumBps > BPS || against > total) return;
        bool blocked = blocks(against, Review(quorumBps, total));
        // The same comparison as a fraction, computed in 512 bits' worth of room: no overflow.
        assert(blocked == (uint256(against) * BPS >= uint256(quorumBps) * total));
        // A quorum of 100% needs every pledge; the whole pool always blocks.
        if (quorumBps == BPS) assert(blocked == (against == total));
        assert(blocks(total, Review(quorumBps, total)));
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
}
