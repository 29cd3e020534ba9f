// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {externalEuint64} from "encrypted-types/EncryptedTypes.sol";
import {DatasetId, RunId} from "../types/Ids.sol";
import {Op} from "../types/Program.sol";
import {PrivacyParams} from "../types/Privacy.sol";

/// @notice What a seller fixes when creating a dataset.
/// @param name Human-readable name, e.g. "Greenhouse 3".
/// @param field What one reading measures, e.g. "temperature".
/// @param unit Unit of the decoded value, e.g. "°C".
/// @param scale Fixed-point decimals: encoded = round(value * 10^scale) - offset. At most 18.
/// @param offset Shift in scaled units that makes encoded values unsigned (e.g. -5000 for readings from -50.00).
/// @param pricePerPeriod Price in wei of one access period.
/// @param periodSeconds Length of one access period in seconds (> 0; 32 bits keep every expiry within uint64).
/// @param bucketSize `k`: run windows are aligned to and at least `k` readings long (> 0).
/// @param privacy Exact or private, with a private dataset's range, budget and ε bounds (README, "Private datasets").
/// @param rollups The encrypted rollups kept at ingestion, a {Rollup} mask (0: none; otherwise it holds SUM), over
/// blocks of `bucketSize` readings (2 when `bucketSize` is 1): README, "Rollups".
struct DatasetParams {
    string name;
    string field;
    string unit;
    uint8 scale;
    int64 offset;
    uint128 pricePerPeriod;
    uint32 periodSeconds;
    uint64 bucketSize;
    PrivacyParams privacy;
    uint8 rollups;
}

/// @notice A dataset's public metadata and counters, as returned by {IIoTDataMarket-datasetInfo}.
/// @param minBucketSize The smallest `k` the dataset ever had: every `k` it may take is a multiple or divisor of it.
/// @param privateFrom The first reading private runs may read: the reading count when the dataset last became
/// private (earlier readings were appended unclamped).
/// @param rollups The dataset's {Rollup} mask, fixed at creation.
/// @param rollupBlockSize Readings per rollup block (0 without rollups): windows aligned to it use the rollups.
struct DatasetInfo {
    address seller;
    string name;
    string field;
    string unit;
    uint8 scale;
    int64 offset;
    uint128 pricePerPeriod;
    uint32 periodSeconds;
    uint64 bucketSize;
    uint16 approvedKinds;
    bool paused;
    uint64 readingCount;
    uint64 lastTimestamp;
    uint64 minBucketSize;
    PrivacyParams privacy;
    uint64 privateFrom;
    uint8 rollups;
    uint64 rollupBlockSize;
}

/// @notice EIP-712 `RunRequest`: a buyer's consent to one run, carried by the relayer.
/// @param maxPayment The most (wei) the buyer agrees to pay for the run, the quote: locked from its balance at start.
struct RunRequest {
    address buyer;
    DatasetId datasetId;
    bytes32 programHash;
    uint64 fromIndex;
    uint64 toIndex;
    uint256 nonce;
    uint256 deadline;
    uint256 maxPayment;
}

/// @notice EIP-712 `StandingAuthorization`: a buyer's consent to recurring runs over consecutive windows.
/// @param fromIndex Where the first window starts (rounded up to the dataset's `k` when it runs).
/// @param maxPaymentPerRun The most (wei) the buyer agrees to pay per report, locked from its balance at each start.
struct StandingAuthorization {
    address buyer;
    DatasetId datasetId;
    bytes32 programHash;
    uint64 fromIndex;
    uint64 cadence;
    uint64 expiry;
    uint32 maxRuns;
    uint256 nonce;
    uint256 maxPaymentPerRun;
}

/// @notice On-chain state of a standing authorization, keyed by its EIP-712 digest.
/// @param runs Scheduled runs started so far (0 until first used).
/// @param lastRunAt Timestamp of the latest scheduled run.
/// @param nextFromIndex Where the next scheduled window must start (the previous window's end).
/// @param revoked Whether the buyer revoked it.
/// @param lastRunId The latest run it started (lets a crashed relayer find it).
struct ScheduleState {
    uint32 runs;
    uint64 lastRunAt;
    uint64 nextFromIndex;
    bool revoked;
    RunId lastRunId;
}

