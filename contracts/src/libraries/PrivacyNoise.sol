// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {FHE, euint32, euint64} from "@fhevm/solidity/lib/FHE.sol";
import {Impl} from "@fhevm/solidity/lib/Impl.sol";
import {IIoTDataMarketErrors} from "../interfaces/IIoTDataMarket.sol";
import {Op, RecipeKind} from "../types/Program.sol";
import {PrivacyParams, PrivacyMode} from "../types/Privacy.sol";
import {NoiseMechanism} from "./NoiseMechanism.sol";
import {NoiseSampler} from "./NoiseSampler.sol";
import {RecipeProgram} from "./RecipeProgram.sol";

/// @title PrivacyNoise
/// @notice Which programs a private dataset admits, what ε they spend, and the encrypted noise added to their
/// results before the buyer may decrypt them (README, "Private datasets: differential privacy under encryption").
/// A linked (external) library running in the market's context, like {RecipeEngine}.
/// @dev One noise unit is one discrete-Laplace draw added to one result slot. Units per op and their sensitivity
/// under "one reading replaced by any value of [lo, hi]":
///   SUM, MEAN   1 unit, Δ = hi − lo (MEAN's is added to its sum; the count is public)
///   COUNT_IF    1 unit, Δ = 1
///   SUM_IF      1 unit, Δ = hi
///   HISTOGRAM   B + 1 units (one per bucket) at the op's ε, Δ = 2 each: one reading leaves one bucket for another,
///               an L1 change of 2, so independent noise calibrated to 2 protects the whole vector
///   VARIANCE    2 units at ε/2 each: the sum (Δ = hi − lo) and the sum of squares centred on c = ⌊(lo + hi)/2⌋,
///               Σ(x − c)² (Δ = (hi − c)²), computed from the sums as Σx² − 2cΣx + n c² (mod 2^64)
///   COUNT       no unit: its result is the public window length
/// MIN, MAX and ALERT reveal single readings and are refused.
library PrivacyNoise {
    /// @notice The noise units one `addNoise` call adds.
    /// @param firstUnit Index of the first unit (the run's noise cursor).
    /// @param count Units to add.
    /// @param totalUnits The run's units (for the error of a call that does not fit).
    /// @param lowerBound The private range the run was admitted with.
    /// @param upperBound See `lowerBound`.
    /// @param windowLength The run's window length (VARIANCE's centring).
    /// @param buyer The account the results are released to when `releases`.
    /// @param releases Whether these are the run's last units: every result is then allowed to `buyer`.
    struct Job {
        uint256 firstUnit;
        uint256 count;
        uint256 totalUnits;
        uint64 lowerBound;
        uint64 upperBound;
        uint64 windowLength;
        address buyer;
        bool releases;
    }

    /// @notice HCU of adding a draw to a euint64 result.
    uint256 internal constant ADD64 = 162_000;
    /// @notice HCU of VARIANCE's centring: MUL (scalar) 365,000 + ADD (scalar) 133,000 + SUB 162,000.
    uint256 internal constant CENTRE = 660_000;

    /// @notice Checks a program against a dataset's privacy setting.
    /// @return units Noise units the results need (0 on an exact dataset).
    /// @return epsilon ε (thousandths) the run spends on every reading of its window: the sum of its ops' ε.
    function admit(Op[] calldata ops, PrivacyParams calldata privacy) external pure returns (uint16 units, uint32 epsilon) {
        bool isPrivate = privacy.mode == PrivacyMode.PRIVATE;
        for (uint256 i; i < ops.length; ++i) {
            Op calldata op = ops[i];
            uint8 kind = op.kind;
            if (!isPrivate || kind == RecipeKind.COUNT) {
                if (op.epsilon != 0) revert IIoTDataMarketErrors.EpsilonNotExpected(i);
                continue;
            }
            if (kind == RecipeKind.MIN || kind == RecipeKind.MAX || kind == RecipeKind.ALERT) {
                revert IIoTDataMarketErrors.RecipeKindNotPrivate(i, kind);
            }
            if (op.epsilon < privacy.minEpsilon || op.epsilon > privacy.maxEpsilon) {
                revert IIoTDataMarketErrors.EpsilonOutOfBounds(i, op.epsilon, privacy.minEpsilon, privacy.maxEpsilon);
            }
            uint256 width = unitCount(kind, op.bounds.length);
            for (uint256 part; part < width; ++part) {
                (uint256 sensitivity, uint256 parts) = unitSensitivity(kind, part, privacy.lowerBound, privacy.upperBound);
                (, uint256 bits) = NoiseMechanism.parameters(op.epsilon, sensitivity, parts);
                if (bits > NoiseMechanism.MAX_BITS) revert IIoTDataMarketErrors.NoiseTooWide(i, bits);
            }
            units += uint16(width);
            epsilon += op.epsilon;
        }
    }

    /// @notice Adds the job's noise units to the run's result slots (see {Job}); reverts {NoiseOutOfRange} when
    /// they do not fit one transaction's HCU.
    function addNoise(bytes32[] storage slots, Op[] storage ops, Job memory job) external {
        uint256 fitting = _fitting(ops, job);
        if (job.count > fitting) revert IIoTDataMarketErrors.NoiseOutOfRange(job.count, job.totalUnits - job.firstUnit, fitting);
        uint256 end = job.firstUnit + job.count;
        uint256 unit;
        uint256 slot;
        for (uint256 i; i < ops.length && unit < end; ++i) {
            Op storage op = ops[i];
            uint8 kind = op.kind;
            uint256 width = unitCount(kind, op.bounds.length);
            for (uint256 part; part < width; ++part) {
                if (unit >= job.firstUnit && unit < end) _addUnit(slots, slot, op, part, job);
                ++unit;
            }
            slot += RecipeKind.resultWidth(kind, op.bounds.length);
        }
        if (job.releases) {
            for (uint256 s; s < slots.length; ++s) Impl.allow(slots[s], job.buyer);
        }
    }

    /// @notice Noise units of an op of `kind` on a private dataset.
    function unitCount(uint8 kind, uint256 boundCount) internal pure returns (uint256) {
        if (kind == RecipeKind.COUNT) return 0;
        if (kind == RecipeKind.HISTOGRAM) return boundCount + 1;
        if (kind == RecipeKind.VARIANCE) return 2;
        return 1;
    }

    /// @notice Sensitivity of unit `part` of an op of `kind` over readings clamped into [lo, hi], and how many
    /// units share the op's ε.
    function unitSensitivity(
        uint8 kind,
        uint256 part,
        uint64 lo,
        uint64 hi
    ) internal pure returns (uint256 sensitivity, uint256 parts) {
        if (kind == RecipeKind.COUNT_IF) return (1, 1);
        if (kind == RecipeKind.SUM_IF) return (hi, 1);
        if (kind == RecipeKind.HISTOGRAM) return (2, 1);
        if (kind == RecipeKind.VARIANCE) {
            if (part == 0) return (hi - lo, 2);
            uint256 half = hi - _centre(lo, hi);
            return (half * half, 2);
        }
        return (hi - lo, 1); // SUM, MEAN
    }

    function _addUnit(bytes32[] storage slots, uint256 slot, Op storage op, uint256 part, Job memory job) private {
        uint8 kind = op.kind;
        (uint256 sensitivity, uint256 parts) = unitSensitivity(kind, part, job.lowerBound, job.upperBound);
        (uint64[] memory thresholds, ) = NoiseMechanism.parameters(op.epsilon, sensitivity, parts);
        uint256 target = slot;
        euint64 value;
        if (kind == RecipeKind.HISTOGRAM) {
            target = slot + part;
            value = FHE.asEuint64(euint32.wrap(slots[target]));
        } else if (kind == RecipeKind.COUNT_IF) {
            value = FHE.asEuint64(euint32.wrap(slots[target]));
        } else {
            if (kind == RecipeKind.VARIANCE) {
                target = slot + part;
                if (part == 0) _centreSquares(slots, slot, job);
            }
            value = euint64.wrap(slots[target]);
        }
        (euint64 z, , ) = NoiseSampler.draw(thresholds);
        bytes32 noised = FHE.toBytes32(FHE.add(value, z));
        slots[target] = noised;
        Impl.allow(noised, address(this));
    }

    /// @dev Slot + 1 holds Σx² until VARIANCE's first unit replaces it with Σ(x − c)² = Σx² − 2cΣx + n c², exact
    /// mod 2^64 (and below 2^64 in fact: n (hi − c)² < 2^64 for the windows and ranges allowed).
    function _centreSquares(bytes32[] storage slots, uint256 slot, Job memory job) private {
        uint256 c = _centre(job.lowerBound, job.upperBound);
        euint64 sum = euint64.wrap(slots[slot]);
        euint64 squares = euint64.wrap(slots[slot + 1]);
        uint64 shift = uint64(uint256(job.windowLength) * c * c);
        euint64 centred = FHE.sub(FHE.add(squares, shift), FHE.mul(sum, uint64(2 * c)));
        slots[slot + 1] = FHE.toBytes32(centred);
        Impl.allow(slots[slot + 1], address(this));
    }

    /// @dev How many of the units from `job.firstUnit` fit under the per-transaction HCU limit.
    function _fitting(Op[] storage ops, Job memory job) private view returns (uint256 fitting) {
        uint256 unit;
        uint256 hcu;
        for (uint256 i; i < ops.length; ++i) {
            Op storage op = ops[i];
            uint8 kind = op.kind;
            uint256 width = unitCount(kind, op.bounds.length);
            for (uint256 part; part < width; ++part) {
                if (unit++ < job.firstUnit) continue;
                (uint256 sensitivity, uint256 parts) = unitSensitivity(kind, part, job.lowerBound, job.upperBound);
                (, uint256 bits) = NoiseMechanism.parameters(op.epsilon, sensitivity, parts);
                hcu += unitHcu(kind, part, bits);
                if (hcu >= RecipeProgram.HCU_LIMIT) return fitting;
                ++fitting;
            }
        }
    }

    /// @notice HCU of one noise unit with a draw of `bits` bits.
    function unitHcu(uint8 kind, uint256 part, uint256 bits) internal pure returns (uint256 hcu) {
        hcu = NoiseSampler.drawHcu(bits) + ADD64;
        if (kind == RecipeKind.COUNT_IF || kind == RecipeKind.HISTOGRAM) hcu += RecipeProgram.CAST;
        if (kind == RecipeKind.VARIANCE && part == 0) hcu += CENTRE;
    }

    function _centre(uint64 lo, uint64 hi) private pure returns (uint256) {
        return (uint256(lo) + hi) / 2;
    }
}
