// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {FHE, euint64} from "@fhevm/solidity/lib/FHE.sol";

/// @title EncryptedReduce
/// @notice Balanced reduction of ciphertext handles and the euint64 combiners it is used with; shared by the recipe
/// engine (reading chunks, rollup nodes) and the rollup tree (ingestion). Internal: inlined into each library.
library EncryptedReduce {
    /// @dev Balanced pairwise reduction in place: level by level, element i becomes combine(2i, 2i + 1); an odd last
    /// element is carried up. n - 1 operations, depth ceil(log2 n): a running accumulator would hit the 5M HCU depth
    /// limit after ~30 additions.
    function reduce(
        bytes32[] memory values,
        function(bytes32, bytes32) returns (bytes32) combine
    ) internal returns (bytes32) {
        uint256 width = values.length;
        while (width > 1) {
            uint256 half = width >> 1;
            for (uint256 i; i < half; ++i) values[i] = combine(values[2 * i], values[2 * i + 1]);
            if (width & 1 == 1) {
                values[half] = values[width - 1];
                width = half + 1;
            } else {
                width = half;
            }
        }
        return values[0];
    }

    /// @dev `values[from, to)` as a new array (reduce works in place).
    function slice(bytes32[] memory values, uint256 from, uint256 to) internal pure returns (bytes32[] memory part) {
        part = new bytes32[](to - from);
        for (uint256 i; i < part.length; ++i) part[i] = values[from + i];
    }

    function copy(bytes32[] memory values) internal pure returns (bytes32[] memory) {
        return slice(values, 0, values.length);
    }

    /// @dev Each euint64 value squared, as a new array (the sum of squares behind VARIANCE).
    function squares(bytes32[] memory values) internal returns (bytes32[] memory squared) {
        squared = new bytes32[](values.length);
        for (uint256 r; r < values.length; ++r) {
            euint64 x = euint64.wrap(values[r]);
            squared[r] = FHE.toBytes32(FHE.mul(x, x));
        }
    }

    function add64(bytes32 a, bytes32 b) internal returns (bytes32) {
        return FHE.toBytes32(FHE.add(euint64.wrap(a), euint64.wrap(b)));
    }

    function min64(bytes32 a, bytes32 b) internal returns (bytes32) {
        return FHE.toBytes32(FHE.min(euint64.wrap(a), euint64.wrap(b)));
    }

    function max64(bytes32 a, bytes32 b) internal returns (bytes32) {
        return FHE.toBytes32(FHE.max(euint64.wrap(a), euint64.wrap(b)));
    }
}
