// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IFundraising
/// @notice Goal-based fundraisers held by the same escrow as bounties, with the same rules
/// for the money: a pledge leaves only to the fundraiser's beneficiary (less the immutable,
/// capped fee) or back to the backer who made it.
/// @dev A fundraiser is a bounty record (same id space, same `pledge`, `refund`, `cancel`,
/// `pledgeOf` and `getBounty`) marked as a fundraiser, with a beneficiary and a goal. Its
/// kind, goal, deadline and beneficiary are fixed at creation: it takes no solutions, no
/// award and no deadline extension. Every pledge is locked until the deadline.
/// - All-or-nothing: from the deadline, if the total reached the goal, the raised total goes
///   to the beneficiary; otherwise every backer refunds its pledge.
/// - Flexible: from the deadline, whatever was raised goes to the beneficiary.
/// Anyone may trigger the payout (`withdrawRaised`); the money goes only to the beneficiary.
/// If nobody does within `FUNDRAISER_CLAIM_PERIOD` after the deadline, the payout lapses and
/// every backer may refund: nothing stays locked forever. The creator may cancel before the
/// deadline; every pledge is then refundable at once.
interface IFundraising {
    /// @notice A fundraiser as `getFundraiser` returns it. `status` is the shared bounty
    /// status: Open, Awarded (the raised total was paid to the beneficiary) or Cancelled.
    struct FundraiserInfo {
        address creator;
        address beneficiary;
        address token;
        uint256 goal;
        uint256 raised;
        uint64 deadline;
        uint64 claimDeadline;
        bool allOrNothing;
        uint8 status;
    }

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice The id is a bounty, not a fundraiser.
    error NotAFundraiser(uint256 id);
    /// @notice The id is a fundraiser: it takes no solutions, awards or deadline extensions.
    error NotABounty(uint256 id);
    /// @notice A fundraiser needs a beneficiary.
    error ZeroBeneficiary();
    /// @notice The beneficiary may not be the escrow or its review contract (nothing could take
    /// the money out again).
    error InvalidBeneficiary(address beneficiary);
    /// @notice An all-or-nothing fundraiser needs a positive goal.
    error ZeroGoal();
    /// @notice The fundraiser's deadline has not come: nothing can be paid out yet.
    error FundraiserNotEnded(uint256 id, uint64 deadline);
    /// @notice The fundraiser's deadline has passed: it can no longer be cancelled.
    error FundraiserEnded(uint256 id, uint64 deadline);
    /// @notice The all-or-nothing fundraiser missed its goal: backers refund instead.
    error GoalNotReached(uint256 id, uint256 raised, uint256 goal);
    /// @notice The beneficiary's claim period is over: backers refund instead.
    error ClaimPeriodOver(uint256 id, uint64 claimDeadline);
    /// @notice The fundraiser succeeded: its pledges go to the beneficiary. Backers may refund
    /// only if the raised total was not paid out by `refundableAt`.
    error FundsGoToBeneficiary(uint256 id, uint64 refundableAt);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice A fundraiser was created. `uriHash` is keccak256 of `uri` (the project's page).
    event FundraiserCreated(
        uint256 indexed id,
        address indexed beneficiary,
        bytes32 indexed uriHash,
        address creator,
        address token,
        uint256 goal,
        uint64 deadline,
        bool allOrNothing,
        string uri
    );
    /// @notice The raised total, less the fee, was sent to the beneficiary.
    event RaisedPaid(uint256 indexed id, address indexed beneficiary, uint256 amount);
    /// @notice Sending the raised total failed: it was credited to the beneficiary instead, for
    /// `withdraw`.
    event RaisedCredited(uint256 indexed id, address indexed beneficiary, uint256 amount);

    /*//////////////////////////////////////////////////////////////
                               FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice Creates a fundraiser; the caller is its creator (who alone may cancel it).
    /// @param beneficiary Who receives the raised total.
    /// @param token The ERC-20 pledged, or address(0) for ETH.
    /// @param goal The target in base units; all-or-nothing pays out only if reached.
    /// @param deadline When pledging stops and the outcome is decided.
    /// @param allOrNothing True: refunds if the goal is missed. False (flexible): the
    /// beneficiary takes whatever was raised.
    /// @param uri The project's page; emitted, not stored.
    /// @return id The fundraiser's id (shared with bounties).
    function createFundraiser(
        address beneficiary,
        address token,
        uint256 goal,
        uint64 deadline,
        bool allOrNothing,
        string calldata uri
    ) external returns (uint256 id);

    /// @notice Pays the raised total, less the fee, to the beneficiary: from the deadline,
    /// before the claim period ends, if the fundraiser is flexible or reached its goal.
    /// Anyone may call; the money goes only to the beneficiary.
    /// @param id The fundraiser.
    /// @return amount What the beneficiary received (or was credited).
    function withdrawRaised(uint256 id) external returns (uint256 amount);

    /// @notice A fundraiser's terms and state. Reverts with `NotAFundraiser` for a bounty.
    /// @param id The fundraiser.
    function getFundraiser(uint256 id) external view returns (FundraiserInfo memory);
}
