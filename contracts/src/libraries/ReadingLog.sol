// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {FHE, euint64, externalEuint64} from "@fhevm/solidity/lib/FHE.sol";

import {IIoTDataMarketErrors, IIoTDataMarketEvents} from "../interfaces/IIoTDataMarket.sol";
import {DatasetId} from "../types/Ids.sol";
import {PrivacyMode} from "../types/Privacy.sol";
import {DatasetSettings} from "./DatasetSettings.sol";

/// @title ReadingLog
/// @notice Appends a batch of encrypted readings to a dataset: who may append, the batch's shape, its input proof
/// (used once, matched handle by handle), timestamps in order and not in the future, and the clamping of a private
/// dataset's readings into its range. A linked (external) library: it runs in the market's storage and ACL
/// identity (DELEGATECALL), so the readings are allowed to the market, and keeps the market under EIP-170.
library ReadingLog {
    /// @dev One input proof holds at most 2048 bits: 32 euint64.
    uint256 internal constant MAX_BATCH = 32;

    /// @notice Checks and stores one batch; emits ReadingsAppended.
    /// @param dataset The (existing, unpaused) dataset appended to.
    /// @param devices The dataset's registered devices (the seller may append too).
    /// @param readings The dataset's readings by index.
    /// @param usedInputProofs The hashes of every input proof already used, on any dataset.
    function append(
        DatasetSettings.Dataset storage dataset,
        mapping(address => bool) storage devices,
        mapping(uint256 => euint64) storage readings,
        mapping(bytes32 => bool) storage usedInputProofs,
        DatasetId datasetId,
        externalEuint64[] calldata handles,
        bytes calldata inputProof,
        uint64[] calldata timestamps
    ) external {
        if (msg.sender != dataset.seller && !devices[msg.sender]) {
            revert IIoTDataMarketErrors.NotAuthorizedAppender(datasetId, msg.sender);
        }
        uint256 size = handles.length;
        if (size == 0 || size > MAX_BATCH) revert IIoTDataMarketErrors.InvalidBatchSize(size, MAX_BATCH);
        if (timestamps.length != size) revert IIoTDataMarketErrors.BatchLengthMismatch(size, timestamps.length);
        _useInputProof(usedInputProofs, handles, inputProof);

        uint64 last = dataset.lastTimestamp;
        for (uint256 i; i < size; ++i) {
            uint64 timestamp = timestamps[i];
            if (timestamp < last) revert IIoTDataMarketErrors.TimestampOutOfOrder(last, timestamp);
            last = timestamp;
        }
        // One device stamping a reading far in the future would freeze the dataset for every honest appender.
        if (last > block.timestamp) revert IIoTDataMarketErrors.TimestampInFuture(last, block.timestamp);

        uint64 first = dataset.readingCount;
        _storeReadings(dataset, readings, first, handles, inputProof);
        dataset.readingCount = first + uint64(size);
        dataset.lastTimestamp = last;
        emit IIoTDataMarketEvents.ReadingsAppended(datasetId, msg.sender, first, timestamps);
    }

    /// @dev A batch is exactly its proof's handle list, in order (so no reading twice), and a proof is used once
    /// (so no reading appended again). An empty proof would only check the caller's ACL on the handles: any
    /// ciphertext it holds (a result of its own run, another dataset's value, an ebool) could be appended.
    function _useInputProof(
        mapping(bytes32 => bool) storage usedInputProofs,
        externalEuint64[] calldata handles,
        bytes calldata inputProof
    ) private {
        if (inputProof.length == 0) revert IIoTDataMarketErrors.MissingInputProof();
        if (uint8(inputProof[0]) != handles.length) revert IIoTDataMarketErrors.InputProofMismatch(handles.length);
        for (uint256 i; i < handles.length; ++i) {
            // Handle byte 21 is its index in the proof's list; the input verifier matches the rest.
            if ((uint256(externalEuint64.unwrap(handles[i])) >> 80) & 0xff != i) {
                revert IIoTDataMarketErrors.InputProofMismatch(i);
            }
        }
        bytes32 proofHash = keccak256(inputProof);
        if (usedInputProofs[proofHash]) revert IIoTDataMarketErrors.InputProofReused(proofHash);
        usedInputProofs[proofHash] = true;
    }

    /// @dev Private datasets clamp each reading into [lo, hi]: one reading then changes a statistic by a known most.
    function _storeReadings(
        DatasetSettings.Dataset storage dataset,
        mapping(uint256 => euint64) storage readings,
        uint64 first,
        externalEuint64[] calldata handles,
        bytes calldata inputProof
    ) private {
        bool clamps = dataset.privacy.mode == PrivacyMode.PRIVATE;
        uint64 lo = dataset.privacy.lowerBound;
        uint64 hi = dataset.privacy.upperBound;
        // Gas: the proof is copied to memory once, not once per reading.
        bytes memory proof = inputProof;
        for (uint256 i; i < handles.length; ++i) {
            euint64 reading = FHE.fromExternal(handles[i], proof);
            if (clamps) reading = FHE.min(FHE.max(reading, lo), hi);
            readings[first + i] = reading;
            FHE.allowThis(reading);
        }
    }
}
