// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice A contract account (funder, hunter or approver) whose ETH receipt is hostile on demand: it reverts with a payload of any size, reenters the escrow, or writes storage slots.
contract HostileReceiver {
    enum Mode {
        Accept,
        RevertWithPayload,
        Reenter,
        ReenterThenAccept,
        WriteStorage
    }

    address public immutable escrow;

    // One slot, so that reading the configuration in receive() costs one cold SLOAD.
    Mode public mode;
    uint8 public slotsPerPayment;
    uint32 public payloadSize;

    /// @dev What the last reentry attempt did (kept in ReenterThenAccept mode only: in Reenter
    /// mode the failure is bubbled, which undoes any record).
    bool public lastReentrySucceeded;
    bytes4 public lastReentryError;
    uint32 public reentries;

    uint256 public reentryValue;
    bytes public reentryCall;
    /// @dev Written by WriteStorage: ledger[block.number * 256 + i] = msg.value for each slot i.
    mapping(uint256 key => uint256) public ledger;

    constructor(address escrow_) payable {
        escrow = escrow_;
    }

    function setMode(Mode mode_) external {
        mode = mode_;
    }

    /// @param size Bytes of revert data in RevertWithPayload mode.
    function setPayloadSize(uint32 size) external {
        payloadSize = size;
    }

    /// @param slots Fresh storage slots written per payment in WriteStorage mode (~22,100 gas each).
    function setSlotsPerPayment(uint8 slots) external {
        slotsPerPayment = slots;
    }

    /// @param value Wei sent along with the reentrant call.
    /// @param data Calldata of the call made to the escrow from receive() in the Reenter modes.
    function setReentry(uint256 value, bytes calldata data) external {
        reentryValue = value;
        reentryCall = data;
    }

    /// @notice Acts as this account: calls `target` with `value` and `data`, bubbling a revert.
    function execute(address target, uint256 value, bytes calldata data) external payable returns (bytes memory) {
        (bool ok, bytes memory result) = target.call{value: value}(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 0x20), mload(result))
            }
        }
        return result;
    }

    receive() external payable {
        Mode mode_ = mode;
        if (mode_ == Mode.RevertWithPayload) {
            uint256 size = payloadSize;
            assembly ("memory-safe") {
                revert(0, size)
            }
        }
        if (mode_ == Mode.Reenter || mode_ == Mode.ReenterThenAccept) {
            (bool ok, bytes memory result) = escrow.call{value: reentryValue}(reentryCall);
            if (mode_ == Mode.Reenter) {
                if (!ok) {
                    assembly ("memory-safe") {
                        revert(add(result, 0x20), mload(result))
                    }
                }
            } else {
                lastReentrySucceeded = ok;
                lastReentryError = result.length >= 4 ? bytes4(result) : bytes4(0);
                reentries += 1;
            }
        }
        if (mode_ == Mode.WriteStorage) {
            uint256 base = block.number * 256;
            for (uint256 i; i < slotsPerPayment; ++i) {
                ledger[base + i] = msg.value;
            }
        }
    }
}
