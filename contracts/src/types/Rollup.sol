// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Rollup
/// @notice The encrypted aggregates a dataset may keep at ingestion, as bits of its `uint8` rollup mask (README,
/// "Rollups"). SUM serves SUM and MEAN, SUM with SQUARES serves VARIANCE, MIN and MAX serve their kinds.
library Rollup {
    /// @notice Prefix sums of the readings at every block boundary.
    uint8 internal constant SUM = 1;
    /// @notice Prefix sums of the squared readings at every block boundary.
    uint8 internal constant SQUARES = 2;
    /// @notice A tree of block minima.
    uint8 internal constant MIN = 4;
    /// @notice A tree of block maxima.
    uint8 internal constant MAX = 8;
    /// @notice Every rollup.
    uint8 internal constant ALL = 15;
}
