// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {FHE, euint64} from "@fhevm/solidity/lib/FHE.sol";
import {Impl} from "@fhevm/solidity/lib/Impl.sol";
import {IIoTDataMarketErrors, IIoTDataMarketEvents} from "../interfaces/IIoTDataMarket.sol";
import {DatasetId} from "../types/Ids.sol";
import {Op, RecipeKind} from "../types/Program.sol";
import {Rollup} from "../types/Rollup.sol";
import {EncryptedReduce} from "./EncryptedReduce.sol";
import {RecipeProgram} from "./RecipeProgram.sol";

/// @title RollupTree
/// @notice Encrypted aggregates a dataset keeps at ingestion (README, "Rollups"), so that a run over a window aligned
/// to its blocks combines a few stored values instead of every reading. Readings are grouped in blocks of
/// `blockSize`; the dataset's {Rollup} mask chooses what is kept:
///   SUM, SQUARES  the prefix sum Σx (Σx²) of all readings before every block boundary: a window's sum is one
///                 subtraction of two prefixes (exact mod 2^64, so wrapping prefixes do not matter)
///   MIN, MAX      a tree of fan-out {FAN_OUT}: level 0 holds each block's minimum (maximum), a node of level l + 1
///                 the minimum of its FAN_OUT children; a window of B blocks is at most 2 (FAN_OUT - 1) log_4 B nodes
/// A linked (external) library: it runs in the market's storage, and every handle it stores is allowed to the market
/// alone. On a private dataset readings are clamped before they are stored, so the rollups hold clamped values.
/// @dev Ingestion cost of a batch of n readings (HCU, see {ingestHcu}): SUM n adds (n - 1 for the dataset's first
/// batch), SQUARES n multiplications and as many adds, MIN and MAX one operation per reading, less one per block the
/// batch starts, plus FAN_OUT - 1 per tree node the batch completes above level 0. Every prefix chain stays far
/// below the 5M HCU depth limit because blocks hold at least 2 readings.
library RollupTree {
    /// @notice Children per node of the MIN and MAX trees.
    uint256 internal constant FAN_OUT = 4;
    /// @notice HCU of an euint64 subtraction (HCULimit.sol), the prefix difference of SUM and SQUARES.
    uint256 internal constant SUB64 = 162_000;

    struct Tree {
        uint8 kinds;
        uint64 blockSize;
        /// @dev Σx and Σx² of every reading appended so far; the minimum and maximum of the block being filled.
        euint64 sum;
        euint64 squares;
        euint64 openMin;
        euint64 openMax;
        /// @dev Block boundary b (b >= 1) => Σ of readings [0, b * blockSize).
        mapping(uint256 boundary => euint64) sumAt;
        mapping(uint256 boundary => euint64) squaresAt;
        /// @dev {_key}(level, index) => aggregate of blocks [index * FAN_OUT^level, (index + 1) * FAN_OUT^level).
        mapping(uint256 key => euint64) minNodes;
        mapping(uint256 key => euint64) maxNodes;
    }

    /// @notice Fixes a new dataset's rollups: `kinds` is 0 or holds SUM; blocks are `bucketSize` readings (2 when
    /// `bucketSize` is 1: one-reading blocks would chain 32 additions per batch past the depth limit). Emits
    /// RollupsChosen when there are rollups.
    function configure(Tree storage tree, DatasetId datasetId, uint8 kinds, uint64 bucketSize) external {
        if (kinds == 0) return;
        if (kinds & ~Rollup.ALL != 0 || kinds & Rollup.SUM == 0) revert IIoTDataMarketErrors.InvalidRollups(kinds);
        uint64 blockSize = bucketSize < 2 ? 2 : bucketSize;
        tree.kinds = kinds;
        tree.blockSize = blockSize;
        emit IIoTDataMarketEvents.RollupsChosen(datasetId, kinds, blockSize);
    }

    /// @notice Folds the `n` readings just stored from `first` on into the rollups ({ReadingLog} stores them, clamped
    /// into the private range on a private dataset, so the rollups hold what runs over readings would read).
    function rollUp(Tree storage tree, mapping(uint256 => euint64) storage readings, uint256 first, uint256 n) external {
        bytes32[] memory batch = new bytes32[](n);
        for (uint256 i; i < n; ++i) batch[i] = euint64.unwrap(readings[first + i]);
        _rollUp(tree, first, batch);
    }

    /// @notice Whether the rollups serve every op of `ops` over [`fromIndex`, `toIndex`): the window is aligned to
    /// the blocks and each op is COUNT or has its rollup (SUM, MEAN: SUM; VARIANCE: SUM and SQUARES; MIN; MAX).
    function serves(Tree storage tree, Op[] storage ops, uint64 fromIndex, uint64 toIndex) external view returns (bool) {
        uint8 kinds = tree.kinds;
        if (kinds == 0) return false;
        uint64 blockSize = tree.blockSize;
        if (fromIndex % blockSize != 0 || toIndex % blockSize != 0) return false;
        for (uint256 i; i < ops.length; ++i) {
            uint8 needed = neededRollups(ops[i].kind);
            if (needed == type(uint8).max || kinds & needed != needed) return false;
        }
        return true;
    }

    /// @notice The rollups an op of `kind` needs; type(uint8).max for kinds that need every reading.
    function neededRollups(uint8 kind) internal pure returns (uint8) {
        if (kind == RecipeKind.COUNT) return 0;
        if (kind == RecipeKind.SUM || kind == RecipeKind.MEAN) return Rollup.SUM;
        if (kind == RecipeKind.VARIANCE) return Rollup.SUM | Rollup.SQUARES;
        if (kind == RecipeKind.MIN) return Rollup.MIN;
        if (kind == RecipeKind.MAX) return Rollup.MAX;
        return type(uint8).max;
    }

    /// @notice Σ over blocks [a, b) from the prefixes of `prefixAt`: one subtraction, none from the first block.
    function windowSum(mapping(uint256 => euint64) storage prefixAt, uint256 a, uint256 b) internal returns (bytes32) {
        euint64 end = prefixAt[b];
        return euint64.unwrap(a == 0 ? end : FHE.sub(end, prefixAt[a]));
    }

    /// @notice The tree nodes covering blocks [a, b), greedily from the left: at each position the highest node that
    /// starts there and ends within the window. At most 2 (FAN_OUT - 1) per level.
    function windowNodes(
        mapping(uint256 => euint64) storage nodes,
        uint256 a,
        uint256 b
    ) internal view returns (bytes32[] memory found) {
        found = new bytes32[](nodeCount(a, b));
        uint256 count;
        while (a < b) {
            (uint256 level, uint256 span) = _largestNode(a, b);
            found[count++] = euint64.unwrap(nodes[_key(level, a / span)]);
            a += span;
        }
    }

    /// @notice How many nodes {windowNodes} combines for blocks [a, b).
    function nodeCount(uint256 a, uint256 b) internal pure returns (uint256 count) {
        while (a < b) {
            (, uint256 span) = _largestNode(a, b);
            a += span;
            ++count;
        }
    }

    /// @notice HCU of one rolled-up step over blocks [a, b) (see {RecipeEngine-stepRolledUp}):
    ///   COUNT      finalize: TRIVIAL
    ///   SUM, MEAN  (a > 0 ? SUB64 : 0) + ADD64          (prefix difference, merged into the accumulator)
    ///   VARIANCE   2 * ((a > 0 ? SUB64 : 0) + ADD64)
    ///   MIN, MAX   nodeCount(a, b) * MIN64 (MAX64)      (nodes - 1 as a tree, then 1 merge)
    function stepHcu(Op[] storage ops, uint256 a, uint256 b, bool finalizes) internal view returns (uint256 total) {
        uint256 difference = (a > 0 ? SUB64 : 0) + RecipeProgram.ADD64;
        for (uint256 i; i < ops.length; ++i) {
            uint8 kind = ops[i].kind;
            if (kind == RecipeKind.COUNT) total += finalizes ? RecipeProgram.TRIVIAL : 0;
            else if (kind == RecipeKind.SUM || kind == RecipeKind.MEAN) total += difference;
            else if (kind == RecipeKind.VARIANCE) total += 2 * difference;
            else if (kind == RecipeKind.MIN) total += nodeCount(a, b) * RecipeProgram.MIN64;
            else total += nodeCount(a, b) * RecipeProgram.MAX64;
        }
    }

    // ----- ingestion -----

    /// @dev Splits the batch at block boundaries; each part is reduced as a balanced tree and then merged.
    function _rollUp(Tree storage tree, uint256 first, bytes32[] memory batch) private {
        uint8 kinds = tree.kinds;
        uint256 blockSize = tree.blockSize;
        bytes32 sum = euint64.unwrap(tree.sum);
        bytes32 squares = euint64.unwrap(tree.squares);
        bool closed;
        uint256 start;
        while (start < batch.length) {
            uint256 index = first + start;
            uint256 offset = index % blockSize;
            uint256 end = start + blockSize - offset;
            if (end > batch.length) end = batch.length;
            closed = (first + end) % blockSize == 0;
            // A part that closes its block records prefixes at boundary blockIndex + 1.
            uint256 blockIndex = index / blockSize;
            bytes32[] memory part = EncryptedReduce.slice(batch, start, end);

            sum = _extend(sum, EncryptedReduce.reduce(EncryptedReduce.copy(part), EncryptedReduce.add64));
            if (closed) tree.sumAt[blockIndex + 1] = euint64.wrap(_allowThis(sum));
            if (kinds & Rollup.SQUARES != 0) {
                squares = _extend(squares, EncryptedReduce.reduce(EncryptedReduce.squares(part), EncryptedReduce.add64));
                if (closed) tree.squaresAt[blockIndex + 1] = euint64.wrap(_allowThis(squares));
            }
            if (kinds & Rollup.MIN != 0) {
                _extremum(tree.minNodes, tree, true, part, offset != 0, closed, blockIndex, EncryptedReduce.min64);
            }
            if (kinds & Rollup.MAX != 0) {
                _extremum(tree.maxNodes, tree, false, part, offset != 0, closed, blockIndex, EncryptedReduce.max64);
            }
            start = end;
        }
        // A prefix just recorded at a boundary is already allowed.
        tree.sum = euint64.wrap(closed ? sum : _allowThis(sum));
        if (kinds & Rollup.SQUARES != 0) tree.squares = euint64.wrap(closed ? squares : _allowThis(squares));
    }

    /// @dev The running prefix plus a part's sum; the dataset's first part starts it.
    function _extend(bytes32 running, bytes32 partSum) private returns (bytes32) {
        return running == bytes32(0) ? partSum : EncryptedReduce.add64(running, partSum);
    }

    /// @dev Folds a part into the block being filled (`continues`: the block began in an earlier batch); a closed
    /// block becomes a level-0 node and completes its ancestors.
    function _extremum(
        mapping(uint256 => euint64) storage nodes,
        Tree storage tree,
        bool isMin,
        bytes32[] memory part,
        bool continues,
        bool closed,
        uint256 blockIndex,
        function(bytes32, bytes32) returns (bytes32) combine
    ) private {
        bytes32 value = EncryptedReduce.reduce(EncryptedReduce.copy(part), combine);
        if (continues) value = combine(euint64.unwrap(isMin ? tree.openMin : tree.openMax), value);
        _allowThis(value);
        if (!closed) {
            if (isMin) tree.openMin = euint64.wrap(value);
            else tree.openMax = euint64.wrap(value);
            return;
        }
        nodes[_key(0, blockIndex)] = euint64.wrap(value);
        uint256 level;
        uint256 index = blockIndex;
        while (index % FAN_OUT == FAN_OUT - 1) {
            bytes32[] memory children = new bytes32[](FAN_OUT);
            for (uint256 c; c < FAN_OUT; ++c) {
                children[c] = euint64.unwrap(nodes[_key(level, index - (FAN_OUT - 1) + c)]);
            }
            ++level;
            index /= FAN_OUT;
            nodes[_key(level, index)] = euint64.wrap(_allowThis(EncryptedReduce.reduce(children, combine)));
        }
    }

    function _allowThis(bytes32 handle) private returns (bytes32) {
        Impl.allow(handle, address(this));
        return handle;
    }

    /// @dev The highest level whose node starts at block `a` and ends within `b`, and its span in blocks.
    function _largestNode(uint256 a, uint256 b) private pure returns (uint256 level, uint256 span) {
        span = 1;
        while (a % (span * FAN_OUT) == 0 && a + span * FAN_OUT <= b) {
            span *= FAN_OUT;
            ++level;
        }
    }

    function _key(uint256 level, uint256 index) private pure returns (uint256) {
        return (level << 128) | index;
    }
}