/// @notice Public state of a run, as returned by {IIoTDataMarket-runInfo}.
/// @param cursor Index of the next reading a step consumes; equals `toIndex` once finished.
/// @param finished Whether the results are allowed to the buyer (after the last step, and on a private dataset after
/// the last noise unit).
/// @param noiseUnits Noise draws the run's results need (0 on an exact dataset).
/// @param noiseCursor Noise draws added so far.
/// @param epsilon The ε (thousandths) the run charged to every reading of its window.
/// @param lowerBound The private range the noise was calibrated for (zero on an exact dataset).
/// @param upperBound See `lowerBound`.
/// @param rolledUp Whether the run's steps combine the dataset's rollups instead of its readings (see {step}).
struct RunInfo {
    address buyer;
    DatasetId datasetId;
    bytes32 programHash;
    uint64 fromIndex;
    uint64 toIndex;
    uint64 cursor;
    uint64 startedAt;
    bool finished;
    uint16 noiseUnits;
    uint16 noiseCursor;
    uint32 epsilon;
    uint64 lowerBound;
    uint64 upperBound;
    bool rolledUp;
}

/// @title IIoTDataMarketErrors
/// @notice Every rejection of the market, one custom error each. `contracts/client/errors.ts` turns each into a sentence.
/// @notice The funds of one run (issue 15, pay per run): what its start locked of the buyer's balance, what the
/// operator has been reimbursed so far, the seller's share paid when it finishes, after when its buyer may cancel
/// it, and whether it is settled or cancelled.
struct RunEscrowInfo {
    uint128 locked;
    uint128 spent;
    uint128 sellerShare;
    uint64 deadline;
    bool closed;
}

interface IIoTDataMarketErrors {
    // ----- datasets -----

    /// @notice No dataset has id `datasetId`.
    error DatasetNotFound(DatasetId datasetId);
    /// @notice Only the seller of `datasetId` may do this; `caller` is not.
    error NotDatasetSeller(DatasetId datasetId, address caller);
    /// @notice A dataset needs a non-empty name.
    error InvalidDatasetName();
    /// @notice `scale` (decimals) is above 18.
    error InvalidScale(uint8 scale);
    /// @notice An access period of `periodSeconds` (zero) is not allowed.
    error InvalidAccessPeriod(uint32 periodSeconds);
    /// @notice A bucket size `k` of `bucketSize` (zero) is not allowed.
    error InvalidBucketSize(uint64 bucketSize);
    /// @notice `requested` is neither a multiple nor a divisor of `smallest`, the smallest bucket size the dataset
    /// ever had, so windows aligned to the two could be differenced below both.
    error BucketSizeIncompatible(uint64 smallest, uint64 requested);
    /// @notice The privacy mode `mode` does not exist (0 exact, 1 private).
    error UnknownPrivacyMode(uint8 mode);
    /// @notice An exact dataset's privacy fields other than `mode` must all be zero.
    error ExactPrivacyFieldSet();
    /// @notice A private range needs `lowerBound` < `upperBound` <= `maxBound`.
    error InvalidPrivacyRange(uint64 lowerBound, uint64 upperBound, uint64 maxBound);
    /// @notice A private dataset needs 1 <= `minEpsilon` <= `maxEpsilon` <= min(`budget`, `limit`).
    error InvalidPrivacyBudget(uint32 budget, uint32 minEpsilon, uint32 maxEpsilon, uint32 limit);
    /// @notice A private range may only widen: [`lowerBound`, `upperBound`] does not contain the current
    /// [`currentLower`, `currentUpper`], into which earlier readings were clamped.
    error PrivacyRangeNarrowed(uint64 currentLower, uint64 currentUpper, uint64 lowerBound, uint64 upperBound);
    /// @notice `datasetId` is paused: no ingestion, purchase or new run.
    error DatasetIsPaused(DatasetId datasetId);
    /// @notice `datasetId` is not paused.
    error DatasetNotPaused(DatasetId datasetId);
    /// @notice `device` (the zero address) cannot be registered.
    error InvalidDevice(address device);
    /// @notice `device` is already registered for `datasetId`.
    error DeviceAlreadyRegistered(DatasetId datasetId, address device);
    /// @notice `device` is not registered for `datasetId`.
    error DeviceNotRegistered(DatasetId datasetId, address device);
    /// @notice `mask` is empty or has bits of no recipe kind (only bits 0..9 exist).
    error UnknownRecipeKinds(uint16 mask);

    // ----- ingestion -----

