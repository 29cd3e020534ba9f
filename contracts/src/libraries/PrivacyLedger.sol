// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IIoTDataMarketErrors, IIoTDataMarketEvents} from "../interfaces/IIoTDataMarket.sol";
import {DatasetId, RunId} from "../types/Ids.sol";

/// @title PrivacyLedger
/// @notice Exact per-reading accounting of the ε one buyer has spent on one dataset: a segment tree over reading
/// indices [0, 2^40) with lazy range additions and range maxima. Charging a window adds its ε to every reading of
/// it in O(log N) storage writes; the charge is refused when the largest total in the window would exceed the
/// budget. Runs over disjoint windows never touch each other's readings (parallel composition); overlapping
/// windows add up where they overlap (sequential composition).
/// @dev Node `i` (root 1, children 2i and 2i + 1) covers a power-of-two range and stores
/// `pending << 128 | best`: `pending` was added to its whole range and not pushed down; `best` is the largest total
/// in its range counting its own `pending` but not its ancestors'. A linked (external) library.
library PrivacyLedger {
    /// @notice Reading indices the ledger covers: [0, 2^40).
    uint64 internal constant SPAN = uint64(1) << 40;

    uint256 private constant LOW = type(uint128).max;

    /// @notice One run's charge: its ε over its window, against the dataset's budget per reading.
    struct Charge {
        DatasetId datasetId;
        address buyer;
        RunId runId;
        uint64 fromIndex;
        uint64 toIndex;
        uint32 epsilon;
        uint32 budget;
    }

    /// @notice Charges a run's ε to its buyer's ledger on its dataset; reverts with PrivacyBudgetExceeded when a
    /// reading of the window would exceed the budget, emits PrivacyBudgetCharged otherwise. Every start path
    /// (direct, signed, scheduled) comes through here: there is no way around the budget.
    function chargeRun(mapping(uint256 => uint256) storage tree, Charge calldata run) external {
        uint256 spentAfter = charge(tree, run.fromIndex, run.toIndex, run.epsilon);
        if (spentAfter > run.budget) {
            revert IIoTDataMarketErrors.PrivacyBudgetExceeded(
                run.datasetId,
                run.buyer,
                spentAfter - run.epsilon,
                run.epsilon,
                run.budget
            );
        }
        emit IIoTDataMarketEvents.PrivacyBudgetCharged(
            run.datasetId,
            run.buyer,
            run.runId,
            run.fromIndex,
            run.toIndex,
            run.epsilon,
            spentAfter
        );
    }

    /// @notice Adds `epsilon` to every reading of [`from`, `to`) (from < to) and returns the largest total in it
    /// afterwards. The caller reverts when that exceeds the budget, which undoes the addition.
    function charge(
        mapping(uint256 => uint256) storage tree,
        uint64 from,
        uint64 to,
        uint256 epsilon
    ) public returns (uint256 spentAfter) {
        if (to > SPAN) revert IIoTDataMarketErrors.WindowBeyondLedger(to);
        return _add(tree, 1, 0, SPAN, from, to, epsilon);
    }

    /// @notice The largest total ε of a reading in [`from`, `to`) (0 when the range is empty).
    function spentOver(
        mapping(uint256 => uint256) storage tree,
        uint64 from,
        uint64 to
    ) external view returns (uint256) {
        if (to > SPAN) to = SPAN;
        if (from >= to) return 0;
        return _max(tree, 1, 0, SPAN, from, to);
    }

    function _add(
        mapping(uint256 => uint256) storage tree,
        uint256 node,
        uint256 lo,
        uint256 hi,
        uint256 from,
        uint256 to,
        uint256 epsilon
    ) private returns (uint256 inRange) {
        uint256 pending = tree[node] >> 128;
        if (from <= lo && hi <= to) {
            uint256 best = (tree[node] & LOW) + epsilon;
            tree[node] = ((pending + epsilon) << 128) | best;
            return best;
        }
        uint256 mid = (lo + hi) >> 1;
        if (from < mid) inRange = _add(tree, 2 * node, lo, mid, from, to, epsilon);
        if (to > mid) {
            uint256 right = _add(tree, 2 * node + 1, mid, hi, from, to, epsilon);
            if (right > inRange) inRange = right;
        }
        tree[node] = (pending << 128) | (pending + _childrenBest(tree, node));
        return pending + inRange;
    }

    function _childrenBest(mapping(uint256 => uint256) storage tree, uint256 node) private view returns (uint256) {
        uint256 left = tree[2 * node] & LOW;
        uint256 right = tree[2 * node + 1] & LOW;
        return left > right ? left : right;
    }

    function _max(
        mapping(uint256 => uint256) storage tree,
        uint256 node,
        uint256 lo,
        uint256 hi,
        uint256 from,
        uint256 to
    ) private view returns (uint256 inRange) {
        uint256 packed = tree[node];
        if (from <= lo && hi <= to) return packed & LOW;
        if (packed == 0) return 0;
        uint256 mid = (lo + hi) >> 1;
        if (from < mid) inRange = _max(tree, 2 * node, lo, mid, from, to);
        if (to > mid) {
            uint256 right = _max(tree, 2 * node + 1, mid, hi, from, to);
            if (right > inRange) inRange = right;
        }
        return (packed >> 128) + inRange;
    }
}
