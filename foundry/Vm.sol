// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice The few Foundry cheatcodes these tests use (forge-std is not in any registry here).
/// Halmos answers the same address for `prank`, `warp`, `deal`, `assume`.
interface Vm {
    function warp(uint256 timestamp) external;
    function roll(uint256 blockNumber) external;
    function prank(address sender) external;
    function startPrank(address sender) external;
    function stopPrank() external;
    function deal(address account, uint256 balance) external;
    function assume(bool condition) external pure;
    function addr(uint256 privateKey) external pure returns (address);
    function sign(uint256 privateKey, bytes32 digest) external pure returns (uint8 v, bytes32 r, bytes32 s);
    function label(address account, string calldata name) external;
    function snapshotState() external returns (uint256 snapshotId);
    function revertToState(uint256 snapshotId) external returns (bool success);
}

/// @dev The cheatcode address: uint160(uint256(keccak256("hevm cheat code"))).
Vm constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);

/// @notice What forge reads from an invariant test to pick the contracts and calls to fuzz
/// (forge-std's StdInvariant, reduced to the parts used here).
abstract contract InvariantTest {
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    bool public constant IS_TEST = true;
    address[] private _targetContracts;
    FuzzSelector[] private _selectors;
    address[] private _targetSenders;

    function targetContracts() public view returns (address[] memory) {
        return _targetContracts;
    }

    function targetSelectors() public view returns (FuzzSelector[] memory) {
        return _selectors;
    }

    function targetSenders() public view returns (address[] memory) {
        return _targetSenders;
    }

    function _targetContract(address target) internal {
        _targetContracts.push(target);
    }

    function _targetSelectorsOf(address target, bytes4[] memory selectors) internal {
        _selectors.push(FuzzSelector(target, selectors));
    }

    function _targetSender(address sender) internal {
        _targetSenders.push(sender);
    }
}

/// @notice forge's console (shown with -vv): a static call to its address, which has no code.
library console {
    address private constant CONSOLE = 0x000000000000000000636F6e736F6c652e6c6f67;

    function log(string memory label, uint256 value) internal view {
        (bool ok,) = CONSOLE.staticcall(abi.encodeWithSignature("log(string,uint256)", label, value));
        ok;
    }
}