    /// @notice `caller` is neither a registered device of `datasetId` nor its seller.
    error NotAuthorizedAppender(DatasetId datasetId, address caller);
    /// @notice A batch holds 1..`max` readings; `size` is outside.
    error InvalidBatchSize(uint256 size, uint256 max);
    /// @notice `handles` readings came with `timestamps` timestamps.
    error BatchLengthMismatch(uint256 handles, uint256 timestamps);
    /// @notice Timestamp `given` is before the previous reading's `previous`.
    error TimestampOutOfOrder(uint64 previous, uint64 given);
    /// @notice Timestamp `given` is later than the block's, `blockTimestamp`: readings cannot come from the future.
    error TimestampInFuture(uint64 given, uint256 blockTimestamp);
    /// @notice Readings must come with an input proof made for this market and the appender (none was sent).
    error MissingInputProof();
    /// @notice Reading `index` of the batch is not the proof's handle `index`: a batch is exactly its proof's list of
    /// handles, in order, each once.
    error InputProofMismatch(uint256 index);
    /// @notice This input proof (keccak256 `proofHash`) was already appended once.
    error InputProofReused(bytes32 proofHash);

    // ----- access and money -----

    /// @notice At least one access period must be bought.
    error ZeroPeriods();
    /// @notice The exact price is `expected` wei; `sent` wei were sent (over- and underpayment are both rejected).
    error WrongPayment(uint256 expected, uint256 sent);
    /// @notice `account` has no earnings to withdraw.
    error NothingToWithdraw(address account);
    /// @notice Sending `amount` wei to `account` failed.
    error WithdrawalFailed(address account, uint256 amount);
    /// @notice Earnings cannot be sent to `recipient` (the zero address).
    error InvalidRecipient(address recipient);
    /// @notice `buyer` never bought access to `datasetId`.
    error NoAccess(DatasetId datasetId, address buyer);
    /// @notice `buyer`'s access to `datasetId` expired at `expiredAt`.
    error AccessExpired(DatasetId datasetId, address buyer, uint64 expiredAt);

    // ----- programs -----

    /// @notice A program has 1..`max` operations; this one has `length`.
    error InvalidProgramLength(uint256 length, uint256 max);
    /// @notice Operation `opIndex` has kind `kind`, which does not exist.
    error UnknownRecipeKind(uint256 opIndex, uint8 kind);
    /// @notice Operation `opIndex` has comparator `cmp`, which does not exist.
    error UnknownComparator(uint256 opIndex, uint8 cmp);
    /// @notice Operation `opIndex` sets a field its kind does not use (it must be zero or empty).
    error UnusedOpFieldSet(uint256 opIndex);
    /// @notice Operation `opIndex` is BETWEEN with `a` > `b`.
    error InvalidBetweenRange(uint256 opIndex, uint64 a, uint64 b);
    /// @notice Operation `opIndex` is a HISTOGRAM whose bounds are not 1..8 strictly increasing values.
    error InvalidHistogramBounds(uint256 opIndex);
    /// @notice Even a one-reading finalizing step of this program needs `hcu` HCU, over the per-transaction limit.
    error ProgramExceedsHcuLimit(uint256 hcu);
    /// @notice The seller has not approved (or has revoked) recipe kind `kind` for `datasetId`.
    error RecipeKindNotApproved(DatasetId datasetId, uint8 kind);
    /// @notice The signature covers program hash `signed` but the program sent hashes to `actual`.
    error ProgramHashMismatch(bytes32 signed, bytes32 actual);
    /// @notice Operation `opIndex` has kind `kind`, which a private dataset does not offer (MIN, MAX and ALERT
    /// reveal single readings; no noise makes them private).
    error RecipeKindNotPrivate(uint256 opIndex, uint8 kind);
    /// @notice Operation `opIndex` spends ε `epsilon` (thousandths); this dataset allows `min`..`max`.
    error EpsilonOutOfBounds(uint256 opIndex, uint32 epsilon, uint32 min, uint32 max);
    /// @notice Operation `opIndex` sets an ε, but its dataset is exact or its kind (COUNT) is not noised.
    error EpsilonNotExpected(uint256 opIndex);
    /// @notice Operation `opIndex` needs noise of `bits` random bits per draw, over the 62 a draw may have (ε too small
    /// for the range).
    error NoiseTooWide(uint256 opIndex, uint256 bits);
    /// @notice Running this would bring a reading's ε spent by `buyer` on `datasetId` from `spent` to
    /// `spent + requested`, over the dataset's `budget` (all in thousandths).
    error PrivacyBudgetExceeded(DatasetId datasetId, address buyer, uint256 spent, uint256 requested, uint256 budget);

