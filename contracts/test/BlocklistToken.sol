// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice A USDC-style token: a blocklisted address can neither send, receive, spend nor approve.
contract BlocklistToken is ERC20 {
    mapping(address account => bool) public isBlocklisted;

    constructor() ERC20("Blocklist USD", "BUSD") {}

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function blocklist(address account) external {
        isBlocklisted[account] = true;
    }

    function unblocklist(address account) external {
        isBlocklisted[account] = false;
    }

    function approve(address spender, uint256 value) public override returns (bool) {
        _notBlocklisted(msg.sender);
        _notBlocklisted(spender);
        return super.approve(spender, value);
    }

    function _update(address from, address to, uint256 value) internal override {
        _notBlocklisted(msg.sender);
        _notBlocklisted(from);
        _notBlocklisted(to);
        super._update(from, to, value);
    }

    function _notBlocklisted(address account) private view {
        require(!isBlocklisted[account], "Blocklistable: account is blocklisted");
    }
}
