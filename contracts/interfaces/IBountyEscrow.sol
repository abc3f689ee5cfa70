// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IBountyEscrow
/// @notice Crowdfunded bounties on open-source issues, held by the contract and nobody else.
/// Funders pledge ETH or one ERC-20 per bounty; hunters register solutions; the bounty's
/// approver awards one or several solutions and the pool goes to their hunters. A pledge
/// leaves the escrow only to an awarded hunter (less the immutable, capped protocol fee) or
/// back to the funder who made it.
/// @dev Times are unix seconds. A bounty is active while `block.timestamp < deadline`: pledges,
/// solutions and awards are accepted only then. A pledge unlocks at the deadline in force
/// when it was last added to (never later than the `maxUnlocksAt` its funder accepted); from
/// then on, unless the bounty was awarded, its funder may refund it. Every function costs
/// O(1) gas in the number of funders and solutions.
/// A bounty created through the review contract (`review()`, see IBountyReview) has that
/// contract as its approver: it awards only what its backers' review let through, and a
/// funder who objected to an award keeps its pledge out of it (see `pledgeOf`).
interface IBountyEscrow {
    /// @notice Where a bounty is in its life. Expiry is not a status: it follows from time.
    enum Status {
        Open,
        Awarded,
        Cancelled,
        // A proposed award is under backer review (see IBountyReview); appended, so the
        // values above keep their numbers. Pledges, solutions, cancellation and extensions
        // wait; refunds wait only for pledges locked when the award was proposed.
        UnderReview
    }