    // ----- windows -----

    /// @notice Window [`fromIndex`, `toIndex`) is not aligned to buckets of `bucketSize` readings.
    error WindowNotAligned(uint64 fromIndex, uint64 toIndex, uint64 bucketSize);
    /// @notice Window [`fromIndex`, `toIndex`) is shorter than one bucket of `bucketSize` readings.
    error WindowTooShort(uint64 fromIndex, uint64 toIndex, uint64 bucketSize);
    /// @notice Window end `toIndex` is beyond the `readingCount` readings appended so far.
    error WindowBeyondReadings(uint64 toIndex, uint64 readingCount);
    /// @notice A window of `length` readings exceeds the `max` its 32-bit encrypted counters hold.
    error WindowTooLong(uint256 length, uint256 max);
    /// @notice A private run's window starts at `fromIndex`, before `privateFrom`, the first reading appended
    /// (clamped) since the dataset became private.
    error WindowBeforePrivateFrom(uint64 fromIndex, uint64 privateFrom);
    /// @notice A window ending at `toIndex` is beyond the privacy ledger's 2^40 readings.
    error WindowBeyondLedger(uint64 toIndex);

    // ----- consent -----

    /// @notice The signed request's `deadline` has passed (block time `timestamp`).
    error SignatureExpired(uint256 deadline, uint256 timestamp);
    /// @notice `buyer` already used or cancelled `nonce`.
    error NonceAlreadyUsed(address buyer, uint256 nonce);
    /// @notice The signature is not `buyer`'s over this request.
    error InvalidSignature(address buyer);
    /// @notice The standing authorization expired at `expiry`.
    error AuthorizationExpired(uint64 expiry);
    /// @notice The buyer revoked the standing authorization with EIP-712 digest `digest`.
    error AuthorizationRevoked(bytes32 digest);
    /// @notice The standing authorization already started its `maxRuns` runs.
    error AuthorizationExhausted(uint32 maxRuns);
    /// @notice The next scheduled run may start at `nextRunAt`, not before.
    error ScheduleTooEarly(uint256 nextRunAt);
    /// @notice A scheduled window must start at `expectedFromIndex` (the authorization's start, then where the previous window ended, rounded up to `k`), not `fromIndex`.
    error ScheduleNotConsecutive(uint64 expectedFromIndex, uint64 fromIndex);
    /// @notice Only `buyer` may revoke this authorization; `caller` is not.
    error NotAuthorizationBuyer(address buyer, address caller);

    // ----- runs -----

    /// @notice No run has id `runId`.
    error RunNotFound(RunId runId);
    /// @notice Run `runId` is already finished.
    error RunAlreadyFinished(RunId runId);
    /// @notice Run `runId` has not finished yet: its results do not exist.
    error RunNotFinished(RunId runId);
    /// @notice Only the run's buyer or an operator may step run `runId`; `caller` is neither.
    error NotRunParticipant(RunId runId, address caller);
    /// @notice A step consumes 1..`remaining` readings; `n` is outside.
    error StepOutOfWindow(uint256 n, uint256 remaining);
    /// @notice `n` readings exceed this program's largest step, `maxStepSize`, under the HCU limit.
    error StepTooLarge(uint256 n, uint256 maxStepSize);
    /// @notice Run `runId` has no noise to add now (exact dataset, window not stepped to its end, or all added).
    error NoiseNotDue(RunId runId);
    /// @notice `count` noise draws: 1..`remaining` may be added, and at most `max` fit in one transaction.
    error NoiseOutOfRange(uint256 count, uint256 remaining, uint256 max);
    /// @notice A dataset's rollups are a mask of {Rollup} bits that holds SUM whenever it holds any.
    error InvalidRollups(uint8 rollups);
    /// @notice A step of a rolled-up run must cover whole rollup blocks (or end the window).
    error RollupStepNotAligned(uint256 n, uint64 blockSize);
    /// @notice A step of a rolled-up run combines more stored nodes than one transaction's HCU allows.
    error RollupStepTooLarge(uint256 n, uint256 hcu, uint256 limit);

    // ----- pay per run -----

