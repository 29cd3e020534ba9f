// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {FHE, euint64, externalEuint64} from "@fhevm/solidity/lib/FHE.sol";
import {ZamaEthereumConfig} from "@fhevm/solidity/config/ZamaConfig.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

import {
    IIoTDataMarket,
    DatasetParams,
    DatasetInfo,
    RunRequest,
    StandingAuthorization,
    ScheduleState,
    RunInfo
} from "./interfaces/IIoTDataMarket.sol";
import {DatasetId, RunId} from "./types/Ids.sol";
import {Op, RecipeKind} from "./types/Program.sol";
import {RecipeProgram} from "./libraries/RecipeProgram.sol";
import {RecipeEngine} from "./libraries/RecipeEngine.sol";

/// @title IoTDataMarket
/// @notice Sellers publish datasets of encrypted IoT readings, devices append them, buyers purchase access and run
/// statistic recipes over the ciphertexts; only the buyer can decrypt a run's results.
/// @dev Privacy rules enforced here (README, "Privacy rules"): readings and accumulators are allowed to this
/// contract only; a run needs unexpired access and approved kinds; windows are aligned to and at least `k`
/// readings; result handles are allowed to the run's buyer and nobody else (never the operator or the seller).
/// The encrypted computation lives in the linked library {RecipeEngine} (DELEGATECALL, same storage and ACL
/// identity), which keeps this contract under the EIP-170 size limit.
contract IoTDataMarket is IIoTDataMarket, ZamaEthereumConfig, AccessControl, EIP712, ReentrancyGuard {
    /// @notice Role of the relayer (the worker's account): starts runs with buyers' signatures and steps them.
    bytes32 public constant OPERATOR_ROLE = keccak256("OPERATOR_ROLE");

    /// @dev One input proof holds at most 2048 bits: 32 euint64.
    uint256 private constant MAX_BATCH = 32;
    uint8 private constant MAX_SCALE = 18;

    bytes32 private constant RUN_REQUEST_TYPEHASH =
        keccak256(
            "RunRequest(address buyer,uint256 datasetId,bytes32 programHash,uint64 fromIndex,uint64 toIndex,uint256 nonce,uint256 deadline)"
        );
    bytes32 private constant STANDING_AUTHORIZATION_TYPEHASH =
        keccak256(
            "StandingAuthorization(address buyer,uint256 datasetId,bytes32 programHash,uint64 cadence,uint64 expiry,uint32 maxRuns,uint256 nonce)"
        );

    struct Dataset {
        address seller;
        uint16 approvedKinds;
        uint8 scale;
        bool paused;
        int64 offset;
        uint128 pricePerPeriod;
        uint32 periodSeconds;
        uint64 bucketSize;
        uint64 readingCount;
        uint64 lastTimestamp;
        string name;
        string field;
        string unit;
    }

    struct Run {
        address buyer;
        uint64 cursor;
        bool finished;
        DatasetId datasetId;
        bytes32 programHash;
        uint64 fromIndex;
        uint64 toIndex;
        uint64 startedAt;
    }

    /// @dev A program validated once and stored under its hash, with its step bounds precomputed.
    struct StoredProgram {
        uint16 kinds;
        uint64 maxStep;
        uint64 maxFinalStep;
        Op[] ops;
    }

    DatasetId private _lastDatasetId;
    RunId private _lastRunId;

    mapping(DatasetId => Dataset) private _datasets;
    mapping(DatasetId => mapping(address device => bool)) private _devices;
    mapping(DatasetId => mapping(uint256 index => euint64)) private _readings;
    mapping(DatasetId => mapping(address buyer => uint64)) private _accessExpiry;
    mapping(address account => uint256) private _pendingWithdrawals;

    mapping(bytes32 programHash => StoredProgram) private _programs;
    mapping(RunId => Run) private _runs;
    /// @dev Accumulators while a run steps, its result handles once finished (same layout).
    mapping(RunId => bytes32[]) private _slots;
    mapping(bytes32 requestDigest => RunId) private _runIdOf;
    mapping(address buyer => mapping(uint256 nonce => bool)) private _usedNonces;
    mapping(bytes32 authorizationDigest => ScheduleState) private _schedules;

    /// @param admin Holder of DEFAULT_ADMIN_ROLE (grants and revokes operators).
    /// @param operator The relayer's account, granted OPERATOR_ROLE; the zero address grants nobody.
    constructor(address admin, address operator) EIP712("IoTDataMarket", "1") {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        if (operator != address(0)) _grantRole(OPERATOR_ROLE, operator);
    }

    // =====================================================================================================
    // Datasets
    // =====================================================================================================

    /// @inheritdoc IIoTDataMarket
    function createDataset(DatasetParams calldata params) external returns (DatasetId datasetId) {
        if (bytes(params.name).length == 0) revert InvalidDatasetName();
        if (params.scale > MAX_SCALE) revert InvalidScale(params.scale);
        if (params.periodSeconds == 0) revert InvalidAccessPeriod(params.periodSeconds);
        if (params.bucketSize == 0) revert InvalidBucketSize(params.bucketSize);

        datasetId = _lastDatasetId.next();
        _lastDatasetId = datasetId;
        Dataset storage dataset = _datasets[datasetId];
        dataset.seller = msg.sender;
        dataset.scale = params.scale;
        dataset.offset = params.offset;
        dataset.pricePerPeriod = params.pricePerPeriod;
        dataset.periodSeconds = params.periodSeconds;
        dataset.bucketSize = params.bucketSize;
        dataset.name = params.name;
        dataset.field = params.field;
        dataset.unit = params.unit;
        emit DatasetCreated(
            datasetId,
            msg.sender,
            params.name,
            params.field,
            params.unit,
            params.scale,
            params.offset,
            params.pricePerPeriod,
            params.periodSeconds,
            params.bucketSize
        );
    }

    /// @inheritdoc IIoTDataMarket
    function setPrice(DatasetId datasetId, uint128 pricePerPeriod) external {
        _sellerDataset(datasetId).pricePerPeriod = pricePerPeriod;
        emit PriceChanged(datasetId, pricePerPeriod);
    }

    /// @inheritdoc IIoTDataMarket
    function setBucketSize(DatasetId datasetId, uint64 bucketSize) external {
        Dataset storage dataset = _sellerDataset(datasetId);
        if (bucketSize == 0) revert InvalidBucketSize(bucketSize);
        uint64 current = dataset.bucketSize;
        if (bucketSize % current != 0 && current % bucketSize != 0) {
            revert BucketSizeIncompatible(current, bucketSize);
        }
        dataset.bucketSize = bucketSize;
        emit BucketSizeChanged(datasetId, bucketSize);
    }

    /// @inheritdoc IIoTDataMarket
    function pauseDataset(DatasetId datasetId) external {
        Dataset storage dataset = _sellerDataset(datasetId);
        if (dataset.paused) revert DatasetIsPaused(datasetId);
        dataset.paused = true;
        emit DatasetPaused(datasetId);
    }

    /// @inheritdoc IIoTDataMarket
    function unpauseDataset(DatasetId datasetId) external {
        Dataset storage dataset = _sellerDataset(datasetId);
        if (!dataset.paused) revert DatasetNotPaused(datasetId);
        dataset.paused = false;
        emit DatasetUnpaused(datasetId);
    }

    /// @inheritdoc IIoTDataMarket
    function registerDevice(DatasetId datasetId, address device) external {
        _sellerDataset(datasetId);
        if (device == address(0)) revert InvalidDevice(device);
        if (_devices[datasetId][device]) revert DeviceAlreadyRegistered(datasetId, device);
        _devices[datasetId][device] = true;
        emit DeviceRegistered(datasetId, device);
    }

    /// @inheritdoc IIoTDataMarket
    function revokeDevice(DatasetId datasetId, address device) external {
        _sellerDataset(datasetId);
        if (!_devices[datasetId][device]) revert DeviceNotRegistered(datasetId, device);
        _devices[datasetId][device] = false;
        emit DeviceRevoked(datasetId, device);
    }

    /// @inheritdoc IIoTDataMarket
    function approveRecipeKinds(DatasetId datasetId, uint16 kinds) external {
        Dataset storage dataset = _sellerDataset(datasetId);
        _checkKindMask(kinds);
        uint16 approved = dataset.approvedKinds | kinds;
        dataset.approvedKinds = approved;
        emit ApprovedKindsChanged(datasetId, approved);
    }

    /// @inheritdoc IIoTDataMarket
    function revokeRecipeKinds(DatasetId datasetId, uint16 kinds) external {
        Dataset storage dataset = _sellerDataset(datasetId);
        _checkKindMask(kinds);
        uint16 approved = dataset.approvedKinds & ~kinds;
        dataset.approvedKinds = approved;
        emit ApprovedKindsChanged(datasetId, approved);
    }

    // =====================================================================================================
    // Ingestion
    // =====================================================================================================

    /// @inheritdoc IIoTDataMarket
    function appendReadings(
        DatasetId datasetId,
        externalEuint64[] calldata handles,
        bytes calldata inputProof,
        uint64[] calldata timestamps
    ) external {
        Dataset storage dataset = _activeDataset(datasetId);
        if (msg.sender != dataset.seller && !_devices[datasetId][msg.sender]) {
            revert NotAuthorizedAppender(datasetId, msg.sender);
        }
        uint256 size = handles.length;
        if (size == 0 || size > MAX_BATCH) revert InvalidBatchSize(size, MAX_BATCH);
        if (timestamps.length != size) revert BatchLengthMismatch(size, timestamps.length);

        uint64 last = dataset.lastTimestamp;
        for (uint256 i; i < size; ++i) {
            uint64 timestamp = timestamps[i];
            if (timestamp < last) revert TimestampOutOfOrder(last, timestamp);
            last = timestamp;
        }

        uint64 first = dataset.readingCount;
        mapping(uint256 => euint64) storage readings = _readings[datasetId];
        // Gas: the proof is copied to memory once, not once per reading.
        bytes memory proof = inputProof;
        for (uint256 i; i < size; ++i) {
            euint64 reading = FHE.fromExternal(handles[i], proof);
            readings[first + i] = reading;
            FHE.allowThis(reading);
        }
        dataset.readingCount = first + uint64(size);
        dataset.lastTimestamp = last;
        emit ReadingsAppended(datasetId, msg.sender, first, timestamps);
    }

    // =====================================================================================================
    // Access and money
    // =====================================================================================================

    /// @inheritdoc IIoTDataMarket
    function purchaseAccess(DatasetId datasetId, uint32 periods) external payable {
        Dataset storage dataset = _activeDataset(datasetId);
        if (periods == 0) revert ZeroPeriods();
        uint256 expected = uint256(dataset.pricePerPeriod) * periods;
        if (msg.value != expected) revert WrongPayment(expected, msg.value);

        uint64 current = _accessExpiry[datasetId][msg.sender];
        uint64 start = current > block.timestamp ? current : uint64(block.timestamp);
        // periods and periodSeconds are 32-bit, so the extension cannot overflow 64 bits.
        uint64 expiresAt = start + uint64(periods) * dataset.periodSeconds;
        _accessExpiry[datasetId][msg.sender] = expiresAt;
        _pendingWithdrawals[dataset.seller] += msg.value;
        emit AccessPurchased(datasetId, msg.sender, periods, msg.value, expiresAt);
    }

    /// @inheritdoc IIoTDataMarket
    function withdraw() external nonReentrant {
        uint256 amount = _pendingWithdrawals[msg.sender];
        if (amount == 0) revert NothingToWithdraw(msg.sender);
        _pendingWithdrawals[msg.sender] = 0;
        emit Withdrawn(msg.sender, amount);
        (bool sent, ) = payable(msg.sender).call{value: amount}("");
        if (!sent) revert WithdrawalFailed(msg.sender, amount);
    }

    // =====================================================================================================
    // Runs
    // =====================================================================================================

    /// @inheritdoc IIoTDataMarket
    function startRun(
        DatasetId datasetId,
        Op[] calldata ops,
        uint64 fromIndex,
        uint64 toIndex
    ) external returns (RunId) {
        return _startRun(msg.sender, datasetId, ops, _hashProgram(ops), fromIndex, toIndex, bytes32(0));
    }

    /// @inheritdoc IIoTDataMarket
    function startRunFor(
        RunRequest calldata request,
        Op[] calldata ops,
        bytes calldata signature
    ) external onlyRole(OPERATOR_ROLE) returns (RunId runId) {
        bytes32 programHash = _checkProgramHash(request.programHash, ops);
        if (block.timestamp > request.deadline) revert SignatureExpired(request.deadline, block.timestamp);
        _useNonce(request.buyer, request.nonce);
        bytes32 digest = _runRequestDigest(request);
        if (!SignatureChecker.isValidSignatureNow(request.buyer, digest, signature)) {
            revert InvalidSignature(request.buyer);
        }
        runId = _startRun(
            request.buyer,
            request.datasetId,
            ops,
            programHash,
            request.fromIndex,
            request.toIndex,
            digest
        );
        _runIdOf[digest] = runId;
    }

    /// @inheritdoc IIoTDataMarket
    /// @dev The signature is verified on first use; later runs are recognised by the authorization's digest.
    function startScheduledRun(
        StandingAuthorization calldata auth,
        Op[] calldata ops,
        bytes calldata signature,
        uint64 fromIndex,
        uint64 toIndex
    ) external onlyRole(OPERATOR_ROLE) returns (RunId runId) {
        bytes32 programHash = _checkProgramHash(auth.programHash, ops);
        bytes32 digest = _standingAuthorizationDigest(auth);
        ScheduleState storage schedule = _schedules[digest];
        if (schedule.revoked) revert AuthorizationRevoked(digest);
        if (block.timestamp >= auth.expiry) revert AuthorizationExpired(auth.expiry);
        uint32 runs = schedule.runs;
        if (runs >= auth.maxRuns) revert AuthorizationExhausted(auth.maxRuns);
        if (runs == 0) {
            _useNonce(auth.buyer, auth.nonce);
            if (!SignatureChecker.isValidSignatureNow(auth.buyer, digest, signature)) {
                revert InvalidSignature(auth.buyer);
            }
        } else {
            uint256 nextRunAt = uint256(schedule.lastRunAt) + auth.cadence;
            if (block.timestamp < nextRunAt) revert ScheduleTooEarly(nextRunAt);
            if (fromIndex != schedule.nextFromIndex) revert ScheduleNotConsecutive(schedule.nextFromIndex, fromIndex);
        }
        schedule.runs = runs + 1;
        schedule.lastRunAt = uint64(block.timestamp);
        schedule.nextFromIndex = toIndex;
        runId = _startRun(auth.buyer, auth.datasetId, ops, programHash, fromIndex, toIndex, digest);
        schedule.lastRunId = runId;
    }

    /// @inheritdoc IIoTDataMarket
    function revokeStandingAuthorization(StandingAuthorization calldata auth) external {
        if (msg.sender != auth.buyer) revert NotAuthorizationBuyer(auth.buyer, msg.sender);
        bytes32 digest = _standingAuthorizationDigest(auth);
        ScheduleState storage schedule = _schedules[digest];
        if (schedule.revoked) revert AuthorizationRevoked(digest);
        schedule.revoked = true;
        emit StandingAuthorizationRevoked(digest, msg.sender);
    }

    /// @inheritdoc IIoTDataMarket
    function invalidateNonce(uint256 nonce) external {
        _useNonce(msg.sender, nonce);
        emit NonceInvalidated(msg.sender, nonce);
    }

    /// @inheritdoc IIoTDataMarket
    function step(RunId runId, uint256 n) external {
        Run storage run = _runs[runId];
        address buyer = run.buyer;
        if (buyer == address(0)) revert RunNotFound(runId);
        if (run.finished) revert RunAlreadyFinished(runId);
        if (msg.sender != buyer && !hasRole(OPERATOR_ROLE, msg.sender)) revert NotRunParticipant(runId, msg.sender);

        uint64 cursor = run.cursor;
        uint256 remaining = run.toIndex - cursor;
        if (n == 0 || n > remaining) revert StepOutOfWindow(n, remaining);
        bool finalizes = n == remaining;
        StoredProgram storage stored = _programs[run.programHash];
        uint256 largest = finalizes ? stored.maxFinalStep : stored.maxStep;
        if (n > largest) revert StepTooLarge(n, largest);

        run.cursor = cursor + uint64(n);
        if (finalizes) run.finished = true;
        RecipeEngine.step(
            _slots[runId],
            stored.ops,
            _readings[run.datasetId],
            RecipeEngine.Chunk({
                from: cursor,
                n: n,
                finalizes: finalizes,
                windowLength: run.toIndex - run.fromIndex,
                buyer: buyer
            })
        );
        emit RunStepped(runId, cursor + uint64(n), n);
        if (finalizes) emit RunFinished(runId, buyer, _slots[runId]);
    }

    // =====================================================================================================
    // Views
    // =====================================================================================================

    /// @inheritdoc IIoTDataMarket
    function datasetCount() external view returns (uint256) {
        return DatasetId.unwrap(_lastDatasetId);
    }

    /// @inheritdoc IIoTDataMarket
    function datasetInfo(DatasetId datasetId) external view returns (DatasetInfo memory) {
        Dataset storage dataset = _existingDataset(datasetId);
        return
            DatasetInfo({
                seller: dataset.seller,
                name: dataset.name,
                field: dataset.field,
                unit: dataset.unit,
                scale: dataset.scale,
                offset: dataset.offset,
                pricePerPeriod: dataset.pricePerPeriod,
                periodSeconds: dataset.periodSeconds,
                bucketSize: dataset.bucketSize,
                approvedKinds: dataset.approvedKinds,
                paused: dataset.paused,
                readingCount: dataset.readingCount,
                lastTimestamp: dataset.lastTimestamp
            });
    }

    /// @inheritdoc IIoTDataMarket
    function isDevice(DatasetId datasetId, address device) external view returns (bool) {
        return _devices[datasetId][device];
    }

    /// @inheritdoc IIoTDataMarket
    function readingCount(DatasetId datasetId) external view returns (uint64) {
        return _existingDataset(datasetId).readingCount;
    }

    /// @inheritdoc IIoTDataMarket
    function accessExpiry(DatasetId datasetId, address buyer) external view returns (uint64) {
        return _accessExpiry[datasetId][buyer];
    }

    /// @inheritdoc IIoTDataMarket
    function pendingWithdrawal(address account) external view returns (uint256) {
        return _pendingWithdrawals[account];
    }

    /// @inheritdoc IIoTDataMarket
    function runCount() external view returns (uint256) {
        return RunId.unwrap(_lastRunId);
    }

    /// @inheritdoc IIoTDataMarket
    function runInfo(RunId runId) external view returns (RunInfo memory) {
        Run storage run = _existingRun(runId);
        return
            RunInfo({
                buyer: run.buyer,
                datasetId: run.datasetId,
                programHash: run.programHash,
                fromIndex: run.fromIndex,
                toIndex: run.toIndex,
                cursor: run.cursor,
                startedAt: run.startedAt,
                finished: run.finished
            });
    }

    /// @inheritdoc IIoTDataMarket
    function runResults(RunId runId) external view returns (bytes32[] memory) {
        if (!_existingRun(runId).finished) revert RunNotFinished(runId);
        return _slots[runId];
    }

    /// @inheritdoc IIoTDataMarket
    function runIdOf(bytes32 digest) external view returns (RunId) {
        return _runIdOf[digest];
    }

    /// @inheritdoc IIoTDataMarket
    function program(bytes32 programHash) external view returns (Op[] memory) {
        return _programs[programHash].ops;
    }

    /// @inheritdoc IIoTDataMarket
    function isNonceUsed(address buyer, uint256 nonce) external view returns (bool) {
        return _usedNonces[buyer][nonce];
    }

    /// @inheritdoc IIoTDataMarket
    function standingAuthorizationState(bytes32 digest) external view returns (ScheduleState memory) {
        return _schedules[digest];
    }

    /// @inheritdoc IIoTDataMarket
    function runRequestDigest(RunRequest calldata request) external view returns (bytes32) {
        return _runRequestDigest(request);
    }

    /// @inheritdoc IIoTDataMarket
    function standingAuthorizationDigest(StandingAuthorization calldata auth) external view returns (bytes32) {
        return _standingAuthorizationDigest(auth);
    }

    /// @inheritdoc IIoTDataMarket
    function stepHcu(Op[] calldata ops, uint256 n, bool finalizes) external pure returns (uint256) {
        RecipeProgram.validate(ops);
        return RecipeProgram.stepHcu(ops, n, finalizes);
    }

    /// @inheritdoc IIoTDataMarket
    function maxStepSize(Op[] calldata ops, bool finalizes) external pure returns (uint256) {
        RecipeProgram.validate(ops);
        return RecipeProgram.maxStepSize(ops, finalizes);
    }

    // =====================================================================================================
    // Internals
    // =====================================================================================================

    function _startRun(
        address buyer,
        DatasetId datasetId,
        Op[] calldata ops,
        bytes32 programHash,
        uint64 fromIndex,
        uint64 toIndex,
        bytes32 consentDigest
    ) private returns (RunId runId) {
        Dataset storage dataset = _activeDataset(datasetId);
        _checkAccess(datasetId, buyer);
        _checkWindow(dataset, fromIndex, toIndex);
        StoredProgram storage stored = _storeProgram(programHash, ops);
        _checkApproved(datasetId, dataset.approvedKinds, stored.kinds);

        runId = _lastRunId.next();
        _lastRunId = runId;
        _runs[runId] = Run({
            buyer: buyer,
            cursor: fromIndex,
            finished: false,
            datasetId: datasetId,
            programHash: programHash,
            fromIndex: fromIndex,
            toIndex: toIndex,
            startedAt: uint64(block.timestamp)
        });
        RecipeEngine.begin(_slots[runId], stored.ops);
        emit RunStarted(runId, datasetId, buyer, programHash, fromIndex, toIndex, consentDigest);
    }

    /// @dev Validates a program the first time its hash is seen and stores it with its step bounds.
    function _storeProgram(bytes32 programHash, Op[] calldata ops) private returns (StoredProgram storage stored) {
        stored = _programs[programHash];
        if (stored.ops.length != 0) return stored;
        (uint16 kinds, ) = RecipeProgram.validate(ops);
        stored.kinds = kinds;
        stored.maxStep = uint64(RecipeProgram.maxStepSize(ops, false));
        stored.maxFinalStep = uint64(RecipeProgram.maxStepSize(ops, true));
        for (uint256 i; i < ops.length; ++i) {
            Op storage op = stored.ops.push();
            op.kind = ops[i].kind;
            op.cmp = ops[i].cmp;
            op.a = ops[i].a;
            op.b = ops[i].b;
            op.bounds = ops[i].bounds;
        }
    }

    function _checkWindow(Dataset storage dataset, uint64 fromIndex, uint64 toIndex) private view {
        uint64 bucketSize = dataset.bucketSize;
        if (fromIndex % bucketSize != 0 || toIndex % bucketSize != 0) {
            revert WindowNotAligned(fromIndex, toIndex, bucketSize);
        }
        if (uint256(toIndex) < uint256(fromIndex) + bucketSize) revert WindowTooShort(fromIndex, toIndex, bucketSize);
        if (toIndex > dataset.readingCount) revert WindowBeyondReadings(toIndex, dataset.readingCount);
        // Encrypted counters (COUNT_IF, HISTOGRAM) are euint32.
        uint256 length = toIndex - fromIndex;
        if (length > type(uint32).max) revert WindowTooLong(length, type(uint32).max);
    }

    function _checkAccess(DatasetId datasetId, address buyer) private view {
        uint64 expiry = _accessExpiry[datasetId][buyer];
        if (expiry == 0) revert NoAccess(datasetId, buyer);
        if (expiry <= block.timestamp) revert AccessExpired(datasetId, buyer, expiry);
    }

    function _checkApproved(DatasetId datasetId, uint16 approved, uint16 used) private pure {
        uint16 missing = used & ~approved;
        if (missing == 0) return;
        for (uint8 kind; kind < RecipeKind.KIND_COUNT; ++kind) {
            if (missing & (uint16(1) << kind) != 0) revert RecipeKindNotApproved(datasetId, kind);
        }
    }

    function _checkKindMask(uint16 kinds) private pure {
        if (kinds == 0 || kinds & ~RecipeKind.ALL != 0) revert UnknownRecipeKinds(kinds);
    }

    function _checkProgramHash(bytes32 signed, Op[] calldata ops) private pure returns (bytes32 actual) {
        actual = _hashProgram(ops);
        if (actual != signed) revert ProgramHashMismatch(signed, actual);
    }

    function _hashProgram(Op[] calldata ops) private pure returns (bytes32) {
        return keccak256(abi.encode(ops));
    }

    function _useNonce(address buyer, uint256 nonce) private {
        if (_usedNonces[buyer][nonce]) revert NonceAlreadyUsed(buyer, nonce);
        _usedNonces[buyer][nonce] = true;
    }

    function _runRequestDigest(RunRequest calldata request) private view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(
                        RUN_REQUEST_TYPEHASH,
                        request.buyer,
                        DatasetId.unwrap(request.datasetId),
                        request.programHash,
                        request.fromIndex,
                        request.toIndex,
                        request.nonce,
                        request.deadline
                    )
                )
            );
    }

    function _standingAuthorizationDigest(StandingAuthorization calldata auth) private view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(
                        STANDING_AUTHORIZATION_TYPEHASH,
                        auth.buyer,
                        DatasetId.unwrap(auth.datasetId),
                        auth.programHash,
                        auth.cadence,
                        auth.expiry,
                        auth.maxRuns,
                        auth.nonce
                    )
                )
            );
    }

    function _existingDataset(DatasetId datasetId) private view returns (Dataset storage dataset) {
        dataset = _datasets[datasetId];
        if (dataset.seller == address(0)) revert DatasetNotFound(datasetId);
    }

    function _activeDataset(DatasetId datasetId) private view returns (Dataset storage dataset) {
        dataset = _existingDataset(datasetId);
        if (dataset.paused) revert DatasetIsPaused(datasetId);
    }

    function _sellerDataset(DatasetId datasetId) private view returns (Dataset storage dataset) {
        dataset = _existingDataset(datasetId);
        if (dataset.seller != msg.sender) revert NotDatasetSeller(datasetId, msg.sender);
    }

    function _existingRun(RunId runId) private view returns (Run storage run) {
        run = _runs[runId];
        if (run.buyer == address(0)) revert RunNotFound(runId);
    }
}