    /// @notice A bounty as the view functions return it.
    struct BountyInfo {
        address issuer;
        address approver;
        address token;
        uint64 deadline;
        Status status;
        uint256 claimCount;
        uint256 total;
    }

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice The constructor was given a fee rate above the hard cap.
    error FeeTooHigh(uint256 feeBps, uint256 maxFeeBps);
    /// @notice The constructor was given a fee rate but no one to receive the fee.
    error FeeRecipientMissing();
    /// @notice No bounty has this id.
    error UnknownBounty(uint256 bountyId);
    /// @notice The token address of a new bounty holds no contract code.
    error NotATokenContract(address token);
    /// @notice A bounty needs a metadata URI (the issue URL); a solution needs one too.
    error EmptyURI();
    /// @notice The deadline is not after the current block's timestamp.
    error DeadlineNotInFuture(uint64 deadline, uint256 currentTime);
    /// @notice The deadline is further away than `MAX_DEADLINE_DURATION`.
    error DeadlineTooFar(uint64 deadline, uint256 latestAllowed);
    /// @notice A deadline may only move later.
    error DeadlineNotExtended(uint256 bountyId, uint64 currentDeadline, uint64 requestedDeadline);
    /// @notice The bounty was awarded or cancelled already.
    error BountyNotOpen(uint256 bountyId, Status status);
    /// @notice The bounty's deadline has passed: it takes no more pledges, solutions or awards.
    error BountyExpired(uint256 bountyId, uint64 deadline);
    /// @notice Only the bounty's issuer may do this.
    error NotIssuer(uint256 bountyId, address caller);
    /// @notice Only the bounty's approver may do this.
    error NotApprover(uint256 bountyId, address caller);
    /// @notice A pledge must move a positive amount (after any token transfer fee).
    error ZeroAmount();
    /// @notice An ETH pledge must send exactly `amount` as value; a token pledge must send none.
    error WrongEtherValue(uint256 bountyId, uint256 expected, uint256 sent);
    /// @notice A bounty can hold at most 2^40 - 1 solutions.
    error TooManyClaims(uint256 bountyId);
    /// @notice An award names at least one claim, with one share per claim.
    error SharesLengthMismatch(uint256 claimCount, uint256 shareCount);
    /// @notice The claim does not exist on this bounty.
    error UnknownClaim(uint256 bountyId, uint256 claimId);
    /// @notice Every winner's share must be positive.
    error ZeroShare(uint256 bountyId, uint256 claimId);
    /// @notice The shares of an award must add up to exactly 10,000 basis points.
    error SharesDoNotSumToWhole(uint256 sumBps);
    /// @notice The bounty's pool is empty: there is nothing to award.
    error NothingToAward(uint256 bountyId);
    /// @notice The bounty was awarded, so its pledges were paid out and cannot be refunded.
    error AlreadyAwarded(uint256 bountyId);
    /// @notice The caller has no pledge on this bounty.
    error NothingToRefund(uint256 bountyId, address funder);
    /// @notice The pledge is locked until `unlocksAt` (the bounty is neither expired nor cancelled).
    error PledgeLocked(uint256 bountyId, uint64 unlocksAt);
    /// @notice The caller has no credit in this token.
    error NothingToWithdraw(address account, address token);
    /// @notice The award was sent with too little gas to give a winner its full payout attempt;
    /// without this check a caller could starve a payment on purpose to turn it into a credit.
    error InsufficientGasForPayout(uint256 gasLeft, uint256 required);
    /// @notice The escrow holds less of this token than it owes (the token's balances changed
    /// by themselves, e.g. a negative rebase): it takes no new pledges in it.
    error TokenBalanceShort(address token, uint256 balance, uint256 owed);
    /// @notice Sending ETH to the caller failed; its balance in the escrow is unchanged.
    error EtherTransferFailed(address to, uint256 amount);
    /// @notice The bounty's current deadline would lock the pledge later than its funder accepted.
    error LockTooLong(uint256 bountyId, uint64 unlocksAt, uint64 maxUnlocksAt);
    /// @notice Money cannot be sent to this address: the zero address, or the escrow and its
    /// review contract themselves (nothing could ever take it out again).
    error InvalidRecipient(address recipient);
    /// @notice A refund or withdrawal asked for more than the caller has (or for nothing).
    error AmountNotAvailable(uint256 requested, uint256 available);
    /// @notice A proposed award holds this pledge (it was locked when the award was proposed)
    /// until the proposal is settled, and at the latest until `refundableAt`.
    error ProposalPending(uint256 bountyId, uint64 refundableAt);
    /// @notice Only the escrow's review contract may call this.
    error NotReviewContract(address caller);
    /// @notice Only the fee recipient may withdraw the fees.
    error NotFeeRecipient(address caller);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice A bounty was created. `uriHash` is keccak256 of `uri`, indexed so that
    /// clients can find the bounties of one issue URL with a log filter.
    event BountyCreated(
        uint256 indexed bountyId,
        address indexed issuer,
        bytes32 indexed uriHash,
        address token,
        address approver,
        uint64 deadline,
        string uri
    );
    /// @notice `funder` added `amount` (as received by the escrow) to its pledge; the whole
    /// pledge is now locked until `unlocksAt`.
    event Pledged(uint256 indexed bountyId, address indexed funder, uint256 amount, uint64 unlocksAt);
    /// @notice `hunter` registered a solution (a pull request or commit URL) as claim `claimId`.
    event SolutionSubmitted(uint256 indexed bountyId, uint256 indexed claimId, address indexed hunter, string uri);
    /// @notice The bounty was awarded: `pool` left the bounty, `fee` of it to the fee recipient.
    /// On a reviewed bounty the pool excludes the pledges of funders who objected, unless the
    /// arbiter overruled them.
    event Awarded(uint256 indexed bountyId, uint256 pool, uint256 fee);
    /// @notice A winner's part of an award was sent to `hunter`.
    event WinnerPaid(uint256 indexed bountyId, uint256 indexed claimId, address indexed hunter, uint256 amount);
    /// @notice Sending a winner's part failed (the hunter reverted or ran out of gas): it was
    /// credited to `hunter` instead, for `withdraw`.
    event WinnerCredited(uint256 indexed bountyId, uint256 indexed claimId, address indexed hunter, uint256 amount);
    /// @notice `account` can now withdraw `amount` more of `token` (address(0) for ETH).
    event Credited(address indexed account, address indexed token, uint256 amount);
    /// @notice `account` pulled `amount` of its credit in `token`, sent to `to`.
    event Withdrawn(address indexed account, address indexed token, uint256 amount, address to);
    /// @notice `funder` took back `amount` of its pledge, sent to `to`.
    event Refunded(uint256 indexed bountyId, address indexed funder, uint256 amount, address to);
    /// @notice The fee recipient took `amount` of the fees accrued in `token`, sent to `to`.
    event FeesWithdrawn(address indexed token, uint256 amount, address to);
    /// @notice The issuer cancelled the bounty; every pledge is refundable at once.
    event Cancelled(uint256 indexed bountyId);
    /// @notice The issuer moved the deadline later; existing pledges keep their own lock.
    event DeadlineExtended(uint256 indexed bountyId, uint64 deadline);

