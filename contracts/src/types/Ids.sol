// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice Identifier of a dataset. Ids start at 1; 0 means "none".
type DatasetId is uint256;

/// @notice Identifier of a recipe run. Ids start at 1; 0 means "none" (e.g. `runIdOf` of an unknown digest).
type RunId is uint256;

using {equalsDataset as ==} for DatasetId global;
using {equalsRun as ==} for RunId global;
using DatasetIdLib for DatasetId global;
using RunIdLib for RunId global;

function equalsDataset(DatasetId a, DatasetId b) pure returns (bool) {
    return DatasetId.unwrap(a) == DatasetId.unwrap(b);
}

function equalsRun(RunId a, RunId b) pure returns (bool) {
    return RunId.unwrap(a) == RunId.unwrap(b);
}

/// @title DatasetIdLib
/// @notice Helpers for {DatasetId}.
library DatasetIdLib {
    /// @notice Whether `id` is the "no dataset" sentinel.
    function isNone(DatasetId id) internal pure returns (bool) {
        return DatasetId.unwrap(id) == 0;
    }

    /// @notice The id following `id` (ids are allocated sequentially from 1).
    function next(DatasetId id) internal pure returns (DatasetId) {
        return DatasetId.wrap(DatasetId.unwrap(id) + 1);
    }
}

/// @title RunIdLib
/// @notice Helpers for {RunId}.
library RunIdLib {
    /// @notice Whether `id` is the "no run" sentinel.
    function isNone(RunId id) internal pure returns (bool) {
        return RunId.unwrap(id) == 0;
    }

    /// @notice The id following `id` (ids are allocated sequentially from 1).
    function next(RunId id) internal pure returns (RunId) {
        return RunId.wrap(RunId.unwrap(id) + 1);
    }
}
