// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice How a dataset protects its readings (README, "Private datasets").
/// @param mode {PrivacyMode-EXACT} (results are exact; every other field zero) or {PrivacyMode-PRIVATE}.
/// @param lowerBound Smallest value a reading can take, in encoded units: readings are clamped into
/// [`lowerBound`, `upperBound`] when appended, which bounds what one reading can change in any statistic.
/// @param upperBound Largest value a reading can take, in encoded units (> `lowerBound`, at most
/// {PrivacyMode-MAX_BOUND}).
/// @param budget The most ε (in thousandths) any one reading may spend on one buyer, over all of that buyer's runs.
/// @param minEpsilon Smallest ε (thousandths) a buyer may choose for one statistic (>= 1).
/// @param maxEpsilon Largest ε (thousandths) a buyer may choose for one statistic (<= `budget`, at most
/// {PrivacyMode-MAX_EPSILON}).
struct PrivacyParams {
    uint8 mode;
    uint64 lowerBound;
    uint64 upperBound;
    uint32 budget;
    uint32 minEpsilon;
    uint32 maxEpsilon;
}

/// @title PrivacyMode
/// @notice The privacy modes of a dataset and their limits.
library PrivacyMode {
    /// @notice Results are exact; a determined buyer can learn the values of each k-reading bucket.
    uint8 internal constant EXACT = 0;
    /// @notice Readings clamped into a declared range, encrypted noise on every result, a per-buyer ε budget.
    uint8 internal constant PRIVATE = 1;
    /// @notice Largest ε of one statistic, in thousandths (ε = 5).
    uint32 internal constant MAX_EPSILON = 5000;
    /// @notice Largest upper bound of a private range: centred squares of readings stay below 2^62.
    uint64 internal constant MAX_BOUND = type(uint32).max;
}
