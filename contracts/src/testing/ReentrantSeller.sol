// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IIoTDataMarket, DatasetParams} from "../interfaces/IIoTDataMarket.sol";
import {DatasetId} from "../types/Ids.sol";

/// @title ReentrantSeller
/// @notice Test-only: a seller (or buyer) whose `receive` tries to withdraw again, to show every payout is
/// re-entrancy safe.
/// Its `receive` therefore always reverts: it can only be paid through {withdrawTo}.
contract ReentrantSeller {
    IIoTDataMarket private immutable _market;

    constructor(IIoTDataMarket market) {
        _market = market;
    }

    /// @notice Creates a dataset owned by this contract.
    function createDataset(DatasetParams calldata params) external returns (DatasetId) {
        return _market.createDataset(params);
    }

    /// @notice Withdraws this contract's earnings.
    function withdraw() external {
        _market.withdraw();
    }

    /// @notice Withdraws this contract's earnings to `to`.
    function withdrawTo(address payable to) external {
        _market.withdrawTo(to);
    }

    /// @notice Deposits the ether sent into this contract's market balance (as a buyer).
    function deposit() external payable {
        _market.deposit{value: msg.value}();
    }

    /// @notice Withdraws `amount` of this contract's market balance; its `receive` then tries to re-enter.
    function withdrawBalance(uint256 amount) external {
        _market.withdrawBalance(amount);
    }

    /// @notice Calls the market with `data` as this contract (an operator's start or step, once granted the role).
    function execute(bytes calldata data) external {
        (bool ok, bytes memory reason) = address(_market).call(data);
        if (!ok) {
            assembly {
                revert(add(reason, 32), mload(reason))
            }
        }
    }

    receive() external payable {
        _market.withdraw();
    }
}
