// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IArbitrable} from "./IArbitrator.sol";

/// @title IBountyReview
/// @notice Backer governance: a bounty may be created with an optimistic review policy,
/// fixed for its whole life. Its approver no longer awards directly: it proposes an award,
/// a review window opens, and each funder may object once with the weight of its pledge. If
/// the objections reach the bounty's quorum (a share of the pledged total) the proposal is
/// blocked; otherwise anyone finalizes it after the window and the winners are paid. A
/// blocked proposal is rejected, or, if the bounty names an arbiter (an address such as a
/// maintainers' Safe, or an ERC-792 arbitrator such as Kleros), goes to the arbiter, whose
/// ruling pays or rejects it. An arbiter that does not rule in time lets anyone lapse the
/// dispute, which rejects the proposal.
/// @dev While a proposal is live (pending, blocked, escalated or upheld) the bounty's status
/// is `UnderReview`: pledges, refunds, solutions, cancellation and extensions wait, so every
/// funder's weight is its pledge, frozen for the whole vote. A rejection makes the bounty
/// `Open` again; pledges are then refundable according to their own locks.
interface IBountyReview is IArbitrable {
    /// @notice A bounty's review policy, chosen at creation.
    /// @param reviewWindow Seconds funders have to object, from the proposal: 1 day to 30 days.
    /// @param quorumBps Share of the pledged total, in basis points (1..10,000), whose
    /// objections block a proposal.
    /// @param arbiter Who settles a blocked proposal; address(0) for none (then a blocked
    /// proposal is rejected at once).
    /// @param arbiterIsErc792 The arbiter is an ERC-792 arbitrator contract, paid through
    /// `escalate`; otherwise it is a plain address that calls `rule` itself.
    struct ReviewTerms {
        uint32 reviewWindow;
        uint16 quorumBps;
        address arbiter;
        bool arbiterIsErc792;
    }

    /// @notice Where the latest proposal of a bounty is.
    /// None: no live proposal (never proposed, or rejected). Pending: in its review window, or
    /// past it and finalizable. Blocked: objections reached the quorum; waiting for
    /// escalation to the arbiter. Escalated: the arbiter has the dispute. Upheld: the arbiter
    /// ruled for the proposal; anyone finalizes it. Executed: finalized, the bounty is awarded.
    enum ProposalState {
        None,
        Pending,
        Blocked,
        Escalated,
        Upheld,
        Executed
    }

    /// @notice Why a proposal was rejected.
    enum RejectReason {
        Quorum,
        ArbiterRejected,
        ArbiterRefused,
        Lapsed
    }

