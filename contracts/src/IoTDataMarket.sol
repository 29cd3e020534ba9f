// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {euint64, externalEuint64} from "@fhevm/solidity/lib/FHE.sol";
import {ZamaEthereumConfig} from "@fhevm/solidity/config/ZamaConfig.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

import {
    IIoTDataMarket,
    DatasetParams,
    DatasetInfo,
    RunRequest,
    StandingAuthorization,
    ScheduleState,
    RunInfo,
    RunEscrowInfo
} from "./interfaces/IIoTDataMarket.sol";
import {DatasetId, RunId} from "./types/Ids.sol";
import {Op} from "./types/Program.sol";
import {PrivacyParams, PrivacyMode} from "./types/Privacy.sol";
import {RecipeProgram} from "./libraries/RecipeProgram.sol";
import {RecipeEngine} from "./libraries/RecipeEngine.sol";
import {DatasetSettings} from "./libraries/DatasetSettings.sol";
import {PrivacyNoise} from "./libraries/PrivacyNoise.sol";
import {PrivacyLedger} from "./libraries/PrivacyLedger.sol";
import {ReadingLog} from "./libraries/ReadingLog.sol";
import {RunEscrow} from "./libraries/RunEscrow.sol";
import {RunConsent} from "./libraries/RunConsent.sol";
import {RollupTree} from "./libraries/RollupTree.sol";

