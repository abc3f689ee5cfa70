// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice A contract wallet standing in for a maintainers' Safe: its owner has it make any call.
contract MockSafe {
    address public immutable owner;

    constructor(address owner_) {
        owner = owner_;
    }

    function exec(address to, bytes calldata data) external returns (bytes memory result) {
        require(msg.sender == owner, "not the owner");
        bool ok;
        (ok, result) = to.call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 32), mload(result))
            }
        }
    }
}
