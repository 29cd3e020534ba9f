// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {FHE, euint64, externalEuint64} from "@fhevm/solidity/lib/FHE.sol";
import {ZamaEthereumConfig} from "@fhevm/solidity/config/ZamaConfig.sol";

/// @title IngestionReference
/// @notice Benchmark baseline, not part of the product: the least an encrypted ingestion can do per reading
/// (`fromExternal` + `allowThis` + store). `bench/contracts.ts` compares the market's `appendReadings` with it.
contract IngestionReference is ZamaEthereumConfig {
    euint64[] private _readings;

    /// @notice Verifies a batch of encrypted readings against one proof and stores them.
    function append(externalEuint64[] calldata handles, bytes calldata inputProof) external {
        for (uint256 i; i < handles.length; ++i) {
            euint64 reading = FHE.fromExternal(handles[i], inputProof);
            FHE.allowThis(reading);
            _readings.push(reading);
        }
    }
}
