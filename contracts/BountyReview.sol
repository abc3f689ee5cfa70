// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {LowLevelCall} from "@openzeppelin/contracts/utils/LowLevelCall.sol";
import {IArbitrator} from "./interfaces/IArbitrator.sol";
import {IBountyReview} from "./interfaces/IBountyReview.sol";
import {IReviewHooks} from "./interfaces/IReviewHooks.sol";

/// @title BountyReview
/// @notice The backers' review of awards for one BountyEscrow, which deploys it. It decides;
/// the escrow holds the money and enforces what a decision may move (see IReviewHooks). An
/// objection withholds the objector's own pledge from the proposal, so weight bought with a
/// pledge decides only where that pledge goes.
contract BountyReview is IBountyReview, ReentrancyGuardTransient {
    /*//////////////////////////////////////////////////////////////
                         CONSTANTS AND IMMUTABLES
    //////////////////////////////////////////////////////////////*/

    /// @notice The shortest and longest review windows a bounty may choose.
    uint256 public constant MIN_REVIEW_WINDOW = 1 days;
    uint256 public constant MAX_REVIEW_WINDOW = 30 days;
    /// @notice How long after its window a blocked proposal may be escalated; then it lapses.
    uint256 public constant ESCALATION_PERIOD = 7 days;
    /// @notice How long the arbiter has from escalation: room for an ERC-792 court's appeal
    /// rounds (Kleros' General Court takes about 21 days a round). Then the proposal lapses.
    uint256 public constant ARBITRATION_PERIOD = 90 days;
    /// @notice Shares and quorums are in basis points of this whole.
    uint256 public constant BPS = 10_000;
    /// @notice ERC-792 rulings: 0 refuses to arbitrate (rejects), 1 pays the proposal, 2 rejects it.
    uint256 public constant RULING_OPTIONS = 2;
    uint256 private constant RULING_PAY = 1;
    uint256 private constant RULING_REJECT = 2;

    IReviewHooks private immutable _escrow;

    /*//////////////////////////////////////////////////////////////
                                 STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @dev Layout:
    /// slot 0: approver (160) | reviewWindow (32) | quorumBps (16) | arbiterIsErc792 (8) | state (8) | nonce (32)
    /// slot 1: arbiter (160) | windowEnd (40) | escalatedAt (40) | partBps (16; 0: the whole)
    /// slot 2: weightAgainst; slot 3: totalAtProposal; slot 4: keccak256(abi.encode(claimIds, sharesBps));
    /// slot 5: the ERC-792 dispute id of an escalated proposal.
    /// A bounty made elsewhere has no record here (reviewWindow == 0).
    struct Review {
        address approver;
        uint32 reviewWindow;
        uint16 quorumBps;
        bool arbiterIsErc792;
        ProposalState state;
        uint32 nonce;
        address arbiter;
        uint40 windowEnd;
        uint40 escalatedAt;
        uint16 partBps;
        uint256 weightAgainst;
        uint256 totalAtProposal;
        bytes32 proposalHash;
        uint256 disputeId;
    }

    mapping(uint256 bountyId => Review) private _reviews;
    mapping(uint256 bountyId => bytes) private _extraData;
    /// @dev ERC-792 disputes only, keyed by the arbitrator that numbered them: a plain arbiter
    /// decides by bounty and proposal number instead, so no two arbiters, and no two kinds of
    /// arbiter, share a key. Bounty ids start at 1, so 0 means none.
    mapping(address arbitrator => mapping(uint256 disputeId => uint256 bountyId)) private _disputes;

    /*//////////////////////////////////////////////////////////////
                               CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @param escrow_ The escrow that deploys this contract and trusts it with its review hooks.
    constructor(IReviewHooks escrow_) {
        _escrow = escrow_;
    }

    /*//////////////////////////////////////////////////////////////
                        STATE-CHANGING FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IBountyReview
    function createBountyWithReview(
        address token,
        uint64 deadline,
        address approver,
        string calldata uri,
        ReviewTerms calldata terms
    ) external nonReentrant returns (uint256 bountyId) {
        bountyId = _create(token, deadline, approver, uri, terms, 0);
    }

    /// @inheritdoc IBountyReview
    function createBondedBountyWithReview(
        address token,
        uint64 deadline,
        address approver,
        string calldata uri,
        ReviewTerms calldata terms,
        uint96 bond
    ) external nonReentrant returns (uint256 bountyId) {
        if (bond == 0) revert ZeroBond();
        bountyId = _create(token, deadline, approver, uri, terms, bond);
    }

    function _create(
        address token,
        uint64 deadline,
        address approver,
        string calldata uri,
        ReviewTerms calldata terms,
        uint96 bond
    ) private returns (uint256 bountyId) {
        if (terms.reviewWindow < MIN_REVIEW_WINDOW || terms.reviewWindow > MAX_REVIEW_WINDOW) {
            revert InvalidReviewWindow(terms.reviewWindow, MIN_REVIEW_WINDOW, MAX_REVIEW_WINDOW);
        }
        address arbiter = terms.arbiter;
        if (arbiter == address(0)) {
            // Without an arbiter nothing can overrule an objection, so a quorum would only let
            // the largest pledges veto the others' awards: refuse it.
            if (terms.quorumBps != 0 || terms.arbiterIsErc792) revert InvalidQuorum(terms.quorumBps);
        } else {
            if (terms.quorumBps == 0 || terms.quorumBps > BPS) revert InvalidQuorum(terms.quorumBps);
            if (arbiter == address(_escrow) || arbiter == address(this)) revert InvalidArbiter(arbiter);
            if (terms.arbiterIsErc792 && arbiter.code.length == 0) revert InvalidArbiter(arbiter);
        }
        if (approver == address(0)) approver = msg.sender;
        if (approver == address(_escrow) || approver == address(this)) revert InvalidApprover(approver);

        bountyId = _escrow.createReviewedBounty(msg.sender, token, deadline, uri, bond);
        Review storage review = _reviews[bountyId];
        review.approver = approver;
        review.reviewWindow = terms.reviewWindow;
        review.quorumBps = terms.quorumBps;
        review.arbiterIsErc792 = terms.arbiterIsErc792;
        if (arbiter != address(0)) review.arbiter = arbiter;
        if (terms.arbitratorExtraData.length != 0) _extraData[bountyId] = terms.arbitratorExtraData;

        emit ReviewPolicySet(
            bountyId,
            approver,
            terms.reviewWindow,
            terms.quorumBps,
            arbiter,
            terms.arbiterIsErc792,
            terms.arbitratorExtraData
        );
        if (bytes(terms.metaEvidence).length != 0) emit MetaEvidence(bountyId, terms.metaEvidence);
    }

    /// @inheritdoc IBountyReview
    function propose(uint256 bountyId, uint256[] calldata claimIds, uint256[] calldata sharesBps)
        external
        nonReentrant
        returns (uint32 nonce)
    {
        nonce = _propose(bountyId, 0, claimIds, sharesBps);
    }

    /// @inheritdoc IBountyReview
    function proposePart(uint256 bountyId, uint256 partBps, uint256[] calldata claimIds, uint256[] calldata sharesBps)
        external
        nonReentrant
        returns (uint32 nonce)
    {
        if (partBps == 0 || partBps >= BPS) revert InvalidPart(partBps);
        nonce = _propose(bountyId, uint16(partBps), claimIds, sharesBps);
        emit PartProposed(bountyId, nonce, partBps);
    }

    /// @inheritdoc IBountyReview
    function markSpam(uint256 bountyId, uint256 claimId) external nonReentrant {
        Review storage review = _reviews[bountyId];
        if (review.reviewWindow == 0) revert NotOptimistic(bountyId);
        if (msg.sender != review.approver) revert NotProposer(bountyId, msg.sender);
        // The escrow checks the bounty (open, unexpired) and the bond, and leaves the
        // proposer's and the issuer's pledges out of the slashed bond.
        _escrow.markSpamFor(bountyId, claimId, msg.sender);
        emit SpamMarked(bountyId, claimId, msg.sender);
    }

    /// @dev A proposal of `partBps` of the pool (0: the whole).
    function _propose(uint256 bountyId, uint16 partBps, uint256[] calldata claimIds, uint256[] calldata sharesBps)
        private
        returns (uint32 nonce)
    {
        Review storage review = _reviews[bountyId];
        if (review.reviewWindow == 0) revert NotOptimistic(bountyId);
        if (msg.sender != review.approver) revert NotProposer(bountyId, msg.sender);
        // The escrow checks the bounty (open, unexpired, no live proposal, a pool) and the
        // claims and shares, and freezes the pool.
        uint256 total;
        // The escrow is the contract that deployed this one, and both guard every state change;
        // the proposal is recorded after the escrow accepted it.
        // slither-disable-next-line reentrancy-no-eth
        (nonce, total) = _escrow.openReview(bountyId, claimIds, sharesBps);

        uint40 windowEnd = uint40(block.timestamp + review.reviewWindow);
        review.nonce = nonce;
        review.state = ProposalState.Pending;
        review.windowEnd = windowEnd;
        review.escalatedAt = 0;
        review.partBps = partBps;
        review.weightAgainst = 0;
        review.totalAtProposal = total;
        review.proposalHash = keccak256(abi.encode(claimIds, sharesBps));
        review.disputeId = 0;
        emit AwardProposed(bountyId, nonce, claimIds, sharesBps, windowEnd, total);
    }

    /// @inheritdoc IBountyReview
    function object(uint256 bountyId) external nonReentrant {
        Review storage review = _reviews[bountyId];
        if (review.state != ProposalState.Pending) revert WrongProposalState(bountyId, review.state);
        uint40 windowEnd = review.windowEnd;
        if (block.timestamp >= windowEnd) revert ReviewWindowClosed(bountyId, windowEnd);
        // The escrow withholds the caller's pledge from this proposal (once per proposal).
        // slither-disable-next-line reentrancy-no-eth
        uint256 weight = _escrow.withhold(bountyId, msg.sender);
        uint256 against = review.weightAgainst + weight;
        review.weightAgainst = against;
        uint32 nonce = review.nonce;
        emit Objected(bountyId, nonce, msg.sender, weight, against);
        if (review.arbiter != address(0) && against * BPS >= uint256(review.quorumBps) * review.totalAtProposal) {
            review.state = ProposalState.Blocked;
            emit ProposalBlocked(bountyId, nonce, against);
        }
    }

    /// @inheritdoc IBountyReview
    function finalize(uint256 bountyId, uint256[] calldata claimIds, uint256[] calldata sharesBps)
        external
        nonReentrant
    {
        Review storage review = _reviews[bountyId];
        ProposalState state = review.state;
        if (state == ProposalState.Pending) {
            if (block.timestamp < review.windowEnd) revert ReviewWindowOpen(bountyId, review.windowEnd);
        } else if (state != ProposalState.Upheld) {
            revert WrongProposalState(bountyId, state);
        }
        if (keccak256(abi.encode(claimIds, sharesBps)) != review.proposalHash) revert ProposalMismatch(bountyId);
        review.state = ProposalState.Executed;
        // State is Executed before the call; the write after it only records the outcome.
        uint256 partBps = review.partBps;
        // slither-disable-next-line reentrancy-no-eth
        uint256 pool = _escrow.settleReview(
            bountyId, partBps == 0 ? BPS : partBps, claimIds, sharesBps, state == ProposalState.Upheld
        );
        if (pool == 0) {
            // Every pledge was withheld: the escrow reopened the bounty.
            review.state = ProposalState.None;
            emit ProposalRejected(bountyId, review.nonce, RejectReason.Unanimous);
        } else {
            emit ProposalFinalized(bountyId, review.nonce, pool);
        }
    }

    /// @inheritdoc IBountyReview
    function escalate(uint256 bountyId) external payable nonReentrant returns (uint256 disputeId) {
        Review storage review = _reviews[bountyId];
        if (review.state != ProposalState.Blocked) revert WrongProposalState(bountyId, review.state);
        uint64 decideBy = uint64(review.windowEnd + ESCALATION_PERIOD);
        if (block.timestamp >= decideBy) revert ArbitrationLapsed(bountyId, decideBy);
        address arbiter = review.arbiter;
        review.state = ProposalState.Escalated;
        review.escalatedAt = uint40(block.timestamp);
        if (!review.arbiterIsErc792) {
            if (msg.value != 0) revert WrongArbitrationFee(bountyId, 0, msg.value);
            emit DisputeRaised(bountyId, review.nonce, arbiter, 0);
            return 0;
        }

        bytes memory extraData = _extraData[bountyId];
        uint256 cost = IArbitrator(arbiter).arbitrationCost(extraData);
        if (msg.value < cost) revert WrongArbitrationFee(bountyId, cost, msg.value);
        // The fee goes to the arbitrator as it is; it never touches the pools. The dispute id is
        // known only after this call: the state is Escalated before it, every function that
        // reads the id (`rule`) is nonReentrant, and a callback from inside is refused.
        // slither-disable-next-line reentrancy-eth,reentrancy-no-eth
        disputeId = IArbitrator(arbiter).createDispute{value: cost}(RULING_OPTIONS, extraData);
        if (_disputes[arbiter][disputeId] != 0) revert DuplicateDispute(arbiter, disputeId);
        _disputes[arbiter][disputeId] = bountyId;
        review.disputeId = disputeId;
        emit DisputeRaised(bountyId, review.nonce, arbiter, disputeId);
        emit Dispute(IArbitrator(arbiter), disputeId, bountyId, bountyId);
        // A fee that changed between reading it and mining this call: the excess goes back.
        uint256 excess = msg.value - cost;
        if (excess != 0 && !LowLevelCall.callNoReturn(msg.sender, excess, "")) revert FeeReturnFailed(msg.sender, excess);
    }

    /// @notice ERC-792 callback: the arbitrator of an escalated proposal gives its ruling.
    /// @dev Ruling 1 upholds the proposal (anyone then finalizes it: no value moves inside the
    /// arbitrator's call); 2 rejects it; 0, a refusal to arbitrate, rejects it too. A ruling
    /// after `ARBITRATION_PERIOD` still counts unless someone lapsed the proposal first.
    function rule(uint256 disputeId, uint256 ruling) external nonReentrant {
        uint256 bountyId = _disputes[msg.sender][disputeId];
        Review storage review = _reviews[bountyId];
        if (
            bountyId == 0 || review.state != ProposalState.Escalated || !review.arbiterIsErc792
                || review.arbiter != msg.sender || review.disputeId != disputeId
        ) revert UnknownDispute(msg.sender, disputeId);
        if (ruling > RULING_OPTIONS) revert InvalidRuling(disputeId, ruling);
        emit Ruling(IArbitrator(msg.sender), disputeId, ruling);
        _applyRuling(bountyId, review, ruling);
    }

    /// @inheritdoc IBountyReview
    function decide(uint256 bountyId, uint32 nonce, uint256 ruling) external nonReentrant {
        Review storage review = _reviews[bountyId];
        ProposalState state = review.state;
        if (
            review.arbiterIsErc792 || review.arbiter != msg.sender || msg.sender == address(0)
                || review.nonce != nonce
        ) revert NotArbiter(bountyId, msg.sender);
        // A plain arbiter may decide a blocked proposal without waiting for an escalation.
        if (state != ProposalState.Blocked && state != ProposalState.Escalated) {
            revert WrongProposalState(bountyId, state);
        }
        if (ruling > RULING_OPTIONS) revert InvalidRuling(0, ruling);
        _applyRuling(bountyId, review, ruling);
    }

    /// @inheritdoc IBountyReview
    function lapse(uint256 bountyId) external nonReentrant {
        Review storage review = _reviews[bountyId];
        ProposalState state = review.state;
        if (state != ProposalState.Blocked && state != ProposalState.Escalated) {
            revert WrongProposalState(bountyId, state);
        }
        uint64 decideBy = _decideBy(review);
        if (block.timestamp < decideBy) revert ArbitrationNotLapsed(bountyId, decideBy);
        _reject(bountyId, review, RejectReason.Lapsed);
    }

    /// @inheritdoc IBountyReview
    function submitEvidence(uint256 bountyId, string calldata evidence) external {
        Review storage review = _reviews[bountyId];
        if (!review.arbiterIsErc792) revert NoArbitrator(bountyId);
        emit Evidence(IArbitrator(review.arbiter), bountyId, msg.sender, evidence);
    }

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IBountyReview
    function escrow() external view returns (address) {
        return address(_escrow);
    }

    /// @inheritdoc IBountyReview
    function getReview(uint256 bountyId) external view returns (ReviewInfo memory) {
        Review storage review = _reviews[bountyId];
        return ReviewInfo({
            approver: review.approver,
            reviewWindow: review.reviewWindow,
            quorumBps: review.quorumBps,
            arbiter: review.arbiter,
            arbiterIsErc792: review.arbiterIsErc792,
            state: review.state,
            proposalNonce: review.nonce,
            windowEnd: review.windowEnd,
            decideBy: _decideBy(review),
            weightAgainst: review.weightAgainst,
            totalAtProposal: review.totalAtProposal,
            proposalHash: review.proposalHash,
            disputeId: review.disputeId
        });
    }

    /// @inheritdoc IBountyReview
    function proposedPart(uint256 bountyId) external view returns (uint256) {
        return _reviews[bountyId].partBps;
    }

    /// @inheritdoc IBountyReview
    function arbitratorExtraData(uint256 bountyId) external view returns (bytes memory) {
        return _extraData[bountyId];
    }

    /// @inheritdoc IBountyReview
    function hasObjected(uint256 bountyId, uint32 nonce, address funder) external view returns (bool) {
        (uint32 objectedIn, uint32 round) = _escrow.objection(bountyId, funder);
        return nonce != 0 && nonce <= round && objectedIn == nonce;
    }

    /*//////////////////////////////////////////////////////////////
                                INTERNAL
    //////////////////////////////////////////////////////////////*/

    function _applyRuling(uint256 bountyId, Review storage review, uint256 ruling) private {
        if (ruling == RULING_PAY) {
            review.state = ProposalState.Upheld;
            emit ProposalUpheld(bountyId, review.nonce);
        } else {
            _reject(bountyId, review, ruling == RULING_REJECT ? RejectReason.ArbiterRejected : RejectReason.ArbiterRefused);
        }
    }

    /// @dev Ends a live proposal without paying: the bounty is open again (or expired, by
    /// time) and each pledge is refundable once its own lock ends.
    function _reject(uint256 bountyId, Review storage review, RejectReason reason) private {
        review.state = ProposalState.None;
        _escrow.closeReview(bountyId);
        emit ProposalRejected(bountyId, review.nonce, reason);
    }

    /// @dev The last moment to escalate a blocked proposal, or for the arbiter to decide an
    /// escalated one; 0 in other states.
    function _decideBy(Review storage review) private view returns (uint64) {
        ProposalState state = review.state;
        if (state == ProposalState.Blocked) return uint64(review.windowEnd + ESCALATION_PERIOD);
        if (state == ProposalState.Escalated) return uint64(review.escalatedAt + ARBITRATION_PERIOD);
        return 0;
    }
}
