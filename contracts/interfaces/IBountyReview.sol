// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IArbitrable, IArbitrator} from "./IArbitrator.sol";

/// @title IBountyReview
/// @notice Backers' review of awards, in its own contract (the escrow's `review()`), which is
/// the approver of every bounty created here. The bounty's approver does not award: it
/// proposes, a review window opens, and silence is consent. Each funder may object once per
/// proposal, and an objection withholds that funder's own pledge: the award takes the pool
/// less the withheld pledges, and the objectors refund theirs. So no pledge is ever paid to a
/// proposal its funder objected to, and outweighing the other funders buys nothing: a pledge
/// only ever decides where that pledge goes.
/// A bounty may name an arbiter (a plain address such as a maintainers' Safe, or an ERC-792
/// arbitrator such as Kleros) and a quorum. When the objections reach the quorum, the
/// proposal is blocked and only the arbiter decides it: its ruling for the proposal pays the
/// whole pool, objectors' pledges included; against it, nothing is paid. A blocked proposal
/// that nobody escalates within `ESCALATION_PERIOD` after its window, or that the arbiter does
/// not decide within `ARBITRATION_PERIOD` of escalation, lapses: nothing is paid.
/// @dev Bounds, each fixed in code: a proposal holds the pledges locked when it was made for at
/// most its window (<= 30 days) + ESCALATION_PERIOD + ARBITRATION_PERIOD; pledges already
/// unlocked when it was made are never held. The escrow enforces the same bound itself
/// (`MAX_REVIEW_HOLD`).
interface IBountyReview is IArbitrable {
    /// @notice A bounty's review policy, chosen at creation.
    /// @param reviewWindow Seconds funders have to object, from the proposal: 1 day to 30 days.
    /// @param quorumBps Share of the pool at proposal, in basis points (1..10,000), whose
    /// objections send the proposal to the arbiter; 0 when there is no arbiter.
    /// @param arbiter Who decides a blocked proposal; address(0) for none.
    /// @param arbiterIsErc792 The arbiter is an ERC-792 arbitrator contract, paid through
    /// `escalate`, which calls back `rule`; otherwise it is a plain address that calls `decide`.
    /// @param arbitratorExtraData The ERC-792 `extraData` (for Kleros: the court and the number
    /// of jurors); empty for the arbitrator's default.
    /// @param metaEvidence ERC-1497 meta-evidence URI (what the dispute is about), emitted once.
    struct ReviewTerms {
        uint32 reviewWindow;
        uint16 quorumBps;
        address arbiter;
        bool arbiterIsErc792;
        bytes arbitratorExtraData;
        string metaEvidence;
    }

    /// @notice Where the latest proposal of a bounty is.
    /// None: no live proposal (never proposed, or rejected). Pending: in its review window, or
    /// past it and finalizable. Blocked: objections reached the quorum; waiting for
    /// escalation to the arbiter. Escalated: the arbiter has it. Upheld: the arbiter ruled for
    /// the proposal; anyone finalizes it. Executed: finalized, the bounty is awarded.
    enum ProposalState {
        None,
        Pending,
        Blocked,
        Escalated,
        Upheld,
        Executed
    }

    /// @notice Why a proposal was rejected. Unanimous: every pledge was withheld, so there was
    /// nothing to pay.
    enum RejectReason {
        Unanimous,
        ArbiterRejected,
        ArbiterRefused,
        Lapsed
    }

