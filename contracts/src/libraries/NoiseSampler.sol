// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {FHE, ebool, euint64} from "@fhevm/solidity/lib/FHE.sol";

/// @title NoiseSampler
/// @notice Draws one encrypted discrete-Laplace value from public thresholds (see {NoiseMechanism}): nobody — not
/// the buyer, the relayer, the seller or this contract's callers — learns the random words or the draw.
/// @dev Bit j of the geometric magnitude is one encrypted comparison of a fresh random word with T_j, cast and
/// shifted into place; the bits are OR-ed as a balanced tree (depth ⌈log2 m⌉, not m, for the HCU depth limit). The
/// sign picks g or NOT g = −g − 1 (two's complement), so zero is not drawn twice as often as its neighbours.
library NoiseSampler {
    /// @notice One draw z (as a euint64 holding a two's-complement value), with the random words and sign it was
    /// made from (a test harness reads them; the market discards them).
    function draw(uint64[] memory thresholds) internal returns (euint64 z, euint64[] memory words, ebool sign) {
        uint256 m = thresholds.length;
        words = new euint64[](m);
        euint64[] memory bits = new euint64[](m);
        for (uint256 j; j < m; ++j) {
            euint64 word = FHE.randEuint64();
            words[j] = word;
            euint64 bit = FHE.asEuint64(FHE.lt(word, thresholds[j]));
            bits[j] = j == 0 ? bit : FHE.shl(bit, uint8(j));
        }
        uint256 width = m;
        while (width > 1) {
            uint256 half = width >> 1;
            for (uint256 i; i < half; ++i) bits[i] = FHE.or(bits[2 * i], bits[2 * i + 1]);
            if (width & 1 == 1) {
                bits[half] = bits[width - 1];
                width = half + 1;
            } else {
                width = half;
            }
        }
        sign = FHE.randEbool();
        z = FHE.select(sign, bits[0], FHE.not(bits[0]));
    }

    /// @notice HCU of one draw of `m` bits, as HCULimit meters it: m × (rand 24,000 + LT 118,000 + cast 32),
    /// (m − 1) × (SHL 34,000 + OR 34,000), rand bool 19,000 + NOT 63 + select 55,000.
    function drawHcu(uint256 m) internal pure returns (uint256) {
        return m * 142_032 + (m - 1) * 68_000 + 74_063;
    }
}