    /// @notice An amount of zero (or beyond 128 bits) is not allowed here.
    error InvalidAmount(uint256 amount);
    /// @notice `buyer`'s unlocked balance `balance` is short of the `needed` amount.
    error InsufficientBalance(address buyer, uint256 balance, uint256 needed);
    /// @notice The most the buyer agreed to pay, `maxPayment`, is below the dataset's price per run `runPrice`.
    error PaymentBelowRunPrice(uint256 maxPayment, uint256 runPrice);
    /// @notice Only the buyer of run `runId` may do this; `caller` is not.
    error NotRunBuyer(RunId runId, address caller);
    /// @notice Run `runId` is already settled or cancelled.
    error RunClosed(RunId runId);
    /// @notice Run `runId` may be cancelled only after its deadline `deadline`.
    error RunNotOverdue(RunId runId, uint64 deadline);
}

/// @title IIoTDataMarketEvents
/// @notice Every state change of the market, emitted right after it.
interface IIoTDataMarketEvents {
    /// @notice A seller created dataset `datasetId` with the given public metadata.
    event DatasetCreated(
        DatasetId indexed datasetId,
        address indexed seller,
        string name,
        string field,
        string unit,
        uint8 scale,
        int64 offset,
        uint128 pricePerPeriod,
        uint32 periodSeconds,
        uint64 bucketSize
    );
    /// @notice The price of one access period of `datasetId` is now `pricePerPeriod` wei.
    event PriceChanged(DatasetId indexed datasetId, uint128 pricePerPeriod);
    /// @notice Windows over `datasetId` are now aligned to `bucketSize` readings.
    event BucketSizeChanged(DatasetId indexed datasetId, uint64 bucketSize);
    /// @notice `datasetId` is now exact or private as `privacy` says (also emitted at creation); private runs read
    /// readings from `privateFrom` on.
    event PrivacyChanged(DatasetId indexed datasetId, PrivacyParams privacy, uint64 privateFrom);
    /// @notice `datasetId` was paused.
    event DatasetPaused(DatasetId indexed datasetId);
    /// @notice `datasetId` was unpaused.
    event DatasetUnpaused(DatasetId indexed datasetId);
    /// @notice `device` may now append readings to `datasetId`.
    event DeviceRegistered(DatasetId indexed datasetId, address indexed device);
    /// @notice `device` may no longer append readings to `datasetId`.
    event DeviceRevoked(DatasetId indexed datasetId, address indexed device);
    /// @notice The recipe kinds approved for `datasetId` are now the bits of `approvedKinds`.
    event ApprovedKindsChanged(DatasetId indexed datasetId, uint16 approvedKinds);
    /// @notice `appender` appended `timestamps.length` encrypted readings at indices `firstIndex`, `firstIndex + 1`, ...
    /// @param timestamps The public timestamp of each reading (non-decreasing); only the last one is stored.
    event ReadingsAppended(
        DatasetId indexed datasetId,
        address indexed appender,
        uint64 firstIndex,
        uint64[] timestamps
    );
    /// @notice `buyer` paid `paid` wei for `periods` periods; access to `datasetId` now lasts until `expiresAt`.
    event AccessPurchased(
        DatasetId indexed datasetId,
        address indexed buyer,
        uint32 periods,
        uint256 paid,
        uint64 expiresAt
    );
    /// @notice `account` withdrew `amount` wei of earnings, sent to `to`.
    event Withdrawn(address indexed account, address indexed to, uint256 amount);
    /// @notice Run `runId` of `buyer` over readings [`fromIndex`, `toIndex`) of `datasetId` started.
    /// @param consentDigest The EIP-712 digest of the RunRequest or StandingAuthorization used; zero when the buyer
    /// started it directly.
    event RunStarted(
        RunId indexed runId,
        DatasetId indexed datasetId,
        address indexed buyer,
        bytes32 programHash,
        uint64 fromIndex,
        uint64 toIndex,
        bytes32 consentDigest
    );
    /// @notice A step of run `runId` consumed `readings` readings; the next step starts at `cursor`.
    /// @notice The encrypted rollups (a {Rollup} mask) a dataset keeps from its first reading, over blocks of
    /// `blockSize` readings.
    event RollupsChosen(DatasetId indexed datasetId, uint8 rollups, uint64 blockSize);

