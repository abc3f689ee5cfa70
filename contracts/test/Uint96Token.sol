// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice A COMP/UNI-style token whose balances are uint96: a transfer or mint that would take a balance above 2**96 - 1 reverts.
contract Uint96Token is ERC20 {
    constructor() ERC20("Uint96", "U96") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (to != address(0)) require(balanceOf(to) <= type(uint96).max, "Uint96: balance overflows 96 bits");
    }
}
