// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {FHE, euint64, externalEuint64} from "@fhevm/solidity/lib/FHE.sol";
import {ZamaEthereumConfig} from "@fhevm/solidity/config/ZamaConfig.sol";
import {Op} from "../types/Program.sol";
import {RecipeEngine} from "../libraries/RecipeEngine.sol";

/// @title RecipeEngineHarness
/// @notice Test-only: drives {RecipeEngine} without the market's step-size check, so that tests can show the fhevm
/// HCULimit contract itself rejects a step one reading larger than `maxStepSize`. Never deployed by the product.
contract RecipeEngineHarness is ZamaEthereumConfig {
    mapping(uint256 => euint64) private _readings;
    uint256 private _readingCount;
    Op[] private _ops;
    bytes32[] private _slots;
    uint256 private _cursor;

    /// @notice Stores a batch of encrypted readings.
    function append(externalEuint64[] calldata handles, bytes calldata inputProof) external {
        bytes memory proof = inputProof;
        for (uint256 i; i < handles.length; ++i) {
            euint64 reading = FHE.fromExternal(handles[i], proof);
            _readings[_readingCount++] = reading;
            FHE.allowThis(reading);
        }
    }

    /// @notice Loads a program (unvalidated) and initialises its accumulators; the cursor restarts at 0.
    function load(Op[] calldata ops) external {
        delete _ops;
        delete _slots;
        _cursor = 0;
        for (uint256 i; i < ops.length; ++i) _ops.push(ops[i]);
        RecipeEngine.begin(_slots, _ops);
    }

    /// @notice Folds the next `n` readings with no HCU bound; results go to the caller when `finalizes`.
    function step(uint256 n, bool finalizes) external {
        uint256 from = _cursor;
        _cursor = from + n;
        RecipeEngine.step(
            _slots,
            _ops,
            _readings,
            RecipeEngine.Chunk({
                from: from,
                n: n,
                finalizes: finalizes,
                windowLength: uint64(_cursor),
                recipient: msg.sender
            })
        );
    }

    /// @notice The accumulator / result handles.
    function slots() external view returns (bytes32[] memory) {
        return _slots;
    }
}
