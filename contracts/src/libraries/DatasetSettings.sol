// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IIoTDataMarketErrors, IIoTDataMarketEvents, DatasetParams} from "../interfaces/IIoTDataMarket.sol";
import {DatasetId} from "../types/Ids.sol";
import {PrivacyParams, PrivacyMode} from "../types/Privacy.sol";
import {RecipeKind} from "../types/Program.sol";

/// @title DatasetSettings
/// @notice A dataset's stored settings and the seller's rules for changing them: the bucket size `k` (against the
/// smallest `k` the dataset ever had) and the privacy mode (exact, or private with a range that may only widen).
/// A linked (external) library: it runs in the market's storage and emits the market's events, and keeps the
/// market under the EIP-170 size limit.
library DatasetSettings {
    uint8 internal constant MAX_SCALE = 18;

    struct Dataset {
        address seller;
        uint16 approvedKinds;
        uint8 scale;
        bool paused;
        int64 offset;
        uint128 pricePerPeriod;
        uint32 periodSeconds;
        uint64 bucketSize;
        uint64 minBucketSize;
        uint64 readingCount;
        uint64 lastTimestamp;
        uint64 privateFrom;
        PrivacyParams privacy;
        string name;
        string field;
        string unit;
    }

    /// @notice Checks and stores a new dataset's parameters, owned by `seller`; emits DatasetCreated and
    /// PrivacyChanged.
    function initialize(
        Dataset storage dataset,
        DatasetId datasetId,
        address seller,
        DatasetParams calldata params
    ) external {
        if (bytes(params.name).length == 0) revert IIoTDataMarketErrors.InvalidDatasetName();
        if (params.scale > MAX_SCALE) revert IIoTDataMarketErrors.InvalidScale(params.scale);
        if (params.periodSeconds == 0) revert IIoTDataMarketErrors.InvalidAccessPeriod(params.periodSeconds);
        if (params.bucketSize == 0) revert IIoTDataMarketErrors.InvalidBucketSize(params.bucketSize);
        _checkPrivacy(params.privacy);

        dataset.seller = seller;
        dataset.scale = params.scale;
        dataset.offset = params.offset;
        dataset.pricePerPeriod = params.pricePerPeriod;
        dataset.periodSeconds = params.periodSeconds;
        dataset.bucketSize = params.bucketSize;
        dataset.minBucketSize = params.bucketSize;
        dataset.privacy = params.privacy;
        dataset.name = params.name;
        dataset.field = params.field;
        dataset.unit = params.unit;
        emit IIoTDataMarketEvents.DatasetCreated(
            datasetId,
            seller,
            params.name,
            params.field,
            params.unit,
            params.scale,
            params.offset,
            params.pricePerPeriod,
            params.periodSeconds,
            params.bucketSize
        );
        emit IIoTDataMarketEvents.PrivacyChanged(datasetId, params.privacy, 0);
    }

    /// @notice Reverts unless [`fromIndex`, `toIndex`) is a window a run may cover: aligned to `k`, at least `k`
    /// readings, within the readings appended, and short enough for the euint32 counters (COUNT_IF, HISTOGRAM).
    function checkWindow(Dataset storage dataset, uint64 fromIndex, uint64 toIndex) external view {
        uint64 bucketSize = dataset.bucketSize;
        if (fromIndex % bucketSize != 0 || toIndex % bucketSize != 0) {
            revert IIoTDataMarketErrors.WindowNotAligned(fromIndex, toIndex, bucketSize);
        }
        if (uint256(toIndex) < uint256(fromIndex) + bucketSize) {
            revert IIoTDataMarketErrors.WindowTooShort(fromIndex, toIndex, bucketSize);
        }
        if (toIndex > dataset.readingCount) revert IIoTDataMarketErrors.WindowBeyondReadings(toIndex, dataset.readingCount);
        uint256 length = toIndex - fromIndex;
        if (length > type(uint32).max) revert IIoTDataMarketErrors.WindowTooLong(length, type(uint32).max);
    }

    /// @notice Adds (`approve`) or removes the recipe kinds of the bit mask `kinds` from the dataset's approved
    /// kinds; emits ApprovedKindsChanged.
    function changeApprovedKinds(Dataset storage dataset, DatasetId datasetId, uint16 kinds, bool approve) external {
        if (kinds == 0 || kinds & ~RecipeKind.ALL != 0) revert IIoTDataMarketErrors.UnknownRecipeKinds(kinds);
        uint16 approved = approve ? dataset.approvedKinds | kinds : dataset.approvedKinds & ~kinds;
        dataset.approvedKinds = approved;
        emit IIoTDataMarketEvents.ApprovedKindsChanged(datasetId, approved);
    }

    /// @notice Reverts with the first recipe kind of `used` that `approved` lacks.
    function checkApproved(DatasetId datasetId, uint16 approved, uint16 used) external pure {
        uint16 missing = used & ~approved;
        if (missing == 0) return;
        for (uint8 kind; kind < RecipeKind.KIND_COUNT; ++kind) {
            if (missing & (uint16(1) << kind) != 0) revert IIoTDataMarketErrors.RecipeKindNotApproved(datasetId, kind);
        }
    }

    /// @notice Sets `k`: a multiple of the smallest `k` the dataset ever had, or a divisor of it (which becomes the
    /// smallest). Comparing with the current `k` only would let 8 -> 72 -> 9 isolate a reading.
    function setBucketSize(Dataset storage dataset, DatasetId datasetId, uint64 bucketSize) external {
        if (bucketSize == 0) revert IIoTDataMarketErrors.InvalidBucketSize(bucketSize);
        uint64 smallest = dataset.minBucketSize;
        if (bucketSize % smallest != 0) {
            if (smallest % bucketSize != 0) revert IIoTDataMarketErrors.BucketSizeIncompatible(smallest, bucketSize);
            dataset.minBucketSize = bucketSize;
        }
        dataset.bucketSize = bucketSize;
        emit IIoTDataMarketEvents.BucketSizeChanged(datasetId, bucketSize);
    }

    /// @notice Makes the dataset exact or private (see {IIoTDataMarket-setPrivacy}).
    function setPrivacy(Dataset storage dataset, DatasetId datasetId, PrivacyParams calldata privacy) external {
        _checkPrivacy(privacy);
        PrivacyParams storage current = dataset.privacy;
        if (privacy.mode == PrivacyMode.PRIVATE) {
            if (current.mode == PrivacyMode.PRIVATE) {
                // Readings appended so far were clamped into the current range: a narrower one would understate
                // what one of them can change.
                if (privacy.lowerBound > current.lowerBound || privacy.upperBound < current.upperBound) {
                    revert IIoTDataMarketErrors.PrivacyRangeNarrowed(
                        current.lowerBound,
                        current.upperBound,
                        privacy.lowerBound,
                        privacy.upperBound
                    );
                }
            } else {
                // Readings appended while exact were not clamped: private runs start after them.
                dataset.privateFrom = dataset.readingCount;
            }
        }
        dataset.privacy = privacy;
        emit IIoTDataMarketEvents.PrivacyChanged(datasetId, privacy, dataset.privateFrom);
    }

    function _checkPrivacy(PrivacyParams calldata privacy) private pure {
        if (privacy.mode == PrivacyMode.EXACT) {
            if (
                privacy.lowerBound != 0 ||
                privacy.upperBound != 0 ||
                privacy.budget != 0 ||
                privacy.minEpsilon != 0 ||
                privacy.maxEpsilon != 0
            ) revert IIoTDataMarketErrors.ExactPrivacyFieldSet();
            return;
        }
        if (privacy.mode != PrivacyMode.PRIVATE) revert IIoTDataMarketErrors.UnknownPrivacyMode(privacy.mode);
        if (privacy.lowerBound >= privacy.upperBound || privacy.upperBound > PrivacyMode.MAX_BOUND) {
            revert IIoTDataMarketErrors.InvalidPrivacyRange(privacy.lowerBound, privacy.upperBound, PrivacyMode.MAX_BOUND);
        }
        uint32 limit = privacy.budget < PrivacyMode.MAX_EPSILON ? privacy.budget : PrivacyMode.MAX_EPSILON;
        if (privacy.minEpsilon == 0 || privacy.minEpsilon > privacy.maxEpsilon || privacy.maxEpsilon > limit) {
            revert IIoTDataMarketErrors.InvalidPrivacyBudget(
                privacy.budget,
                privacy.minEpsilon,
                privacy.maxEpsilon,
                PrivacyMode.MAX_EPSILON
            );
        }
    }
}
