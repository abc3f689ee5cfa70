// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";

/// @notice Looks like an EIP-2612 token (an EIP-712 domain, DOMAIN_SEPARATOR, nonces) but has
/// another permit, as DAI does: the SDK must fall back to approve-then-pledge.
contract OtherPermitToken is ERC20, EIP712, Nonces {
    constructor() ERC20("Other permit", "OPT") EIP712("Other permit", "1") {}

    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @dev DAI's shape: allowed is all or nothing, no amount. Never called here.
    function permit(address, address, uint256, uint256, bool, uint8, bytes32, bytes32) external pure {
        revert("not EIP-2612");
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
