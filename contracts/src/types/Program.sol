// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice One aggregate operation of a recipe program (see `contracts/README.md`, "Program encoding").
/// @param kind A {RecipeKind} value; also the bit index in a dataset's approval mask.
/// @param cmp A {Comparator} value: the predicate of COUNT_IF, SUM_IF and ALERT; zero for other kinds.
/// @param epsilon The ε (in thousandths) the buyer spends on this statistic's noise on a private dataset; zero on
/// an exact dataset and for COUNT (whose result is the public window length).
/// @param a The predicate's constant (its lower bound for BETWEEN), in encoded units; zero for kinds without a predicate.
/// @param b The upper bound of BETWEEN (a <= b), in encoded units; zero otherwise.
/// @param bounds HISTOGRAM only: 1..8 strictly increasing bucket bounds in encoded units; empty otherwise.
struct Op {
    uint8 kind;
    uint8 cmp;
    uint32 epsilon;
    uint64 a;
    uint64 b;
    uint64[] bounds;
}

/// @title RecipeKind
/// @notice The recipe kinds a program may use. Each value is also its bit in a dataset's `uint16` approval mask.
library RecipeKind {
    uint8 internal constant COUNT = 0;
    uint8 internal constant SUM = 1;
    uint8 internal constant MEAN = 2;
    uint8 internal constant MIN = 3;
    uint8 internal constant MAX = 4;
    uint8 internal constant COUNT_IF = 5;
    uint8 internal constant SUM_IF = 6;
    uint8 internal constant HISTOGRAM = 7;
    uint8 internal constant VARIANCE = 8;
    uint8 internal constant ALERT = 9;

    /// @notice Number of kinds; every kind is below it.
    uint8 internal constant KIND_COUNT = 10;

    /// @notice Approval mask with every kind set.
    uint16 internal constant ALL = uint16((1 << KIND_COUNT) - 1);

    /// @notice Whether a kind compares each reading with a predicate (`cmp`, `a`, `b`).
    function hasPredicate(uint8 kind) internal pure returns (bool) {
        return kind == COUNT_IF || kind == SUM_IF || kind == ALERT;
    }

    /// @notice How many result handles an operation of this kind produces (`boundCount` is used by HISTOGRAM only).
    function resultWidth(uint8 kind, uint256 boundCount) internal pure returns (uint256) {
        if (kind == HISTOGRAM) return boundCount + 1;
        if (kind == VARIANCE) return 2;
        return 1;
    }
}

/// @title Comparator
/// @notice Predicates comparing an encrypted reading `x` with plaintext constants.
library Comparator {
    /// @notice x > a
    uint8 internal constant GT = 0;
    /// @notice x >= a
    uint8 internal constant GE = 1;
    /// @notice x < a
    uint8 internal constant LT = 2;
    /// @notice x <= a
    uint8 internal constant LE = 3;
    /// @notice a <= x <= b (inclusive)
    uint8 internal constant BETWEEN = 4;

    /// @notice Number of comparators; every comparator is below it.
    uint8 internal constant COMPARATOR_COUNT = 5;
}
