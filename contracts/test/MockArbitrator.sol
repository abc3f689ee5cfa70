// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IArbitrable, IArbitrator} from "../interfaces/IArbitrator.sol";

/// @notice An ERC-792 arbitrator for tests: charges `cost` per dispute, numbers disputes from
/// 0 as Kleros does, and rules when the test tells it to (calling the arbitrable back).
contract MockArbitrator is IArbitrator {
    struct Dispute {
        IArbitrable arbitrable;
        uint256 choices;
        bool ruled;
    }

    uint256 public cost;
    Dispute[] public disputes;
    /// @notice Hostile mode: rule (pay) from inside createDispute, before the escrow has the id.
    bool public ruleInsideCreate;
    /// @notice The extraData of the last dispute created (the court a bounty chose).
    bytes public lastExtraData;

    constructor(uint256 cost_) {
        cost = cost_;
    }

    function setCost(uint256 cost_) external {
        cost = cost_;
    }

    function setRuleInsideCreate(bool on) external {
        ruleInsideCreate = on;
    }

    function arbitrationCost(bytes calldata) external view returns (uint256) {
        return cost;
    }

    function createDispute(uint256 choices, bytes calldata extraData) external payable returns (uint256 disputeID) {
        require(msg.value >= cost, "fee too low");
        lastExtraData = extraData;
        disputeID = disputes.length;
        disputes.push(Dispute(IArbitrable(msg.sender), choices, false));
        emit DisputeCreation(disputeID, IArbitrable(msg.sender));
        if (ruleInsideCreate) IArbitrable(msg.sender).rule(disputeID, 1);
    }

    function disputeCount() external view returns (uint256) {
        return disputes.length;
    }

    /// @notice Gives the ruling: calls `rule` on the arbitrable that created the dispute.
    function giveRuling(uint256 disputeID, uint256 ruling) external {
        Dispute storage dispute = disputes[disputeID];
        dispute.ruled = true;
        dispute.arbitrable.rule(disputeID, ruling);
    }
}
