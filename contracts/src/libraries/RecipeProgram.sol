// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IIoTDataMarketErrors} from "../interfaces/IIoTDataMarket.sol";
import {Op, RecipeKind, Comparator} from "../types/Program.sol";

/// @title RecipeProgram
/// @notice Validation and the HCU cost model of recipe programs. Pure: the market uses it to reject malformed
/// programs and to bound step sizes; the planner mirrors the same formulas off-chain.
/// @dev Prices are those of `@fhevm/host-contracts` HCULimit.sol (euint64 unless said). For n >= 1 readings:
///
///   COUNT      0 per step; finalize: TRIVIAL (the public window length, trivially encrypted)
///   SUM, MEAN  n * ADD64                       (balanced tree: n - 1 adds, then 1 merge into the accumulator)
///   MIN        n * MIN64
///   MAX        n * MAX64
///   COUNT_IF   n * (P + CAST) + (n - 1) * ADD8 + CAST + ADD32   (euint8 tree of casts, widened, merged in euint32)
///   SUM_IF     n * (P + SELECT) + TRIVIAL + n * ADD64          (select(c, x, 0) with one trivial zero per step)
///   HISTOGRAM  B * (n * (GE + CAST) + (n - 1) * ADD8 + CAST + ADD32) + finalize: TRIVIAL + B * SUB32
///   VARIANCE   n * (MUL64 + 2 * ADD64)         (sum and sum of squares)
///   ALERT      n * (P + OR_BOOL)
///
/// with P = GT 117000 | GE 116000 | LT 118000 | LE 119000 | BETWEEN GE + LE + AND_BOOL, scalar operands. The
/// HISTOGRAM finalisation costs one TRIVIAL more than "B subtractions": bucket 0 = windowLength - count(x >= b0)
/// subtracts from a trivially encrypted plaintext.
library RecipeProgram {
    /// @notice fhevm per-transaction HCU limit; HCULimit reverts once a transaction reaches it.
    uint256 internal constant HCU_LIMIT = 20_000_000;
    /// @notice Largest program.
    uint256 internal constant MAX_OPS = 8;
    /// @notice Largest number of histogram bounds.
    uint256 internal constant MAX_BOUNDS = 8;
    /// @notice Largest step of a program that counts into euint8 per chunk (COUNT_IF, HISTOGRAM).
    uint256 internal constant MAX_EUINT8_CHUNK = type(uint8).max;
    /// @notice Step bound of programs whose ops cost no HCU per reading (COUNT only): the rest of any window.
    uint256 internal constant UNBOUNDED_STEP = type(uint64).max;

    uint256 internal constant ADD64 = 162_000;
    uint256 internal constant MIN64 = 219_000;
    uint256 internal constant MAX64 = 218_000;
    uint256 internal constant MUL64 = 596_000;
    uint256 internal constant SELECT64 = 55_000;
    uint256 internal constant ADD8 = 88_000;
    uint256 internal constant ADD32 = 125_000;
    uint256 internal constant SUB32 = 125_000;
    uint256 internal constant AND_BOOL = 25_000;
    uint256 internal constant OR_BOOL = 24_000;
    uint256 internal constant CAST = 32;
    uint256 internal constant TRIVIAL = 32;
    uint256 internal constant GT64_SCALAR = 117_000;
    uint256 internal constant GE64_SCALAR = 116_000;
    uint256 internal constant LT64_SCALAR = 118_000;
    uint256 internal constant LE64_SCALAR = 119_000;

    /// @notice A program validated once and stored under its hash, with its step bounds precomputed.
    struct Stored {
        uint16 kinds;
        uint64 maxStep;
        uint64 maxFinalStep;
        Op[] ops;
    }

    /// @notice Validates `ops` and stores them with their step bounds, unless `stored` already holds a program
    /// (stored under the same hash, so the same ops).
    function store(Stored storage stored, Op[] calldata ops) public {
        if (stored.ops.length != 0) return;
        (uint16 kinds, ) = validate(ops);
        stored.kinds = kinds;
        stored.maxStep = uint64(maxStepSize(ops, false));
        stored.maxFinalStep = uint64(maxStepSize(ops, true));
        for (uint256 i; i < ops.length; ++i) stored.ops.push(ops[i]);
    }

    /// @notice Checks every rule of the program encoding (README, "Program encoding").
    /// @return kinds Bit mask of the recipe kinds the program uses.
    /// @return resultCount Number of result handles (= accumulator slots) of the program.
    function validate(Op[] calldata ops) public pure returns (uint16 kinds, uint256 resultCount) {
        uint256 length = ops.length;
        if (length == 0 || length > MAX_OPS) revert IIoTDataMarketErrors.InvalidProgramLength(length, MAX_OPS);
        for (uint256 i; i < length; ++i) {
            Op calldata op = ops[i];
            uint8 kind = op.kind;
            if (kind >= RecipeKind.KIND_COUNT) revert IIoTDataMarketErrors.UnknownRecipeKind(i, kind);
            if (RecipeKind.hasPredicate(kind)) {
                if (op.cmp >= Comparator.COMPARATOR_COUNT) revert IIoTDataMarketErrors.UnknownComparator(i, op.cmp);
                if (op.bounds.length != 0) revert IIoTDataMarketErrors.UnusedOpFieldSet(i);
                if (op.cmp == Comparator.BETWEEN) {
                    if (op.a > op.b) revert IIoTDataMarketErrors.InvalidBetweenRange(i, op.a, op.b);
                } else if (op.b != 0) {
                    revert IIoTDataMarketErrors.UnusedOpFieldSet(i);
                }
            } else {
                if (op.cmp != 0 || op.a != 0 || op.b != 0) revert IIoTDataMarketErrors.UnusedOpFieldSet(i);
                if (kind == RecipeKind.HISTOGRAM) {
                    _validateBounds(op.bounds, i);
                } else if (op.bounds.length != 0) {
                    revert IIoTDataMarketErrors.UnusedOpFieldSet(i);
                }
            }
            kinds |= uint16(1) << kind;
            resultCount += RecipeKind.resultWidth(kind, op.bounds.length);
        }
        uint256 smallest = stepHcu(ops, 1, true);
        if (smallest >= HCU_LIMIT) revert IIoTDataMarketErrors.ProgramExceedsHcuLimit(smallest);
    }

    /// @notice HCU of one step of `n` readings (see the formulas above); 0 when `n` is 0. Assumes a valid program.
    function stepHcu(Op[] calldata ops, uint256 n, bool finalizes) public pure returns (uint256 total) {
        if (n == 0) return 0;
        for (uint256 i; i < ops.length; ++i) {
            total += _opStepHcu(ops[i], n, finalizes);
        }
    }

    /// @notice Largest `n` with `stepHcu(ops, n, finalizes) < HCU_LIMIT`; see {IIoTDataMarket-maxStepSize}.
    /// @dev stepHcu is affine in n for n >= 1: stepHcu(n) = stepHcu(1) + (n - 1) * perReading.
    function maxStepSize(Op[] calldata ops, bool finalizes) public pure returns (uint256) {
        uint256 first = stepHcu(ops, 1, finalizes);
        if (first >= HCU_LIMIT) return 0;
        uint256 perReading = stepHcu(ops, 2, finalizes) - first;
        if (perReading == 0) return UNBOUNDED_STEP;
        uint256 largest = 1 + (HCU_LIMIT - 1 - first) / perReading;
        if (largest > MAX_EUINT8_CHUNK && _countsInEuint8(ops)) largest = MAX_EUINT8_CHUNK;
        return largest;
    }

    /// @notice HCU of evaluating comparator `cmp` on one euint64 against plaintext constants.
    function predicateHcu(uint8 cmp) internal pure returns (uint256) {
        if (cmp == Comparator.GT) return GT64_SCALAR;
        if (cmp == Comparator.GE) return GE64_SCALAR;
        if (cmp == Comparator.LT) return LT64_SCALAR;
        if (cmp == Comparator.LE) return LE64_SCALAR;
        return GE64_SCALAR + LE64_SCALAR + AND_BOOL; // BETWEEN
    }

    function _opStepHcu(Op calldata op, uint256 n, bool finalizes) private pure returns (uint256) {
        uint8 kind = op.kind;
        if (kind == RecipeKind.COUNT) return finalizes ? TRIVIAL : 0;
        if (kind == RecipeKind.SUM || kind == RecipeKind.MEAN) return n * ADD64;
        if (kind == RecipeKind.MIN) return n * MIN64;
        if (kind == RecipeKind.MAX) return n * MAX64;
        if (kind == RecipeKind.COUNT_IF) return _countHcu(predicateHcu(op.cmp), n);
        if (kind == RecipeKind.SUM_IF) return n * (predicateHcu(op.cmp) + SELECT64) + TRIVIAL + n * ADD64;
        if (kind == RecipeKind.HISTOGRAM) {
            uint256 boundCount = op.bounds.length;
            uint256 cost = boundCount * _countHcu(GE64_SCALAR, n);
            return finalizes ? cost + TRIVIAL + boundCount * SUB32 : cost;
        }
        if (kind == RecipeKind.VARIANCE) return n * (MUL64 + 2 * ADD64);
        return n * (predicateHcu(op.cmp) + OR_BOOL); // ALERT
    }

    /// @dev Counting n predicate outcomes: cast each ebool to euint8, add them as a tree, widen, merge in euint32.
    function _countHcu(uint256 predicate, uint256 n) private pure returns (uint256) {
        return n * (predicate + CAST) + (n - 1) * ADD8 + CAST + ADD32;
    }

    function _countsInEuint8(Op[] calldata ops) private pure returns (bool) {
        for (uint256 i; i < ops.length; ++i) {
            if (ops[i].kind == RecipeKind.COUNT_IF || ops[i].kind == RecipeKind.HISTOGRAM) return true;
        }
        return false;
    }

    function _validateBounds(uint64[] calldata bounds, uint256 opIndex) private pure {
        uint256 count = bounds.length;
        if (count == 0 || count > MAX_BOUNDS) revert IIoTDataMarketErrors.InvalidHistogramBounds(opIndex);
        for (uint256 j = 1; j < count; ++j) {
            if (bounds[j] <= bounds[j - 1]) revert IIoTDataMarketErrors.InvalidHistogramBounds(opIndex);
        }
    }
}
