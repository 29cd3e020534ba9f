// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title NoiseMechanism
/// @notice The public parameters of the discrete-Laplace noise of a private result, in integer arithmetic that
/// `recipes/src/noise-model.ts` repeats exactly (README, "Private datasets: differential privacy under encryption").
/// @dev For ε (thousandths), sensitivity Δ and `parts` draws sharing ε, with Q = 2^128:
///   λ = ⌊ε (Q − 2^112) / (1000 Δ parts)⌋       λ/Q ≤ ε/(Δ parts), with 2^-16 relative slack for the roundings
///   α = (Σ_{k≤12} (−λ/256)^k / k!)^(2^8)      ≈ e^{−λ/Q}, Q128, every product floored
///   K = ⌈48 ln 2 · Q / λ⌉                      α^K ≤ 2^-48
///   m = bitlength(Δ + K − 1)                   g < 2^m: a shift by Δ leaves the support only on mass ≤ 2^-48
///   T_j = ⌊α^(2^j) 2^64 / (1 + α^(2^j))⌋       P(bit j of g) = T_j / 2^64, the j-th binary digit of a geometric
/// The draw: g = Σ_j [w_j < T_j] 2^j for fresh uniform words w_j, and z = g or −g − 1 with equal probability.
library NoiseMechanism {
    uint256 internal constant Q = 1 << 128;
    /// @notice 48 ln 2 in Q128, rounded up.
    uint256 internal constant LN2_48 = 11321556634824638118621318852679415251165;
    /// @notice Most random bits of one draw: z must fit a signed 64-bit value with room for the result.
    uint256 internal constant MAX_BITS = 62;
    uint256 private constant TAYLOR_TERMS = 12;
    uint256 private constant SQUARINGS = 8;

    /// @notice λ = ε/(Δ·parts) in Q128, rounded down with slack (less ε means more noise).
    function lambda(uint256 epsilonMilli, uint256 sensitivity, uint256 parts) internal pure returns (uint256) {
        return (epsilonMilli * (Q - (1 << 112))) / (1000 * sensitivity * parts);
    }

    /// @notice e^{−λ} in Q128: a Taylor series of e^{−λ/256}, squared eight times.
    function alpha(uint256 lambdaQ) internal pure returns (uint256 a) {
        uint256 x = lambdaQ >> SQUARINGS;
        uint256 term = Q;
        uint256 positive = Q;
        uint256 negative;
        for (uint256 k = 1; k <= TAYLOR_TERMS; ++k) {
            term = (term * x) / (k * Q);
            if (k & 1 == 1) negative += term;
            else positive += term;
        }
        a = positive - negative;
        for (uint256 i; i < SQUARINGS; ++i) a = (a * a) / Q;
    }

    /// @notice Number of random bits m of a draw for sensitivity Δ and λ.
    function bitCount(uint256 sensitivity, uint256 lambdaQ) internal pure returns (uint256 m) {
        uint256 k = (LN2_48 + lambdaQ - 1) / lambdaQ;
        uint256 span = sensitivity + k - 1;
        while (span != 0) {
            ++m;
            span >>= 1;
        }
    }

    /// @notice The m thresholds T_j = ⌊α_j 2^64 / (Q + α_j)⌋ with α_0 = α and α_j = ⌊α_{j−1}^2 / Q⌋.
    function thresholds(uint256 a, uint256 m) internal pure returns (uint64[] memory t) {
        t = new uint64[](m);
        for (uint256 j; j < m; ++j) {
            t[j] = uint64((a << 64) / (Q + a));
            a = (a * a) / Q;
        }
    }

    /// @notice Thresholds for ε (thousandths), Δ and `parts`; empty when the draw would need more than
    /// {MAX_BITS} bits.
    function parameters(
        uint256 epsilonMilli,
        uint256 sensitivity,
        uint256 parts
    ) internal pure returns (uint64[] memory t, uint256 m) {
        uint256 lambdaQ = lambda(epsilonMilli, sensitivity, parts);
        m = lambdaQ == 0 ? type(uint256).max : bitCount(sensitivity, lambdaQ);
        if (m <= MAX_BITS) t = thresholds(alpha(lambdaQ), m);
    }
}