    event RunStepped(RunId indexed runId, uint64 cursor, uint256 readings);
    /// @notice Private run `runId` charged ε `epsilon` (thousandths) to every reading of [`fromIndex`, `toIndex`) for
    /// `buyer`; the most any of them has now spent on `buyer` is `spentAfter`.
    event PrivacyBudgetCharged(
        DatasetId indexed datasetId,
        address indexed buyer,
        RunId indexed runId,
        uint64 fromIndex,
        uint64 toIndex,
        uint32 epsilon,
        uint256 spentAfter
    );
    /// @notice `count` noise draws were added to run `runId`'s results; `noiseCursor` have been added so far.
    event RunNoised(RunId indexed runId, uint16 noiseCursor, uint256 count);
    /// @notice Run `runId` finished; `results` (in op order) are allowed to `buyer` alone.
    event RunFinished(RunId indexed runId, address indexed buyer, bytes32[] results);
    /// @notice `buyer` cancelled `nonce`: no request or authorization signed with it can be used any more.
    event NonceInvalidated(address indexed buyer, uint256 nonce);
    /// @notice `buyer` revoked the standing authorization with EIP-712 digest `digest`.
    event StandingAuthorizationRevoked(bytes32 indexed digest, address indexed buyer);

    // ----- pay per run -----

    /// @notice `buyer` deposited `amount` wei; its unlocked balance is now `balance`.
    event Deposited(address indexed buyer, uint256 amount, uint256 balance);
    /// @notice `buyer` withdrew `amount` wei of its unlocked balance to `to`; `balance` is left.
    event BalanceWithdrawn(address indexed buyer, address indexed to, uint256 amount, uint256 balance);
    /// @notice The operator published `gasPrice` (wei per gas) as the price its transactions are reimbursed at.
    event RunGasPriceChanged(uint256 gasPrice);
    /// @notice The seller of `datasetId` set its price per run to `price` wei.
    event RunPriceChanged(DatasetId indexed datasetId, uint128 price);
    /// @notice Starting run `runId` locked `amount` wei of `buyer`'s balance, `sellerShare` of it for the seller;
    /// the buyer may cancel the run after `deadline`.
    event RunFundsLocked(RunId indexed runId, address indexed buyer, uint256 amount, uint256 sellerShare, uint64 deadline);
    /// @notice A transaction of run `runId` cost `operator` `cost` wei, of which `amount` was reimbursed (the quote
    /// caps it).
    event OperatorReimbursed(RunId indexed runId, address indexed operator, uint256 amount, uint256 cost);
    /// @notice Finished run `runId` paid `sellerPaid` to `seller` and returned `refunded` to its buyer's balance.
    event RunSettled(RunId indexed runId, address indexed seller, uint256 sellerPaid, uint256 refunded);
    /// @notice `buyer` cancelled overdue run `runId`; `refunded` returned to its balance.
    event RunCancelled(RunId indexed runId, address indexed buyer, uint256 refunded);
}

/// @title IIoTDataMarket
/// @notice Encrypted IoT readings for sale, and an on-chain recipe engine whose results only the paying buyer can
/// decrypt. See `contracts/README.md` for the recipe kinds, the HCU cost model and the privacy rules.
interface IIoTDataMarket is IIoTDataMarketErrors, IIoTDataMarketEvents {
    // ----- datasets (seller) -----

    /// @notice Creates a dataset owned by the caller. No recipe kind is approved and no device registered yet.
    /// @return datasetId The new dataset's id (sequential from 1).
    function createDataset(DatasetParams calldata params) external returns (DatasetId datasetId);

    /// @notice Sets the price of one access period. Seller only. Access already bought is unaffected.
    function setPrice(DatasetId datasetId, uint128 pricePerPeriod) external;

    /// @notice Sets the bucket size `k`. Seller only. The new value must be a multiple or a divisor of the smallest
    /// `k` the dataset ever had (which a divisor replaces), so that it still bounds what two runs can be differenced
    /// down to, however many changes are chained.
    function setBucketSize(DatasetId datasetId, uint64 bucketSize) external;

    /// @notice Makes a dataset exact or private, or changes a private dataset's range, budget or ε bounds. Seller
    /// only. A private range may only widen (earlier readings were clamped into it); becoming private sets
    /// `privateFrom` to the current reading count. Budgets already spent stay spent.
    function setPrivacy(DatasetId datasetId, PrivacyParams calldata privacy) external;

    /// @notice Pauses a dataset: ingestion, access purchases and new runs are rejected; started runs can finish.
    function pauseDataset(DatasetId datasetId) external;

    /// @notice Unpauses a dataset.
    function unpauseDataset(DatasetId datasetId) external;

    /// @notice Lets `device` append readings. Seller only.
    function registerDevice(DatasetId datasetId, address device) external;

