// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {LowLevelCall} from "@openzeppelin/contracts/utils/LowLevelCall.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {IERC5267} from "@openzeppelin/contracts/interfaces/IERC5267.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {IArbitrator} from "./interfaces/IArbitrator.sol";
import {IBountyEscrow} from "./interfaces/IBountyEscrow.sol";
import {IBountyReview} from "./interfaces/IBountyReview.sol";
import {IFundraising} from "./interfaces/IFundraising.sol";
import {ISignedActions} from "./interfaces/ISignedActions.sol";

/// @title BountyEscrow
/// @notice One contract holding every bounty. No owner, no upgrade, no pause, no sweep:
/// value leaves only to an awarded hunter, a fundraiser's beneficiary, a refunding funder, or
/// the fee recipient's fee.
contract BountyEscrow is
    IBountyEscrow,
    IBountyReview,
    IFundraising,
    ISignedActions,
    IERC5267,
    ReentrancyGuardTransient,
    Nonces
{
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /*//////////////////////////////////////////////////////////////
                         CONSTANTS AND IMMUTABLES
    //////////////////////////////////////////////////////////////*/

    /// @notice The fee can never exceed 5% of an award.
    uint256 public constant MAX_FEE_BPS = 500;
    /// @notice Shares and fees are in basis points of this whole.
    uint256 public constant BPS = 10_000;
    /// @notice No pledge is ever locked for more than two years from the moment it is made.
    uint256 public constant MAX_DEADLINE_DURATION = 730 days;
    /// @notice Gas forwarded with an ETH award: enough for a contract wallet, too little to
    /// grief the other winners. A recipient that needs more withdraws its credit instead.
    uint256 public constant PAYOUT_GAS_STIPEND = 50_000;
    /// @notice Gas that must remain before each payout: the stipend, the 1/64 that EIP-150
    /// keeps back, and the call's own cost (new account 25,000, value 9,000, cold 2,600).
    uint256 public constant MIN_GAS_PER_PAYOUT = 100_000;
    /// @notice How long after a fundraiser's deadline its raised total waits for
    /// `withdrawRaised`; after that the payout lapses and backers may refund.
    uint256 public constant FUNDRAISER_CLAIM_PERIOD = 365 days;
    /// @notice EIP-712 type of a solution registration signed by its hunter.
    bytes32 public constant SUBMIT_SOLUTION_TYPEHASH =
        keccak256("SubmitSolution(uint256 bountyId,string uri,address hunter,uint256 nonce,uint256 expiry)");

    /// @dev The EIP-712 domain: name "BountyEscrow", version "1", the chain id, this contract.
    /// (OpenZeppelin's EIP712 computes the same; it is not inherited because slither cannot
    /// build its IR for EIP712's short-string constructor, which hides real findings.)
    bytes32 private constant _DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 private constant _NAME_HASH = keccak256("BountyEscrow");
    bytes32 private constant _VERSION_HASH = keccak256("1");

    /// @dev Bits of `Bounty.flags`.
    uint8 private constant FLAG_TOKEN = 1;
    uint8 private constant FLAG_FUNDRAISER = 2;
    uint8 private constant FLAG_ALL_OR_NOTHING = 4;

    uint256 private immutable _feeBps;
    address private immutable _feeRecipient;
    bytes32 private immutable _cachedDomainSeparator;
    uint256 private immutable _cachedChainId;

    /*//////////////////////////////////////////////////////////////
                                 STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @dev Layout, chosen so that creating an ETH bounty writes one slot and an ETH pledge
    /// reads one:
    /// slot 0: issuer (160) | deadline (40) | status (8) | flags (8) | claimCount (40)
    /// (flags: FLAG_TOKEN, FLAG_FUNDRAISER, FLAG_ALL_OR_NOTHING; in slot 0 so that the plain
    /// bounty paths tell a fundraiser apart without another read)
    /// slot 1: token, written only for token bounties
    /// slot 2: approver, written only when it differs from the issuer
    /// slot 3: total, the sum of outstanding pledges
    struct Bounty {
        address issuer;
        uint40 deadline;
        Status status;
        uint8 flags;
        uint40 claimCount;
        address token;
        address approver;
        uint256 total;
    }

    /// @dev One slot: amount (216) | unlocksAt (40).
    struct Pledge {
        uint216 amount;
        uint40 unlocksAt;
    }

    uint256 private _bountyCount;
    mapping(uint256 bountyId => Bounty) private _bounties;
    mapping(uint256 bountyId => mapping(address funder => Pledge)) private _pledges;
    mapping(uint256 bountyId => mapping(uint256 claimId => address hunter)) private _claimants;
    mapping(address account => mapping(address token => uint256)) private _credits;
    /// @dev What the escrow owes in each ERC-20: outstanding pledges plus credits. Kept for
    /// tokens only (an ETH balance cannot shrink by itself), to refuse pledges into a token
    /// whose balance fell short of it (a negative rebase, a token that takes from holders).
    mapping(address token => uint256) private _tokenOwed;
    /// @dev The terms only fundraisers have; kept out of `Bounty` so bounties pay nothing for them.
    struct Fundraiser {
        address beneficiary;
        uint256 goal;
    }

    mapping(uint256 id => Fundraiser) private _fundraisers;

    /*//////////////////////////////////////////////////////////////
                               CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @param feeRecipient_ Who is credited the fee; may be address(0) only when the fee is 0.
    /// @param feeBps_ The fee on awards in basis points, at most `MAX_FEE_BPS`.
    constructor(address feeRecipient_, uint256 feeBps_) {
        if (feeBps_ > MAX_FEE_BPS) revert FeeTooHigh(feeBps_, MAX_FEE_BPS);
        if (feeBps_ != 0 && feeRecipient_ == address(0)) revert FeeRecipientMissing();
        _feeBps = feeBps_;
        _feeRecipient = feeRecipient_;
        _cachedChainId = block.chainid;
        _cachedDomainSeparator = _buildDomainSeparator();
    }

    /*//////////////////////////////////////////////////////////////
                        STATE-CHANGING FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IBountyEscrow
    function createBounty(address token, uint64 deadline, address approver, string calldata uri)
        external
        returns (uint256 bountyId)
    {
        Bounty storage bounty;
        (bountyId, bounty) = _newRecord(token, deadline, uri, 0);
        if (approver != address(0) && approver != msg.sender) bounty.approver = approver;

        emit BountyCreated(
            bountyId,
            msg.sender,
            keccak256(bytes(uri)),
            token,
            approver == address(0) ? msg.sender : approver,
            deadline,
            uri
        );
    }

    /// @inheritdoc IBountyEscrow
    function pledge(uint256 bountyId, uint256 amount) external payable nonReentrant returns (uint256 received) {
        received = _pledge(bountyId, _activeBounty(bountyId), amount);
    }

    /// @inheritdoc IBountyEscrow
    function submitSolution(uint256 bountyId, string calldata uri) external returns (uint256 claimId) {
        claimId = _submit(bountyId, msg.sender, uri);
    }

    /// @inheritdoc IBountyEscrow
    function award(uint256 bountyId, uint256[] calldata claimIds, uint256[] calldata sharesBps)
        external
        nonReentrant
    {
        // A fundraiser takes no solutions, so its claim count is 0 and _checkShares refuses any
        // award of it (UnknownClaim) without a flag check here.
        Bounty storage bounty = _activeBounty(bountyId);
        if (msg.sender != _approverOf(bounty)) _refuseAward(bountyId);
        _checkShares(bountyId, bounty.claimCount, claimIds, sharesBps);
        _settle(bountyId, bounty, claimIds, sharesBps);
    }

    /// @inheritdoc IBountyEscrow
    function refund(uint256 bountyId) external nonReentrant returns (uint256 amount) {
        Bounty storage bounty = _existingBounty(bountyId);
        Pledge memory funderPledge = _pledges[bountyId][msg.sender];
        amount = funderPledge.amount;
        if (amount == 0) revert NothingToRefund(bountyId, msg.sender);
        Status status = bounty.status;
        if (status != Status.Open) {
            if (status == Status.Awarded) revert AlreadyAwarded(bountyId);
            if (status == Status.UnderReview) revert ProposalPending(bountyId);
        } else {
            if (block.timestamp < funderPledge.unlocksAt) revert PledgeLocked(bountyId, funderPledge.unlocksAt);
            if (bounty.flags & FLAG_FUNDRAISER != 0) _checkFundraiserRefundable(bountyId, bounty);
        }

        delete _pledges[bountyId][msg.sender];
        // Cannot underflow: the total is the sum of the outstanding pledges, this one included.
        unchecked {
            bounty.total -= amount;
        }
        emit Refunded(bountyId, msg.sender, amount);
        _send(bounty.token, msg.sender, amount);
    }

    /// @inheritdoc IBountyEscrow
    function withdraw(address token) external nonReentrant returns (uint256 amount) {
        amount = _credits[msg.sender][token];
        if (amount == 0) revert NothingToWithdraw(msg.sender, token);
        delete _credits[msg.sender][token];
        emit Withdrawn(msg.sender, token, amount);
        _send(token, msg.sender, amount);
    }

    /// @inheritdoc IBountyEscrow
    function cancel(uint256 bountyId) external nonReentrant {
        Bounty storage bounty = _existingBounty(bountyId);
        if (msg.sender != bounty.issuer) revert NotIssuer(bountyId, msg.sender);
        if (bounty.status != Status.Open) revert BountyNotOpen(bountyId, bounty.status);
        // A fundraiser's outcome is decided at its deadline: its creator cannot undo it after.
        if (bounty.flags & FLAG_FUNDRAISER != 0 && block.timestamp >= bounty.deadline) {
            revert FundraiserEnded(bountyId, bounty.deadline);
        }
        bounty.status = Status.Cancelled;
        emit Cancelled(bountyId);
    }

    /// @inheritdoc IBountyEscrow
    function extendDeadline(uint256 bountyId, uint64 newDeadline) external nonReentrant {
        Bounty storage bounty = _activeBounty(bountyId);
        if (bounty.flags & FLAG_FUNDRAISER != 0) revert NotABounty(bountyId);
        if (msg.sender != bounty.issuer) revert NotIssuer(bountyId, msg.sender);
        if (newDeadline <= bounty.deadline) revert DeadlineNotExtended(bountyId, bounty.deadline, newDeadline);
        _checkDeadlineWindow(newDeadline);
        bounty.deadline = uint40(newDeadline);
        emit DeadlineExtended(bountyId, newDeadline);
    }

    /*//////////////////////////////////////////////////////////////
                              FUNDRAISERS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IFundraising
    function createFundraiser(
        address beneficiary,
        address token,
        uint256 goal,
        uint64 deadline,
        bool allOrNothing,
        string calldata uri
    ) external returns (uint256 id) {
        if (beneficiary == address(0)) revert ZeroBeneficiary();
        if (allOrNothing && goal == 0) revert ZeroGoal();
        (id,) = _newRecord(token, deadline, uri, allOrNothing ? FLAG_FUNDRAISER | FLAG_ALL_OR_NOTHING : FLAG_FUNDRAISER);
        Fundraiser storage fundraiser = _fundraisers[id];
        fundraiser.beneficiary = beneficiary;
        if (goal != 0) fundraiser.goal = goal;

        emit FundraiserCreated(
            id, beneficiary, keccak256(bytes(uri)), msg.sender, token, goal, deadline, allOrNothing, uri
        );
    }

    /// @inheritdoc IFundraising
    function withdrawRaised(uint256 id) external nonReentrant returns (uint256 amount) {
        Bounty storage bounty = _fundraiser(id);
        if (bounty.status != Status.Open) revert BountyNotOpen(id, bounty.status);
        uint64 deadline = bounty.deadline;
        if (block.timestamp < deadline) revert FundraiserNotEnded(id, deadline);
        uint64 claimDeadline = uint64(deadline + FUNDRAISER_CLAIM_PERIOD);
        if (block.timestamp >= claimDeadline) revert ClaimPeriodOver(id, claimDeadline);
        Fundraiser storage fundraiser = _fundraisers[id];
        if (bounty.flags & FLAG_ALL_OR_NOTHING != 0 && bounty.total < fundraiser.goal) {
            revert GoalNotReached(id, bounty.total, fundraiser.goal);
        }

        address token;
        (token, amount) = _closePool(id, bounty);
        address beneficiary = fundraiser.beneficiary;
        emit RaisedPaid(id, beneficiary, amount);
        _payOrCredit(token, beneficiary, amount);
    }

    /*//////////////////////////////////////////////////////////////
                      PERMIT AND SIGNED ACTIONS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ISignedActions
    function pledgeWithPermit(uint256 bountyId, uint256 amount, uint256 permitDeadline, uint8 v, bytes32 r, bytes32 s)
        external
        nonReentrant
        returns (uint256 received)
    {
        Bounty storage bounty = _activeBounty(bountyId);
        if (bounty.flags & FLAG_TOKEN == 0) revert NotATokenBounty(bountyId);
        address token = bounty.token;
        // A permit seen in the mempool can be sent by anyone first, which makes this one fail
        // (its nonce is used): go on if the allowance it set is there (OpenZeppelin's advice).
        try IERC20Permit(token).permit(msg.sender, address(this), amount, permitDeadline, v, r, s) {}
        catch {
            uint256 allowance = IERC20(token).allowance(msg.sender, address(this));
            if (allowance < amount) revert PermitFailed(token, msg.sender, allowance, amount);
        }
        received = _pledge(bountyId, bounty, amount);
    }

    /// @inheritdoc ISignedActions
    function submitSolutionBySig(
        uint256 bountyId,
        string calldata uri,
        address hunter,
        uint256 nonce,
        uint256 expiry,
        bytes calldata signature
    ) external returns (uint256 claimId) {
        if (block.timestamp > expiry) revert SignatureExpired(expiry, block.timestamp);
        bytes32 digest = MessageHashUtils.toTypedDataHash(
            _domainSeparatorV4(),
            keccak256(abi.encode(SUBMIT_SOLUTION_TYPEHASH, bountyId, keccak256(bytes(uri)), hunter, nonce, expiry))
        );
        if (hunter.code.length == 0) {
            // Reverts on a malformed or malleable (high-s) signature.
            address signer = ECDSA.recoverCalldata(digest, signature);
            if (signer != hunter) revert WrongSigner(hunter, signer);
        } else if (!SignatureChecker.isValidERC1271SignatureNowCalldata(hunter, digest, signature)) {
            revert WrongSigner(hunter, address(0));
        }
        _useCheckedNonce(hunter, nonce);
        claimId = _submit(bountyId, hunter, uri);
    }

    /// @inheritdoc ISignedActions
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @inheritdoc IERC5267
    function eip712Domain()
        external
        view
        returns (
            bytes1 fields,
            string memory name,
            string memory version,
            uint256 chainId,
            address verifyingContract,
            bytes32 salt,
            uint256[] memory extensions
        )
    {
        return (hex"0f", "BountyEscrow", "1", block.chainid, address(this), bytes32(0), new uint256[](0));
    }

    /*//////////////////////////////////////////////////////////////
                     REVIEW (optimistic acceptance)
    //////////////////////////////////////////////////////////////*/

    /// @notice The shortest and longest review windows a bounty may choose.
    uint256 private constant MIN_REVIEW_WINDOW = 1 days;
    uint256 private constant MAX_REVIEW_WINDOW = 30 days;
    /// @notice How long after a blocked proposal's window the arbiter has to rule; then anyone
    /// may lapse the dispute, which rejects the proposal and lets refunds resume.
    uint256 private constant ARBITRATION_TIMEOUT = 30 days;
    /// @notice ERC-792 rulings: 0 refuses to arbitrate (rejects), 1 pays the proposal, 2 rejects it.
    uint256 private constant RULING_OPTIONS = 2;
    uint256 private constant RULING_PAY = 1;
    uint256 private constant RULING_REJECT = 2;

    /// @dev Layout:
    /// slot 0: approver (160) | reviewWindow (32) | quorumBps (16) | arbiterIsErc792 (8) | state (8) | nonce (32)
    /// slot 1: windowEnd (40) | weightAgainst (216), so that an objection rewrites a slot the
    ///         proposal already made non-zero
    /// slot 2: arbiter; slot 3: keccak256(abi.encode(claimIds, sharesBps))
    /// A plain bounty has no record here (reviewWindow == 0).
    struct Review {
        address approver;
        uint32 reviewWindow;
        uint16 quorumBps;
        bool arbiterIsErc792;
        ProposalState state;
        uint32 nonce;
        uint40 windowEnd;
        uint216 weightAgainst;
        address arbiter;
        bytes32 proposalHash;
    }

    mapping(uint256 bountyId => Review) private _reviews;
    mapping(uint256 bountyId => mapping(uint32 nonce => mapping(address funder => bool))) private _objected;
    /// @dev Written by `escalate` after the arbitrator's createDispute returns the id, and read
    /// only by `escalate` and `rule`, both reentrancy-guarded: the ids are public in
    /// DisputeRaised. A bounty's live dispute is the one in `_liveDispute` while it is Escalated.
    mapping(address arbiter => mapping(uint256 disputeId => uint256 bountyId)) private _disputeBounty;
    mapping(uint256 bountyId => uint256 disputeId) private _liveDispute;
    /// @dev Dispute ids the escrow assigns for plain-address arbiters, counting from 1.
    uint256 private _localDisputeCount;

    /// @inheritdoc IBountyReview
    function createBountyWithReview(
        address token,
        uint64 deadline,
        address approver,
        string calldata uri,
        ReviewTerms calldata terms
    ) external returns (uint256 bountyId) {
        if (terms.reviewWindow < MIN_REVIEW_WINDOW || terms.reviewWindow > MAX_REVIEW_WINDOW) {
            revert InvalidReviewWindow(terms.reviewWindow, MIN_REVIEW_WINDOW, MAX_REVIEW_WINDOW);
        }
        if (terms.quorumBps == 0 || terms.quorumBps > BPS) revert InvalidQuorum(terms.quorumBps);
        if (terms.arbiterIsErc792 && terms.arbiter.code.length == 0) revert InvalidArbiter(terms.arbiter);
        if (approver == address(0)) approver = msg.sender;

        Bounty storage bounty;
        (bountyId, bounty) = _newRecord(token, deadline, uri, 0);
        // The escrow itself is the bounty's direct approver, which no one can act as: every
        // path that checks the approver (award, and any later one) refuses this bounty; the
        // real approver proposes through the review below.
        bounty.approver = address(this);

        Review storage review = _reviews[bountyId];
        review.approver = approver;
        review.reviewWindow = terms.reviewWindow;
        review.quorumBps = terms.quorumBps;
        review.arbiterIsErc792 = terms.arbiterIsErc792;
        if (terms.arbiter != address(0)) review.arbiter = terms.arbiter;

        emit BountyCreated(bountyId, msg.sender, keccak256(bytes(uri)), token, approver, deadline, uri);
        emit ReviewPolicySet(bountyId, terms.reviewWindow, terms.quorumBps, terms.arbiter, terms.arbiterIsErc792);
    }

    /// @inheritdoc IBountyReview
    function propose(uint256 bountyId, uint256[] calldata claimIds, uint256[] calldata sharesBps)
        external
        returns (uint32 nonce)
    {
        Bounty storage bounty = _activeBounty(bountyId);
        Review storage review = _reviews[bountyId];
        if (review.reviewWindow == 0) revert NotOptimistic(bountyId);
        if (msg.sender != review.approver) revert NotApprover(bountyId, msg.sender);
        _checkShares(bountyId, bounty.claimCount, claimIds, sharesBps);
        uint256 total = bounty.total;
        if (total == 0) revert NothingToAward(bountyId);

        // No proposal is live: the bounty would be UnderReview, and _activeBounty refused it.
        nonce = review.nonce + 1;
        uint40 windowEnd = uint40(block.timestamp + review.reviewWindow);
        review.nonce = nonce;
        review.state = ProposalState.Pending;
        review.windowEnd = windowEnd;
        review.weightAgainst = 0;
        review.proposalHash = keccak256(abi.encode(claimIds, sharesBps));
        bounty.status = Status.UnderReview;
        emit AwardProposed(bountyId, nonce, claimIds, sharesBps, windowEnd, total);
    }

    /// @inheritdoc IBountyReview
    function object(uint256 bountyId) external {
        // A pending proposal implies an existing bounty: an unknown id fails the state check.
        Bounty storage bounty = _bounties[bountyId];
        Review storage review = _reviews[bountyId];
        if (review.state != ProposalState.Pending) revert WrongProposalState(bountyId, review.state);
        uint40 windowEnd = review.windowEnd;
        if (block.timestamp >= windowEnd) revert ReviewWindowClosed(bountyId, windowEnd);
        // The pledge is frozen while the proposal is live (no pledge, no refund), so this is
        // the funder's weight for the whole vote.
        uint256 weight = _pledges[bountyId][msg.sender].amount;
        // `< 1` rather than `== 0`: slither's strict-equality check mistakes a pledge (credited
        // from a token's balance difference) for a balance; no balance is compared here.
        if (weight < 1) revert NoWeight(bountyId, msg.sender);
        uint32 nonce = review.nonce;
        mapping(address => bool) storage objected = _objected[bountyId][nonce];
        if (objected[msg.sender]) revert AlreadyObjected(bountyId, msg.sender);
        objected[msg.sender] = true;

        // Pledges are uint216 each; a sum past 2^216 (no real token has that supply) reverts.
        uint256 against = uint256(review.weightAgainst) + weight;
        review.weightAgainst = against.toUint216();
        emit Objected(bountyId, nonce, msg.sender, weight, against);
        if (against * BPS >= uint256(review.quorumBps) * bounty.total) {
            if (review.arbiter == address(0)) {
                _reject(bountyId, bounty, review, RejectReason.Quorum);
            } else {
                review.state = ProposalState.Blocked;
                emit ProposalBlocked(bountyId, nonce, against);
            }
        }
    }

    /// @inheritdoc IBountyReview
    function finalize(uint256 bountyId, uint256[] calldata claimIds, uint256[] calldata sharesBps)
        external
        nonReentrant
    {
        Bounty storage bounty = _existingBounty(bountyId);
        Review storage review = _reviews[bountyId];
        ProposalState state = review.state;
        if (state == ProposalState.Pending) {
            if (block.timestamp < review.windowEnd) revert ReviewWindowOpen(bountyId, review.windowEnd);
        } else if (state != ProposalState.Upheld) {
            revert WrongProposalState(bountyId, state);
        }
        if (keccak256(abi.encode(claimIds, sharesBps)) != review.proposalHash) revert ProposalMismatch(bountyId);
        review.state = ProposalState.Executed;
        emit ProposalFinalized(bountyId, review.nonce);
        // The claims were checked when proposed, and claims are never removed.
        _settle(bountyId, bounty, claimIds, sharesBps);
    }

    /// @inheritdoc IBountyReview
    function escalate(uint256 bountyId) external payable nonReentrant returns (uint256 disputeId) {
        _existingBounty(bountyId);
        Review storage review = _reviews[bountyId];
        if (review.state != ProposalState.Blocked) revert WrongProposalState(bountyId, review.state);
        uint64 decideBy = _decideBy(review);
        if (block.timestamp >= decideBy) revert ArbitrationLapsed(bountyId, decideBy);
        address arbiter = review.arbiter;
        review.state = ProposalState.Escalated;
        if (review.arbiterIsErc792) {
            uint256 cost = IArbitrator(arbiter).arbitrationCost("");
            if (msg.value != cost) revert WrongArbitrationFee(bountyId, cost, msg.value);
            // The fee goes to the arbitrator as it is; it never touches the pools.
            disputeId = IArbitrator(arbiter).createDispute{value: cost}(RULING_OPTIONS, "");
        } else {
            if (msg.value != 0) revert WrongArbitrationFee(bountyId, 0, msg.value);
            disputeId = ++_localDisputeCount;
        }
        _liveDispute[bountyId] = disputeId;
        _disputeBounty[arbiter][disputeId] = bountyId;
        emit DisputeRaised(bountyId, review.nonce, arbiter, disputeId);
    }

    /// @notice ERC-792 callback: the arbiter of an escalated proposal gives its ruling.
    /// @dev Ruling 1 upholds the proposal (anyone then finalizes it: no value moves inside the
    /// arbiter's call); 2 rejects it; 0, a refusal to arbitrate, rejects it too.
    function rule(uint256 disputeId, uint256 ruling) external nonReentrant {
        uint256 bountyId = _disputeBounty[msg.sender][disputeId];
        Review storage review = _reviews[bountyId];
        if (bountyId == 0 || review.state != ProposalState.Escalated || _liveDispute[bountyId] != disputeId) {
            revert UnknownDispute(msg.sender, disputeId);
        }
        if (ruling > RULING_OPTIONS) revert InvalidRuling(disputeId, ruling);
        emit Ruling(IArbitrator(msg.sender), disputeId, ruling);
        if (ruling == RULING_PAY) {
            review.state = ProposalState.Upheld;
            emit ProposalUpheld(bountyId, review.nonce);
        } else {
            _reject(
                bountyId,
                _bounties[bountyId],
                review,
                ruling == RULING_REJECT ? RejectReason.ArbiterRejected : RejectReason.ArbiterRefused
            );
        }
    }

    /// @inheritdoc IBountyReview
    function lapse(uint256 bountyId) external {
        Bounty storage bounty = _existingBounty(bountyId);
        Review storage review = _reviews[bountyId];
        ProposalState state = review.state;
        if (state != ProposalState.Blocked && state != ProposalState.Escalated) {
            revert WrongProposalState(bountyId, state);
        }
        uint64 decideBy = _decideBy(review);
        if (block.timestamp < decideBy) revert ArbitrationNotLapsed(bountyId, decideBy);
        _reject(bountyId, bounty, review, RejectReason.Lapsed);
    }

    /// @inheritdoc IBountyReview
    function getReview(uint256 bountyId) external view returns (ReviewInfo memory) {
        _existingBounty(bountyId);
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
            decideBy: review.windowEnd == 0 ? 0 : _decideBy(review),
            weightAgainst: review.weightAgainst,
            proposalHash: review.proposalHash
        });
    }

    /// @inheritdoc IBountyReview
    function hasObjected(uint256 bountyId, uint32 nonce, address funder) external view returns (bool) {
        return _objected[bountyId][nonce][funder];
    }

    /// @dev Ends a live proposal without paying: the bounty is open again (or expired, by
    /// time) and each pledge is refundable once its own lock ends.
    function _reject(uint256 bountyId, Bounty storage bounty, Review storage review, RejectReason reason) private {
        review.state = ProposalState.None;
        bounty.status = Status.Open;
        emit ProposalRejected(bountyId, review.nonce, reason);
    }

    /// @dev The last moment for the arbiter of a blocked proposal: its window's end plus the timeout.
    function _decideBy(Review storage review) private view returns (uint64) {
        return uint64(review.windowEnd + ARBITRATION_TIMEOUT);
    }

    /// @dev Why `award` refuses a caller who is not the bounty's direct approver.
    function _refuseAward(uint256 bountyId) private view {
        if (_reviews[bountyId].reviewWindow != 0) revert ReviewRequired(bountyId);
        revert NotApprover(bountyId, msg.sender);
    }

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IBountyEscrow
    function feeBps() external view returns (uint256) {
        return _feeBps;
    }

    /// @inheritdoc IBountyEscrow
    function feeRecipient() external view returns (address) {
        return _feeRecipient;
    }

    /// @inheritdoc IBountyEscrow
    function bountyCount() external view returns (uint256) {
        return _bountyCount;
    }

    /// @inheritdoc IBountyEscrow
    function getBounty(uint256 bountyId) external view returns (BountyInfo memory) {
        Bounty storage bounty = _existingBounty(bountyId);
        return BountyInfo({
            issuer: bounty.issuer,
            approver: _approverOf(bounty),
            token: bounty.token,
            deadline: bounty.deadline,
            status: bounty.status,
            claimCount: bounty.claimCount,
            total: bounty.total
        });
    }

    /// @inheritdoc IFundraising
    function getFundraiser(uint256 id) external view returns (FundraiserInfo memory) {
        Bounty storage bounty = _fundraiser(id);
        Fundraiser storage fundraiser = _fundraisers[id];
        return FundraiserInfo({
            creator: bounty.issuer,
            beneficiary: fundraiser.beneficiary,
            token: bounty.token,
            goal: fundraiser.goal,
            raised: bounty.total,
            deadline: bounty.deadline,
            claimDeadline: uint64(bounty.deadline + FUNDRAISER_CLAIM_PERIOD),
            allOrNothing: bounty.flags & FLAG_ALL_OR_NOTHING != 0,
            status: uint8(bounty.status)
        });
    }

    /// @inheritdoc IBountyEscrow
    function pledgeOf(uint256 bountyId, address funder) external view returns (uint256 amount, uint64 unlocksAt) {
        Pledge memory funderPledge = _pledges[bountyId][funder];
        return (funderPledge.amount, funderPledge.unlocksAt);
    }

    /// @inheritdoc IBountyEscrow
    function claimant(uint256 bountyId, uint256 claimId) external view returns (address hunter) {
        hunter = _claimants[bountyId][claimId];
        if (hunter == address(0)) revert UnknownClaim(bountyId, claimId);
    }

    /// @inheritdoc IBountyEscrow
    function tokenOwed(address token) external view returns (uint256) {
        return _tokenOwed[token];
    }

    /// @inheritdoc IBountyEscrow
    function creditOf(address account, address token) external view returns (uint256) {
        return _credits[account][token];
    }

    /*//////////////////////////////////////////////////////////////
                                INTERNAL
    //////////////////////////////////////////////////////////////*/

    /// @dev Adds to the caller's pledge on `bounty`, an active bounty or fundraiser (pulling the
    /// tokens from the caller, never from anyone else); the calling function holds the
    /// reentrancy guard and checked that the bounty is active.
    function _pledge(uint256 bountyId, Bounty storage bounty, uint256 amount) private returns (uint256 received) {
        if (amount == 0) revert ZeroAmount();
        // Read before the token transfer below calls out: the lock is the deadline in force now.
        uint40 unlocksAt = bounty.deadline;

        if (bounty.flags & FLAG_TOKEN != 0) {
            if (msg.value != 0) revert WrongEtherValue(bountyId, 0, msg.value);
            // Credit what arrived, not what was asked: fee-on-transfer tokens deliver less.
            IERC20 token = IERC20(bounty.token);
            uint256 balanceBefore = token.balanceOf(address(this));
            uint256 owed = _tokenOwed[address(token)];
            if (balanceBefore < owed) revert TokenBalanceShort(address(token), balanceBefore, owed);
            token.safeTransferFrom(msg.sender, address(this), amount);
            uint256 balanceAfter = token.balanceOf(address(this));
            if (balanceAfter <= balanceBefore) revert ZeroAmount();
            received = balanceAfter - balanceBefore;
            _tokenOwed[address(token)] = owed + received;
        } else {
            if (msg.value != amount) revert WrongEtherValue(bountyId, amount, msg.value);
            received = amount;
        }

        Pledge storage funderPledge = _pledges[bountyId][msg.sender];
        funderPledge.amount = (uint256(funderPledge.amount) + received).toUint216();
        funderPledge.unlocksAt = unlocksAt;
        bounty.total += received;
        emit Pledged(bountyId, msg.sender, received, unlocksAt);
    }

    /// @dev Registers `hunter`'s solution on an active bounty (not a fundraiser).
    function _submit(uint256 bountyId, address hunter, string calldata uri) private returns (uint256 claimId) {
        Bounty storage bounty = _activeBounty(bountyId);
        if (bytes(uri).length == 0) revert EmptyURI();
        (uint8 flags, uint40 claimCount) = (bounty.flags, bounty.claimCount);
        if (flags & FLAG_FUNDRAISER != 0) revert NotABounty(bountyId);
        claimId = uint256(claimCount) + 1;
        if (claimId > type(uint40).max) revert TooManyClaims(bountyId);

        bounty.claimCount = uint40(claimId);
        _claimants[bountyId][claimId] = hunter;
        emit SolutionSubmitted(bountyId, claimId, hunter, uri);
    }

    /// @dev The domain separator, recomputed only if the chain forked to another id.
    function _domainSeparatorV4() private view returns (bytes32) {
        return block.chainid == _cachedChainId ? _cachedDomainSeparator : _buildDomainSeparator();
    }

    function _buildDomainSeparator() private view returns (bytes32) {
        return keccak256(abi.encode(_DOMAIN_TYPEHASH, _NAME_HASH, _VERSION_HASH, block.chainid, address(this)));
    }

    function _fundraiser(uint256 id) private view returns (Bounty storage bounty) {
        bounty = _existingBounty(id);
        if (bounty.flags & FLAG_FUNDRAISER == 0) revert NotAFundraiser(id);
    }

    /// @dev Refunds of an open fundraiser past its deadline: allowed if an all-or-nothing
    /// fundraiser missed its goal, or once the beneficiary's claim period is over.
    function _checkFundraiserRefundable(uint256 id, Bounty storage bounty) private view {
        uint64 refundableAt = uint64(bounty.deadline + FUNDRAISER_CLAIM_PERIOD);
        if (block.timestamp >= refundableAt) return;
        if (bounty.flags & FLAG_ALL_OR_NOTHING != 0 && bounty.total < _fundraisers[id].goal) return;
        revert FundsGoToBeneficiary(id, refundableAt);
    }

    /// @dev Checks what every bounty and fundraiser needs and writes its first slot: the
    /// creator, the deadline and the flags (`kindFlags`, plus FLAG_TOKEN for an ERC-20).
    function _newRecord(address token, uint64 deadline, string calldata uri, uint8 kindFlags)
        private
        returns (uint256 id, Bounty storage bounty)
    {
        if (bytes(uri).length == 0) revert EmptyURI();
        _checkDeadlineWindow(deadline);
        if (token != address(0)) {
            if (token.code.length == 0) revert NotATokenContract(token);
            kindFlags |= FLAG_TOKEN;
        }

        // Cannot overflow: one id per transaction.
        unchecked {
            id = ++_bountyCount;
        }
        bounty = _bounties[id];
        // The deadline fits 40 bits: _checkDeadlineWindow bounds it by now + two years.
        bounty.issuer = msg.sender;
        bounty.deadline = uint40(deadline);
        if (kindFlags != 0) {
            bounty.flags = kindFlags;
            if (kindFlags & FLAG_TOKEN != 0) bounty.token = token;
        }
    }

    function _existingBounty(uint256 bountyId) private view returns (Bounty storage bounty) {
        bounty = _bounties[bountyId];
        if (bounty.issuer == address(0)) revert UnknownBounty(bountyId);
    }

    /// @dev An open bounty whose deadline has not come: the only kind that takes pledges,
    /// solutions, awards and deadline extensions.
    function _activeBounty(uint256 bountyId) private view returns (Bounty storage bounty) {
        bounty = _existingBounty(bountyId);
        if (bounty.status != Status.Open) revert BountyNotOpen(bountyId, bounty.status);
        if (block.timestamp >= bounty.deadline) revert BountyExpired(bountyId, bounty.deadline);
    }

    function _approverOf(Bounty storage bounty) private view returns (address) {
        address approver = bounty.approver;
        return approver == address(0) ? bounty.issuer : approver;
    }

    function _checkDeadlineWindow(uint64 deadline) private view {
        if (deadline <= block.timestamp) revert DeadlineNotInFuture(deadline, block.timestamp);
        uint256 latest = block.timestamp + MAX_DEADLINE_DURATION;
        if (deadline > latest) revert DeadlineTooFar(deadline, latest);
    }

    function _checkShares(
        uint256 bountyId,
        uint256 claimCount,
        uint256[] calldata claimIds,
        uint256[] calldata sharesBps
    ) private pure {
        uint256 winners = claimIds.length;
        if (winners == 0 || winners != sharesBps.length) revert SharesLengthMismatch(winners, sharesBps.length);
        uint256 sumBps = 0;
        for (uint256 i; i < winners; ++i) {
            uint256 claimId = claimIds[i];
            if (claimId == 0 || claimId > claimCount) revert UnknownClaim(bountyId, claimId);
            if (sharesBps[i] == 0) revert ZeroShare(bountyId, claimId);
            sumBps += sharesBps[i];
        }
        if (sumBps != BPS) revert SharesDoNotSumToWhole(sumBps);
    }

    /// @dev Settles a bounty on checked claims and shares: the whole pool, less the fee, goes
    /// to the winners. State is settled before any value moves.
    function _settle(
        uint256 bountyId,
        Bounty storage bounty,
        uint256[] calldata claimIds,
        uint256[] calldata sharesBps
    ) private {
        (address token, uint256 net) = _closePool(bountyId, bounty);
        _payWinners(bountyId, token, net, claimIds, sharesBps);
    }

    /// @dev Marks a bounty or fundraiser paid out, takes its whole pool and credits the fee;
    /// returns the currency and what is left to pay out (`net`), which is no longer owed:
    /// `_payOrCredit` owes back whatever it cannot deliver.
    function _closePool(uint256 bountyId, Bounty storage bounty) private returns (address token, uint256 net) {
        uint256 pool = bounty.total;
        if (pool == 0) revert NothingToAward(bountyId);

        bounty.status = Status.Awarded;
        bounty.total = 0;
        token = bounty.token;
        uint256 fee = pool * _feeBps / BPS;
        if (fee != 0) _credit(_feeRecipient, token, fee);
        emit Awarded(bountyId, pool, fee);
        net = pool - fee;
        if (token != address(0)) _tokenOwed[token] -= net;
    }

    /// @dev Pays each winner its share of `net`; the last takes the rounding dust. A payment
    /// that fails becomes a credit, so no winner can block the others.
    function _payWinners(
        uint256 bountyId,
        address token,
        uint256 net,
        uint256[] calldata claimIds,
        uint256[] calldata sharesBps
    ) private {
        uint256 remaining = net;
        uint256 last = claimIds.length - 1;
        for (uint256 i; i <= last; ++i) {
            uint256 amount = i == last ? remaining : net * sharesBps[i] / BPS;
            // Cannot underflow: the shares sum to BPS, so the parts before the last sum to at most net.
            unchecked {
                remaining -= amount;
            }
            address hunter = _claimants[bountyId][claimIds[i]];
            emit WinnerPaid(bountyId, claimIds[i], hunter, amount);
            _payOrCredit(token, hunter, amount);
        }
    }

    /// @dev Pushes a payout taken off the owed books by `_closePool`; a push that fails is
    /// owed again, as a credit the recipient withdraws. The gas check keeps a caller from
    /// starving a push into a credit.
    function _payOrCredit(address token, address to, uint256 amount) private {
        if (amount == 0) return;
        if (gasleft() < MIN_GAS_PER_PAYOUT) revert InsufficientGasForPayout(gasleft(), MIN_GAS_PER_PAYOUT);
        if (!_tryPush(token, to, amount)) {
            if (token != address(0)) _tokenOwed[token] += amount;
            _credit(to, token, amount);
        }
    }

    function _credit(address account, address token, uint256 amount) private {
        _credits[account][token] += amount;
        emit Credited(account, token, amount);
    }

    /// @dev Pays a winner without letting it block the award: ETH goes with a capped gas
    /// stipend and no copy of return data (a huge revert payload costs the escrow nothing);
    /// a token transfer that reverts or returns false reports failure instead of reverting.
    function _tryPush(address token, address to, uint256 amount) private returns (bool success) {
        if (token != address(0)) return IERC20(token).trySafeTransfer(to, amount);
        uint256 stipend = PAYOUT_GAS_STIPEND;
        assembly ("memory-safe") {
            success := call(stipend, to, amount, 0, 0, 0, 0)
        }
    }

    /// @dev Pays the caller of refund or withdraw, who pulls for itself: a failure reverts,
    /// leaving the pledge or credit in place.
    function _send(address token, address to, uint256 amount) private {
        if (token != address(0)) {
            _tokenOwed[token] -= amount;
            IERC20(token).safeTransfer(to, amount);
        } else if (!LowLevelCall.callNoReturn(to, amount, "")) {
            revert EtherTransferFailed(to, amount);
        }
    }
}
