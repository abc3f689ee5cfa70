// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ERC-792 arbitration standard, the parts the escrow uses.
/// @notice An arbitrator (Kleros, or any contract following ERC-792) takes disputes from
/// arbitrable contracts for a fee and calls them back with `rule` once it has decided.
interface IArbitrator {
    /// @notice A dispute was created for `arbitrable`.
    event DisputeCreation(uint256 indexed disputeID, IArbitrable indexed arbitrable);

    /// @notice Creates a dispute with `choices` possible rulings (0 always means "refused to
    /// arbitrate"); must be paid `arbitrationCost(extraData)` in ETH.
    function createDispute(uint256 choices, bytes calldata extraData) external payable returns (uint256 disputeID);

    /// @notice The fee for a dispute, in wei.
    function arbitrationCost(bytes calldata extraData) external view returns (uint256 cost);
}

/// @title ERC-792 arbitrable: what an arbitrator calls back.
interface IArbitrable {
    /// @notice `arbitrator` gave `ruling` on `disputeID`.
    event Ruling(IArbitrator indexed arbitrator, uint256 indexed disputeID, uint256 ruling);

    /// @notice Gives the ruling of a dispute; only the dispute's arbitrator may call it.
    function rule(uint256 disputeID, uint256 ruling) external;
}
