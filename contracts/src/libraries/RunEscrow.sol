// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IIoTDataMarketErrors, IIoTDataMarketEvents, RunEscrowInfo} from "../interfaces/IIoTDataMarket.sol";
import {DatasetId, RunId} from "../types/Ids.sol";

/// @title RunEscrow
/// @notice Pay per run. Buyers deposit ether into the market; starting a run locks the most its buyer agreed to pay
/// (the quote); each transaction the operator sends for the run (start, steps, noise) is reimbursed at its measured
/// gas times the operator's published gas price, capped so the relayer can never take the seller's share or more
/// than the quote; finishing pays the seller's per-run price and returns the rest to the buyer's balance. A run not
/// finished by its deadline can be cancelled by its buyer, who gets back everything not yet spent.
/// @dev A linked (external) library running in the market's storage (DELEGATECALL), which keeps the market under
/// EIP-170. Nothing here sends ether except {withdraw}; reimbursements and seller payments are credited to the
/// market's pull-payment ledger (`pending`), withdrawn through its nonReentrant `withdraw`.
library RunEscrow {
    /// @notice How long a run may take before its buyer may cancel it.
    uint64 internal constant RUN_TIME_LIMIT = 1 hours;

    /// @notice Gas of an operator's transaction outside the metered body: the 21,000 intrinsic gas, the call into
    /// this library, its storage writes and event. Calldata is counted per byte (16 gas, its most).
    uint256 internal constant TRANSACTION_OVERHEAD = 21_000 + 14_000;
    uint256 internal constant CALLDATA_GAS_PER_BYTE = 16;

    /// @notice The funds of one run.
    struct Lock {
        uint128 locked;
        uint128 spent;
        uint128 sellerShare;
        uint64 deadline;
        bool closed;
        address buyer;
        address seller;
    }

    /// @notice Every buyer's balance, every run's lock, each dataset's per-run price and the operator's gas price.
    struct Book {
        mapping(address buyer => uint256) balances;
        mapping(RunId => Lock) locks;
        mapping(DatasetId => uint128) runPrices;
        uint256 gasPrice;
    }

    /// @notice Adds `amount` to `buyer`'s balance; emits Deposited.
    function deposit(Book storage book, address buyer, uint256 amount) external {
        if (amount == 0) revert IIoTDataMarketErrors.InvalidAmount(amount);
        uint256 balance = book.balances[buyer] + amount;
        book.balances[buyer] = balance;
        emit IIoTDataMarketEvents.Deposited(buyer, amount, balance);
    }

    /// @notice Sends `amount` of the caller's unlocked balance to `to`; emits BalanceWithdrawn. The market calls it
    /// under its reentrancy guard; the balance is lowered before the ether leaves.
    function withdraw(Book storage book, address payable to, uint256 amount) external {
        uint256 balance = book.balances[msg.sender];
        if (amount == 0) revert IIoTDataMarketErrors.InvalidAmount(amount);
        if (amount > balance) revert IIoTDataMarketErrors.InsufficientBalance(msg.sender, balance, amount);
        book.balances[msg.sender] = balance - amount;
        emit IIoTDataMarketEvents.BalanceWithdrawn(msg.sender, to, amount, balance - amount);
        (bool sent, ) = to.call{value: amount}("");
        if (!sent) revert IIoTDataMarketErrors.WithdrawalFailed(to, amount);
    }

    /// @notice Sets the gas price operator transactions are reimbursed at (at most what they actually paid).
    function setGasPrice(Book storage book, uint256 gasPrice) external {
        book.gasPrice = gasPrice;
        emit IIoTDataMarketEvents.RunGasPriceChanged(gasPrice);
    }

    /// @notice Sets the seller's price per run on `datasetId`.
    function setRunPrice(Book storage book, DatasetId datasetId, uint128 price) external {
        book.runPrices[datasetId] = price;
        emit IIoTDataMarketEvents.RunPriceChanged(datasetId, price);
    }

    /// @notice Locks `maxPayment` of `buyer`'s balance for run `runId` on a dataset of `seller`; reverts when it is
    /// below the dataset's run price or above the balance. Every start path calls it in the same transaction.
    function lock(
        Book storage book,
        RunId runId,
        DatasetId datasetId,
        address buyer,
        address seller,
        uint256 maxPayment
    ) external {
        uint128 sellerShare = book.runPrices[datasetId];
        if (maxPayment < sellerShare) revert IIoTDataMarketErrors.PaymentBelowRunPrice(maxPayment, sellerShare);
        uint256 balance = book.balances[buyer];
        if (maxPayment > balance) revert IIoTDataMarketErrors.InsufficientBalance(buyer, balance, maxPayment);
        if (maxPayment > type(uint128).max) revert IIoTDataMarketErrors.InvalidAmount(maxPayment);
        book.balances[buyer] = balance - maxPayment;
        uint64 deadline = uint64(block.timestamp) + RUN_TIME_LIMIT;
        book.locks[runId] = Lock({
            locked: uint128(maxPayment),
            spent: 0,
            sellerShare: sellerShare,
            deadline: deadline,
            closed: false,
            buyer: buyer,
            seller: seller
        });
        emit IIoTDataMarketEvents.RunFundsLocked(runId, buyer, maxPayment, sellerShare, deadline);
    }

    /// @notice Reimburses `operator` (none when zero) for a transaction of run `runId` that has used
    /// `meteredGas` so far, capped by what the quote leaves after the seller's share; then, when the run
    /// `finished`, pays the seller's share and returns the rest to the buyer. Credits go to `pending`.
    function charge(
        Book storage book,
        mapping(address => uint256) storage pending,
        RunId runId,
        address operator,
        uint256 meteredGas,
        bool finished
    ) external {
        Lock storage funds = book.locks[runId];
        uint256 locked = funds.locked;
        uint256 spent = funds.spent;
        if (operator != address(0)) {
            uint256 price = book.gasPrice < tx.gasprice ? book.gasPrice : tx.gasprice;
            uint256 gas = meteredGas + TRANSACTION_OVERHEAD + CALLDATA_GAS_PER_BYTE * msg.data.length;
            uint256 cost = gas * price;
            uint256 left = locked - funds.sellerShare - spent;
            uint256 paid = cost < left ? cost : left;
            if (paid != 0) {
                spent += paid;
                funds.spent = uint128(spent);
                pending[operator] += paid;
            }
            emit IIoTDataMarketEvents.OperatorReimbursed(runId, operator, paid, cost);
        }
        if (finished) {
            funds.closed = true;
            uint256 sellerShare = funds.sellerShare;
            uint256 refund = locked - spent - sellerShare;
            if (sellerShare != 0) pending[funds.seller] += sellerShare;
            if (refund != 0) book.balances[funds.buyer] += refund;
            emit IIoTDataMarketEvents.RunSettled(runId, funds.seller, sellerShare, refund);
        }
    }

    /// @notice Cancels unfinished run `runId` for its buyer (the caller) once its deadline has passed: everything
    /// not spent on its transactions returns to the buyer's balance and the run can no longer advance.
    function cancel(Book storage book, RunId runId) external {
        Lock storage funds = book.locks[runId];
        if (funds.buyer != msg.sender) revert IIoTDataMarketErrors.NotRunBuyer(runId, msg.sender);
        if (funds.closed) revert IIoTDataMarketErrors.RunClosed(runId);
        if (block.timestamp <= funds.deadline) revert IIoTDataMarketErrors.RunNotOverdue(runId, funds.deadline);
        funds.closed = true;
        uint256 refund = uint256(funds.locked) - funds.spent;
        book.balances[msg.sender] += refund;
        emit IIoTDataMarketEvents.RunCancelled(runId, msg.sender, refund);
    }

    /// @notice Run `runId`'s funds.
    function info(Book storage book, RunId runId) external view returns (RunEscrowInfo memory) {
        Lock storage funds = book.locks[runId];
        return
            RunEscrowInfo({
                locked: funds.locked,
                spent: funds.spent,
                sellerShare: funds.sellerShare,
                deadline: funds.deadline,
                closed: funds.closed
            });
    }
}
