// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";

import {
    IIoTDataMarketErrors,
    RunRequest,
    StandingAuthorization,
    ScheduleState
} from "../interfaces/IIoTDataMarket.sol";
import {DatasetId} from "../types/Ids.sol";
import {Op} from "../types/Program.sol";
import {PrivacyMode} from "../types/Privacy.sol";
import {DatasetSettings} from "./DatasetSettings.sol";

/// @title RunConsent
/// @notice A buyer's consent to runs started by the operator: the EIP-712 digests of a {RunRequest} and a
/// {StandingAuthorization}, their signatures (EOA or ERC-1271), nonces, deadlines and a schedule's cadence and
/// consecutive windows. A linked (external) library: it runs in the market's storage (DELEGATECALL) and keeps the
/// market under the EIP-170 size limit. The market's EIP-712 domain separator is passed in.
library RunConsent {
    bytes32 internal constant RUN_REQUEST_TYPEHASH =
        keccak256(
            "RunRequest(address buyer,uint256 datasetId,bytes32 programHash,uint64 fromIndex,uint64 toIndex,uint256 nonce,uint256 deadline,uint256 maxPayment)"
        );
    bytes32 internal constant STANDING_AUTHORIZATION_TYPEHASH =
        keccak256(
            "StandingAuthorization(address buyer,uint256 datasetId,bytes32 programHash,uint64 fromIndex,uint64 cadence,uint64 expiry,uint32 maxRuns,uint256 nonce,uint256 maxPaymentPerRun)"
        );

    /// @notice Checks a signed run request for `ops` and uses its nonce.
    /// @return programHash The hash of `ops` (the one signed).
    /// @return digest The request's EIP-712 digest.
    function useRunRequest(
        mapping(address => mapping(uint256 => bool)) storage usedNonces,
        bytes32 domainSeparator,
        RunRequest calldata request,
        Op[] calldata ops,
        bytes calldata signature
    ) external returns (bytes32 programHash, bytes32 digest) {
        programHash = checkProgramHash(request.programHash, ops);
        if (block.timestamp > request.deadline) {
            revert IIoTDataMarketErrors.SignatureExpired(request.deadline, block.timestamp);
        }
        useNonce(usedNonces, request.buyer, request.nonce);
        digest = runRequestDigest(domainSeparator, request);
        if (!SignatureChecker.isValidSignatureNow(request.buyer, digest, signature)) {
            revert IIoTDataMarketErrors.InvalidSignature(request.buyer);
        }
    }

    /// @notice Checks that a standing authorization allows its next run over `fromIndex..toIndex` now, verifying
    /// its signature (and using its nonce) on first use, and records the run in its schedule. The program is
    /// checked against the authorization by {checkProgramHash}.
    /// @return digest The authorization's EIP-712 digest, which its schedule is kept under.
    function useStandingAuthorization(
        mapping(address => mapping(uint256 => bool)) storage usedNonces,
        mapping(bytes32 => ScheduleState) storage schedules,
        DatasetSettings.Dataset storage dataset,
        bytes32 domainSeparator,
        StandingAuthorization calldata auth,
        bytes calldata signature,
        uint64 fromIndex,
        uint64 toIndex
    ) external returns (bytes32 digest) {
        digest = standingAuthorizationDigest(domainSeparator, auth);
        ScheduleState storage schedule = schedules[digest];
        if (schedule.revoked) revert IIoTDataMarketErrors.AuthorizationRevoked(digest);
        if (block.timestamp >= auth.expiry) revert IIoTDataMarketErrors.AuthorizationExpired(auth.expiry);
        uint32 runs = schedule.runs;
        if (runs >= auth.maxRuns) revert IIoTDataMarketErrors.AuthorizationExhausted(auth.maxRuns);
        if (runs == 0) {
            useNonce(usedNonces, auth.buyer, auth.nonce);
            if (!SignatureChecker.isValidSignatureNow(auth.buyer, digest, signature)) {
                revert IIoTDataMarketErrors.InvalidSignature(auth.buyer);
            }
        } else {
            uint256 nextRunAt = uint256(schedule.lastRunAt) + auth.cadence;
            if (block.timestamp < nextRunAt) revert IIoTDataMarketErrors.ScheduleTooEarly(nextRunAt);
        }
        uint64 expected = _scheduledStart(dataset, runs == 0 ? auth.fromIndex : schedule.nextFromIndex);
        if (fromIndex != expected) revert IIoTDataMarketErrors.ScheduleNotConsecutive(expected, fromIndex);
        schedule.runs = runs + 1;
        schedule.lastRunAt = uint64(block.timestamp);
        schedule.nextFromIndex = toIndex;
    }

    /// @notice Marks `nonce` of `buyer` used; reverts if it already was.
    function useNonce(mapping(address => mapping(uint256 => bool)) storage usedNonces, address buyer, uint256 nonce) public {
        if (usedNonces[buyer][nonce]) revert IIoTDataMarketErrors.NonceAlreadyUsed(buyer, nonce);
        usedNonces[buyer][nonce] = true;
    }

    /// @notice The hash runs are recorded under: `keccak256(abi.encode(ops))`; reverts unless it is `signed`.
    function checkProgramHash(bytes32 signed, Op[] calldata ops) public pure returns (bytes32 actual) {
        actual = keccak256(abi.encode(ops));
        if (actual != signed) revert IIoTDataMarketErrors.ProgramHashMismatch(signed, actual);
    }

    /// @notice The EIP-712 digest a buyer signs for one run.
    function runRequestDigest(bytes32 domainSeparator, RunRequest calldata request) public pure returns (bytes32) {
        return
            MessageHashUtils.toTypedDataHash(
                domainSeparator,
                keccak256(
                    abi.encode(
                        RUN_REQUEST_TYPEHASH,
                        request.buyer,
                        DatasetId.unwrap(request.datasetId),
                        request.programHash,
                        request.fromIndex,
                        request.toIndex,
                        request.nonce,
                        request.deadline,
                        request.maxPayment
                    )
                )
            );
    }

    /// @notice The EIP-712 digest a buyer signs for a schedule of runs.
    function standingAuthorizationDigest(
        bytes32 domainSeparator,
        StandingAuthorization calldata auth
    ) public pure returns (bytes32) {
        return
            MessageHashUtils.toTypedDataHash(
                domainSeparator,
                keccak256(
                    abi.encode(
                        STANDING_AUTHORIZATION_TYPEHASH,
                        auth.buyer,
                        DatasetId.unwrap(auth.datasetId),
                        auth.programHash,
                        auth.fromIndex,
                        auth.cadence,
                        auth.expiry,
                        auth.maxRuns,
                        auth.nonce,
                        auth.maxPaymentPerRun
                    )
                )
            );
    }

    /// @dev A scheduled window starts at `from` rounded up to the current `k` (a `k` changed since the buyer signed
    /// cannot strand the schedule), and on a private dataset not before `privateFrom`.
    function _scheduledStart(DatasetSettings.Dataset storage dataset, uint64 from) private view returns (uint64) {
        if (dataset.privacy.mode == PrivacyMode.PRIVATE && from < dataset.privateFrom) from = dataset.privateFrom;
        uint256 k = dataset.bucketSize;
        uint256 start = ((uint256(from) + k - 1) / k) * k;
        // A start beyond uint64 matches no window, as no window can end beyond the reading count.
        return start > type(uint64).max ? type(uint64).max : uint64(start);
    }
}