    /// @notice A bounty's review policy and its latest proposal, as `getReview` returns them.
    /// For a bounty without the optimistic policy every field is zero. The dispute id of an
    /// escalated proposal is in its DisputeRaised event.
    struct ReviewInfo {
        address approver;
        uint32 reviewWindow;
        uint16 quorumBps;
        address arbiter;
        bool arbiterIsErc792;
        ProposalState state;
        uint32 proposalNonce;
        uint64 windowEnd;
        uint64 decideBy;
        uint256 weightAgainst;
        bytes32 proposalHash;
    }

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice The review window is outside the allowed bounds.
    error InvalidReviewWindow(uint256 reviewWindow, uint256 minWindow, uint256 maxWindow);
    /// @notice The quorum must be from 1 to 10,000 basis points.
    error InvalidQuorum(uint256 quorumBps);
    /// @notice An ERC-792 arbiter must be a contract.
    error InvalidArbiter(address arbiter);
    /// @notice The bounty has no optimistic review policy: its approver awards directly.
    error NotOptimistic(uint256 bountyId);
    /// @notice The bounty has an optimistic review policy: awards go through `propose`.
    error ReviewRequired(uint256 bountyId);
    /// @notice A proposal of this bounty is live: refunds wait until it is settled or rejected.
    error ProposalPending(uint256 bountyId);
    /// @notice The bounty's latest proposal is not in a state that allows this.
    error WrongProposalState(uint256 bountyId, ProposalState state);
    /// @notice Objections are taken only until the review window ends.
    error ReviewWindowClosed(uint256 bountyId, uint64 windowEnd);
    /// @notice A pending proposal can be finalized only once its review window has ended.
    error ReviewWindowOpen(uint256 bountyId, uint64 windowEnd);
    /// @notice Only a funder with an outstanding pledge on the bounty may object.
    error NoWeight(uint256 bountyId, address funder);
    /// @notice A funder objects at most once per proposal.
    error AlreadyObjected(uint256 bountyId, address funder);
    /// @notice The claims and shares given are not those of the proposal.
    error ProposalMismatch(uint256 bountyId);
    /// @notice Escalating to an ERC-792 arbitrator must pay exactly its fee; to a plain
    /// arbiter, nothing.
    error WrongArbitrationFee(uint256 bountyId, uint256 expected, uint256 sent);
    /// @notice The arbiter's time (the window's end plus 30 days) is over: the dispute can only
    /// lapse now.
    error ArbitrationLapsed(uint256 bountyId, uint64 decideBy);
    /// @notice The arbiter still has time to rule (until `decideBy`).
    error ArbitrationNotLapsed(uint256 bountyId, uint64 decideBy);
    /// @notice The caller is not the arbiter of a live dispute with this id.
    error UnknownDispute(address arbiter, uint256 disputeId);
    /// @notice A ruling is 0 (refused to arbitrate), 1 (pay the proposal) or 2 (reject it).
    error InvalidRuling(uint256 disputeId, uint256 ruling);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice The bounty was created with an optimistic review policy (its BountyCreated
    /// event names the approver who proposes).
    event ReviewPolicySet(
        uint256 indexed bountyId, uint32 reviewWindow, uint16 quorumBps, address arbiter, bool arbiterIsErc792
    );
    /// @notice The approver proposed an award; objections are taken until `windowEnd`, against
    /// `total`, the pool frozen while the proposal is live.
    event AwardProposed(
        uint256 indexed bountyId,
        uint32 indexed nonce,
        uint256[] claimIds,
        uint256[] sharesBps,
        uint64 windowEnd,
        uint256 total
    );
    /// @notice `funder` objected with `weight` (its pledge); the proposal now has
    /// `weightAgainst` against it.
    event Objected(
        uint256 indexed bountyId, uint32 indexed nonce, address indexed funder, uint256 weight, uint256 weightAgainst
    );
    /// @notice Objections reached the quorum; the proposal waits for the arbiter.
    event ProposalBlocked(uint256 indexed bountyId, uint32 indexed nonce, uint256 weightAgainst);
    /// @notice The proposal went to the arbiter as dispute `disputeId`.
    event DisputeRaised(uint256 indexed bountyId, uint32 indexed nonce, address indexed arbiter, uint256 disputeId);
    /// @notice The arbiter ruled for the proposal: anyone may finalize it now.
    event ProposalUpheld(uint256 indexed bountyId, uint32 indexed nonce);
    /// @notice The proposal was rejected; the bounty is open again and pledges follow their locks.
    event ProposalRejected(uint256 indexed bountyId, uint32 indexed nonce, RejectReason reason);
    /// @notice The proposal was finalized and its award paid (see the Awarded event).
    event ProposalFinalized(uint256 indexed bountyId, uint32 indexed nonce);

    /*//////////////////////////////////////////////////////////////
                          STATE-CHANGING FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice Creates a bounty whose awards go through optimistic review; see `createBounty`
    /// for the other parameters.
    /// @param approver Who proposes awards; address(0) makes it the caller.
    /// @param terms The review policy, fixed for the bounty's life.
    function createBountyWithReview(
        address token,
        uint64 deadline,
        address approver,
        string calldata uri,
        ReviewTerms calldata terms
    ) external returns (uint256 bountyId);

    /// @notice Proposes an award of the whole pool on an open, unexpired optimistic bounty
    /// (claims and shares as for `award`). Approver only. Opens the review window and freezes
    /// pledges and refunds until the proposal is settled or rejected.
    /// @return nonce The proposal's number within the bounty, counting from 1.
    function propose(uint256 bountyId, uint256[] calldata claimIds, uint256[] calldata sharesBps)
        external
        returns (uint32 nonce);

    /// @notice Objects to the pending proposal with the weight of the caller's pledge; once per
    /// funder and proposal, before the window ends. Reaching the quorum blocks the proposal
    /// (and rejects it at once if the bounty has no arbiter).
    function object(uint256 bountyId) external;

    /// @notice Pays a proposal that was not blocked once its window ended, or that the arbiter
    /// upheld. Anyone may call it, with the proposal's claims and shares (from AwardProposed).
    function finalize(uint256 bountyId, uint256[] calldata claimIds, uint256[] calldata sharesBps) external;

    /// @notice Sends a blocked proposal to the bounty's arbiter. Anyone may call it, before
    /// `decideBy`; an ERC-792 arbitrator must be paid its `arbitrationCost("")` as value.
    /// @return disputeId The dispute's id at the arbiter (assigned by the escrow for a plain
    /// arbiter).
    function escalate(uint256 bountyId) external payable returns (uint256 disputeId);

    /// @notice Rejects a blocked or escalated proposal whose arbiter did not rule by `decideBy`
    /// (the window's end plus 30 days). Anyone may call it.
    function lapse(uint256 bountyId) external;

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @notice A bounty's review policy and latest proposal (all zero for a plain bounty).
    function getReview(uint256 bountyId) external view returns (ReviewInfo memory);

    /// @notice Whether `funder` objected to proposal `nonce` of a bounty.
    function hasObjected(uint256 bountyId, uint32 nonce, address funder) external view returns (bool);
}
