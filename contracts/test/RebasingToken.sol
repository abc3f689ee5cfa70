// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice A rebasing ERC-20 (stETH/AMPL-style): holders own shares, and every balance is shares times an index that anyone can change with `rebase`.
contract RebasingToken is ERC20 {
    uint256 public constant ONE = 1e18;
    uint256 public index = ONE;
    uint256 public totalShares;
    mapping(address account => uint256) public sharesOf;

    constructor() ERC20("Rebasing", "REBASE") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @param newIndex Balance per share, scaled by 1e18: below ONE shrinks every balance, above grows it.
    function rebase(uint256 newIndex) external {
        require(newIndex != 0, "Rebasing: zero index");
        index = newIndex;
    }

    function balanceOf(address account) public view override returns (uint256) {
        return sharesOf[account] * index / ONE;
    }

    function totalSupply() public view override returns (uint256) {
        return totalShares * index / ONE;
    }

    /// @dev Moves `value` worth of shares at the current index (rounded down).
    function _update(address from, address to, uint256 value) internal override {
        uint256 shares = value * ONE / index;
        if (from == address(0)) {
            totalShares += shares;
        } else {
            uint256 held = sharesOf[from];
            if (held < shares) revert ERC20InsufficientBalance(from, balanceOf(from), value);
            sharesOf[from] = held - shares;
        }
        if (to == address(0)) totalShares -= shares;
        else sharesOf[to] += shares;
        emit Transfer(from, to, value);
    }
}