/// @title IoTDataMarket
/// @notice Sellers publish datasets of encrypted IoT readings, devices append them, buyers purchase access and run
/// statistic recipes over the ciphertexts; only the buyer can decrypt a run's results.
/// @dev Privacy rules enforced here (README, "Privacy rules"): readings and accumulators are allowed to this
/// contract only; readings come from input proofs made for this contract and their appender, each proof once; a run
/// needs unexpired access and approved kinds; windows are aligned to and at least `k` readings; result handles are
/// allowed to the run's buyer and nobody else (never the operator or the seller). On a private dataset readings are
/// clamped into its range, every result gets encrypted noise before it is released, and each run's ε is charged to
/// its buyer's per-reading budget. The encrypted computation, program storage, dataset settings, ingestion, buyers'
/// consent and privacy accounting live in linked libraries ({RecipeEngine}, {RecipeProgram}, {PrivacyNoise},
/// {DatasetSettings}, {ReadingLog}, {RunConsent}, {PrivacyLedger}: DELEGATECALL, same storage and ACL identity), which
/// keeps this contract under the EIP-170 limit.
contract IoTDataMarket is IIoTDataMarket, ZamaEthereumConfig, AccessControl, EIP712, ReentrancyGuard {
    /// @notice Role of the relayer (the worker's account): starts runs with buyers' signatures and steps them.
    bytes32 public constant OPERATOR_ROLE = keccak256("OPERATOR_ROLE");

    /// @dev What starting a run needs besides its program, whichever path (direct, signed, scheduled) starts it.
    struct Start {
        address buyer;
        DatasetId datasetId;
        uint64 fromIndex;
        uint64 toIndex;
        bytes32 consentDigest;
        uint256 maxPayment;
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
        uint16 noiseUnits;
        uint16 noiseCursor;
        uint32 epsilon;
        uint64 lowerBound;
        uint64 upperBound;
    }

    DatasetId private _lastDatasetId;
    RunId private _lastRunId;

    mapping(DatasetId => DatasetSettings.Dataset) private _datasets;
    mapping(DatasetId => mapping(address device => bool)) private _devices;
    mapping(DatasetId => mapping(uint256 index => euint64)) private _readings;
    mapping(DatasetId => RollupTree.Tree) private _rollups;
    mapping(DatasetId => mapping(address buyer => uint64)) private _accessExpiry;
    mapping(address account => uint256) private _pendingWithdrawals;
    mapping(bytes32 proofHash => bool) private _usedInputProofs;
    /// @dev Per dataset and buyer, the {PrivacyLedger} segment tree of ε spent per reading.
    mapping(DatasetId => mapping(address buyer => mapping(uint256 node => uint256))) private _privacyLedgers;

    mapping(bytes32 programHash => RecipeProgram.Stored) private _programs;
    mapping(RunId => Run) private _runs;
    /// @dev Accumulators while a run steps, its result handles once finished (same layout).
    mapping(RunId => bytes32[]) private _slots;
    mapping(bytes32 requestDigest => RunId) private _runIdOf;
    mapping(address buyer => mapping(uint256 nonce => bool)) private _usedNonces;
    mapping(bytes32 authorizationDigest => ScheduleState) private _schedules;
    /// @dev Buyers' balances, runs' locked funds, per-run prices and the operator's gas price ({RunEscrow}).
    RunEscrow.Book private _escrow;
    /// @dev The gas left when a metered transaction (an operator's start, step or noise) began, and its run:
    /// transient, read once at its end to reimburse the operator.
    uint256 private transient _meteredFrom;
    uint256 private transient _meteredRun;

    /// @param admin Holder of DEFAULT_ADMIN_ROLE (grants and revokes operators).
    /// @param operator The relayer's account, granted OPERATOR_ROLE; the zero address grants nobody.
    constructor(address admin, address operator) EIP712("IoTDataMarket", "1") {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        if (operator != address(0)) _grantRole(OPERATOR_ROLE, operator);
    }

    /// @dev Reimburses the operator (when the caller is one) for this transaction of the run it started or advanced,
    /// from the run's locked funds, and settles the run when it finished. After the body: checks-effects-interactions
    /// holds, as nothing is sent (credits are pull payments).
    modifier metered() {
        _meteredFrom = gasleft();
        _;
        RunId runId = RunId.wrap(_meteredRun);
        RunEscrow.charge(
            _escrow,
            _pendingWithdrawals,
            runId,
            hasRole(OPERATOR_ROLE, msg.sender) ? msg.sender : address(0),
            _meteredFrom - gasleft(),
            _runs[runId].finished
        );
    }

    // =====================================================================================================
    // Datasets
    // =====================================================================================================

    /// @inheritdoc IIoTDataMarket
    function createDataset(DatasetParams calldata params) external returns (DatasetId datasetId) {
        datasetId = _lastDatasetId.next();
        _lastDatasetId = datasetId;
        DatasetSettings.initialize(_datasets[datasetId], datasetId, msg.sender, params);
        RollupTree.configure(_rollups[datasetId], datasetId, params.rollups, params.bucketSize);
    }

    /// @inheritdoc IIoTDataMarket
    function setPrice(DatasetId datasetId, uint128 pricePerPeriod) external {
        _sellerDataset(datasetId).pricePerPeriod = pricePerPeriod;
        emit PriceChanged(datasetId, pricePerPeriod);
    }

    /// @inheritdoc IIoTDataMarket
    function setBucketSize(DatasetId datasetId, uint64 bucketSize) external {
        DatasetSettings.setBucketSize(_sellerDataset(datasetId), datasetId, bucketSize);
    }

    /// @inheritdoc IIoTDataMarket
    function setPrivacy(DatasetId datasetId, PrivacyParams calldata privacy) external {
        DatasetSettings.setPrivacy(_sellerDataset(datasetId), datasetId, privacy);
    }

    /// @inheritdoc IIoTDataMarket
    function pauseDataset(DatasetId datasetId) external {
        DatasetSettings.Dataset storage dataset = _sellerDataset(datasetId);
        if (dataset.paused) revert DatasetIsPaused(datasetId);
        dataset.paused = true;
        emit DatasetPaused(datasetId);
    }

    /// @inheritdoc IIoTDataMarket
    function unpauseDataset(DatasetId datasetId) external {
        DatasetSettings.Dataset storage dataset = _sellerDataset(datasetId);
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
        DatasetSettings.changeApprovedKinds(_sellerDataset(datasetId), datasetId, kinds, true);
    }

    /// @inheritdoc IIoTDataMarket
    function revokeRecipeKinds(DatasetId datasetId, uint16 kinds) external {
        DatasetSettings.changeApprovedKinds(_sellerDataset(datasetId), datasetId, kinds, false);
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
        DatasetSettings.Dataset storage dataset = _activeDataset(datasetId);
        uint64 first = dataset.readingCount;
        ReadingLog.append(
            dataset,
            _devices[datasetId],
            _readings[datasetId],
            _usedInputProofs,
            datasetId,
            handles,
            inputProof,
            timestamps
        );
        // The readings just stored (clamped on a private dataset) go into the dataset's rollups.
        if (_rollups[datasetId].kinds != 0) RollupTree.rollUp(_rollups[datasetId], _readings[datasetId], first, handles.length);
    }

    // =====================================================================================================
    // Access and money
    // =====================================================================================================

    /// @inheritdoc IIoTDataMarket
    function purchaseAccess(DatasetId datasetId, uint32 periods) external payable {
        DatasetSettings.Dataset storage dataset = _activeDataset(datasetId);
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
        _withdraw(payable(msg.sender));
    }

    /// @inheritdoc IIoTDataMarket
    function withdrawTo(address payable to) external nonReentrant {
        if (to == address(0)) revert InvalidRecipient(to);
        _withdraw(to);
    }

    /// @inheritdoc IIoTDataMarket
    function deposit() external payable {
        RunEscrow.deposit(_escrow, msg.sender, msg.value);
    }

    /// @inheritdoc IIoTDataMarket
    function withdrawBalance(uint256 amount) external nonReentrant {
        RunEscrow.withdraw(_escrow, payable(msg.sender), amount);
    }

    /// @inheritdoc IIoTDataMarket
    function setRunGasPrice(uint256 gasPrice) external onlyRole(OPERATOR_ROLE) {
        RunEscrow.setGasPrice(_escrow, gasPrice);
    }

    /// @inheritdoc IIoTDataMarket
    function setRunPrice(DatasetId datasetId, uint128 price) external {
        _sellerDataset(datasetId);
        RunEscrow.setRunPrice(_escrow, datasetId, price);
    }

    /// @inheritdoc IIoTDataMarket
    function cancelRun(RunId runId) external {
        _existingRun(runId);
        RunEscrow.cancel(_escrow, runId);
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
        // The buyer pays its own gas: its run locks the seller's price only.
        return _startRun(Start(msg.sender, datasetId, fromIndex, toIndex, bytes32(0), _escrow.runPrices[datasetId]), ops);
    }

    /// @inheritdoc IIoTDataMarket
    function startRunFor(
        RunRequest calldata request,
        Op[] calldata ops,
        bytes calldata signature
    ) external onlyRole(OPERATOR_ROLE) metered returns (RunId runId) {
        (, bytes32 digest) = RunConsent.useRunRequest(
            _usedNonces,
            _domainSeparatorV4(),
            request,
            ops,
            signature
        );
        runId = _startRun(
            Start(request.buyer, request.datasetId, request.fromIndex, request.toIndex, digest, request.maxPayment),
            ops
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
    ) external onlyRole(OPERATOR_ROLE) metered returns (RunId runId) {
        bytes32 digest = RunConsent.useStandingAuthorization(
            _usedNonces,
            _schedules,
            _existingDataset(auth.datasetId),
            _domainSeparatorV4(),
            auth,
            signature,
            fromIndex,
            toIndex
        );
        RunConsent.checkProgramHash(auth.programHash, ops);
        runId = _startRun(Start(auth.buyer, auth.datasetId, fromIndex, toIndex, digest, auth.maxPaymentPerRun), ops);
        _schedules[digest].lastRunId = runId;
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
        RunConsent.useNonce(_usedNonces, msg.sender, nonce);
        emit NonceInvalidated(msg.sender, nonce);
    }

    /// @inheritdoc IIoTDataMarket
    function step(RunId runId, uint256 n) external metered {
        Run storage run = _participantRun(runId);
        uint64 cursor = run.cursor;
        uint256 remaining = run.toIndex - cursor;
        if (n == 0 || n > remaining) revert StepOutOfWindow(n, remaining);
        bool finalizes = n == remaining;
        RecipeProgram.Stored storage stored = _programs[run.programHash];
        // Rollups are fixed at creation and the window at the start: whether they serve the run never changes. A
        // rolled-up step is bounded by its nodes' HCU, which RecipeEngine.stepRolledUp checks.
        bool rolledUp = _rolledUp(run, stored.ops);
        if (!rolledUp) {
            uint256 largest = finalizes ? stored.maxFinalStep : stored.maxStep;
            if (n > largest) revert StepTooLarge(n, largest);
        }

        address buyer = run.buyer;
        bool releases = finalizes && run.noiseUnits == 0;
        run.cursor = cursor + uint64(n);
        if (releases) run.finished = true;
        RecipeEngine.Chunk memory chunk = RecipeEngine.Chunk({
            from: cursor,
            n: n,
            finalizes: finalizes,
            windowLength: run.toIndex - run.fromIndex,
            recipient: run.noiseUnits == 0 ? buyer : address(this)
        });
        if (rolledUp) RecipeEngine.stepRolledUp(_slots[runId], stored.ops, _rollups[run.datasetId], chunk);
        else RecipeEngine.step(_slots[runId], stored.ops, _readings[run.datasetId], chunk);
        emit RunStepped(runId, cursor + uint64(n), n);
        if (releases) emit RunFinished(runId, buyer, _slots[runId]);
    }

    /// @inheritdoc IIoTDataMarket
    function addNoise(RunId runId, uint256 count) external metered {
        Run storage run = _participantRun(runId);
        uint16 noiseCursor = run.noiseCursor;
        uint256 remaining = run.noiseUnits - noiseCursor;
        if (run.cursor != run.toIndex || remaining == 0) revert NoiseNotDue(runId);
        if (count == 0 || count > remaining) revert NoiseOutOfRange(count, remaining, remaining);

        bool releases = count == remaining;
        address buyer = run.buyer;
        run.noiseCursor = noiseCursor + uint16(count);
        if (releases) run.finished = true;
        PrivacyNoise.addNoise(
            _slots[runId],
            _programs[run.programHash].ops,
            PrivacyNoise.Job({
                firstUnit: noiseCursor,
                count: count,
                totalUnits: run.noiseUnits,
                lowerBound: run.lowerBound,
                upperBound: run.upperBound,
                windowLength: run.toIndex - run.fromIndex,
                buyer: buyer,
                releases: releases
            })
        );
        emit RunNoised(runId, noiseCursor + uint16(count), count);
        if (releases) emit RunFinished(runId, buyer, _slots[runId]);
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
        DatasetSettings.Dataset storage dataset = _existingDataset(datasetId);
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
                lastTimestamp: dataset.lastTimestamp,
                minBucketSize: dataset.minBucketSize,
                privacy: dataset.privacy,
                privateFrom: dataset.privateFrom,
                rollups: _rollups[datasetId].kinds,
                rollupBlockSize: _rollups[datasetId].blockSize
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
    function balanceOf(address buyer) external view returns (uint256) {
        return _escrow.balances[buyer];
    }

    /// @inheritdoc IIoTDataMarket
    function runGasPrice() external view returns (uint256) {
        return _escrow.gasPrice;
    }

    /// @inheritdoc IIoTDataMarket
    function runPrice(DatasetId datasetId) external view returns (uint128) {
        return _escrow.runPrices[datasetId];
    }

    /// @inheritdoc IIoTDataMarket
    function runEscrow(RunId runId) external view returns (RunEscrowInfo memory) {
        return RunEscrow.info(_escrow, runId);
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
                finished: run.finished,
                noiseUnits: run.noiseUnits,
                noiseCursor: run.noiseCursor,
                epsilon: run.epsilon,
                lowerBound: run.lowerBound,
                upperBound: run.upperBound,
                rolledUp: _rolledUp(run, _programs[run.programHash].ops)
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
    function isInputProofUsed(bytes32 proofHash) external view returns (bool) {
        return _usedInputProofs[proofHash];
    }

    /// @inheritdoc IIoTDataMarket
    function privacySpent(
        DatasetId datasetId,
        address buyer,
        uint64 fromIndex,
        uint64 toIndex
    ) external view returns (uint256) {
        return PrivacyLedger.spentOver(_privacyLedgers[datasetId][buyer], fromIndex, toIndex);
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

    function _startRun(Start memory start, Op[] calldata ops) private returns (RunId runId) {
        DatasetId datasetId = start.datasetId;
        // The signed paths have checked their programHash against this one.
        bytes32 programHash = keccak256(abi.encode(ops));
        DatasetSettings.Dataset storage dataset = _activeDataset(datasetId);
        _checkAccess(datasetId, start.buyer);
        DatasetSettings.checkWindow(dataset, start.fromIndex, start.toIndex);
        RecipeProgram.Stored storage stored = _storeProgram(programHash, ops);
        DatasetSettings.checkApproved(datasetId, dataset.approvedKinds, stored.kinds);
        PrivacyParams storage privacy = dataset.privacy;
        (uint16 noiseUnits, uint32 epsilon) = PrivacyNoise.admit(ops, privacy);

        runId = _lastRunId.next();
        _lastRunId = runId;
        _runs[runId] = Run({
            buyer: start.buyer,
            cursor: start.fromIndex,
            finished: false,
            datasetId: datasetId,
            programHash: programHash,
            fromIndex: start.fromIndex,
            toIndex: start.toIndex,
            startedAt: uint64(block.timestamp),
            noiseUnits: noiseUnits,
            noiseCursor: 0,
            epsilon: epsilon,
            lowerBound: privacy.lowerBound,
            upperBound: privacy.upperBound
        });
        if (privacy.mode == PrivacyMode.PRIVATE) {
            if (start.fromIndex < dataset.privateFrom) revert WindowBeforePrivateFrom(start.fromIndex, dataset.privateFrom);
            _chargeBudget(datasetId, start.buyer, runId, start.fromIndex, start.toIndex, epsilon, privacy.budget);
        }
        RecipeEngine.begin(_slots[runId], stored.ops);
        // Every start path (direct, signed, scheduled) comes through here: no run starts without its funds locked.
        _lockFunds(runId, start, dataset.seller, programHash);
    }

    /// @dev Announces the run, locks its funds (reverting the whole start when the buyer's balance is short) and
    /// marks it as the run this transaction meters.
    function _lockFunds(RunId runId, Start memory start, address seller, bytes32 programHash) private {
        emit RunStarted(runId, start.datasetId, start.buyer, programHash, start.fromIndex, start.toIndex, start.consentDigest);
        RunEscrow.lock(_escrow, runId, start.datasetId, start.buyer, seller, start.maxPayment);
        _meteredRun = RunId.unwrap(runId);
    }

    /// @dev Every start path (direct, signed, scheduled) comes through here: there is no way around the budget.
    function _chargeBudget(
        DatasetId datasetId,
        address buyer,
        RunId runId,
        uint64 fromIndex,
        uint64 toIndex,
        uint32 epsilon,
        uint32 budget
    ) private {
        PrivacyLedger.chargeRun(
            _privacyLedgers[datasetId][buyer],
            PrivacyLedger.Charge(datasetId, buyer, runId, fromIndex, toIndex, epsilon, budget)
        );
    }

    function _rolledUp(Run storage run, Op[] storage ops) private view returns (bool) {
        return RollupTree.serves(_rollups[run.datasetId], ops, run.fromIndex, run.toIndex);
    }

    function _withdraw(address payable to) private {
        uint256 amount = _pendingWithdrawals[msg.sender];
        if (amount == 0) revert NothingToWithdraw(msg.sender);
        _pendingWithdrawals[msg.sender] = 0;
        emit Withdrawn(msg.sender, to, amount);
        (bool sent, ) = to.call{value: amount}("");
        if (!sent) revert WithdrawalFailed(to, amount);
    }

    /// @dev Validates a program the first time its hash is seen and stores it with its step bounds.
    function _storeProgram(bytes32 programHash, Op[] calldata ops) private returns (RecipeProgram.Stored storage stored) {
        stored = _programs[programHash];
        RecipeProgram.store(stored, ops);
    }

    function _checkAccess(DatasetId datasetId, address buyer) private view {
        uint64 expiry = _accessExpiry[datasetId][buyer];
        if (expiry == 0) revert NoAccess(datasetId, buyer);
        if (expiry <= block.timestamp) revert AccessExpired(datasetId, buyer, expiry);
    }

    function _runRequestDigest(RunRequest calldata request) private view returns (bytes32) {
        return RunConsent.runRequestDigest(_domainSeparatorV4(), request);
    }

    function _standingAuthorizationDigest(StandingAuthorization calldata auth) private view returns (bytes32) {
        return RunConsent.standingAuthorizationDigest(_domainSeparatorV4(), auth);
    }

    function _existingDataset(DatasetId datasetId) private view returns (DatasetSettings.Dataset storage dataset) {
        dataset = _datasets[datasetId];
        if (dataset.seller == address(0)) revert DatasetNotFound(datasetId);
    }

    function _activeDataset(DatasetId datasetId) private view returns (DatasetSettings.Dataset storage dataset) {
        dataset = _existingDataset(datasetId);
        if (dataset.paused) revert DatasetIsPaused(datasetId);
    }

    function _sellerDataset(DatasetId datasetId) private view returns (DatasetSettings.Dataset storage dataset) {
        dataset = _existingDataset(datasetId);
        if (dataset.seller != msg.sender) revert NotDatasetSeller(datasetId, msg.sender);
    }

    function _existingRun(RunId runId) private view returns (Run storage run) {
        run = _runs[runId];
        if (run.buyer == address(0)) revert RunNotFound(runId);
    }

    /// @dev An unfinished, uncancelled run the caller (its buyer or an operator) may advance; metered for it.
    function _participantRun(RunId runId) private returns (Run storage run) {
        _meteredRun = RunId.unwrap(runId);
        run = _existingRun(runId);
        if (run.finished) revert RunAlreadyFinished(runId);
        // Closed and not finished: its buyer cancelled it.
        if (_escrow.locks[runId].closed) revert RunClosed(runId);
        if (msg.sender != run.buyer && !hasRole(OPERATOR_ROLE, msg.sender)) revert NotRunParticipant(runId, msg.sender);
    }
}
