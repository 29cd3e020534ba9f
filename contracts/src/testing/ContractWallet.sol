// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title ContractWallet
/// @notice Test-only: a smart-contract account (ERC-1271) owned by one key. It buys access and signs run requests
/// like any buyer, except that its signatures are checked by asking it, not by recovering an address.
contract ContractWallet is IERC1271 {
    /// @notice The caller is not the wallet's owner.
    error NotOwner(address caller);

    address private immutable _owner;

    constructor(address owner_) {
        _owner = owner_;
    }

    /// @notice Calls `target` with `value` wei and `data` as this wallet; only the owner may.
    /// @param target The contract called.
    /// @param value Wei sent along (from the caller's payment or the wallet's balance).
    /// @param data The call data.
    /// @return result What the call returned.
    function execute(address target, uint256 value, bytes calldata data) external payable returns (bytes memory result) {
        if (msg.sender != _owner) revert NotOwner(msg.sender);
        bool ok;
        (ok, result) = target.call{value: value}(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 0x20), mload(result))
            }
        }
    }

    /// @inheritdoc IERC1271
    /// @dev Valid when the owner's key signed `hash` itself (no EIP-191 prefix: the hash is already EIP-712).
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        (address signer, ECDSA.RecoverError error, ) = ECDSA.tryRecover(hash, signature);
        return error == ECDSA.RecoverError.NoError && signer == _owner ? IERC1271.isValidSignature.selector : bytes4(0xffffffff);
    }

    receive() external payable {}
}
