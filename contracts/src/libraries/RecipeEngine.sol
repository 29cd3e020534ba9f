// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {FHE, ebool, euint8, euint32, euint64} from "@fhevm/solidity/lib/FHE.sol";
import {Impl} from "@fhevm/solidity/lib/Impl.sol";
import {Op, RecipeKind, Comparator} from "../types/Program.sol";

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
                if (finalizes) {
                    slots[slot] = _allowBuyer(_allowThis(FHE.toBytes32(FHE.asEuint64(c.windowLength))), buyer);
                }
                slot += 1;
            } else if (kind == RecipeKind.SUM || kind == RecipeKind.MEAN) {
                _merge(slots, slot, _reduce(_copy(chunk), _add64), _add64, finalizes, buyer);
                slot += 1;
            } else if (kind == RecipeKind.MIN) {
                _merge(slots, slot, _reduce(_copy(chunk), _min64), _min64, finalizes, buyer);
                slot += 1;
            } else if (kind == RecipeKind.MAX) {
                _merge(slots, slot, _reduce(_copy(chunk), _max64), _max64, finalizes, buyer);
                slot += 1;
            } else if (kind == RecipeKind.COUNT_IF) {
                _merge(slots, slot, _count(chunk, op.cmp, op.a, op.b), _add32, finalizes, buyer);
                slot += 1;
            } else if (kind == RecipeKind.SUM_IF) {
                _merge(slots, slot, _sumIf(chunk, op.cmp, op.a, op.b), _add64, finalizes, buyer);
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
                _merge(slots, slot, _reduce(_copy(chunk), _add64), _add64, finalizes, buyer);
                _merge(slots, slot + 1, _reduce(_squares(chunk), _add64), _add64, finalizes, buyer);
                slot += 2;
            } else {
                // ALERT: does any reading satisfy the predicate?
                bytes32[] memory hits = new bytes32[](chunk.length);
                for (uint256 r; r < chunk.length; ++r) hits[r] = _predicate(chunk[r], op.cmp, op.a, op.b);
                _merge(slots, slot, _reduce(hits, _orBool), _orBool, finalizes, buyer);
                slot += 1;
            }
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
        return FHE.toBytes32(FHE.asEuint32(euint8.wrap(_reduce(ones, _add8))));
    }

    /// @dev select(c, x, 0) costs less than multiplying by the cast condition; one trivial zero serves the chunk.
    function _sumIf(bytes32[] memory chunk, uint8 cmp, uint64 a, uint64 b) private returns (bytes32) {
        euint64 zero = FHE.asEuint64(0);
        bytes32[] memory kept = new bytes32[](chunk.length);
        for (uint256 r; r < chunk.length; ++r) {
            ebool hit = ebool.wrap(_predicate(chunk[r], cmp, a, b));
            kept[r] = FHE.toBytes32(FHE.select(hit, euint64.wrap(chunk[r]), zero));
        }
        return _reduce(kept, _add64);
    }

    function _squares(bytes32[] memory chunk) private returns (bytes32[] memory squares) {
        squares = new bytes32[](chunk.length);
        for (uint256 r; r < chunk.length; ++r) {
            euint64 x = euint64.wrap(chunk[r]);
            squares[r] = FHE.toBytes32(FHE.mul(x, x));
        }
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

    /// @dev Balanced pairwise reduction in place: level by level, element i becomes combine(2i, 2i + 1); an odd last
    /// element is carried up. n - 1 operations, depth ceil(log2 n).
    function _reduce(
        bytes32[] memory values,
        function(bytes32, bytes32) returns (bytes32) combine
    ) private returns (bytes32) {
        uint256 width = values.length;
        while (width > 1) {
            uint256 half = width >> 1;
            for (uint256 i; i < half; ++i) values[i] = combine(values[2 * i], values[2 * i + 1]);
            if (width & 1 == 1) {
                values[half] = values[width - 1];
                width = half + 1;
            } else {
                width = half;
            }
        }
        return values[0];
    }

    function _copy(bytes32[] memory chunk) private pure returns (bytes32[] memory copy) {
        copy = new bytes32[](chunk.length);
        for (uint256 r; r < chunk.length; ++r) copy[r] = chunk[r];
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

    function _add64(bytes32 a, bytes32 b) private returns (bytes32) {
        return FHE.toBytes32(FHE.add(euint64.wrap(a), euint64.wrap(b)));
    }

    function _min64(bytes32 a, bytes32 b) private returns (bytes32) {
        return FHE.toBytes32(FHE.min(euint64.wrap(a), euint64.wrap(b)));
    }

    function _max64(bytes32 a, bytes32 b) private returns (bytes32) {
        return FHE.toBytes32(FHE.max(euint64.wrap(a), euint64.wrap(b)));
    }

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
