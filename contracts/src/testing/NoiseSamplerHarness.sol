// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {FHE, ebool, euint64} from "@fhevm/solidity/lib/FHE.sol";
import {ZamaEthereumConfig} from "@fhevm/solidity/config/ZamaConfig.sol";
import {NoiseMechanism} from "../libraries/NoiseMechanism.sol";
import {NoiseSampler} from "../libraries/NoiseSampler.sol";

/// @title NoiseSamplerHarness
/// @notice Test-only: runs the market's {NoiseSampler} and {NoiseMechanism} and allows what the market never
/// allows anyone, the random words and the sign behind a draw, so that tests can replay them in the TypeScript
/// model. Never deployed by the product. (User decryption needs the contract allowed too: every handle it hands out
/// is also allowed to itself.)
contract NoiseSamplerHarness is ZamaEthereumConfig {
    euint64 private _draw;
    euint64[] private _words;
    ebool private _sign;
    euint64 private _sum;
    euint64 private _sumOfSquares;

    /// @notice The public thresholds of ε (thousandths), sensitivity and parts, as the market computes them.
    function thresholds(uint256 epsilonMilli, uint256 sensitivity, uint256 parts) external pure returns (uint64[] memory t) {
        (t, ) = NoiseMechanism.parameters(epsilonMilli, sensitivity, parts);
    }

    /// @notice One draw; the draw, its words and its sign are allowed to the caller.
    function draw(uint64[] calldata t) external {
        (euint64 z, euint64[] memory words, ebool sign) = NoiseSampler.draw(t);
        _draw = FHE.allow(FHE.allowThis(z), msg.sender);
        delete _words;
        for (uint256 j; j < words.length; ++j) _words.push(FHE.allow(FHE.allowThis(words[j]), msg.sender));
        _sign = FHE.allow(FHE.allowThis(sign), msg.sender);
    }

    /// @notice `count` draws in one transaction: the sum and the sum of squares of the draws (mod 2^64, which is
    /// exact for two's-complement values while they stay small), allowed to the caller.
    function drawMany(uint64[] calldata t, uint256 count) external {
        euint64 sum = FHE.asEuint64(0);
        euint64 squares = FHE.asEuint64(0);
        for (uint256 i; i < count; ++i) {
            (euint64 z, , ) = NoiseSampler.draw(t);
            sum = FHE.add(sum, z);
            squares = FHE.add(squares, FHE.mul(z, z));
        }
        _sum = FHE.allow(FHE.allowThis(sum), msg.sender);
        _sumOfSquares = FHE.allow(FHE.allowThis(squares), msg.sender);
    }

    /// @notice Handles of the last `draw`: the draw, its words (bit order) and its sign.
    function lastDraw() external view returns (bytes32 z, bytes32[] memory words, bytes32 sign) {
        z = FHE.toBytes32(_draw);
        words = new bytes32[](_words.length);
        for (uint256 j; j < _words.length; ++j) words[j] = FHE.toBytes32(_words[j]);
        sign = FHE.toBytes32(_sign);
    }

    /// @notice Handles of the last `drawMany`: the sum and the sum of squares.
    function lastMoments() external view returns (bytes32 sum, bytes32 sumOfSquares) {
        return (FHE.toBytes32(_sum), FHE.toBytes32(_sumOfSquares));
    }
}
