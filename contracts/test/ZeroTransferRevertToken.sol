// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice An ERC-20 (LEND-style) that reverts on any transfer of 0 between two accounts.
contract ZeroTransferRevertToken is ERC20 {
    constructor() ERC20("Zero transfer reverts", "ZERO") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0) && to != address(0)) require(value != 0, "ZeroTransferRevert: zero amount");
        super._update(from, to, value);
    }
}
