// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {FHE, ebool, euint8, euint32, euint64} from "@fhevm/solidity/lib/FHE.sol";
import {Impl} from "@fhevm/solidity/lib/Impl.sol";
import {IIoTDataMarketErrors} from "../interfaces/IIoTDataMarket.sol";
import {Op, RecipeKind, Comparator} from "../types/Program.sol";
import {EncryptedReduce} from "./EncryptedReduce.sol";
import {RecipeProgram} from "./RecipeProgram.sol";
import {RollupTree} from "./RollupTree.sol";

/// @title RecipeEngine
/// @notice The encrypted part of a recipe run: initialises a run's accumulators, folds chunks of readings into them
/// and finalises the results. A linked (external) library: its code runs in the market's context through
/// DELEGATECALL, so the market's readings are usable without any per-reading ACL grant, and accumulators and results
/// are the market's handles. It keeps the market under the EIP-170 size limit.
/// @dev Accumulator layout = result layout: one slot per result handle, in op order (README, "Result handles").
/// COUNT's slot and a HISTOGRAM's last slot stay empty until finalisation. Every chunk is reduced as a balanced
/// tree (n - 1 operations, depth ceil(log2 n)) and then merged with one operation: a running accumulator would hit
/// the 5M HCU depth limit after ~30 additions, the tree is bounded by the 20M total instead. Nothing here branches
/// on a ciphertext, and no handle is allowed to anyone but the market, except the final results to the buyer.
library RecipeEngine {
    /// @notice What one step consumes and what it finalises.
    /// @param from Index of the first reading of the chunk.
    /// @param n Number of readings in the chunk (the market bounds it by the program's max step size).
    /// @param finalizes Whether the chunk ends the run's window.
    /// @param windowLength The run's public window length (COUNT's result, the total of a HISTOGRAM).
    /// @param recipient The only account the results are allowed to: the buyer, or the market itself when the
    /// results still need noise (private datasets; {PrivacyNoise} releases them).
    struct Chunk {
        uint256 from;
        uint256 n;
        bool finalizes;
        uint64 windowLength;
        address recipient;
    }

    /// @notice Creates the accumulators of a new run as trivial encryptions (0, or 2^64 - 1 for MIN), so that every
    /// step has the same cost shape.
    function begin(bytes32[] storage slots, Op[] storage ops) external {
        for (uint256 i; i < ops.length; ++i) {
            uint8 kind = ops[i].kind;
            if (kind == RecipeKind.COUNT) {
                slots.push(bytes32(0));
            } else if (kind == RecipeKind.MIN) {
                slots.push(FHE.toBytes32(FHE.allowThis(FHE.asEuint64(type(uint64).max))));
            } else if (kind == RecipeKind.COUNT_IF) {
                slots.push(FHE.toBytes32(FHE.allowThis(FHE.asEuint32(0))));
            } else if (kind == RecipeKind.HISTOGRAM) {
                uint256 boundCount = ops[i].bounds.length;
                for (uint256 j; j < boundCount; ++j) {
                    slots.push(FHE.toBytes32(FHE.allowThis(FHE.asEuint32(0))));
                }
                slots.push(bytes32(0));
            } else if (kind == RecipeKind.ALERT) {
                slots.push(FHE.toBytes32(FHE.allowThis(FHE.asEbool(false))));
            } else {
                // SUM, MEAN, MAX, SUM_IF: one euint64 zero; VARIANCE: sum and sum of squares.
                slots.push(FHE.toBytes32(FHE.allowThis(FHE.asEuint64(0))));
                if (kind == RecipeKind.VARIANCE) slots.push(FHE.toBytes32(FHE.allowThis(FHE.asEuint64(0))));
            }
        }
    }

    /// @notice Folds readings [`c.from`, `c.from + c.n`) into the accumulators; when `c.finalizes`, turns them into
    /// the results and allows those to `c.recipient` alone.
    function step(
        bytes32[] storage slots,
        Op[] storage ops,
        mapping(uint256 => euint64) storage readings,
        Chunk memory c
    ) external {
        bool finalizes = c.finalizes;
        address buyer = c.recipient;
        bytes32[] memory chunk;
        uint256 slot;
        for (uint256 i; i < ops.length; ++i) {
            Op storage op = ops[i];
            uint8 kind = op.kind;
            if (kind != RecipeKind.COUNT && chunk.length == 0) chunk = _load(readings, c.from, c.n);

            if (kind == RecipeKind.COUNT) {
                if (finalizes) _finalizeCount(slots, slot, c);
                slot += 1;
            } else if (kind == RecipeKind.SUM || kind == RecipeKind.MEAN) {
                _merge(slots, slot, EncryptedReduce.reduce(EncryptedReduce.copy(chunk), EncryptedReduce.add64), EncryptedReduce.add64, finalizes, buyer);
                slot += 1;
            } else if (kind == RecipeKind.MIN) {
                _merge(slots, slot, EncryptedReduce.reduce(EncryptedReduce.copy(chunk), EncryptedReduce.min64), EncryptedReduce.min64, finalizes, buyer);
                slot += 1;
            } else if (kind == RecipeKind.MAX) {
                _merge(slots, slot, EncryptedReduce.reduce(EncryptedReduce.copy(chunk), EncryptedReduce.max64), EncryptedReduce.max64, finalizes, buyer);
                slot += 1;
            } else if (kind == RecipeKind.COUNT_IF) {
                _merge(slots, slot, _count(chunk, op.cmp, op.a, op.b), _add32, finalizes, buyer);
                slot += 1;
            } else if (kind == RecipeKind.SUM_IF) {
                _merge(slots, slot, _sumIf(chunk, op.cmp, op.a, op.b), EncryptedReduce.add64, finalizes, buyer);
                slot += 1;
            } else if (kind == RecipeKind.HISTOGRAM) {
                uint256 boundCount = op.bounds.length;
                for (uint256 j; j < boundCount; ++j) {
                    // Counts "x >= bound j" while stepping; finalisation turns them into bucket counts.
                    _merge(slots, slot + j, _count(chunk, Comparator.GE, op.bounds[j], 0), _add32, false, buyer);
                }
                if (finalizes) _finalizeHistogram(slots, slot, boundCount, c.windowLength, buyer);
                slot += boundCount + 1;
            } else if (kind == RecipeKind.VARIANCE) {
                _merge(slots, slot, EncryptedReduce.reduce(EncryptedReduce.copy(chunk), EncryptedReduce.add64), EncryptedReduce.add64, finalizes, buyer);
                _merge(slots, slot + 1, EncryptedReduce.reduce(EncryptedReduce.squares(chunk), EncryptedReduce.add64), EncryptedReduce.add64, finalizes, buyer);
                slot += 2;
            } else {
                // ALERT: does any reading satisfy the predicate?
                bytes32[] memory hits = new bytes32[](chunk.length);
                for (uint256 r; r < chunk.length; ++r) hits[r] = _predicate(chunk[r], op.cmp, op.a, op.b);
                _merge(slots, slot, EncryptedReduce.reduce(hits, _orBool), _orBool, finalizes, buyer);
                slot += 1;
            }
        }
    }

    /// @notice Folds blocks [`c.from`, `c.from + c.n`) of a rolled-up run into its accumulators from the dataset's
    /// rollups (see {RollupTree-serves}): a prefix difference per sum, the window's tree nodes per minimum or
    /// maximum. Finalises like {step}. Reverts when `c.n` is not whole blocks or the nodes exceed the HCU limit.
    function stepRolledUp(
        bytes32[] storage slots,
        Op[] storage ops,
        RollupTree.Tree storage tree,
        Chunk memory c
    ) external {
        uint64 blockSize = tree.blockSize;
        if (c.n % blockSize != 0) revert IIoTDataMarketErrors.RollupStepNotAligned(c.n, blockSize);
        uint256 a = c.from / blockSize;
        uint256 b = (c.from + c.n) / blockSize;
        bool finalizes = c.finalizes;
        uint256 hcu = RollupTree.stepHcu(ops, a, b, finalizes);
        if (hcu >= RecipeProgram.HCU_LIMIT) {
            revert IIoTDataMarketErrors.RollupStepTooLarge(c.n, hcu, RecipeProgram.HCU_LIMIT);
        }
        address buyer = c.recipient;
        uint256 slot;
        for (uint256 i; i < ops.length; ++i) {
            uint8 kind = ops[i].kind;
            if (kind == RecipeKind.COUNT) {
                if (finalizes) _finalizeCount(slots, slot, c);
            } else if (kind == RecipeKind.SUM || kind == RecipeKind.MEAN) {
                _merge(slots, slot, RollupTree.windowSum(tree.sumAt, a, b), EncryptedReduce.add64, finalizes, buyer);
            } else if (kind == RecipeKind.VARIANCE) {
                _merge(slots, slot, RollupTree.windowSum(tree.sumAt, a, b), EncryptedReduce.add64, finalizes, buyer);
                _merge(slots, slot + 1, RollupTree.windowSum(tree.squaresAt, a, b), EncryptedReduce.add64, finalizes, buyer);
            } else if (kind == RecipeKind.MIN) {
                _merge(slots, slot, EncryptedReduce.reduce(RollupTree.windowNodes(tree.minNodes, a, b), EncryptedReduce.min64), EncryptedReduce.min64, finalizes, buyer);
            } else {
                // MAX: {RollupTree-serves} admitted no other kind.
                _merge(slots, slot, EncryptedReduce.reduce(RollupTree.windowNodes(tree.maxNodes, a, b), EncryptedReduce.max64), EncryptedReduce.max64, finalizes, buyer);
            }
            slot += RecipeKind.resultWidth(kind, 0);
        }
    }

    // ----- chunk kernels -----

    function _load(
        mapping(uint256 => euint64) storage readings,
        uint256 from,
        uint256 n
    ) private view returns (bytes32[] memory chunk) {
        chunk = new bytes32[](n);
        for (uint256 r; r < n; ++r) chunk[r] = FHE.toBytes32(readings[from + r]);
    }

    /// @dev Predicate outcomes cast to euint8 (the cheapest adder) and summed as a tree; widened to euint32 for the
    /// merge. Callers keep chunks at most 255 readings long, so the euint8 sum cannot wrap.
    function _count(bytes32[] memory chunk, uint8 cmp, uint64 a, uint64 b) private returns (bytes32) {
        bytes32[] memory ones = new bytes32[](chunk.length);
        for (uint256 r; r < chunk.length; ++r) {
            ones[r] = FHE.toBytes32(FHE.asEuint8(ebool.wrap(_predicate(chunk[r], cmp, a, b))));
        }
        return FHE.toBytes32(FHE.asEuint32(euint8.wrap(EncryptedReduce.reduce(ones, _add8))));
    }

    /// @dev select(c, x, 0) costs less than multiplying by the cast condition; one trivial zero serves the chunk.
    function _sumIf(bytes32[] memory chunk, uint8 cmp, uint64 a, uint64 b) private returns (bytes32) {
        euint64 zero = FHE.asEuint64(0);
        bytes32[] memory kept = new bytes32[](chunk.length);
        for (uint256 r; r < chunk.length; ++r) {
            ebool hit = ebool.wrap(_predicate(chunk[r], cmp, a, b));
            kept[r] = FHE.toBytes32(FHE.select(hit, euint64.wrap(chunk[r]), zero));
        }
        return EncryptedReduce.reduce(kept, EncryptedReduce.add64);
    }

    /// @dev Scalar comparisons (cheaper than encrypted operands); BETWEEN is two comparisons and one ebool AND.
    function _predicate(bytes32 reading, uint8 cmp, uint64 a, uint64 b) private returns (bytes32) {
        euint64 x = euint64.wrap(reading);
        ebool hit;
        if (cmp == Comparator.GT) hit = FHE.gt(x, a);
        else if (cmp == Comparator.GE) hit = FHE.ge(x, a);
        else if (cmp == Comparator.LT) hit = FHE.lt(x, a);
        else if (cmp == Comparator.LE) hit = FHE.le(x, a);
        else hit = FHE.and(FHE.ge(x, a), FHE.le(x, b));
        return FHE.toBytes32(hit);
    }

    // ----- accumulators -----

    /// @dev One merge operation into the stored accumulator, then allowThis right after the write; on the final step
    /// the merged accumulator is a result and is also allowed to the buyer.
    function _merge(
        bytes32[] storage slots,
        uint256 slot,
        bytes32 chunkValue,
        function(bytes32, bytes32) returns (bytes32) combine,
        bool finalizes,
        address buyer
    ) private {
        bytes32 merged = combine(slots[slot], chunkValue);
        slots[slot] = merged;
        Impl.allow(merged, address(this));
        if (finalizes) Impl.allow(merged, buyer);
    }

    /// @dev While stepping, slot j holds count(x >= bound j). Buckets: [0] = windowLength - count(x >= b0),
    /// [j] = count(x >= b(j-1)) - count(x >= bj), [B] = count(x >= b(B-1)). Counts never exceed the window
    /// length and bounds increase strictly, so no subtraction wraps.
    function _finalizeHistogram(
        bytes32[] storage slots,
        uint256 first,
        uint256 boundCount,
        uint64 windowLength,
        address buyer
    ) private {
        slots[first + boundCount] = _allowBuyer(slots[first + boundCount - 1], buyer);
        for (uint256 j = boundCount - 1; j > 0; --j) {
            euint32 bucket = FHE.sub(euint32.wrap(slots[first + j - 1]), euint32.wrap(slots[first + j]));
            slots[first + j] = _allowBuyer(_allowThis(FHE.toBytes32(bucket)), buyer);
        }
        // Window lengths are capped at 2^32 - 1 when a run starts.
        euint32 below = FHE.sub(uint32(windowLength), euint32.wrap(slots[first]));
        slots[first] = _allowBuyer(_allowThis(FHE.toBytes32(below)), buyer);
    }

    /// @dev COUNT's result is the public window length, trivially encrypted.
    /// @dev COUNT's result is the public window length, trivially encrypted.
    function _finalizeCount(bytes32[] storage slots, uint256 slot, Chunk memory c) private {
        slots[slot] = _allowBuyer(_allowThis(FHE.toBytes32(FHE.asEuint64(c.windowLength))), c.recipient);
    }

    function _allowThis(bytes32 handle) private returns (bytes32) {
        Impl.allow(handle, address(this));
        return handle;
    }

    /// @dev Result handles are allowed to the buyer and to nobody else. Handles of several types share the slot
    /// array; ACL grants are type-agnostic.
    function _allowBuyer(bytes32 handle, address buyer) private returns (bytes32) {
        Impl.allow(handle, buyer);
        return handle;
    }

    // ----- typed combiners (the tree and the merge use the same operation) -----

    function _add8(bytes32 a, bytes32 b) private returns (bytes32) {
        return FHE.toBytes32(FHE.add(euint8.wrap(a), euint8.wrap(b)));
    }

    function _add32(bytes32 a, bytes32 b) private returns (bytes32) {
        return FHE.toBytes32(FHE.add(euint32.wrap(a), euint32.wrap(b)));
    }

    function _orBool(bytes32 a, bytes32 b) private returns (bytes32) {
        return FHE.toBytes32(FHE.or(ebool.wrap(a), ebool.wrap(b)));
    }
}
