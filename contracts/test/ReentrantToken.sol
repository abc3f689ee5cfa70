// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice An ERC-20 with an ERC-777-style sender hook: before every transfer between two accounts it makes a configurable call (e.g. into the escrow), then either bubbles a failure of that call or records it and lets the transfer go through.
contract ReentrantToken is ERC20 {
    address public hookTarget;
    bytes public hookCall;
    bool public bubbleFailure;
    bool private _inHook;

    /// @dev What the last swallowed hook call did (only kept when `bubbleFailure` is off).
    uint256 public hookCalls;
    bool public lastHookSucceeded;
    bytes public lastHookResult;

    constructor() ERC20("Reentrant", "REENT") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @param target Called with `data` before each transfer; address(0) turns the hook off.
    /// @param bubble Revert the transfer with the call's revert data if the call fails.
    function setHook(address target, bytes calldata data, bool bubble) external {
        hookTarget = target;
        hookCall = data;
        bubbleFailure = bubble;
    }

    function _update(address from, address to, uint256 value) internal override {
        address target = hookTarget;
        if (target != address(0) && from != address(0) && to != address(0) && !_inHook) {
            _inHook = true;
            (bool ok, bytes memory result) = target.call(hookCall);
            _inHook = false;
            if (!ok && bubbleFailure) {
                assembly ("memory-safe") {
                    revert(add(result, 0x20), mload(result))
                }
            }
            hookCalls += 1;
            lastHookSucceeded = ok;
            lastHookResult = result;
        }
        super._update(from, to, value);
    }
}
