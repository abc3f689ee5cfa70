// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice A token that refuses any single transfer of 2**96 or more (as tokens with
/// uint96 amounts or per-transfer limits do): a pledge or credit above that can only leave
/// in parts.
contract CappedTransferToken is ERC20 {
    uint256 public constant MAX_TRANSFER = type(uint96).max;

    constructor() ERC20("Capped", "CAP") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0)) require(value <= MAX_TRANSFER, "Capped: transfer above the per-transfer cap");
        super._update(from, to, value);
    }
}