    /// @notice Stops `device` from appending readings. Seller only.
    function revokeDevice(DatasetId datasetId, address device) external;

    /// @notice Approves the recipe kinds whose bits are set in `kinds` (bit i = kind i). Seller only.
    function approveRecipeKinds(DatasetId datasetId, uint16 kinds) external;

    /// @notice Revokes the recipe kinds whose bits are set in `kinds`; runs already started are unaffected. Seller only.
    function revokeRecipeKinds(DatasetId datasetId, uint16 kinds) external;

    // ----- ingestion (device or seller) -----

    /// @notice Appends 1..32 encrypted readings proven by one input proof, with their public timestamps. Timestamps
    /// never go backwards, also across batches, and are never later than the block's. The readings are allowed to
    /// this contract only; on a private dataset each is clamped into its range first.
    /// @param handles The encrypted readings (euint64, encoded as described by the dataset's scale and offset):
    /// exactly the proof's handles, in order.
    /// @param inputProof One proof for the whole batch, bound to this contract and the caller; usable once.
    /// @param timestamps One timestamp per reading; emitted in {ReadingsAppended}, only the last one is stored.
    function appendReadings(
        DatasetId datasetId,
        externalEuint64[] calldata handles,
        bytes calldata inputProof,
        uint64[] calldata timestamps
    ) external;

    // ----- access and money -----

    /// @notice Buys `periods` access periods for exactly `periods * pricePerPeriod` wei (anything else is rejected
    /// with {WrongPayment}). Access extends from the later of now and the current expiry.
    function purchaseAccess(DatasetId datasetId, uint32 periods) external payable;

    /// @notice Sends the caller all of its accrued earnings (pull payment).
    function withdraw() external;

    /// @notice Sends the caller's accrued earnings to `to` (for a seller contract that cannot receive ether).
    function withdrawTo(address payable to) external;

    // ----- runs -----

    /// @notice Starts a run for the caller over readings [`fromIndex`, `toIndex`) of `datasetId`.
    /// @dev Requires unexpired access, an unpaused dataset, every op kind approved, and a window aligned to `k`,
    /// at least `k` long and within the readings appended. Encrypted accumulators are initialised here.
    function startRun(
        DatasetId datasetId,
        Op[] calldata ops,
        uint64 fromIndex,
        uint64 toIndex
    ) external returns (RunId runId);

    /// @notice Starts a run on behalf of `request.buyer`, who signed `request` (EIP-712). Operator only.
    /// The nonce is consumed; {runIdOf} maps the request's digest to the run.
    function startRunFor(
        RunRequest calldata request,
        Op[] calldata ops,
        bytes calldata signature
    ) external returns (RunId runId);

    /// @notice Starts the next scheduled run of a standing authorization signed by `auth.buyer`. Operator only.
    /// At most one run per `cadence` seconds, at most `maxRuns`, before `expiry`. The first window starts at
    /// `auth.fromIndex`, every later one where the previous ended, each rounded up to the dataset's current `k` (and
    /// to `privateFrom` on a private dataset); `toIndex` is the operator's choice.
    function startScheduledRun(
        StandingAuthorization calldata auth,
        Op[] calldata ops,
        bytes calldata signature,
        uint64 fromIndex,
        uint64 toIndex
    ) external returns (RunId runId);

    /// @notice Revokes a standing authorization. Its buyer only.
    function revokeStandingAuthorization(StandingAuthorization calldata auth) external;

    /// @notice Cancels one of the caller's nonces, invalidating any unused request or authorization signed with it.
    function invalidateNonce(uint256 nonce) external;

    /// @notice Consumes the next `n` readings of a run, reducing them as a balanced tree into its encrypted
    /// accumulators. The step that reaches the window's end also finalises the run and, on an exact dataset, allows
    /// the result handles to the buyer alone. Buyer or operator only; `n` <= {maxStepSize}. A rolled-up run (every
    /// op served by the dataset's rollups, window aligned to its blocks) combines stored rollup nodes instead: `n`
    /// is then a multiple of the block size (or the rest of the window) whose nodes fit the HCU limit.
    function step(RunId runId, uint256 n) external;

    /// @notice Adds the next `count` encrypted noise draws to a private run's results, once its window is stepped to
    /// the end; the call adding the last one finishes the run and allows the noised results to the buyer alone.
    /// Buyer or operator only. Draws are spread over calls when they do not fit one transaction's HCU.
    function addNoise(RunId runId, uint256 count) external;

