// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IBountyEscrow} from "../interfaces/IBountyEscrow.sol";

/// @notice A contract account that acts as a funder or hunter and whose ETH receipt can be
/// scripted: accept, revert, or burn all the gas it is given.
contract ScriptedAccount {
    enum Mode {
        Accept,
        Revert,
        BurnGas
    }

    IBountyEscrow public immutable escrow;
    Mode public mode;

    constructor(IBountyEscrow escrow_) {
        escrow = escrow_;
    }

    function setMode(Mode mode_) external {
        mode = mode_;
    }

    function submitSolution(uint256 bountyId, string calldata uri) external returns (uint256) {
        return escrow.submitSolution(bountyId, uri);
    }

    function pledge(uint256 bountyId) external payable returns (uint256) {
        return escrow.pledge{value: msg.value}(bountyId, msg.value, type(uint64).max);
    }

    function refund(uint256 bountyId) external returns (uint256) {
        return escrow.refund(bountyId);
    }

    function withdraw(address token) external returns (uint256) {
        return escrow.withdraw(token);
    }

    receive() external payable {
        if (mode == Mode.Revert) revert("ScriptedAccount: refusing ETH");
        if (mode == Mode.BurnGas) {
            while (true) {}
        }
    }
}
