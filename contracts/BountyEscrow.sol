// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {LowLevelCall} from "@openzeppelin/contracts/utils/LowLevelCall.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {IERC5267} from "@openzeppelin/contracts/interfaces/IERC5267.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {BountyReview} from "./BountyReview.sol";
import {IBountyEscrow} from "./interfaces/IBountyEscrow.sol";
import {IFundraising} from "./interfaces/IFundraising.sol";
import {IMilestones} from "./interfaces/IMilestones.sol";
import {IReviewHooks} from "./interfaces/IReviewHooks.sol";
import {ISignedActions} from "./interfaces/ISignedActions.sol";

/// @title BountyEscrow
/// @notice One contract holding every bounty. No owner, no upgrade, no pause, no sweep:
/// value leaves only to an awarded hunter, a fundraiser's beneficiary, a refunding funder, or
/// the fee recipient's fee.
/// @dev The backers' review of awards lives in its own contract, `BountyReview`, deployed by
/// this constructor: it decides, this contract keeps the money rules. It is the approver of
/// the bounties created through it and the only caller of the `IReviewHooks` functions, and
/// this contract never calls it.
contract BountyEscrow is IBountyEscrow, IFundraising, IMilestones, ISignedActions, IReviewHooks, IERC5267, ReentrancyGuardTransient {
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
    /// @notice The longest a proposed award holds a pledge, from the proposal: the longest
    /// review window (30 days), escalation period (7 days) and arbitration period (90 days).
    /// Pledges already unlocked when the award was proposed are not held at all.
    uint256 public constant MAX_REVIEW_HOLD = 127 days;
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
    uint8 private constant FLAG_BONDED = 8;
    /// @dev A reviewed milestone paid without some objectors' pledges: they may hold shares of
    /// the old ratio until they rejoin (`_rejoinShares`).
    uint8 private constant FLAG_REJOIN = 16;
    /// @dev Marks, in `_objectedIn`, an objector whose shares were rewritten after its round.
    uint32 private constant REJOINED = 1 << 31;
    /// @dev Scale of the slashed bonds owed per share (1e36: a share's part of a bond rounds
    /// away less than a wei even when a pool holds 1e36 shares).
    uint256 private constant SLASH_SCALE = 1e36;

    uint256 private immutable _feeBps;
    address private immutable _feeRecipient;
    address private immutable _review;
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
    /// slot 2: approver (160) | reviewRound (32) | proposedAt (40); the approver is written only
    ///         when it differs from the issuer, the round only on reviewed bounties
    /// slot 3: pool = total (low 128) | share supply (high 128): what the outstanding pledges
    ///         are worth, and the shares they hold; a pledge is worth total * shares / supply.
    ///         Packed by hand (`_total`, `_pool`, `_setPool`) so that a pledge or refund reads
    ///         and writes both with one access each. The two are equal
    ///         until a partial award takes part of the total.
    struct Bounty {
        address issuer;
        uint40 deadline;
        Status status;
        uint8 flags;
        uint40 claimCount;
        address token;
        address approver;
        uint32 reviewRound;
        uint40 proposedAt;
        uint256 pool;
    }

    /// @dev One slot: shares of the pool (216) | unlocksAt (40).
    struct Pledge {
        uint216 shares;
        uint40 unlocksAt;
    }

    /// @dev One slot: the hunter (160) | the bond the claim still holds (96).
    struct Claim {
        address hunter;
        uint96 bond;
    }

    /// @dev The terms only fundraisers have; kept out of `Bounty` so bounties pay nothing for them.
    struct Fundraiser {
        address beneficiary;
        uint256 goal;
    }

    uint256 private _bountyCount;
    mapping(uint256 bountyId => Bounty) private _bounties;
    mapping(uint256 bountyId => mapping(address funder => Pledge)) private _pledges;
    mapping(uint256 bountyId => mapping(uint256 claimId => Claim)) private _claims;
    mapping(address account => mapping(address token => uint256)) private _credits;
    /// @dev What the escrow owes in each ERC-20: outstanding pledges, credits and fees. Kept for
    /// tokens only (an ETH balance cannot shrink by itself), to refuse pledges into a token
    /// whose balance fell short of it (a negative rebase, a token that takes from holders).
    mapping(address token => uint256) private _tokenOwed;
    /// @dev Fees accrued per currency, stored plus one once a currency has seen a fee (ETH's
    /// from the constructor): a withdrawal leaves the 1, so a fee never writes a zero slot and
    /// the first award after a withdrawal costs what any award costs.
    mapping(address token => uint256) private _feesPlusOne;
    mapping(uint256 id => Fundraiser) private _fundraisers;
    /// @dev Reviewed bounties: the round in which each funder last objected, and, while a round
    /// is under review, the sum of the pledges withheld from it. (After an award that left
    /// them out, the bounty's total is exactly what the objectors may still refund.)
    mapping(uint256 bountyId => mapping(address funder => uint32 round)) private _objectedIn;
    mapping(uint256 bountyId => uint256) private _withheld;
    /// @dev Signed-solution nonces, 256 to a word (Uniswap permit2's unordered nonces).
    mapping(address hunter => mapping(uint256 word => uint256 bitmap)) private _nonceBitmap;
    /// @dev Bonded bounties: the bond each claim posts, fixed at creation; the slashed bonds
    /// owed per share so far (times SLASH_SCALE); and, per funder, what its shares were owed at
    /// its last settlement (MasterChef's reward debt), so a funder is owed only what was slashed
    /// while it held its shares.
    mapping(uint256 bountyId => uint256) private _bondOf;
    mapping(uint256 bountyId => uint256) private _slashedPerShare;
    mapping(uint256 bountyId => mapping(address funder => uint256)) private _slashedDebt;
    /// @dev Reviewed milestones that left objectors' pledges out, per round: the shares the
    /// round's objectors still hold at the old ratio (low 128) and the shares that replace them
    /// (high 128), handed out as each objector rejoins; and the slashed bonds per share when
    /// the round paid (bonded bounties), from which the new shares earn.
    mapping(uint256 bountyId => mapping(uint32 round => uint256)) private _rejoin;
    mapping(uint256 bountyId => mapping(uint32 round => uint256)) private _rejoinSlashed;

    /*//////////////////////////////////////////////////////////////
                               CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @param feeRecipient_ Who is credited the fee; may be address(0) only when the fee is 0.
    /// @param feeBps_ The fee on awards in basis points, at most `MAX_FEE_BPS`.
    constructor(address feeRecipient_, uint256 feeBps_) {
        if (feeBps_ > MAX_FEE_BPS) revert FeeTooHigh(feeBps_, MAX_FEE_BPS);
        if (feeBps_ != 0 && feeRecipient_ == address(0)) revert FeeRecipientMissing();
        if (feeRecipient_ == address(this)) revert InvalidRecipient(feeRecipient_);
        _feeBps = feeBps_;
        _feeRecipient = feeRecipient_;
        _cachedChainId = block.chainid;
        _cachedDomainSeparator = _buildDomainSeparator();
        _feesPlusOne[address(0)] = 1;
        _review = address(new BountyReview(this));
    }

    /// @dev The review contract's hooks refuse every other caller.
    modifier onlyReview() {
        if (msg.sender != _review) revert NotReviewContract(msg.sender);
        _;
    }

    /*//////////////////////////////////////////////////////////////
                        STATE-CHANGING FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IBountyEscrow
    function createBounty(address token, uint64 deadline, address approver, string calldata uri)
        external
        returns (uint256 bountyId)
    {
        bountyId = _createBounty(token, deadline, approver, uri, 0);
    }

    /// @inheritdoc IMilestones
    function createBondedBounty(address token, uint64 deadline, address approver, string calldata uri, uint96 bond)
        external
        returns (uint256 bountyId)
    {
        if (bond == 0) revert ZeroAmount();
        bountyId = _createBounty(token, deadline, approver, uri, FLAG_BONDED);
        _bondOf[bountyId] = bond;
        emit BondRequired(bountyId, bond);
    }

    function _createBounty(address token, uint64 deadline, address approver, string calldata uri, uint8 kindFlags)
        private
        returns (uint256 bountyId)
    {
        // The review contract proposes only for bounties made through it; as a plain approver
        // (or the escrow itself) it would never award, so refuse it here.
        if (approver == address(this) || approver == _review) revert InvalidRecipient(approver);
        Bounty storage bounty;
        (bountyId, bounty) = _newRecord(msg.sender, token, deadline, uri, kindFlags);
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
    function pledge(uint256 bountyId, uint256 amount, uint64 maxUnlocksAt)
        external
        payable
        nonReentrant
        returns (uint256 received)
    {
        received = _pledge(bountyId, _activeBounty(bountyId), amount, maxUnlocksAt);
    }

    /// @inheritdoc IBountyEscrow
    function submitSolution(uint256 bountyId, string calldata uri)
        external
        payable
        nonReentrant
        returns (uint256 claimId)
    {
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
        address approver = _approverOf(bounty);
        if (msg.sender != approver) revert NotApprover(bountyId, msg.sender);
        _checkShares(bountyId, bounty.claimCount, claimIds, sharesBps);
        _payWinners(bountyId, _closePool(bountyId, bounty, _total(bounty), 0), claimIds, sharesBps);
    }

    /// @inheritdoc IMilestones
    function awardPart(uint256 bountyId, uint256 partBps, uint256[] calldata claimIds, uint256[] calldata sharesBps)
        external
        nonReentrant
    {
        Bounty storage bounty = _activeBounty(bountyId);
        if (msg.sender != _approverOf(bounty)) revert NotApprover(bountyId, msg.sender);
        // A fraction, not an amount: a funder who refunds just before it (or pledges) changes
        // what the milestone pays, never what it costs the other funders per share.
        if (partBps == 0 || partBps >= BPS) revert InvalidPart(partBps);
        _checkShares(bountyId, bounty.claimCount, claimIds, sharesBps);
        // Rounded down: the winners never take more than their fraction. The shares stay, so
        // each one is now worth the same fraction less.
        uint256 pool = _total(bounty) * partBps / BPS;
        (uint256 net, uint256 fee) = _takeFromPool(bountyId, bounty, pool);
        emit PartAwarded(bountyId, partBps, pool, fee, _total(bounty));
        _payWinners(bountyId, net, claimIds, sharesBps);
    }

    /// @inheritdoc IMilestones
    function markSpam(uint256 bountyId, uint256 claimId) external nonReentrant {
        Bounty storage bounty = _activeBounty(bountyId);
        if (msg.sender != _approverOf(bounty)) revert NotApprover(bountyId, msg.sender);
        _markSpam(bountyId, bounty, claimId, msg.sender);
    }

    /// @dev Slashes a claim's bond to the funders; `approver` is whoever judged it spam.
    function _markSpam(uint256 bountyId, Bounty storage bounty, uint256 claimId, address approver) private {
        Claim storage claim = _claims[bountyId][claimId];
        uint256 bond = claim.bond;
        if (bond == 0) revert NoBond(bountyId, claimId);
        // The judge must gain nothing from calling a claim spam: the approver's and the
        // issuer's shares take no part of the bond (they are settled at the old rate first).
        address issuer = bounty.issuer;
        address token = bounty.token;
        uint256 approverShares = _rejoinShares(bountyId, bounty, approver);
        uint256 issuerShares = issuer == approver ? 0 : _rejoinShares(bountyId, bounty, issuer);
        (, uint256 supply) = _pool(bounty);
        uint256 sharing = supply - approverShares - issuerShares;
        // slither-disable-next-line incorrect-equality
        if (sharing == 0) revert NoFundersToPay(bountyId);
        _settleSlashed(bountyId, token, approver, approverShares, 0);
        if (issuerShares != 0) _settleSlashed(bountyId, token, issuer, issuerShares, 0);
        claim.bond = 0;
        // Rounded down: the funders' parts never sum to more than the bond.
        uint256 perShare = _slashedPerShare[bountyId] + bond * SLASH_SCALE / sharing;
        _slashedPerShare[bountyId] = perShare;
        _slashedDebt[bountyId][approver] = _slashedDebtAt(approverShares, perShare);
        if (issuerShares != 0) _slashedDebt[bountyId][issuer] = _slashedDebtAt(issuerShares, perShare);
        emit BondSlashed(bountyId, claimId, claim.hunter, bond);
    }

    /// @inheritdoc IMilestones
    function withdrawBond(uint256 bountyId, uint256 claimId) external nonReentrant returns (uint256 amount) {
        Bounty storage bounty = _existingBounty(bountyId);
        if (bounty.status == Status.Open && block.timestamp < bounty.deadline) {
            revert BondLocked(bountyId, bounty.deadline);
        }
        Claim storage claim = _claims[bountyId][claimId];
        if (msg.sender != claim.hunter) revert NotClaimant(bountyId, claimId, msg.sender);
        amount = claim.bond;
        if (amount == 0) revert NoBond(bountyId, claimId);
        claim.bond = 0;
        emit BondReturned(bountyId, claimId, msg.sender, amount);
        _send(bounty.token, msg.sender, amount);
    }

    /// @inheritdoc IMilestones
    function claimSlashed(uint256 bountyId) external nonReentrant returns (uint256 amount) {
        Bounty storage bounty = _existingBounty(bountyId);
        uint256 shares = _rejoinShares(bountyId, bounty, msg.sender);
        amount = _settleSlashed(bountyId, bounty.token, msg.sender, shares, shares);
        // slither-disable-next-line incorrect-equality
        if (amount == 0) revert NothingToWithdraw(msg.sender, bounty.token);
    }

    /// @inheritdoc IBountyEscrow
    function refund(uint256 bountyId) external nonReentrant returns (uint256 amount) {
        amount = _refund(bountyId, type(uint256).max, msg.sender);
    }

    /// @inheritdoc IBountyEscrow
    function refundTo(uint256 bountyId, uint256 amount, address to) external nonReentrant {
        _refund(bountyId, amount, to);
    }

    /// @inheritdoc IBountyEscrow
    function withdraw(address token) external nonReentrant returns (uint256 amount) {
        amount = _withdraw(token, type(uint256).max, msg.sender);
    }

    /// @inheritdoc IBountyEscrow
    function withdrawTo(address token, uint256 amount, address to) external nonReentrant {
        _withdraw(token, amount, to);
    }

    /// @inheritdoc IBountyEscrow
    function withdrawFees(address token, uint256 amount, address to) external nonReentrant {
        if (msg.sender != _feeRecipient) revert NotFeeRecipient(msg.sender);
        _checkRecipient(to);
        uint256 plusOne = _feesPlusOne[token];
        uint256 available = plusOne == 0 ? 0 : plusOne - 1;
        if (amount == 0 || amount > available) revert AmountNotAvailable(amount, available);
        // Cannot underflow: amount <= plusOne - 1.
        unchecked {
            _feesPlusOne[token] = plusOne - amount;
        }
        emit FeesWithdrawn(token, amount, to);
        _send(token, to, amount);
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
        if (beneficiary == address(this) || beneficiary == _review) revert InvalidBeneficiary(beneficiary);
        if (allOrNothing && goal == 0) revert ZeroGoal();
        (id,) = _newRecord(
            msg.sender, token, deadline, uri, allOrNothing ? FLAG_FUNDRAISER | FLAG_ALL_OR_NOTHING : FLAG_FUNDRAISER
        );
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
        if (bounty.flags & FLAG_ALL_OR_NOTHING != 0 && _total(bounty) < fundraiser.goal) {
            revert GoalNotReached(id, _total(bounty), fundraiser.goal);
        }

        amount = _closePool(id, bounty, _total(bounty), 0);
        address beneficiary = fundraiser.beneficiary;
        if (_payOrCredit(bounty.token, beneficiary, amount)) emit RaisedPaid(id, beneficiary, amount);
        else emit RaisedCredited(id, beneficiary, amount);
    }

    /*//////////////////////////////////////////////////////////////
                      PERMIT AND SIGNED ACTIONS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ISignedActions
    function pledgeWithPermit(
        uint256 bountyId,
        uint256 amount,
        uint64 maxUnlocksAt,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant returns (uint256 received) {
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
        received = _pledge(bountyId, bounty, amount, maxUnlocksAt);
    }

    /// @inheritdoc ISignedActions
    function submitSolutionBySig(
        uint256 bountyId,
        string calldata uri,
        address hunter,
        uint256 nonce,
        uint256 expiry,
        bytes calldata signature
    ) external nonReentrant returns (uint256 claimId) {
        if (block.timestamp > expiry) revert SignatureExpired(expiry, block.timestamp);
        if (hunter == address(this) || hunter == _review) revert InvalidRecipient(hunter);
        bytes32 digest = MessageHashUtils.toTypedDataHash(
            _domainSeparatorV4(),
            keccak256(abi.encode(SUBMIT_SOLUTION_TYPEHASH, bountyId, keccak256(bytes(uri)), hunter, nonce, expiry))
        );
        // The key's own signature first, whether or not the address has code: an EIP-7702
        // delegated account is still its key's. Malformed and malleable (high-s) signatures do
        // not recover; then only a contract wallet's ERC-1271 answer can make them valid.
        // The third value only details a recover error, which is refused whatever it says.
        // slither-disable-next-line unused-return
        (address signer, ECDSA.RecoverError recoverError,) = ECDSA.tryRecoverCalldata(digest, signature);
        if (recoverError != ECDSA.RecoverError.NoError || signer != hunter) {
            if (hunter.code.length == 0 || !SignatureChecker.isValidERC1271SignatureNowCalldata(hunter, digest, signature))
            {
                revert WrongSigner(hunter, signer);
            }
        }
        _useNonce(hunter, nonce);
        claimId = _submit(bountyId, hunter, uri);
    }

    /// @inheritdoc ISignedActions
    function invalidateNonce(uint256 nonce) external {
        _useNonce(msg.sender, nonce);
    }

    /// @inheritdoc ISignedActions
    function nonceUsed(address hunter, uint256 nonce) external view returns (bool) {
        return _nonceBitmap[hunter][nonce >> 8] & (1 << (nonce & 0xff)) != 0;
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
                     REVIEW HOOKS (the review contract only)
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IReviewHooks
    function createReviewedBounty(address issuer, address token, uint64 deadline, string calldata uri, uint96 bond)
        external
        onlyReview
        returns (uint256 bountyId)
    {
        Bounty storage bounty;
        (bountyId, bounty) = _newRecord(issuer, token, deadline, uri, bond == 0 ? 0 : FLAG_BONDED);
        bounty.approver = _review;
        emit BountyCreated(bountyId, issuer, keccak256(bytes(uri)), token, _review, deadline, uri);
        if (bond != 0) {
            _bondOf[bountyId] = bond;
            emit BondRequired(bountyId, bond);
        }
    }

    /// @inheritdoc IReviewHooks
    function openReview(uint256 bountyId, uint256[] calldata claimIds, uint256[] calldata sharesBps)
        external
        onlyReview
        nonReentrant
        returns (uint32 round, uint256 total)
    {
        Bounty storage bounty = _activeBounty(bountyId);
        // Only bounties made through the review contract have it as approver.
        if (bounty.approver != _review) revert NotApprover(bountyId, msg.sender);
        _checkShares(bountyId, bounty.claimCount, claimIds, sharesBps);
        total = _total(bounty);
        if (total == 0) revert NothingToAward(bountyId);
        round = bounty.reviewRound + 1;
        bounty.reviewRound = round;
        bounty.proposedAt = uint40(block.timestamp);
        bounty.status = Status.UnderReview;
    }

    /// @inheritdoc IReviewHooks
    function withhold(uint256 bountyId, address funder) external onlyReview nonReentrant returns (uint256 weight) {
        Bounty storage bounty = _underReview(bountyId);
        uint256 shares = _rejoinShares(bountyId, bounty, funder);
        // `< 1` rather than `== 0`: slither's strict-equality check mistakes a pledge (credited
        // from a token's balance difference) for a balance; no balance is compared here.
        if (shares < 1) revert NoWeight(bountyId, funder);
        uint32 round = bounty.reviewRound;
        if (_objectedIn[bountyId][funder] == round) revert AlreadyObjected(bountyId, funder);
        _objectedIn[bountyId][funder] = round;
        // Withheld in shares: under review no pledge or award moves the ratio (a refund only
        // rounds in the pool's favour), so the weight is what the shares are worth now.
        _withheld[bountyId] += shares;
        (uint256 total, uint256 supply) = _pool(bounty);
        weight = shares * total / supply;
    }

    /// @inheritdoc IReviewHooks
    function closeReview(uint256 bountyId) external onlyReview nonReentrant {
        _underReview(bountyId).status = Status.Open;
        _clearWithheld(bountyId);
    }

    /// @inheritdoc IReviewHooks
    function settleReview(
        uint256 bountyId,
        uint256 partBps,
        uint256[] calldata claimIds,
        uint256[] calldata sharesBps,
        bool overruled
    ) external onlyReview nonReentrant returns (uint256 pool) {
        Bounty storage bounty = _underReview(bountyId);
        (uint256 total, uint256 supply) = _pool(bounty);
        // The arbiter ruled for the proposal: it takes the objectors' pledges too.
        uint256 withheldShares = overruled ? 0 : _withheld[bountyId];
        // What the withheld pledges are worth, rounded up: the objectors keep it (rounding
        // never favours a winner). Withheld shares are outstanding shares, so kept <= total.
        uint256 kept = withheldShares == 0 ? 0 : Math.mulDiv(withheldShares, total, supply, Math.Rounding.Ceil);
        // Rounded down, like awardPart: the winners never take more than their fraction.
        pool = (total - kept) * partBps / BPS;
        if (pool == 0) {
            bounty.status = Status.Open;
            _clearWithheld(bountyId);
            return 0;
        }
        // The claims were checked by openReview, and claims are never removed.
        if (partBps == BPS) {
            _payWinners(bountyId, _closePool(bountyId, bounty, pool, withheldShares), claimIds, sharesBps);
            return pool;
        }
        bounty.status = Status.Open;
        _clearWithheld(bountyId);
        (uint256 net, uint256 fee) = _takeFromPool(bountyId, bounty, pool);
        if (withheldShares != 0) {
            // The pledges that paid fell by the part; the withheld ones must not. Their shares
            // are rewritten at the new ratio, (total - kept - pool) / others, as each objector
            // rejoins: this round's record hands out `rejoined` for `withheldShares`. Rounded
            // down (in the pool's favour); the last to rejoin takes what is left. The divisor is
            // not 0: pool > 0 leaves others' value at least a unit above the part.
            uint256 others = supply - withheldShares;
            uint256 rejoined = Math.mulDiv(kept, others, total - kept - pool);
            uint32 round = bounty.reviewRound;
            _rejoin[bountyId][round] = uint256(rejoined.toUint128()) << 128 | withheldShares;
            uint256 perShare = _slashedPerShare[bountyId];
            if (perShare != 0) _rejoinSlashed[bountyId][round] = perShare;
            bounty.flags |= FLAG_REJOIN;
            _setPool(bounty, total - pool, others + rejoined);
        }
        emit PartAwarded(bountyId, partBps, pool, fee, total - pool);
        _payWinners(bountyId, net, claimIds, sharesBps);
    }

    /// @inheritdoc IReviewHooks
    function markSpamFor(uint256 bountyId, uint256 claimId, address judge) external onlyReview nonReentrant {
        Bounty storage bounty = _activeBounty(bountyId);
        if (bounty.approver != _review) revert NotApprover(bountyId, msg.sender);
        _markSpam(bountyId, bounty, claimId, judge);
    }

    /// @inheritdoc IReviewHooks
    function objection(uint256 bountyId, address funder) external view returns (uint32 objectedIn, uint32 round) {
        return (_objectedIn[bountyId][funder] & ~REJOINED, _bounties[bountyId].reviewRound);
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
    function review() external view returns (address) {
        return _review;
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
            total: _total(bounty)
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
            raised: _total(bounty),
            deadline: bounty.deadline,
            claimDeadline: uint64(bounty.deadline + FUNDRAISER_CLAIM_PERIOD),
            allOrNothing: bounty.flags & FLAG_ALL_OR_NOTHING != 0,
            status: uint8(bounty.status)
        });
    }

    /// @inheritdoc IBountyEscrow
    function pledgeOf(uint256 bountyId, address funder) external view returns (uint256 amount, uint64 unlocksAt) {
        // A pledge is worth its shares of what is left after partial awards.
        Bounty storage bounty = _bounties[bountyId];
        // An award took every pledge but those withheld from it by their funders' objections.
        if (bounty.status == Status.Awarded && !_withheldFromAward(bountyId, bounty, funder)) return (0, 0);
        (uint256 shares,,,) = _sharesNow(bountyId, bounty, funder);
        (uint256 total, uint256 supply) = _pool(bounty);
        // As a refund values it (see `_refund`).
        unchecked {
            amount = shares < supply ? shares * total / supply : total;
        }
        unlocksAt = _pledges[bountyId][funder].unlocksAt;
    }

    /// @inheritdoc IBountyEscrow
    function claimant(uint256 bountyId, uint256 claimId) external view returns (address hunter) {
        hunter = _claims[bountyId][claimId].hunter;
        if (hunter == address(0)) revert UnknownClaim(bountyId, claimId);
    }

    /// @inheritdoc IMilestones
    function bondOf(uint256 bountyId) external view returns (uint256) {
        return _bondOf[bountyId];
    }

    /// @inheritdoc IMilestones
    function claimBond(uint256 bountyId, uint256 claimId) external view returns (uint256) {
        return _claims[bountyId][claimId].bond;
    }

    /// @inheritdoc IMilestones
    function slashedOwed(uint256 bountyId, address funder) external view returns (uint256 owed) {
        (uint256 shares, uint256 held, uint32 round, uint256 record) = _sharesNow(bountyId, _bounties[bountyId], funder);
        uint256 debt = _slashedDebt[bountyId][funder];
        if (record != 0) {
            // As `_rejoinShares` settles it: the old shares until the round paid, the new since.
            uint256 base = _rejoinSlashed[bountyId][round];
            owed = _slashedSince(held, base, debt);
            debt = _slashedDebtAt(shares, base);
        }
        owed += _slashedSince(shares, _slashedPerShare[bountyId], debt);
    }

    /// @inheritdoc IMilestones
    function sharesOf(uint256 bountyId, address funder) external view returns (uint256 shares, uint256 supply) {
        Bounty storage bounty = _bounties[bountyId];
        (, supply) = _pool(bounty);
        (shares,,,) = _sharesNow(bountyId, bounty, funder);
    }

    /// @inheritdoc IBountyEscrow
    function tokenOwed(address token) external view returns (uint256) {
        return _tokenOwed[token];
    }

    /// @inheritdoc IBountyEscrow
    function creditOf(address account, address token) external view returns (uint256) {
        return _credits[account][token];
    }

    /// @inheritdoc IBountyEscrow
    function feesAccrued(address token) external view returns (uint256) {
        uint256 plusOne = _feesPlusOne[token];
        return plusOne == 0 ? 0 : plusOne - 1;
    }

    /*//////////////////////////////////////////////////////////////
                                INTERNAL
    //////////////////////////////////////////////////////////////*/

    /// @dev Adds to the caller's pledge on `bounty`, an active bounty or fundraiser (pulling the
    /// tokens from the caller, never from anyone else); the calling function holds the
    /// reentrancy guard and checked that the bounty is active.
    function _pledge(uint256 bountyId, Bounty storage bounty, uint256 amount, uint64 maxUnlocksAt)
        private
        returns (uint256 received)
    {
        if (amount == 0) revert ZeroAmount();
        // Read before the token transfer below calls out: the lock is the deadline in force now,
        // and never later than the funder accepted.
        uint40 unlocksAt = bounty.deadline;
        if (unlocksAt > maxUnlocksAt) revert LockTooLong(bountyId, unlocksAt, maxUnlocksAt);

        uint8 flags = bounty.flags;
        received = _receive(bountyId, bounty, flags, msg.sender, amount);

        // Shares at the current ratio, rounded down (a pledge never dilutes the others); while
        // no partial award has taken part of the pool, a share is worth one unit.
        (uint256 total, uint256 supply) = _pool(bounty);
        uint256 shares = supply == 0 ? received : received * supply / total;
        // `< 1` rather than `== 0`: slither's strict-equality check mistakes shares for a balance.
        if (shares < 1) revert ZeroAmount();
        Pledge storage funderPledge = _pledges[bountyId][msg.sender];
        uint256 held = flags & FLAG_REJOIN == 0 ? funderPledge.shares : _rejoinShares(bountyId, bounty, msg.sender);
        if (flags & FLAG_BONDED != 0) _settleSlashed(bountyId, bounty.token, msg.sender, held, held + shares);
        funderPledge.shares = (held + shares).toUint216();
        funderPledge.unlocksAt = unlocksAt;
        _setPool(bounty, total + received, supply + shares);
        emit Pledged(bountyId, msg.sender, received, unlocksAt);
    }

    /// @dev Takes `amount` of a bounty's currency from `from` (ETH: the call's value, sent by
    /// `from` itself) and returns what arrived: fee-on-transfer tokens deliver less.
    function _receive(uint256 bountyId, Bounty storage bounty, uint8 flags, address from, uint256 amount)
        private
        returns (uint256 received)
    {
        if (flags & FLAG_TOKEN != 0) {
            if (msg.value != 0) revert WrongEtherValue(bountyId, 0, msg.value);
            IERC20 token = IERC20(bounty.token);
            uint256 balanceBefore = token.balanceOf(address(this));
            uint256 owed = _tokenOwed[address(token)];
            if (balanceBefore < owed) revert TokenBalanceShort(address(token), balanceBefore, owed);
            token.safeTransferFrom(from, address(this), amount);
            uint256 balanceAfter = token.balanceOf(address(this));
            if (balanceAfter <= balanceBefore) revert ZeroAmount();
            received = balanceAfter - balanceBefore;
            _tokenOwed[address(token)] = owed + received;
        } else {
            if (from != msg.sender) revert RelayedBondNeedsToken(bountyId);
            if (msg.value != amount) revert WrongEtherValue(bountyId, amount, msg.value);
            received = amount;
        }
    }

    /// @dev Credits `funder` what the bonds slashed on the bounty owe its `shares` since its last
    /// settlement, and restarts its count at `newShares` (the shares it holds from now on).
    function _settleSlashed(uint256 bountyId, address token, address funder, uint256 shares, uint256 newShares)
        private
        returns (uint256 owed)
    {
        owed = _settleSlashedAt(bountyId, token, funder, shares, newShares, _slashedPerShare[bountyId]);
    }

    /// @dev As `_settleSlashed`, at the slashed bonds per share `perShare` (at most today's).
    function _settleSlashedAt(
        uint256 bountyId,
        address token,
        address funder,
        uint256 shares,
        uint256 newShares,
        uint256 perShare
    ) private returns (uint256 owed) {
        // slither-disable-next-line incorrect-equality
        if (perShare == 0) return 0;
        owed = _slashedSince(shares, perShare, _slashedDebt[bountyId][funder]);
        _slashedDebt[bountyId][funder] = _slashedDebtAt(newShares, perShare);
        if (owed != 0) {
            _credits[funder][token] += owed;
            emit SlashedBondsCredited(bountyId, funder, owed);
        }
    }

    /// @dev What `shares` are owed at `perShare` beyond their `debt`: the part rounded down, the
    /// debt rounded up (`_slashedDebtAt`), so a funder never takes a wei more than its exact
    /// share of the bonds slashed since it settled. A debt rounded up can exceed the part by
    /// under a wei until the next mark: then nothing is owed.
    function _slashedSince(uint256 shares, uint256 perShare, uint256 debt) private pure returns (uint256) {
        // mulDiv: a bond split among few shares makes `perShare` large enough that the product
        // overflows 256 bits, which would lock a large pledge's refund.
        uint256 part = Math.mulDiv(shares, perShare, SLASH_SCALE);
        return part > debt ? part - debt : 0;
    }

    /// @dev The debt that `shares` start from at `perShare`, rounded up. Rounded down, a funder
    /// who joined after a mark gained up to a wei per later mark, and several such funders
    /// together were owed more of a bond than was slashed (paid from other bounties' money).
    function _slashedDebtAt(uint256 shares, uint256 perShare) private pure returns (uint256) {
        return Math.mulDiv(shares, perShare, SLASH_SCALE, Math.Rounding.Ceil);
    }

    /// @dev Sends `amount` of the caller's pledge (all of it for type(uint256).max) to `to`,
    /// when the bounty's state lets that pledge go.
    function _refund(uint256 bountyId, uint256 amount, address to) private returns (uint256) {
        _checkRecipient(to);
        Bounty storage bounty = _existingBounty(bountyId);
        Pledge storage funderPledge = _pledges[bountyId][msg.sender];
        (uint256 shares, uint40 unlocksAt) = (funderPledge.shares, funderPledge.unlocksAt);
        uint8 flags = bounty.flags;
        if (flags & FLAG_REJOIN != 0) shares = _rejoinShares(bountyId, bounty, msg.sender);
        // slither-disable-next-line incorrect-equality
        if (shares == 0) revert NothingToRefund(bountyId, msg.sender);
        Status status = bounty.status;
        if (status == Status.Open) {
            if (block.timestamp < unlocksAt) revert PledgeLocked(bountyId, unlocksAt);
            if (flags & FLAG_FUNDRAISER != 0) _checkFundraiserRefundable(bountyId, bounty);
        } else if (status != Status.Cancelled) {
            _checkReviewReleases(bountyId, bounty, status, unlocksAt);
        }
        (uint256 total, uint256 supply) = _pool(bounty);
        // Rounded down, except that the last shares out (shares == supply; never more) take the
        // whole remainder: no dust stays. Cannot overflow or divide by zero: shares < supply <
        // 2**128 and total < 2**128.
        uint256 pledged;
        unchecked {
            pledged = shares < supply ? shares * total / supply : total;
        }
        if (amount == type(uint256).max) amount = pledged;
        // Shares that milestones left worth 0 wei may still leave (burned, nothing sent): else
        // two such holders would strand the pool's last wei, neither being the last shares out.
        // slither-disable-next-line incorrect-equality
        if (amount > pledged || (amount == 0 && pledged != 0)) revert AmountNotAvailable(amount, pledged);
        // A part burns its shares rounded up (in the pool's favour); while shares are units
        // (every bounty before a partial award) it burns exactly the amount.
        // slither-disable-next-line incorrect-equality
        uint256 burned = amount == pledged
            ? shares
            : supply == total ? amount : Math.mulDiv(amount, supply, total, Math.Rounding.Ceil);
        // The last funder cannot leave a remainder without shares behind.
        // slither-disable-next-line incorrect-equality
        if (burned == supply && amount != total) revert AmountNotAvailable(amount, pledged);
        if (flags & FLAG_BONDED != 0) _settleSlashed(bountyId, bounty.token, msg.sender, shares, shares - burned);

        // Cannot underflow: burned <= shares <= supply and amount <= pledged <= total; under
        // review, an objector's shares are part of the withheld sum.
        unchecked {
            // slither-disable-next-line incorrect-equality
            if (burned == shares) delete _pledges[bountyId][msg.sender];
            else funderPledge.shares = uint216(shares - burned);
            bounty.pool = (total - amount) | (supply - burned) << 128;
            // slither-disable-next-line incorrect-equality
            if (status == Status.UnderReview && _objectedIn[bountyId][msg.sender] == bounty.reviewRound) {
                _withheld[bountyId] -= burned;
            }
        }
        emit Refunded(bountyId, msg.sender, amount, to);
        if (amount != 0) _send(bounty.token, to, amount);
        return amount;
    }

    /// @dev A pledge on an awarded or reviewed bounty leaves only if the award did not take it
    /// (its funder objected and no arbiter overruled that), or if the live proposal does not
    /// hold it: it was unlocked when the award was proposed, or the hold is over.
    function _checkReviewReleases(uint256 bountyId, Bounty storage bounty, Status status, uint40 unlocksAt)
        private
        view
    {
        if (status == Status.Awarded) {
            if (!_withheldFromAward(bountyId, bounty, msg.sender)) revert AlreadyAwarded(bountyId);
        } else {
            uint40 proposedAt = bounty.proposedAt;
            uint64 refundableAt = uint64(proposedAt + MAX_REVIEW_HOLD);
            if (unlocksAt > proposedAt && block.timestamp < refundableAt) revert ProposalPending(bountyId, refundableAt);
        }
    }

    /// @dev Whether an awarded bounty's award left `funder`'s pledge out: the funder objected in
    /// the round that was awarded, and the award did not overrule the objections. An award
    /// leaves in the total exactly the pledges it left out (none when it overruled them), so a
    /// zero total means there are none.
    function _withheldFromAward(uint256 bountyId, Bounty storage bounty, address funder) private view returns (bool) {
        uint32 round = bounty.reviewRound;
        return round != 0 && _total(bounty) != 0 && _objectedIn[bountyId][funder] == round;
    }

    /// @dev A funder's shares at the current ratio. A reviewed milestone that paid without an
    /// objector's pledge left it holding shares of the old ratio until it rejoins: returns what
    /// they are now (`shares`), what is stored (`held`), and the objection round and its
    /// record when a rejoin is due (`record` 0: none).
    function _sharesNow(uint256 bountyId, Bounty storage bounty, address funder)
        private
        view
        returns (uint256 shares, uint256 held, uint32 round, uint256 record)
    {
        shares = held = _pledges[bountyId][funder].shares;
        // slither-disable-next-line incorrect-equality
        if (bounty.flags & FLAG_REJOIN == 0 || held == 0) return (shares, held, 0, 0);
        round = _objectedIn[bountyId][funder];
        // A rejoined funder's round carries REJOINED, which no record is kept under.
        record = _rejoin[bountyId][round];
        if (record == 0) return (shares, held, round, 0);
        uint256 oldLeft = uint128(record);
        // The last of the round's objectors takes what is left, so no share dangles.
        // slither-disable-next-line incorrect-equality
        shares = held == oldLeft ? record >> 128 : held * (record >> 128) / oldLeft;
    }

    /// @dev Rewrites a funder's shares at the current ratio (see `_sharesNow`) and returns them.
    function _rejoinShares(uint256 bountyId, Bounty storage bounty, address funder) private returns (uint256 shares) {
        uint256 held;
        uint32 round;
        uint256 record;
        (shares, held, round, record) = _sharesNow(bountyId, bounty, funder);
        // slither-disable-next-line incorrect-equality
        if (record == 0) return shares;
        // Cannot underflow: the round's objectors hold `oldLeft` shares between them, and each
        // takes its part of `newLeft` rounded down (the last, all of it).
        unchecked {
            _rejoin[bountyId][round] = ((record >> 128) - shares) << 128 | (uint128(record) - held);
        }
        _objectedIn[bountyId][funder] = round | REJOINED;
        // Its old shares earned the bonds slashed until the round paid (none were slashed while
        // it was under review); its new ones earn from then.
        if (bounty.flags & FLAG_BONDED != 0) {
            _settleSlashedAt(bountyId, bounty.token, funder, held, shares, _rejoinSlashed[bountyId][round]);
        }
        _pledges[bountyId][funder].shares = shares.toUint216();
    }

    function _withdraw(address token, uint256 amount, address to) private returns (uint256) {
        _checkRecipient(to);
        uint256 credit = _credits[msg.sender][token];
        if (amount == type(uint256).max) amount = credit;
        if (amount == 0 || amount > credit) {
            if (credit == 0) revert NothingToWithdraw(msg.sender, token);
            revert AmountNotAvailable(amount, credit);
        }
        // Cannot underflow: amount <= credit.
        unchecked {
            _credits[msg.sender][token] = credit - amount;
        }
        emit Withdrawn(msg.sender, token, amount, to);
        _send(token, to, amount);
        return amount;
    }

    /// @dev Marks `hunter`'s `nonce` used; each may be used once, in any order.
    function _useNonce(address hunter, uint256 nonce) private {
        uint256 bit = 1 << (nonce & 0xff);
        uint256 bitmap = _nonceBitmap[hunter][nonce >> 8];
        if (bitmap & bit != 0) revert NonceUsed(hunter, nonce);
        _nonceBitmap[hunter][nonce >> 8] = bitmap | bit;
        emit NonceInvalidated(hunter, nonce);
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
        uint256 bond = 0;
        if (flags & FLAG_BONDED != 0) {
            // Pulled from the hunter, whoever sends the claim (a relayer cannot spend its own).
            bond = _receive(bountyId, bounty, flags, hunter, _bondOf[bountyId]);
        } else if (msg.value != 0) {
            revert WrongEtherValue(bountyId, 0, msg.value);
        }
        // The bond fits 96 bits: at most the bond fixed at creation arrived.
        _claims[bountyId][claimId] = Claim(hunter, uint96(bond));
        emit SolutionSubmitted(bountyId, claimId, hunter, uri);
        if (bond != 0) emit BondPosted(bountyId, claimId, hunter, bond);
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
        if (bounty.flags & FLAG_ALL_OR_NOTHING != 0 && _total(bounty) < _fundraisers[id].goal) return;
        revert FundsGoToBeneficiary(id, refundableAt);
    }

    /// @dev Checks what every bounty and fundraiser needs and writes its first slot: the
    /// creator, the deadline and the flags (`kindFlags`, plus FLAG_TOKEN for an ERC-20).
    function _newRecord(address issuer, address token, uint64 deadline, string calldata uri, uint8 kindFlags)
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
        bounty.issuer = issuer;
        bounty.deadline = uint40(deadline);
        if (kindFlags != 0) {
            bounty.flags = kindFlags;
            if (kindFlags & FLAG_TOKEN != 0) bounty.token = token;
        }
    }

    /// @dev What a bounty's outstanding pledges are worth.
    function _total(Bounty storage bounty) private view returns (uint256) {
        return uint128(bounty.pool);
    }

    /// @dev A bounty's total and share supply, read with one access.
    function _pool(Bounty storage bounty) private view returns (uint256 total, uint256 supply) {
        uint256 pool = bounty.pool;
        (total, supply) = (uint128(pool), pool >> 128);
    }

    /// @dev Writes a bounty's total and share supply with one access; each must fit 128 bits.
    function _setPool(Bounty storage bounty, uint256 total, uint256 supply) private {
        bounty.pool = total.toUint128() | uint256(supply.toUint128()) << 128;
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

    function _underReview(uint256 bountyId) private view returns (Bounty storage bounty) {
        bounty = _existingBounty(bountyId);
        if (bounty.status != Status.UnderReview) revert BountyNotOpen(bountyId, bounty.status);
    }

    /// @dev A review that ends without an award withholds nothing any more.
    function _clearWithheld(uint256 bountyId) private {
        if (_withheld[bountyId] != 0) _withheld[bountyId] = 0;
    }

    function _approverOf(Bounty storage bounty) private view returns (address) {
        address approver = bounty.approver;
        return approver == address(0) ? bounty.issuer : approver;
    }

    /// @dev Money sent to the zero address, this escrow or its review contract could never leave.
    function _checkRecipient(address to) private view {
        if (to == address(0) || to == address(this) || to == _review) revert InvalidRecipient(to);
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

    /// @dev Marks a bounty or fundraiser paid out, takes `pool` out of it (the rest stays owed
    /// to the funders who withheld it, holding `keptShares`) and accrues the fee; returns what
    /// is left to pay out (`net`), which is no longer owed: `_payOrCredit` owes back whatever
    /// it cannot deliver.
    function _closePool(uint256 bountyId, Bounty storage bounty, uint256 pool, uint256 keptShares)
        private
        returns (uint256 net)
    {
        bounty.status = Status.Awarded;
        uint256 fee;
        (net, fee) = _takeFromPool(bountyId, bounty, pool);
        // What stays is only the pledges withheld from a reviewed award: their shares are the
        // only ones left, and they share what is left.
        bounty.pool = _total(bounty) | keptShares << 128;
        emit Awarded(bountyId, pool, fee);
    }

    /// @dev Takes `pool` out of a bounty's total and accrues the fee; returns what is left to
    /// pay out (`net`), no longer owed, and the fee.
    function _takeFromPool(uint256 bountyId, Bounty storage bounty, uint256 pool)
        private
        returns (uint256 net, uint256 fee)
    {
        if (pool == 0) revert NothingToAward(bountyId);
        // Cannot underflow: callers pass at most the total, which fits 128 bits.
        unchecked {
            bounty.pool -= pool;
        }
        address token = bounty.token;
        fee = pool * _feeBps / BPS;
        if (fee != 0) {
            uint256 plusOne = _feesPlusOne[token];
            _feesPlusOne[token] = (plusOne == 0 ? 1 : plusOne) + fee;
        }
        net = pool - fee;
        if (token != address(0)) _tokenOwed[token] -= net;
    }

    /// @dev Pays each winner its share of `net`; the last takes the rounding dust. A payment
    /// that fails becomes a credit, so no winner can block the others.
    function _payWinners(uint256 bountyId, uint256 net, uint256[] calldata claimIds, uint256[] calldata sharesBps)
        private
    {
        address token = _bounties[bountyId].token;
        uint256 remaining = net;
        uint256 last = claimIds.length - 1;
        for (uint256 i; i <= last; ++i) {
            uint256 amount = i == last ? remaining : net * sharesBps[i] / BPS;
            // Cannot underflow: the shares sum to BPS, so the parts before the last sum to at most net.
            unchecked {
                remaining -= amount;
            }
            address hunter = _claims[bountyId][claimIds[i]].hunter;
            if (_payOrCredit(token, hunter, amount)) emit WinnerPaid(bountyId, claimIds[i], hunter, amount);
            else emit WinnerCredited(bountyId, claimIds[i], hunter, amount);
        }
    }

    /// @dev Pushes a payout taken off the owed books by `_closePool`; a push that fails is
    /// owed again, as a credit the recipient withdraws. The gas check keeps a caller from
    /// starving a push into a credit. Returns whether the push went through (a zero amount
    /// counts as delivered).
    function _payOrCredit(address token, address to, uint256 amount) private returns (bool pushed) {
        if (amount == 0) return true;
        if (gasleft() < MIN_GAS_PER_PAYOUT) revert InsufficientGasForPayout(gasleft(), MIN_GAS_PER_PAYOUT);
        pushed = _tryPush(token, to, amount);
        if (!pushed) {
            if (token != address(0)) _tokenOwed[token] += amount;
            _credits[to][token] += amount;
            emit Credited(to, token, amount);
        }
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

    /// @dev Pays out a refund or withdrawal the owner pulls itself: a failure reverts, leaving
    /// the pledge or credit in place.
    function _send(address token, address to, uint256 amount) private {
        if (token != address(0)) {
            _tokenOwed[token] -= amount;
            IERC20(token).safeTransfer(to, amount);
        } else if (!LowLevelCall.callNoReturn(to, amount, "")) {
            revert EtherTransferFailed(to, amount);
        }
    }
}