    // ----- views -----

    /// @notice Number of datasets created.
    function datasetCount() external view returns (uint256);

    /// @notice Public metadata and counters of a dataset.
    function datasetInfo(DatasetId datasetId) external view returns (DatasetInfo memory);

    /// @notice Whether `device` may append readings to `datasetId`.
    function isDevice(DatasetId datasetId, address device) external view returns (bool);

    /// @notice Number of readings appended to `datasetId`.
    function readingCount(DatasetId datasetId) external view returns (uint64);

    /// @notice When `buyer`'s access to `datasetId` ends (0 if never bought).
    function accessExpiry(DatasetId datasetId, address buyer) external view returns (uint64);

    /// @notice Earnings `account` can withdraw.
    function pendingWithdrawal(address account) external view returns (uint256);

    /// @notice Number of runs started.
    function runCount() external view returns (uint256);

    /// @notice Public state of a run.
    function runInfo(RunId runId) external view returns (RunInfo memory);

    /// @notice Result handles of a finished run, in op order (see README, "Result handles").
    function runResults(RunId runId) external view returns (bytes32[] memory);

    /// @notice The run started with the RunRequest whose EIP-712 digest is `digest` (0 if none).
    function runIdOf(bytes32 digest) external view returns (RunId);

    /// @notice The program stored under `programHash` (empty if no run used it yet).
    function program(bytes32 programHash) external view returns (Op[] memory);

    /// @notice Whether `buyer` used or cancelled `nonce`.
    function isNonceUsed(address buyer, uint256 nonce) external view returns (bool);

    /// @notice Whether the input proof with keccak256 `proofHash` was already appended.
    function isInputProofUsed(bytes32 proofHash) external view returns (bool);

    /// @notice The most ε (thousandths) any reading of [`fromIndex`, `toIndex`) has spent on `buyer`.
    function privacySpent(DatasetId datasetId, address buyer, uint64 fromIndex, uint64 toIndex)
        external
        view
        returns (uint256);

    /// @notice State of the standing authorization with EIP-712 digest `digest`.
    function standingAuthorizationState(bytes32 digest) external view returns (ScheduleState memory);

    /// @notice EIP-712 digest of a RunRequest under this contract's domain.
    function runRequestDigest(RunRequest calldata request) external view returns (bytes32);

    /// @notice EIP-712 digest of a StandingAuthorization under this contract's domain.
    function standingAuthorizationDigest(StandingAuthorization calldata auth) external view returns (bytes32);

    /// @notice HCU of one step of `n` readings of program `ops` (plus finalisation when `finalizes`), exactly as
    /// the fhevm HCULimit contract meters it. Formulas per kind: README, "HCU cost model".
    function stepHcu(Op[] calldata ops, uint256 n, bool finalizes) external pure returns (uint256);

    /// @notice The largest `n` with `stepHcu(ops, n, finalizes)` below the 20M per-transaction limit (at most 255
    /// when the program counts into euint8; `type(uint64).max` when no op costs HCU per reading).
    function maxStepSize(Op[] calldata ops, bool finalizes) external pure returns (uint256);

    // ----- pay per run -----

    /// @notice Adds the ether sent to the caller's balance, from which runs are paid.
    function deposit() external payable;

    /// @notice Sends `amount` wei of the caller's unlocked balance (not locked by a run) back to it.
    function withdrawBalance(uint256 amount) external;

    /// @notice `buyer`'s unlocked balance in wei.
    function balanceOf(address buyer) external view returns (uint256);

    /// @notice Operator only: the gas price (wei) its transactions for runs are reimbursed at, at most what each
    /// actually paid. Quotes are computed at it, with a margin.
    function setRunGasPrice(uint256 gasPrice) external;

    /// @notice The gas price the operator published (wei per gas).
    function runGasPrice() external view returns (uint256);

    /// @notice Seller only: the price in wei a run on `datasetId` pays the seller when it finishes.
    function setRunPrice(DatasetId datasetId, uint128 price) external;

    /// @notice The price per run of `datasetId` (wei).
    function runPrice(DatasetId datasetId) external view returns (uint128);

    /// @notice Run `runId`'s funds.
    function runEscrow(RunId runId) external view returns (RunEscrowInfo memory);

    /// @notice The run's buyer cancels an unfinished run after its deadline; what was not spent returns to its
    /// balance and the run can no longer be stepped.
    function cancelRun(RunId runId) external;
}