    /*//////////////////////////////////////////////////////////////
                          STATE-CHANGING FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice Creates a bounty.
    /// @param token The ERC-20 pledged on this bounty, or address(0) for ETH.
    /// @param deadline When the bounty stops taking pledges, solutions and awards.
    /// @param approver Who may award; address(0) makes it the caller.
    /// @param uri The issue the bounty is for (its URL); emitted, not stored.
    /// @return bountyId The new bounty's id, counting from 1.
    function createBounty(address token, uint64 deadline, address approver, string calldata uri)
        external
        returns (uint256 bountyId);

    /// @notice Adds to the caller's pledge on an open, unexpired bounty and locks the whole
    /// pledge until the bounty's current deadline.
    /// @param bountyId The bounty.
    /// @param amount For ETH, must equal `msg.value`; for a token, the amount to transfer from
    /// the caller, who must have approved it.
    /// @param maxUnlocksAt The latest unlock time the funder accepts (the deadline it was
    /// shown): an extension mined just before the pledge cannot lock it longer.
    /// @return received The amount credited: for a token that takes a fee on transfer, what arrived.
    function pledge(uint256 bountyId, uint256 amount, uint64 maxUnlocksAt)
        external
        payable
        returns (uint256 received);

    /// @notice Registers a solution to an open, unexpired bounty; the caller is the hunter paid
    /// if it wins.
    /// @param bountyId The bounty.
    /// @param uri The solution (a pull request or commit URL); emitted, not stored.
    /// @return claimId The claim's id within the bounty, counting from 1.
    function submitSolution(uint256 bountyId, string calldata uri) external payable returns (uint256 claimId);

    /// @notice Awards the whole pool of an open, unexpired bounty to the named claims. Each
    /// hunter is paid directly; a payment that fails becomes a credit for `withdraw`.
    /// @param bountyId The bounty.
    /// @param claimIds The winning claims.
    /// @param sharesBps Each claim's share of the pool after the fee, in basis points,
    /// summing to 10,000.
    function award(uint256 bountyId, uint256[] calldata claimIds, uint256[] calldata sharesBps) external;

    /// @notice Returns the caller's whole pledge, once its lock ended or the bounty was cancelled,
    /// and only if the bounty did not award it (on a reviewed bounty, a funder who objected to
    /// the award keeps its pledge and refunds it at once).
    /// @param bountyId The bounty.
    /// @return amount The amount sent back.
    function refund(uint256 bountyId) external returns (uint256 amount);

    /// @notice As `refund`, for part of the pledge and to a recipient of the funder's choice
    /// (for a funder that cannot receive, or a token that caps each transfer).
    /// @param bountyId The bounty.
    /// @param amount How much of the pledge to take back; the rest keeps its lock.
    /// @param to Who receives it.
    function refundTo(uint256 bountyId, uint256 amount, address to) external;

    /// @notice Sends the caller its whole credit in `token` (address(0) for ETH).
    /// @param token The currency of the credit.
    /// @return amount The amount sent.
    function withdraw(address token) external returns (uint256 amount);

    /// @notice As `withdraw`, for part of the credit and to a recipient of the caller's choice.
    /// @param token The currency of the credit.
    /// @param amount How much to take.
    /// @param to Who receives it.
    function withdrawTo(address token, uint256 amount, address to) external;

    /// @notice Sends accrued fees to a recipient of the fee recipient's choice. Fee recipient only.
    /// @param token The currency (address(0) for ETH).
    /// @param amount How much to take, at most `feesAccrued(token)`.
    /// @param to Who receives it.
    function withdrawFees(address token, uint256 amount, address to) external;

    /// @notice Cancels an open bounty; every pledge becomes refundable at once. Issuer only.
    /// @param bountyId The bounty.
    function cancel(uint256 bountyId) external;

    /// @notice Moves the deadline of an open, unexpired bounty later. Pledges already made keep
    /// their lock; only later pledges are bound by the new deadline. Issuer only.
    /// @param bountyId The bounty.
    /// @param newDeadline The new deadline, later than the current one.
    function extendDeadline(uint256 bountyId, uint64 newDeadline) external;

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @notice The fee rate charged on awards, in basis points; fixed at deployment.
    function feeBps() external view returns (uint256);

    /// @notice Who is credited the fee; fixed at deployment.
    function feeRecipient() external view returns (address);

    /// @notice How many bounties exist; ids run from 1 to this number.
    function bountyCount() external view returns (uint256);

    /// @notice A bounty's state. Reverts with `UnknownBounty` for an id that does not exist.
    /// @param bountyId The bounty.
    function getBounty(uint256 bountyId) external view returns (BountyInfo memory);

    /// @notice A funder's outstanding pledge on a bounty and when it unlocks: zero once an award
    /// took it (a funder who objected to a reviewed award keeps its pledge).
    /// @param bountyId The bounty.
    /// @param funder The funder.
    function pledgeOf(uint256 bountyId, address funder) external view returns (uint256 amount, uint64 unlocksAt);

    /// @notice The hunter who registered a claim. Reverts with `UnknownClaim` if there is none.
    /// @param bountyId The bounty.
    /// @param claimId The claim.
    function claimant(uint256 bountyId, uint256 claimId) external view returns (address);

    /// @notice What the escrow owes in an ERC-20: outstanding pledges plus credits. Its balance
    /// of the token is at least this unless the token changed balances by itself.
    /// @param token The token (ETH is not tracked: returns 0).
    function tokenOwed(address token) external view returns (uint256);

    /// @notice What `account` can withdraw in `token` (address(0) for ETH).
    /// @param account The account.
    /// @param token The currency.
    function creditOf(address account, address token) external view returns (uint256);

    /// @notice Fees accrued in `token` (address(0) for ETH) that the fee recipient can withdraw.
    function feesAccrued(address token) external view returns (uint256);

    /// @notice The review contract this escrow deployed: the approver of every reviewed bounty.
    function review() external view returns (address);
}