    /// @notice A bounty's review policy and its latest proposal, as `getReview` returns them.
    /// `decideBy`: for a blocked proposal the last moment to escalate, for an escalated one the
    /// arbiter's last moment to rule; then anyone may lapse it.
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
        uint256 totalAtProposal;
        bytes32 proposalHash;
        uint256 disputeId;
    }

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice The review window is outside the allowed bounds.
    error InvalidReviewWindow(uint256 reviewWindow, uint256 minWindow, uint256 maxWindow);
    /// @notice With an arbiter the quorum is 1 to 10,000 basis points; without one it must be 0
    /// (every objection only withholds its own pledge).
    error InvalidQuorum(uint256 quorumBps);
    /// @notice An ERC-792 arbiter must be a contract; no arbiter may be the escrow or this contract.
    error InvalidArbiter(address arbiter);
    /// @notice The approver may not be the escrow or this contract.
    error InvalidApprover(address approver);
    /// @notice The bounty was not created with a review policy.
    error NotOptimistic(uint256 bountyId);
    /// @notice Only the bounty's approver may propose.
    error NotProposer(uint256 bountyId, address caller);
    /// @notice The bounty's latest proposal is not in a state that allows this.
    error WrongProposalState(uint256 bountyId, ProposalState state);
    /// @notice Objections are taken only until the review window ends.
    error ReviewWindowClosed(uint256 bountyId, uint64 windowEnd);
    /// @notice A pending proposal can be finalized only once its review window has ended.
    error ReviewWindowOpen(uint256 bountyId, uint64 windowEnd);
    /// @notice The claims and shares given are not those of the proposal.
    error ProposalMismatch(uint256 bountyId);
    /// @notice Escalating to an ERC-792 arbitrator must pay at least its fee (the excess is
    /// returned); to a plain arbiter, nothing.
    error WrongArbitrationFee(uint256 bountyId, uint256 expected, uint256 sent);
    /// @notice Too late: the proposal can only lapse now.
    error ArbitrationLapsed(uint256 bountyId, uint64 decideBy);
    /// @notice The proposal still has time (until `decideBy`) to be escalated or decided.
    error ArbitrationNotLapsed(uint256 bountyId, uint64 decideBy);
    /// @notice The caller is not the arbitrator of a live dispute with this id.
    error UnknownDispute(address arbiter, uint256 disputeId);
    /// @notice The caller is not the bounty's plain arbiter, or the proposal is another one.
    error NotArbiter(uint256 bountyId, address caller);
    /// @notice A ruling is 0 (refused to arbitrate), 1 (pay the proposal) or 2 (reject it).
    error InvalidRuling(uint256 disputeId, uint256 ruling);
    /// @notice Returning an overpaid arbitration fee to the caller failed.
    error FeeReturnFailed(address to, uint256 amount);
    /// @notice The arbitrator returned a dispute id it had already given for another bounty.
    error DuplicateDispute(address arbiter, uint256 disputeId);
    /// @notice Evidence is taken for bounties with an ERC-792 arbitrator.
    error NoArbitrator(uint256 bountyId);
    /// @notice A part proposal takes more than nothing and less than the whole pool: `partBps`
    /// is out of 10,000 (`propose` proposes the whole).
    error InvalidPart(uint256 partBps);
    /// @notice A bonded bounty asks a bond above zero.
    error ZeroBond();

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice The bounty was created with a review policy; `approver` proposes its awards.
    event ReviewPolicySet(
        uint256 indexed bountyId,
        address indexed approver,
        uint32 reviewWindow,
        uint16 quorumBps,
        address arbiter,
        bool arbiterIsErc792,
        bytes arbitratorExtraData
    );
    /// @notice The approver proposed an award of `total`, the pool now frozen; objections are
    /// taken until `windowEnd`.
    event AwardProposed(
        uint256 indexed bountyId,
        uint32 indexed nonce,
        uint256[] claimIds,
        uint256[] sharesBps,
        uint64 windowEnd,
        uint256 total
    );
    /// @notice `funder` objected, withholding `weight` (its pledge); the proposal now has
    /// `weightAgainst` against it.
    event Objected(
        uint256 indexed bountyId, uint32 indexed nonce, address indexed funder, uint256 weight, uint256 weightAgainst
    );
    /// @notice Objections reached the quorum: only the arbiter can decide the proposal now.
    event ProposalBlocked(uint256 indexed bountyId, uint32 indexed nonce, uint256 weightAgainst);
    /// @notice The proposal went to the arbiter (`disputeId` is the ERC-792 arbitrator's; 0
    /// for a plain arbiter, which decides by bounty and proposal number).
    event DisputeRaised(uint256 indexed bountyId, uint32 indexed nonce, address indexed arbiter, uint256 disputeId);
    /// @notice The arbiter ruled for the proposal: anyone may finalize it, and it takes the
    /// whole pool, objectors' pledges included.
    event ProposalUpheld(uint256 indexed bountyId, uint32 indexed nonce);
    /// @notice The proposal was rejected; the bounty is open again and pledges follow their locks.
    event ProposalRejected(uint256 indexed bountyId, uint32 indexed nonce, RejectReason reason);
    /// @notice The proposal `nonce` (see AwardProposed) is a milestone: it pays `partBps` /
    /// 10,000 of the pledges it may take, and the bounty stays open for the next one.
    event PartProposed(uint256 indexed bountyId, uint32 indexed nonce, uint256 partBps);
    /// @notice The proposer marked a bonded claim as spam (see the escrow's BondSlashed event).
    event SpamMarked(uint256 indexed bountyId, uint256 indexed claimId, address indexed proposer);
    /// @notice The proposal was finalized and `pool` awarded (see the escrow's Awarded event,
    /// or PartAwarded for a milestone).
    event ProposalFinalized(uint256 indexed bountyId, uint32 indexed nonce, uint256 pool);

    /// @notice ERC-1497: what disputes of bounty `_metaEvidenceID` are about.
    event MetaEvidence(uint256 indexed _metaEvidenceID, string _evidence);
    /// @notice ERC-1497: a dispute was created at `_arbitrator` for a proposal.
    event Dispute(
        IArbitrator indexed _arbitrator, uint256 indexed _disputeID, uint256 _metaEvidenceID, uint256 _evidenceGroupID
    );
    /// @notice ERC-1497: `_party` submitted evidence for the proposals of a bounty.
    event Evidence(
        IArbitrator indexed _arbitrator, uint256 indexed _evidenceGroupID, address indexed _party, string _evidence
    );

    /*//////////////////////////////////////////////////////////////
                          STATE-CHANGING FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice Creates a bounty in the escrow whose awards go through review; the caller is its
    /// issuer. See the escrow's `createBounty` for the other parameters.
    /// @param approver Who proposes awards; address(0) makes it the caller.
    /// @param terms The review policy, fixed for the bounty's life.
    function createBountyWithReview(
        address token,
        uint64 deadline,
        address approver,
        string calldata uri,
        ReviewTerms calldata terms
    ) external returns (uint256 bountyId);

    /// @notice Creates a reviewed bounty, as `createBountyWithReview`, whose claims each post a
    /// bond of `bond` in its currency (see the escrow's `createBondedBounty`).
    function createBondedBountyWithReview(
        address token,
        uint64 deadline,
        address approver,
        string calldata uri,
        ReviewTerms calldata terms,
        uint96 bond
    ) external returns (uint256 bountyId);

    /// @notice Proposes a milestone: `partBps` / 10,000 (1..9,999) of the pledges the proposal
    /// may take, split as in `propose`. It is reviewed exactly as a whole proposal (window,
    /// objections, quorum, arbiter); an objection withholds the objector's pledge from this
    /// part only (it is re-stated for the next). Once paid, the bounty stays open under the
    /// same deadline and locks, and every pledge that paid falls by the same fraction.
    function proposePart(uint256 bountyId, uint256 partBps, uint256[] calldata claimIds, uint256[] calldata sharesBps)
        external
        returns (uint32 nonce);

    /// @notice The proposer marks a bonded claim on an open reviewed bounty as spam: its bond
    /// goes to the funders pro-rata, the proposer's and the issuer's own pledges excepted, so
    /// the judge gains nothing from it.
    function markSpam(uint256 bountyId, uint256 claimId) external;

    /// @notice The part (in basis points) the latest proposal pays: 0 for a whole award.
    function proposedPart(uint256 bountyId) external view returns (uint256);

    /// @notice Proposes an award of the pool of an open, unexpired reviewed bounty (claims and
    /// shares as for `award`). Approver only. Opens the review window.
    /// @return nonce The proposal's number within the bounty, counting from 1.
    function propose(uint256 bountyId, uint256[] calldata claimIds, uint256[] calldata sharesBps)
        external
        returns (uint32 nonce);

    /// @notice Objects to the pending proposal, withholding the caller's pledge from it; once
    /// per funder and proposal, before the window ends.
    function object(uint256 bountyId) external;

    /// @notice Pays a proposal that was not blocked once its window ended (the pool less the
    /// withheld pledges), or that the arbiter upheld (the whole pool). Anyone may call it,
    /// with the proposal's claims and shares (from AwardProposed).
    function finalize(uint256 bountyId, uint256[] calldata claimIds, uint256[] calldata sharesBps) external;

    /// @notice Sends a blocked proposal to the bounty's arbiter. Anyone may call it, until
    /// `ESCALATION_PERIOD` after the window. An ERC-792 arbitrator must be paid at least
    /// `arbitrationCost(extraData)`; the excess goes back to the caller.
    /// @return disputeId The ERC-792 dispute id (0 for a plain arbiter).
    function escalate(uint256 bountyId) external payable returns (uint256 disputeId);

    /// @notice A plain arbiter's ruling on proposal `nonce` of a bounty: 1 pays it (the whole
    /// pool), 2 rejects it, 0 refuses (rejects it too).
    function decide(uint256 bountyId, uint32 nonce, uint256 ruling) external;

    /// @notice Rejects a blocked proposal not escalated in time, or an escalated one its
    /// arbiter did not decide in time. Anyone may call it.
    function lapse(uint256 bountyId) external;

    /// @notice ERC-1497 evidence for the bounty's disputes (bounties with an ERC-792 arbitrator).
    function submitEvidence(uint256 bountyId, string calldata evidence) external;

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @notice The escrow this contract reviews for.
    function escrow() external view returns (address);

    /// @notice A bounty's review policy and latest proposal (all zero for a bounty without one).
    function getReview(uint256 bountyId) external view returns (ReviewInfo memory);

    /// @notice The ERC-792 extraData the bounty's arbitrator is called with.
    function arbitratorExtraData(uint256 bountyId) external view returns (bytes memory);

    /// @notice Whether `funder` objected to proposal `nonce` of a bounty (its latest objection
    /// is remembered).
    function hasObjected(uint256 bountyId, uint32 nonce, address funder) external view returns (bool);
}
