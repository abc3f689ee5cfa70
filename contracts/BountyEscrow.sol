// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {LowLevelCall} from "@openzeppelin/contracts/utils/LowLevelCall.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IBountyEscrow} from "./interfaces/IBountyEscrow.sol";

/// @title BountyEscrow
/// @notice One contract holding every bounty. No owner, no upgrade, no pause, no sweep:
/// value leaves only to an awarded hunter, a refunding funder, or the fee recipient's fee.
contract BountyEscrow is IBountyEscrow, ReentrancyGuardTransient {
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

    uint256 private immutable _feeBps;
    address private immutable _feeRecipient;

    /*//////////////////////////////////////////////////////////////
                                 STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @dev Layout, chosen so that creating an ETH bounty writes one slot and an ETH pledge
    /// reads one:
    /// slot 0: issuer (160) | deadline (40) | status (8) | isToken (8) | claimCount (40)
    /// slot 1: token, written only for token bounties
    /// slot 2: approver, written only when it differs from the issuer
    /// slot 3: total, the sum of outstanding pledges
    struct Bounty {
        address issuer;
        uint40 deadline;
        Status status;
        bool isToken;
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
        bounty.isToken = isToken;
        if (isToken) bounty.token = token;
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
        Bounty storage bounty = _activeBounty(bountyId);
        if (amount == 0) revert ZeroAmount();
        // Read before the token transfer below calls out: the lock is the deadline in force now.
        uint40 unlocksAt = bounty.deadline;

        if (bounty.isToken) {
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

    /// @inheritdoc IBountyEscrow
    function submitSolution(uint256 bountyId, string calldata uri) external returns (uint256 claimId) {
        Bounty storage bounty = _activeBounty(bountyId);
        if (bytes(uri).length == 0) revert EmptyURI();
        claimId = uint256(bounty.claimCount) + 1;
        if (claimId > type(uint40).max) revert TooManyClaims(bountyId);

        bounty.claimCount = uint40(claimId);
        _claimants[bountyId][claimId] = msg.sender;
        emit SolutionSubmitted(bountyId, claimId, msg.sender, uri);
    }

    /// @inheritdoc IBountyEscrow
    function award(uint256 bountyId, uint256[] calldata claimIds, uint256[] calldata sharesBps)
        external
        nonReentrant
    {
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
        if (status == Status.Open && block.timestamp < funderPledge.unlocksAt) {
            revert PledgeLocked(bountyId, funderPledge.unlocksAt);
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
        bounty.status = Status.Cancelled;
        emit Cancelled(bountyId);
    }

    /// @inheritdoc IBountyEscrow
    function extendDeadline(uint256 bountyId, uint64 newDeadline) external nonReentrant {
        Bounty storage bounty = _activeBounty(bountyId);
        if (msg.sender != bounty.issuer) revert NotIssuer(bountyId, msg.sender);
        if (newDeadline <= bounty.deadline) revert DeadlineNotExtended(bountyId, bounty.deadline, newDeadline);
        _checkDeadlineWindow(newDeadline);
        bounty.deadline = uint40(newDeadline);
        emit DeadlineExtended(bountyId, newDeadline);
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
        uint256 pool = bounty.total;
        if (pool == 0) revert NothingToAward(bountyId);

        bounty.status = Status.Awarded;
        bounty.total = 0;
        address token = bounty.token;
        uint256 fee = pool * _feeBps / BPS;
        if (fee != 0) _credit(_feeRecipient, token, fee);
        emit Awarded(bountyId, pool, fee);

        _payWinners(bountyId, token, pool - fee, claimIds, sharesBps);
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
