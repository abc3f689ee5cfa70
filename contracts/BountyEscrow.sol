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
import {IBountyEscrow} from "./interfaces/IBountyEscrow.sol";
import {IFundraising} from "./interfaces/IFundraising.sol";
import {ISignedActions} from "./interfaces/ISignedActions.sol";

/// @title BountyEscrow
/// @notice One contract holding every bounty. No owner, no upgrade, no pause, no sweep:
/// value leaves only to an awarded hunter, a fundraiser's beneficiary, a refunding funder, or
/// the fee recipient's fee.
contract BountyEscrow is IBountyEscrow, IFundraising, ISignedActions, IERC5267, ReentrancyGuardTransient, Nonces {
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
        if (bytes(uri).length == 0) revert EmptyURI();
        _checkDeadlineWindow(deadline);
        bool isToken = token != address(0);
        if (isToken && token.code.length == 0) revert NotATokenContract(token);

        // Cannot overflow: one id per transaction.
        unchecked {
            bountyId = ++_bountyCount;
        }
        Bounty storage bounty = _bounties[bountyId];
        // The deadline fits 40 bits: _checkDeadlineWindow bounds it by now + two years.
        bounty.issuer = msg.sender;
        bounty.deadline = uint40(deadline);
        if (isToken) {
            bounty.flags = FLAG_TOKEN;
            bounty.token = token;
        }
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
        if (msg.sender != _approverOf(bounty)) revert NotApprover(bountyId, msg.sender);
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
        if (status == Status.Awarded) revert AlreadyAwarded(bountyId);
        if (status == Status.Open) {
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
        if (bytes(uri).length == 0) revert EmptyURI();
        _checkDeadlineWindow(deadline);
        bool isToken = token != address(0);
        if (isToken && token.code.length == 0) revert NotATokenContract(token);

        // Cannot overflow: one id per transaction.
        unchecked {
            id = ++_bountyCount;
        }
        Bounty storage bounty = _bounties[id];
        bounty.issuer = msg.sender;
        bounty.deadline = uint40(deadline);
        bounty.flags = FLAG_FUNDRAISER | (isToken ? FLAG_TOKEN : 0) | (allOrNothing ? FLAG_ALL_OR_NOTHING : 0);
        if (isToken) bounty.token = token;
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
        // As for a winner: paid, no longer owed; a payment that fails is owed again as a credit.
        if (amount == 0) return 0;
        if (gasleft() < MIN_GAS_PER_PAYOUT) revert InsufficientGasForPayout(gasleft(), MIN_GAS_PER_PAYOUT);
        if (token != address(0)) _tokenOwed[token] -= amount;
        if (!_tryPush(token, beneficiary, amount)) {
            if (token != address(0)) _tokenOwed[token] += amount;
            _credit(beneficiary, token, amount);
        }
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
    /// returns the currency and what is left to pay out (`net`).
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
        // Winners are paid, no longer owed; a payment that fails is owed again as a credit.
        if (token != address(0)) _tokenOwed[token] -= net;
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
            if (amount == 0) continue;
            if (gasleft() < MIN_GAS_PER_PAYOUT) revert InsufficientGasForPayout(gasleft(), MIN_GAS_PER_PAYOUT);
            if (!_tryPush(token, hunter, amount)) {
                if (token != address(0)) _tokenOwed[token] += amount;
                _credit(hunter, token, amount);
            }
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
