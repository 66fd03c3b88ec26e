// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20Minimal} from "./IERC20Minimal.sol";
import {IGroth16Verifier2, IGroth16Verifier6, IGroth16Verifier9} from "./IGroth16Verifier.sol";
import {safeTransfer, safeTransferFrom} from "./SafeTransfer.sol";
import {PathRequests} from "./PathRequests.sol";

/// @title RiskSharingPool — a shared derivatives risk pool settled by zero-knowledge proofs (docs/design.md §5, §9, §11).
/// @notice One ERC-20 collateral token. Traders deposit collateral (the operator credits it in its
///         private ledger); LPs hold shares of the pool's proven NAV. Each epoch:
///           1. the risk oracle publishes the risk table's root with a RiskTable proof that the
///              root commits to one well-formed table (`publishRisk`);
///           2. the operator proves, batch by batch, the pool's liabilities to every account in
///              its accounts root (`postSolvency`); the last batch publishes two exact figures,
///              `markTotal` (what the pool owes all accounts at mark) and `stressTotal` (the
///              largest such total over mark and every stress scenario), and opens the epoch
///              for settlement with a status set from them alone against the pool's assets
///              (its balance less trader deposits made since the risk was published, which this
///              accounts root cannot hold yet, and less what LP requests hold) (docs/design.md §9):
///                Solvent  — stressTotal <= assets;
///                Stressed — markTotal <= assets < stressTotal: LP withdrawals wait;
///                Haircut  — assets < markTotal: the insurance fund and the LPs' NAV are
///                           written off (the shares start a new era) and every settlement of
///                           the epoch pays amount * assets / markTotal (rounded down);
///           3. traders (or anyone on their behalf) settle with a margin proof against that
///              epoch's roots (`settle`): one settlement per account and epoch (nullifier);
///           4. the operator liquidates an account below its requirement with a Liquidation
///              proof (`liquidate`); the proof's tag is the account's nullifier of the epoch, so a
///              liquidated account cannot also settle. The loss waterfall runs on-chain, in
///              order: the defaulter's collateral (inside the proof: `deficit` is what is left
///              after it), its penalty (into the insurance fund), the insurance fund, the LPs
///              (first loss, inside the opening's NAV), and last the epoch haircut above.
///         Settlement of an epoch closes when the oracle publishes the next epoch, so every
///         accounts root the operator proves is built after all settlements against the previous
///         root are final. Epochs advance by exactly one. LP withdrawals never take the balance
///         below the locked amount: the latest stress total plus trader deposits that no
///         accepted root covers yet, and the insurance fund.
///         LP capital is priced at its proven value (docs/design.md §11): at each opening
///         NAV = assets - insuranceFund - markTotal (at least 0), and LP deposits and
///         withdrawals are requests executed at the next opening at that NAV per share, in
///         O(1) per opening (the batch's aggregate), each request claimed afterwards pro rata.
///         The escape hatch (docs/design.md §12): when no epoch has opened for `maxEpochDelay`,
///         or a trader's on-chain path request (`pathRequests`) is left unanswered that long,
///         anyone may `freeze` the pool. Frozen, nothing moves by the operator's hand again:
///         each trader `exit`s with a proof against the last opened epoch's roots and is paid
///         its mark claim less what its nullifier already took, under that epoch's haircut
///         rule; uncredited deposits are refunded; the LPs share only what is left above the
///         traders' outstanding claims (`lpExit`).
/// @dev    Every proof is verified before any state is written; every public signal is checked
///         to be a canonical BN254 scalar-field element before it reaches a verifier.
contract RiskSharingPool {
    using {safeTransfer, safeTransferFrom} for IERC20Minimal;

    /// @notice The BN254 scalar field modulus: public signals must be below it.
    uint256 public constant FIELD_MODULUS =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 private constant HAIRCUT_FLAG = 1 << 255;
    /// @dev What publishRisk writes in an epoch's open-root slot until its solvency is accepted
    ///      (a root is < 2^254): the opening then rewrites a non-zero slot, cheaper than a fresh one.
    uint256 private constant PUBLISHED_ONLY = 1 << 254;
    /// @dev A root is < 2^254: the bits below the two flags.
    uint256 private constant ROOT_MASK = (1 << 254) - 1;
    /// @dev A spent nullifier's record (`_spent`): used, exited and noted flags, what its settlement
    ///      or liquidation took (the proof's amount or penalty, < 2^84) and the epoch it was spent in.
    uint256 private constant SPENT_USED = 1;
    uint256 private constant SPENT_EXITED = 2;
    uint256 private constant SPENT_NOTED = 4;
    uint256 private constant TAKEN_SHIFT = 8;
    uint256 private constant EPOCH_SHIFT = 136;
    uint256 private constant TAKEN_MASK = (1 << 128) - 1;

    enum Role {
        Admin,
        RiskOracle,
        Operator
    }

    /// @notice A Groth16 proof as snarkjs' Solidity verifier takes it (G2 coordinates swapped).
    struct Proof {
        uint256[2] a;
        uint256[2][2] b;
        uint256[2] c;
    }

    /// @notice How an accepted epoch stands against the pool's balance (docs/design.md §9).
    enum EpochStatus {
        Solvent,
        Stressed,
        Haircut
    }

    /// @notice The loss waterfall's on-chain steps, in order (the defaulter's collateral is used
    ///         up inside the liquidation proof before any of them).
    enum WaterfallStage {
        Penalty,
        InsuranceFund,
        LpCapital,
        Haircut
    }

    /// @dev Per epoch: the published risk root and, while the epoch is open for settlement, its
    ///      proven accounts root (zero when not accepted yet or closed) with HAIRCUT_FLAG set
    ///      when the epoch has a haircut; its status, and its haircut as a fraction. The flag
    ///      (bit 255: a root is a field element < 2^254) spares settlements without a haircut a
    ///      cold read of the haircut slot.
    struct EpochRecord {
        uint256 riskRoot;
        uint256 openAccountsRoot;
        uint128 haircutNum;
        uint128 haircutDen;
        EpochStatus status;
    }

    /// @notice One solvency batch's statement (the public signals besides epoch and riskRoot).
    /// @dev `stressTotal` and `markTotal` are exact (the circuit proves them) on the last batch
    ///      and 0 on every other one.
    struct BatchStatement {
        uint256 accountsRoot;
        uint256 stressTotal;
        uint256 markTotal;
        uint32 batchIndex;
        bool isLast;
        uint256 prevTotalsCommitment;
        uint256 totalsCommitment;
    }

    /// @dev Progress of the current epoch's solvency batches. Only the current epoch can take
    ///      batches, so one cursor serves every epoch: a cursor of another epoch reads as "no batch
    ///      yet". Its slots are never zeroed (set non-zero at deployment), so each batch rewrites
    ///      warm non-zero slots instead of paying for fresh ones.
    struct SolvencyCursor {
        uint256 accountsRoot;
        uint256 totalsCommitment;
        uint32 epoch;
        uint32 nextBatch;
        /// @dev The mark total of `latestAcceptedEpoch` (written by its last batch, in the slot
        ///      the batch writes anyway): what a frozen pool owes its traders.
        uint128 markTotal;
    }

    /// @notice Deployment parameters (a struct: the constructor takes many).
    struct PoolConfig {
        IERC20Minimal token;
        IGroth16Verifier6 marginVerifier;
        IGroth16Verifier9 solvencyVerifier;
        IGroth16Verifier6 liquidationVerifier;
        IGroth16Verifier2 riskTableVerifier;
        /// @dev The exit verifier (public signals: epoch, riskRoot, accountsRoot, nullifier, recipient, amount).
        IGroth16Verifier6 exitVerifier;
        /// @dev A Poseidon(2) contract (circomlibjs' generated bytecode) for on-chain path checks.
        address poseidon2;
        address riskOracle;
        address operator;
        /// @dev Seconds without an opening (or with a path request unanswered) before anyone may freeze.
        uint40 maxEpochDelay;
        /// @dev Wei a path request pays; the operator gets it with the answer.
        uint256 pathFee;
        /// @dev Depth of the accounts tree (the circuits' DEPTH).
        uint8 accountsDepth;
    }

    /// @dev One trader deposit, kept until the pool freezes: refunded then if no accepted root
    ///      credits it (`creditEpoch` is the first epoch whose root may: deposits made after an
    ///      epoch's risk publication are credited by the next epoch's root).
    struct TraderDeposit {
        address depositor;
        uint32 creditEpoch;
        uint64 amount;
    }

    // ---------------------------------------------------------------- immutables and roles

    IERC20Minimal public immutable token;
    IGroth16Verifier6 public immutable marginVerifier;
    IGroth16Verifier9 public immutable solvencyVerifier;
    IGroth16Verifier6 public immutable liquidationVerifier;
    IGroth16Verifier2 public immutable riskTableVerifier;
    IGroth16Verifier6 public immutable exitVerifier;
    /// @notice Trader path requests and the operator's on-chain answers (created with the pool).
    PathRequests public immutable pathRequests;
    /// @notice Seconds after the last opening (or a path request) before anyone may freeze.
    uint256 public immutable maxEpochDelay;

    address public admin;
    address public riskOracle;
    address public operator;

    // ---------------------------------------------------------------- epochs

    mapping(uint256 epoch => EpochRecord) internal _epochs;
    SolvencyCursor internal _cursor;
    /// @dev Spent nullifiers (settlement nullifiers and liquidation tags: one set), with what each took.
    mapping(uint256 nullifier => uint256) internal _spent;
    /// @dev The accounts root of `latestAcceptedEpoch` once publishRisk closed it (the exit's root
    ///      if the pool freezes before the next opening).
    uint256 internal _closedRoot;

    /// @notice The latest epoch whose risk root was published (meaningful once `riskPublished`).
    uint32 public currentEpoch;
    bool public riskPublished;
    /// @notice The latest epoch whose solvency was accepted (meaningful once `anyAccepted`).
    uint32 public latestAcceptedEpoch;
    bool public anyAccepted;
    /// @notice The stress total of `latestAcceptedEpoch`: LP withdrawals keep the balance above it.
    uint120 public latestBound;
    /// @notice The status of `latestAcceptedEpoch`: LP withdrawals are frozen unless Solvent.
    ///         (Declared here to share the slot of the epoch counters above.)
    EpochStatus public latestStatus;
    /// @notice True once anyone froze the pool (the escape hatch): for good.
    bool public frozen;
    /// @notice When the last epoch opened (the deployment, before any): freeze is allowed
    ///         `maxEpochDelay` later.
    uint40 public lastOpenedAt;

    /// @notice Tokens earmarked for losses (docs/design.md §9): fed by liquidation penalties and
    ///         `fundInsurance`, drawn by liquidation deficits; locked against LP withdrawals.
    uint256 public insuranceFund;

    /// @notice Trader deposits not covered by any accepted bound yet (locked against LP withdrawals).
    uint128 public unboundDeposits;
    /// @notice Trader deposits since the current epoch's risk was published.
    uint128 public depositsSinceRisk;

    /// @notice Every trader deposit until the pool freezes (refunds of uncredited ones), by id.
    mapping(uint256 depositId => TraderDeposit) public traderDeposits;
    uint256 public nextDepositId;

    // ---------------------------------------------------------------- frozen pool (docs/design.md §12)

    /// @notice Tokens at the freeze for traders' exits and the LPs: balance less LP escrow and
    ///         the uncredited deposits.
    uint128 public frozenPot;
    /// @notice Uncredited trader deposits not refunded yet.
    uint128 public refundsOwed;
    /// @notice Claims of the frozen epoch already paid before the freeze (settlement amounts and
    ///         liquidation penalties), as far as `noteSettled` has counted them.
    uint128 public claimsNoted;
    /// @notice Tokens paid to LPs by `lpExit`.
    uint128 public lpExitPaidTotal;
    /// @notice Tokens paid to the admin (the protocol treasury) for the insurance fund's part by `fundExit`.
    uint128 public fundExitPaid;
    /// @notice What each LP has taken by `lpExit` (its entitlement grows as claims are noted).
    mapping(address provider => uint256) public lpExitPaid;

    // ---------------------------------------------------------------- LP shares at NAV (docs/design.md §11)

    /// @notice NAV above this many token units is not priced (keeps every share product within
    ///         256 bits; far beyond any real pool).
    uint256 public constant NAV_CAP = (1 << 100) - 1;
    /// @notice A new share era starts when shares outstanding exceed NAV times this (a share
    ///         worth less than 2^-24 token units, or nothing): every holding converts to the new
    ///         era at NAV / supply (0 when NAV is 0: a wipe-out voids the old shares).
    uint256 public constant MAX_SHARES_PER_UNIT = 1 << 24;
    /// @notice At most this many tokens wait in escrow for deposit requests, and at most this many
    ///         are owed to executed withdrawals not claimed yet (a fill stops there).
    uint256 public constant MAX_ESCROW = (1 << 96) - 1;

    /// @notice Shares of the current era outstanding: held, escrowed by withdrawal requests,
    ///         and minted or returned to requests not claimed yet.
    uint128 public totalShares;
    /// @notice The LPs' NAV after the last opening (token units): what `totalShares` are worth.
    uint104 public navAtOpening;
    /// @notice The current share era (holdings of older eras convert on read, see `eraEnd`).
    uint24 public shareEra;
    /// @notice Tokens escrowed by deposit requests not executed yet (not the pool's assets).
    uint96 public pendingDeposits;
    /// @notice Tokens of executed withdrawal requests not claimed yet (not the pool's assets).
    uint96 public withdrawalsOwed;
    /// @notice The deposit batch taking requests; it executes at the next opening.
    uint32 public depositBatch;
    /// @notice The withdrawal batch taking requests; it executes at the next Solvent opening.
    uint32 public withdrawBatch;

    struct Holding {
        uint128 shares;
        uint24 era;
    }

    /// @dev NAV and supply when an era ended: a holding of that era converts at nav / supply.
    struct EraEnd {
        uint128 nav;
        uint128 supply;
    }

    /// @dev A deposit batch: tokens escrowed; once executed, the shares minted and their era.
    struct DepositBatch {
        uint96 assets;
        uint128 shares;
        uint24 era;
    }

    enum Fill {
        Pending,
        Full,
        Partial,
        Closed
    }

    /// @dev A withdrawal batch: shares escrowed; once executed, the tokens paid out and how it
    ///      was filled (Partial: `burned` of `shares`; Closed: none, at a new era).
    struct WithdrawBatch {
        uint128 shares;
        uint96 tokens;
        Fill fill;
        uint128 burned;
    }

    struct LpRequest {
        address owner;
        uint32 batch;
        uint24 era;
        bool withdrawal;
        uint256 amount;
    }

    mapping(address provider => Holding) internal _holdings;
    mapping(uint24 era => EraEnd) public eraEnd;
    mapping(uint32 batch => DepositBatch) public depositBatches;
    mapping(uint32 batch => WithdrawBatch) public withdrawBatches;
    mapping(uint256 requestId => LpRequest) public lpRequests;
    uint256 public nextRequestId;

    bool private transient _locked;

    // ---------------------------------------------------------------- events

    event RoleTransferred(Role indexed role, address indexed previousAccount, address indexed newAccount);
    event RiskPublished(uint32 indexed epoch, uint256 riskRoot);
    event SolvencyBatchAccepted(
        uint32 indexed epoch,
        uint32 indexed batchIndex,
        bool isLast,
        uint256 accountsRoot,
        uint256 stressTotal,
        uint256 markTotal,
        uint256 prevTotalsCommitment,
        uint256 totalsCommitment
    );
    event EpochOpened(
        uint32 indexed epoch,
        uint256 riskRoot,
        uint256 accountsRoot,
        uint256 stressTotal,
        uint256 markTotal,
        uint256 poolBalance,
        EpochStatus status
    );
    event LpWithdrawalsFrozen(uint32 indexed epoch, uint256 stressTotal, uint256 poolBalance);
    event HaircutSet(uint32 indexed epoch, uint256 poolBalance, uint256 markTotal);
    event EpochClosed(uint32 indexed epoch);
    event Settled(uint32 indexed epoch, uint256 indexed nullifier, address indexed recipient, uint256 amount, uint256 paid);
    event Liquidated(uint32 indexed epoch, uint256 indexed tag, uint256 penalty, uint256 deficit);
    /// @notice One step of the loss waterfall; `tag` is 0 for the epoch-level write-offs of a
    ///         Haircut opening. Amounts and the fund / LP capital after the step.
    event WaterfallStep(
        uint32 indexed epoch,
        uint256 indexed tag,
        WaterfallStage stage,
        uint256 amount,
        uint256 insuranceFundAfter,
        uint256 lpCapitalAfter
    );
    event InsuranceFunded(address indexed from, uint256 amount, uint256 insuranceFundAfter);
    /// @notice A trader deposit; `creditEpoch` is the first epoch whose accounts root may credit it.
    event CollateralDeposited(address indexed depositor, uint256 amount, uint256 indexed depositId, uint32 creditEpoch);
    /// @notice Genesis LP capital (before the first risk publication), shares minted 1:1.
    event LiquidityDeposited(address indexed provider, uint256 amount, uint256 shares);
    /// @notice An LP request joined `batch`: `amount` tokens escrowed (deposit) or shares (withdrawal).
    event LpRequested(uint256 indexed requestId, address indexed owner, uint32 indexed batch, bool withdrawal, uint256 amount);
    event LpRequestCancelled(uint256 indexed requestId, address indexed owner, bool withdrawal, uint256 amount);
    /// @notice The LPs' NAV and shares outstanding at an opening, before its requests execute:
    ///         every request executed at this opening gets (nav + 1) / (supply + 1) per share.
    event NavPerShare(uint32 indexed epoch, uint256 nav, uint256 supply);
    event LpDepositsExecuted(uint32 indexed epoch, uint32 indexed batch, uint256 assets, uint256 shares);
    /// @notice A withdrawal batch executed: `burned` of its `shares` for `tokens` (all of them
    ///         when the lock allows; the same fraction of every request when it allows only part;
    ///         none when a new share era closed the batch).
    event LpWithdrawalsExecuted(uint32 indexed epoch, uint32 indexed batch, uint256 shares, uint256 burned, uint256 tokens);
    /// @notice Shares outstanding exceeded NAV x MAX_SHARES_PER_UNIT (or NAV was 0): holdings of
    ///         `era` - 1 convert at nav / supply (nothing when nav is 0).
    event ShareEraStarted(uint24 indexed era, uint256 nav, uint256 supply);
    /// @notice A request claimed (by anyone, for its owner): shares credited (a deposit's, or a
    ///         withdrawal's unfilled part) and tokens paid.
    event LpClaimed(uint256 indexed requestId, address indexed owner, uint256 shares, uint256 tokens);
    /// @notice The pool froze (`requestId` is the overdue path request, or type(uint256).max for
    ///         the epoch delay): exits use `epoch`'s roots and owe at most `markTotal` at mark.
    event Frozen(uint32 indexed epoch, uint256 accountsRoot, uint256 markTotal, uint256 pot, uint256 uncredited, uint256 requestId);
    /// @notice An exit: the account's mark claim `amount`, what its nullifier took before, and what was paid.
    event Exited(uint32 indexed epoch, uint256 indexed nullifier, address indexed recipient, uint256 amount, uint256 taken, uint256 paid);
    /// @notice A settlement or liquidation of the frozen epoch counted as paid (the LPs' surplus grows by it).
    event SettlementNoted(uint256 indexed nullifier, uint256 taken, uint256 claimsNoted);
    event DepositRefunded(uint256 indexed depositId, address indexed depositor, uint256 amount);
    event LpExited(address indexed provider, uint256 shares, uint256 paid);
    /// @notice The insurance fund's part of a frozen pool's surplus paid to the admin.
    event FundExited(address indexed admin, uint256 paid);

    // ---------------------------------------------------------------- errors

    error Unauthorized(Role role, address caller);
    error ZeroAddress();
    error NotAContract(address account);
    error ZeroAmount();
    error Reentrancy();
    error SignalNotInField(uint256 index, uint256 value);
    error ZeroRoot();
    error EpochNotNext(uint32 epoch, uint32 expected);
    error FirstEpochTooLarge(uint32 epoch, uint32 max);
    error NotCurrentEpoch(uint32 epoch);
    error SolvencyAlreadyAccepted(uint32 epoch);
    error BatchOutOfOrder(uint32 epoch, uint32 expectedBatch, uint32 batchIndex);
    error BatchStatementMismatch(uint32 epoch, uint32 batchIndex);
    error BatchNotChained(uint32 epoch, uint32 batchIndex);
    error InvalidProof();
    error EpochNotSettleable(uint32 epoch);
    error NullifierAlreadyUsed(uint256 nullifier);
    error InsufficientShares(uint256 shares, uint256 requested);
    error AmountTooLarge(uint256 amount);
    error GenesisOver();
    error UnknownRequest(uint256 requestId);
    error NotRequestOwner(uint256 requestId, address caller);
    error RequestNotExecuted(uint256 requestId);
    error RequestAlreadyExecuted(uint256 requestId);
    error LpBookSealed(uint32 epoch);
    error HaircutPool(uint32 epoch);
    error PoolFrozen();
    error NotFrozen();
    error FreezeTooEarly(uint256 allowedAt);
    error NotFrozenEpoch(uint32 epoch);
    error AlreadyExited(uint256 nullifier);
    error NotSpentInFrozenEpoch(uint256 nullifier);
    error AlreadyNoted(uint256 nullifier);
    error UnknownDeposit(uint256 depositId);
    error DepositCredited(uint256 depositId, uint32 creditEpoch);
    error NothingToClaim(address provider);
    error BadConfig(string what);
    /// @dev Raised by `pathRequests` (freezeOnRequest on an answered request), declared here to decode.
    error RequestAnswered(uint256 requestId);

    // ---------------------------------------------------------------- modifiers

    modifier onlyRole(Role role) {
        address holder = role == Role.Admin ? admin : role == Role.RiskOracle ? riskOracle : operator;
        if (msg.sender != holder) revert Unauthorized(role, msg.sender);
        _;
    }

    modifier nonReentrant() {
        if (_locked) revert Reentrancy();
        _locked = true;
        _;
        _locked = false;
    }

    constructor(PoolConfig memory c) {
        if (c.riskOracle == address(0) || c.operator == address(0)) revert ZeroAddress();
        _requireCode(address(c.token));
        _requireCode(address(c.marginVerifier));
        _requireCode(address(c.solvencyVerifier));
        _requireCode(address(c.liquidationVerifier));
        _requireCode(address(c.riskTableVerifier));
        _requireCode(address(c.exitVerifier));
        _requireCode(c.poseidon2);
        if (c.maxEpochDelay == 0) revert BadConfig("maxEpochDelay");
        if (c.accountsDepth == 0 || c.accountsDepth > 32) revert BadConfig("accountsDepth");
        token = c.token;
        marginVerifier = c.marginVerifier;
        solvencyVerifier = c.solvencyVerifier;
        liquidationVerifier = c.liquidationVerifier;
        riskTableVerifier = c.riskTableVerifier;
        exitVerifier = c.exitVerifier;
        maxEpochDelay = c.maxEpochDelay;
        pathRequests = new PathRequests(address(this), c.poseidon2, c.pathFee, c.maxEpochDelay, c.accountsDepth);
        admin = msg.sender;
        riskOracle = c.riskOracle;
        operator = c.operator;
        lastOpenedAt = uint40(block.timestamp);
        emit RoleTransferred(Role.Admin, address(0), msg.sender);
        emit RoleTransferred(Role.RiskOracle, address(0), c.riskOracle);
        emit RoleTransferred(Role.Operator, address(0), c.operator);
        // Non-zero placeholders (nextBatch = 0 means "no batch yet" whatever the epoch).
        _cursor = SolvencyCursor({accountsRoot: 1, totalsCommitment: 1, epoch: type(uint32).max, nextBatch: 0, markTotal: 0});
    }

    function _requireCode(address a) private view {
        if (a.code.length == 0) revert NotAContract(a);
    }

    // ---------------------------------------------------------------- roles

    /// @notice Hands the admin role to `newAdmin` (admin only).
    function transferAdmin(address newAdmin) external onlyRole(Role.Admin) {
        if (newAdmin == address(0)) revert ZeroAddress();
        emit RoleTransferred(Role.Admin, admin, newAdmin);
        admin = newAdmin;
    }

    /// @notice Replaces the risk oracle (admin only).
    function setRiskOracle(address newOracle) external onlyRole(Role.Admin) {
        if (newOracle == address(0)) revert ZeroAddress();
        emit RoleTransferred(Role.RiskOracle, riskOracle, newOracle);
        riskOracle = newOracle;
    }

    /// @notice Replaces the operator (admin only).
    function setOperator(address newOperator) external onlyRole(Role.Admin) {
        if (newOperator == address(0)) revert ZeroAddress();
        emit RoleTransferred(Role.Operator, operator, newOperator);
        operator = newOperator;
    }

    // ---------------------------------------------------------------- deposits and LP capital

    /// @notice Deposits trader collateral; the operator credits `amount` to the depositor's
    ///         account in its ledger from the CollateralDeposited event.
    ///         Refused while the latest opened epoch is a Haircut: every claim of that pool is paid
    ///         assets / markTotal, and a new deposit would be paid the same ratio (it would pay
    ///         the old claimants' shortfall).
    ///         Each deposit is kept (`traderDeposits`) so a frozen pool can refund it if no
    ///         accepted root credits it. At most 2^64 - 1 per deposit (an account's collateral bound).
    function depositCollateral(uint256 amount) external nonReentrant {
        if (frozen) revert PoolFrozen();
        if (latestStatus == EpochStatus.Haircut) revert HaircutPool(latestAcceptedEpoch);
        uint256 received = _pull(amount);
        if (received > type(uint64).max || received > type(uint128).max - unboundDeposits || received > type(uint128).max - depositsSinceRisk) {
            revert AmountTooLarge(received);
        }
        unboundDeposits += uint128(received);
        depositsSinceRisk += uint128(received);
        uint32 creditEpoch = riskPublished ? currentEpoch + 1 : 0;
        uint256 id = nextDepositId++;
        traderDeposits[id] = TraderDeposit({depositor: msg.sender, creditEpoch: creditEpoch, amount: uint64(received)});
        emit CollateralDeposited(msg.sender, received, id, creditEpoch);
    }

    /// @notice The pool's first LP capital, before the first risk publication: no epoch, no
    ///         market, nothing to price yet, so shares are minted at once, 1:1. From the first
    ///         `publishRisk` on, LP deposits are requests priced at the next opening's NAV
    ///         (`requestDeposit`).
    function depositLiquidity(uint256 amount) external nonReentrant returns (uint256 shares) {
        if (riskPublished) revert GenesisOver();
        if (frozen) revert PoolFrozen();
        shares = _pull(amount);
        uint256 nav = navAtOpening + shares;
        if (nav > NAV_CAP) revert AmountTooLarge(shares);
        navAtOpening = uint104(nav);
        totalShares += uint128(shares);
        _holdings[msg.sender].shares += uint128(shares);
        emit LiquidityDeposited(msg.sender, shares, shares);
    }

    /// @notice Requests an LP deposit: `amount` tokens go into escrow and join the current deposit
    ///         batch, which executes at the next opening that is not a Haircut at that opening's
    ///         NAV per share (docs/design.md §11). Escrowed tokens are not the pool's assets: they price nothing
    ///         and pay nobody until then. Cancel with `cancelRequest`, claim shares with `claim`.
    function requestDeposit(uint256 amount) external nonReentrant returns (uint256 requestId) {
        _checkLpBookOpen();
        uint256 received = _pull(amount);
        uint256 pending = pendingDeposits + received;
        if (pending > MAX_ESCROW) revert AmountTooLarge(received);
        pendingDeposits = uint96(pending);
        uint32 batch = depositBatch;
        depositBatches[batch].assets += uint96(received);
        requestId = _record(batch, 0, false, received);
    }

    /// @notice Requests an LP withdrawal: `shares` go into escrow and join the current withdrawal
    ///         batch, which executes at the next Solvent opening (it waits while epochs open
    ///         Stressed or Haircut) at that opening's NAV per share, never below the lock; when
    ///         the lock allows only part, every request of the batch is filled the same fraction
    ///         and the rest of its shares is returned at `claim`.
    function requestWithdraw(uint256 shares) external nonReentrant returns (uint256 requestId) {
        _checkLpBookOpen();
        if (shares == 0) revert ZeroAmount();
        uint256 owned = _settleHolding(msg.sender);
        if (shares > owned) revert InsufficientShares(owned, shares);
        _holdings[msg.sender].shares = uint128(owned - shares);
        uint32 batch = withdrawBatch;
        WithdrawBatch storage b = withdrawBatches[batch];
        b.shares += uint128(shares);
        if (b.burned == 0) b.burned = 1; // placeholder: the opening then rewrites a warm slot
        requestId = _record(batch, shareEra, true, shares);
    }

    /// @notice Cancels the caller's request while its batch has not executed: the escrowed tokens
    ///         or shares come back.
    ///         A frozen pool takes cancels at any time (the escrow comes back; shares then `lpExit`).
    function cancelRequest(uint256 requestId) external nonReentrant {
        if (!frozen) _checkLpBookOpen();
        LpRequest memory r = _request(requestId);
        if (r.owner != msg.sender) revert NotRequestOwner(requestId, msg.sender);
        if (r.batch != (r.withdrawal ? withdrawBatch : depositBatch)) revert RequestAlreadyExecuted(requestId);
        delete lpRequests[requestId];
        emit LpRequestCancelled(requestId, r.owner, r.withdrawal, r.amount);
        if (r.withdrawal) {
            withdrawBatches[r.batch].shares -= uint128(r.amount);
            _credit(r.owner, r.amount, r.era);
        } else {
            depositBatches[r.batch].assets -= uint96(r.amount);
            pendingDeposits -= uint96(r.amount);
            token.safeTransfer(r.owner, r.amount);
        }
    }

    /// @notice Claims an executed request for its owner (anyone may call): a deposit's part of its
    ///         batch's shares, pro rata to its tokens; a withdrawal's part of its batch's tokens,
    ///         pro rata to its shares, and its unfilled shares back. Rounded down for the
    ///         claimant, so a batch's claims never exceed what it executed.
    function claim(uint256 requestId) external nonReentrant returns (uint256 shares, uint256 tokens) {
        LpRequest memory r = _request(requestId);
        if (r.batch >= (r.withdrawal ? withdrawBatch : depositBatch)) revert RequestNotExecuted(requestId);
        delete lpRequests[requestId];
        if (r.withdrawal) {
            WithdrawBatch storage b = withdrawBatches[r.batch];
            Fill fill = b.fill;
            uint256 burned = fill == Fill.Full ? r.amount : fill == Fill.Partial ? _ceilDiv(r.amount * b.burned, b.shares) : 0;
            tokens = (r.amount * b.tokens) / b.shares;
            shares = r.amount - burned;
            withdrawalsOwed -= uint96(tokens);
            emit LpClaimed(requestId, r.owner, shares, tokens);
            _credit(r.owner, shares, r.era);
            if (tokens != 0) token.safeTransfer(r.owner, tokens);
        } else {
            DepositBatch storage b = depositBatches[r.batch];
            shares = (r.amount * b.shares) / b.assets;
            emit LpClaimed(requestId, r.owner, shares, 0);
            _credit(r.owner, shares, b.era);
        }
    }

    /// @dev LP requests and cancels are refused between an epoch's `publishRisk` and its opening:
    ///      the table that prices the next batch is public then and the opening's figures can be
    ///      read from its solvency batches, so a request or a cancel made in that window would
    ///      trade at a NAV already known. Every request of a batch was made before the table
    ///      pricing it was published (docs/design.md §11).
    function _checkLpBookOpen() private view {
        if (frozen) revert PoolFrozen();
        if (lpBookSealed()) revert LpBookSealed(currentEpoch);
    }

    /// @notice True between an epoch's `publishRisk` and its opening: LP requests and cancels wait.
    function lpBookSealed() public view returns (bool) {
        return riskPublished && (!anyAccepted || latestAcceptedEpoch != currentEpoch);
    }

    /// @dev Stores a request of the caller and logs it.
    function _record(uint32 batch, uint24 era, bool withdrawal, uint256 amount) private returns (uint256 requestId) {
        requestId = nextRequestId++;
        lpRequests[requestId] = LpRequest({owner: msg.sender, batch: batch, era: era, withdrawal: withdrawal, amount: amount});
        emit LpRequested(requestId, msg.sender, batch, withdrawal, amount);
    }

    function _request(uint256 requestId) private view returns (LpRequest memory r) {
        r = lpRequests[requestId];
        if (r.owner == address(0)) revert UnknownRequest(requestId);
    }

    /// @dev Converts `provider`'s holding to the current era, stores it, and returns it.
    function _settleHolding(address provider) private returns (uint256 shares) {
        Holding memory h = _holdings[provider];
        shares = _inCurrentEra(h.shares, h.era);
        uint24 era = shareEra;
        if (h.era != era) _holdings[provider] = Holding({shares: uint128(shares), era: era});
    }

    /// @dev Adds `shares` of `era` to `provider`'s holding (both converted to the current era).
    function _credit(address provider, uint256 shares, uint24 era) private {
        uint256 held = _settleHolding(provider);
        uint256 added = _inCurrentEra(shares, era);
        if (added != 0) _holdings[provider].shares = uint128(held + added);
    }

    /// @dev `shares` of `era` in the current era: each era end converts at nav / supply, a factor
    ///      below 2^-24 (or 0), so the loop ends within a few eras (shares < 2^128).
    function _inCurrentEra(uint256 shares, uint24 era) private view returns (uint256) {
        uint24 current = shareEra;
        while (era < current && shares != 0) {
            EraEnd memory e = eraEnd[era];
            shares = (shares * e.nav) / e.supply;
            era++;
        }
        return shares;
    }

    function _ceilDiv(uint256 a, uint256 b) private pure returns (uint256) {
        return a == 0 ? 0 : (a - 1) / b + 1;
    }

    /// @notice Adds `amount` to the insurance fund (anyone: protocol treasury, LPs, sponsors).
    ///         Funded tokens are locked against LP withdrawals and only ever absorb losses.
    function fundInsurance(uint256 amount) external nonReentrant {
        if (frozen) revert PoolFrozen();
        uint256 received = _pull(amount);
        uint256 fund = insuranceFund + received;
        insuranceFund = fund;
        emit InsuranceFunded(msg.sender, received, fund);
    }

    // ---------------------------------------------------------------- epochs

    /// @notice The first epoch published may be any number up to this; every later one is the
    ///         previous plus one, so the epoch counter can never be pushed to its end.
    uint32 public constant MAX_FIRST_EPOCH = 1 << 31;

    /// @notice Publishes epoch `epoch`'s risk root (risk oracle only) with the table's RiskTable
    ///         proof (circuits/risk_table.circom): both halves of the root (the rows margin and
    ///         liquidation proofs open, the digest solvency proofs re-hash) come from one table,
    ///         every value and add-on is in range and every perp/future has mark value 0. Margin
    ///         and liquidation proofs rely on it: they do not range-check the rows they open.
    ///         Epochs advance by exactly one; publishing closes settlement of the previously
    ///         accepted epoch.
    function publishRisk(uint32 epoch, uint256 riskRoot, Proof calldata proof) external onlyRole(Role.RiskOracle) {
        if (frozen) revert PoolFrozen();
        if (riskRoot >= FIELD_MODULUS) revert SignalNotInField(1, riskRoot);
        if (riskRoot == 0) revert ZeroRoot();
        uint32 current = currentEpoch;
        if (riskPublished) {
            if (epoch != current + 1) revert EpochNotNext(epoch, current + 1); // current <= 2^31 + 2^32 publications away from overflow
        } else if (epoch > MAX_FIRST_EPOCH) {
            revert FirstEpochTooLarge(epoch, MAX_FIRST_EPOCH);
        }
        if (!riskTableVerifier.verifyProof(proof.a, proof.b, proof.c, [uint256(epoch), riskRoot])) revert InvalidProof();
        if (anyAccepted) {
            uint32 open = latestAcceptedEpoch;
            uint256 openRoot = _epochs[open].openAccountsRoot;
            if (openRoot != 0) {
                _closedRoot = openRoot & ROOT_MASK;
                _epochs[open].openAccountsRoot = 0;
                emit EpochClosed(open);
            }
        }
        _epochs[epoch].riskRoot = riskRoot;
        _epochs[epoch].openAccountsRoot = PUBLISHED_ONLY;
        currentEpoch = epoch;
        riskPublished = true;
        depositsSinceRisk = 0;
        emit RiskPublished(epoch, riskRoot);
    }

    /// @notice Posts batch `s.batchIndex` of the current epoch's solvency proof (operator only).
    ///         Batches go in order 0..K-1 with the same accounts root, each chained to the
    ///         previous one by its totals commitment; the batch with `isLast` carries the exact
    ///         figures and opens the epoch for settlement as Solvent, Stressed or Haircut.
    function postSolvency(uint32 epoch, BatchStatement calldata s, Proof calldata proof) external onlyRole(Role.Operator) {
        uint256[9] memory signals = _checkBatch(epoch, s);
        if (!solvencyVerifier.verifyProof(proof.a, proof.b, proof.c, signals)) revert InvalidProof();
        _acceptBatch(epoch, s); // effects only after the proof verified
    }

    /// @dev Every check of a solvency batch but the proof: canonical signals, current epoch, batch
    ///      order, same accounts root as batch 0, chaining. Returns the batch's public signals.
    ///      (The circuit makes the figures exact on the last batch and 0 on the others, so both
    ///      are below 2^116 once the proof verified.)
    function _checkBatch(uint32 epoch, BatchStatement calldata s) private view returns (uint256[9] memory signals) {
        if (s.accountsRoot >= FIELD_MODULUS) revert SignalNotInField(2, s.accountsRoot);
        if (s.stressTotal >= FIELD_MODULUS) revert SignalNotInField(3, s.stressTotal);
        if (s.markTotal >= FIELD_MODULUS) revert SignalNotInField(4, s.markTotal);
        if (s.prevTotalsCommitment >= FIELD_MODULUS) revert SignalNotInField(7, s.prevTotalsCommitment);
        if (s.totalsCommitment >= FIELD_MODULUS) revert SignalNotInField(8, s.totalsCommitment);
        if (s.accountsRoot == 0) revert ZeroRoot();
        if (frozen) revert PoolFrozen();
        if (!riskPublished || epoch != currentEpoch) revert NotCurrentEpoch(epoch);
        EpochRecord storage record = _epochs[epoch];
        if (record.openAccountsRoot != PUBLISHED_ONLY) revert SolvencyAlreadyAccepted(epoch);

        SolvencyCursor storage cursor = _cursor;
        uint32 expected = cursor.epoch == epoch ? cursor.nextBatch : 0;
        if (s.batchIndex != expected) revert BatchOutOfOrder(epoch, expected, s.batchIndex);
        if (s.batchIndex != 0) {
            if (s.accountsRoot != cursor.accountsRoot) revert BatchStatementMismatch(epoch, s.batchIndex);
            if (s.prevTotalsCommitment != cursor.totalsCommitment) revert BatchNotChained(epoch, s.batchIndex);
        }
        signals = [
            uint256(epoch),
            record.riskRoot,
            s.accountsRoot,
            s.stressTotal,
            s.markTotal,
            uint256(s.batchIndex),
            s.isLast ? 1 : 0,
            s.prevTotalsCommitment,
            s.totalsCommitment
        ];
    }

    /// @dev Records a verified batch: advances the cursor and, on the last batch, opens the epoch.
    function _acceptBatch(uint32 epoch, BatchStatement calldata s) private {
        emit SolvencyBatchAccepted(
            epoch, s.batchIndex, s.isLast, s.accountsRoot, s.stressTotal, s.markTotal, s.prevTotalsCommitment, s.totalsCommitment
        );
        SolvencyCursor storage cursor = _cursor;
        if (s.batchIndex == 0) {
            cursor.accountsRoot = s.accountsRoot;
            cursor.epoch = epoch;
        }
        cursor.nextBatch = s.batchIndex + 1;
        if (s.isLast) {
            cursor.markTotal = uint128(s.markTotal); // < 2^116 (proven)
            _openEpoch(epoch, s);
        }
        else cursor.totalsCommitment = s.totalsCommitment;
    }

    /// @dev Opens a proven epoch for settlement and sets its status from the proven figures
    ///      against the pool's assets — its balance less the trader deposits made since the risk
    ///      was published (this accounts root cannot credit them: they must not pay old accounts)
    ///      and less what LP requests hold (escrowed deposits, withdrawals owed): Solvent,
    ///      Stressed (LP withdrawals wait) or Haircut (the insurance fund and the LPs' NAV are
    ///      written off — they are part of the assets that pay the haircut — and settlements pay
    ///      assets / markTotal of their amount). Then the LPs' NAV and their request batches
    ///      (`_openLpBook`).
    function _openEpoch(uint32 epoch, BatchStatement calldata s) private {
        uint256 held = token.balanceOf(address(this));
        uint256 uncredited = depositsSinceRisk;
        uint256 lpHeld = uint256(pendingDeposits) + withdrawalsOwed;
        uint256 assets = held > uncredited + lpHeld ? held - uncredited - lpHeld : 0;
        EpochRecord storage record = _epochs[epoch];
        EpochStatus status = s.stressTotal <= assets
            ? EpochStatus.Solvent
            : (s.markTotal <= assets ? EpochStatus.Stressed : EpochStatus.Haircut);
        record.openAccountsRoot = status == EpochStatus.Haircut ? s.accountsRoot | HAIRCUT_FLAG : s.accountsRoot;
        if (status != EpochStatus.Solvent) record.status = status; // a fresh record reads Solvent already
        latestAcceptedEpoch = epoch;
        anyAccepted = true;
        latestStatus = status;
        latestBound = uint120(s.stressTotal); // < 2^116 (proven)
        lastOpenedAt = uint40(block.timestamp);
        unboundDeposits = uint128(uncredited);
        emit EpochOpened(epoch, record.riskRoot, s.accountsRoot, s.stressTotal, s.markTotal, assets, status);
        uint256 fund = insuranceFund;
        if (status != EpochStatus.Solvent) emit LpWithdrawalsFrozen(epoch, s.stressTotal, assets);
        if (status == EpochStatus.Haircut) {
            record.haircutNum = uint128(assets); // assets < markTotal < 2^116
            record.haircutDen = uint128(s.markTotal);
            if (fund != 0) {
                insuranceFund = 0;
                emit WaterfallStep(epoch, 0, WaterfallStage.InsuranceFund, fund, 0, navAtOpening);
                fund = 0;
            }
            if (navAtOpening != 0) emit WaterfallStep(epoch, 0, WaterfallStage.LpCapital, navAtOpening, 0, 0);
            emit WaterfallStep(epoch, 0, WaterfallStage.Haircut, s.markTotal - assets, 0, 0);
            emit HaircutSet(epoch, assets, s.markTotal);
        }
        // NAV = assets - insurance fund - markTotal, at least 0 (0 in a Haircut: assets < markTotal).
        uint256 nav = assets > fund + s.markTotal ? assets - fund - s.markTotal : 0;
        // The lock LP withdrawals keep: the stress total, uncredited deposits, the insurance fund.
        uint256 free = assets > fund + s.stressTotal ? assets - fund - s.stressTotal : 0;
        _openLpBook(epoch, nav, status == EpochStatus.Solvent ? free : 0, fund);
    }

    /// @dev The LPs' side of an opening, O(1) whatever the queue (docs/design.md §11):
    ///      1. NAV with no shares outstanding (donations, every LP gone) joins the insurance fund;
    ///         shares outstanding above NAV x MAX_SHARES_PER_UNIT (NAV 0: a wipe-out) start a new
    ///         era (holdings convert at NAV / supply; a pending withdrawal batch closes unfilled);
    ///      2. NavPerShare: every request executed now gets (nav + 1) / (supply + 1) per share;
    ///      3. the withdrawal batch (only when `free` > 0: a Solvent opening) burns its shares for
    ///         their value, or, when that exceeds `free`, the same fraction of every request;
    ///      4. the deposit batch (not at a Haircut opening: it waits) mints its tokens' worth of shares.
    ///      Requests are claimed afterwards, each pro rata within its batch (`claim`).
    function _openLpBook(uint32 epoch, uint256 nav, uint256 free, uint256 fund) private {
        if (nav > NAV_CAP) nav = NAV_CAP;
        uint256 supply = totalShares;
        uint32 wb = withdrawBatch;
        uint32 db = depositBatch;
        if (supply == 0) {
            if (nav != 0) {
                insuranceFund = fund + nav;
                emit InsuranceFunded(address(this), nav, fund + nav);
                nav = 0;
            }
        } else if (supply > nav * MAX_SHARES_PER_UNIT) {
            uint24 era = shareEra;
            eraEnd[era] = EraEnd({nav: uint128(nav), supply: uint128(supply)});
            shareEra = era + 1;
            emit ShareEraStarted(era + 1, nav, supply);
            supply = nav;
            WithdrawBatch storage closing = withdrawBatches[wb];
            if (closing.shares != 0) {
                closing.fill = Fill.Closed;
                emit LpWithdrawalsExecuted(epoch, wb, closing.shares, 0, 0);
                wb++;
                free = 0;
            }
        }
        emit NavPerShare(epoch, nav, supply);
        uint256 navAfter = nav;
        uint256 supplyAfter = supply;
        uint256 owed = withdrawalsOwed;
        if (free > MAX_ESCROW - owed) free = MAX_ESCROW - owed;
        if (free != 0) {
            WithdrawBatch storage w = withdrawBatches[wb];
            uint256 shares = w.shares;
            if (shares != 0) {
                uint256 tokens = (shares * (nav + 1)) / (supply + 1);
                uint256 burned = shares;
                if (tokens > free) {
                    burned = (shares * free) / tokens;
                    tokens = (burned * (nav + 1)) / (supply + 1); // <= free
                    w.fill = Fill.Partial;
                    w.burned = uint128(burned);
                } else {
                    w.fill = Fill.Full;
                }
                w.tokens = uint96(tokens);
                emit LpWithdrawalsExecuted(epoch, wb, shares, burned, tokens);
                wb++;
                supplyAfter -= burned;
                navAfter -= tokens;
                withdrawalsOwed = uint96(owed + tokens);
            }
        }
        DepositBatch storage d = depositBatches[db];
        uint256 assets = d.assets;
        // Not at a Haircut opening: traders' claims left unpaid by its settlements stay owed at
        // full value, so new capital would pay them (the batch waits, cancellable).
        if (assets != 0 && latestStatus != EpochStatus.Haircut) {
            uint256 minted = (assets * (supply + 1)) / (nav + 1);
            d.shares = uint128(minted);
            d.era = shareEra;
            emit LpDepositsExecuted(epoch, db, assets, minted);
            db++;
            supplyAfter += minted;
            navAfter += assets;
            pendingDeposits -= uint96(assets);
        }
        totalShares = uint128(supplyAfter);
        navAtOpening = uint104(navAfter);
        withdrawBatch = wb;
        depositBatch = db;
    }

    /// @notice Pays for a margin proof against `epoch`'s roots: the epoch must be open for
    ///         settlement and the nullifier unused. Pays `amount` to `recipient`, or in a Haircut
    ///         epoch `amount * balance / markTotal` rounded down (so the epoch's settlements
    ///         together never pay more than the balance: their amounts sum to at most the
    ///         proven mark liabilities). Anyone may submit (the proof binds recipient and amount).
    function settle(uint32 epoch, uint256 nullifier, address recipient, uint256 amount, Proof calldata proof)
        external
        nonReentrant
    {
        if (nullifier >= FIELD_MODULUS) revert SignalNotInField(3, nullifier);
        if (amount >= FIELD_MODULUS) revert SignalNotInField(5, amount);
        (EpochRecord storage record, uint256 open) = _openEpochFor(epoch, nullifier);
        uint256[6] memory signals =
            [uint256(epoch), record.riskRoot, open & ~HAIRCUT_FLAG, nullifier, uint256(uint160(recipient)), amount];
        if (!marginVerifier.verifyProof(proof.a, proof.b, proof.c, signals)) revert InvalidProof();

        _spent[nullifier] = _spentRecord(epoch, amount);
        uint256 paid = (open & HAIRCUT_FLAG) == 0 ? amount : (amount * record.haircutNum) / record.haircutDen;
        emit Settled(epoch, nullifier, recipient, amount, paid);
        if (paid != 0) token.safeTransfer(recipient, paid);
    }

    /// @notice Liquidates an account of the open epoch `epoch` (operator only) with a proof that
    ///         the account, as committed in the epoch's accounts root, is below its requirement
    ///         under the epoch's risk table. `tag` is the account's nullifier of the epoch (the
    ///         public cannot link it to the account; the account can no longer settle this epoch).
    ///         Runs the waterfall: `penalty` (what the proof says the account still had, up to its
    ///         requirement) feeds the insurance fund; `deficit` (its loss beyond its collateral)
    ///         is drawn from the insurance fund, then written off the LP capital; what neither
    ///         covers is left to the mark total and the next epoch's haircut.
    function liquidate(uint32 epoch, uint256 tag, uint256 penalty, uint256 deficit, Proof calldata proof)
        external
        onlyRole(Role.Operator)
        nonReentrant
    {
        if (tag >= FIELD_MODULUS) revert SignalNotInField(3, tag);
        if (penalty >= FIELD_MODULUS) revert SignalNotInField(4, penalty);
        if (deficit >= FIELD_MODULUS) revert SignalNotInField(5, deficit);
        (EpochRecord storage record, uint256 open) = _openEpochFor(epoch, tag);
        uint256[6] memory signals = [uint256(epoch), record.riskRoot, open & ~HAIRCUT_FLAG, tag, penalty, deficit];
        if (!liquidationVerifier.verifyProof(proof.a, proof.b, proof.c, signals)) revert InvalidProof();

        _spent[tag] = _spentRecord(epoch, penalty);
        emit Liquidated(epoch, tag, penalty, deficit);
        _runWaterfall(epoch, tag, penalty, deficit);
    }

    /// @dev The checks settle and liquidate share: `epoch` is open for settlement and the account's
    ///      nullifier of the epoch (a settlement's nullifier, a liquidation's tag: one spent set)
    ///      is unused. Returns the epoch's record and its open accounts root, HAIRCUT_FLAG included.
    function _openEpochFor(uint32 epoch, uint256 nullifier) private view returns (EpochRecord storage record, uint256 open) {
        record = _epochs[epoch];
        open = record.openAccountsRoot;
        // PUBLISHED_ONLY alone: not accepted yet; with a root: the frozen epoch.
        if (open == 0 || (open & PUBLISHED_ONLY) != 0) {
            if (frozen) revert PoolFrozen();
            revert EpochNotSettleable(epoch);
        }
        if (_spent[nullifier] != 0) revert NullifierAlreadyUsed(nullifier);
    }

    function _spentRecord(uint32 epoch, uint256 taken) private pure returns (uint256) {
        return SPENT_USED | (taken << TAKEN_SHIFT) | (uint256(epoch) << EPOCH_SHIFT);
    }

    /// @dev The on-chain steps of the loss waterfall for one liquidation, in order, each logged:
    ///      penalty into the insurance fund; deficit drawn from the fund; the rest is the LPs'
    ///      (step LpCapital) — already inside the NAV the epoch opened with, since the proven
    ///      markTotal counts no negative equity, and the fund's draw comes back to the LPs in the
    ///      next opening's NAV — or, in a Haircut epoch, the traders' (step Haircut: the epoch's
    ///      ratio already prices it). `lpCapitalAfter` is the epoch's opening NAV.
    function _runWaterfall(uint32 epoch, uint256 tag, uint256 penalty, uint256 deficit) private {
        uint256 fund = insuranceFund;
        uint256 nav = navAtOpening;
        if (penalty != 0) {
            fund += penalty;
            emit WaterfallStep(epoch, tag, WaterfallStage.Penalty, penalty, fund, nav);
        }
        if (deficit != 0) {
            uint256 drawn = deficit < fund ? deficit : fund;
            if (drawn != 0) {
                fund -= drawn;
                emit WaterfallStep(epoch, tag, WaterfallStage.InsuranceFund, drawn, fund, nav);
            }
            uint256 rest = deficit - drawn;
            if (rest != 0) {
                WaterfallStage stage = _epochs[epoch].status == EpochStatus.Haircut ? WaterfallStage.Haircut : WaterfallStage.LpCapital;
                emit WaterfallStep(epoch, tag, stage, rest, fund, nav);
            }
        }
        insuranceFund = fund;
    }

    // ---------------------------------------------------------------- escape hatch (docs/design.md §12)

    /// @notice Freezes the pool (anyone) once no epoch has opened for `maxEpochDelay` seconds
    ///         (since the deployment, before any opening).
    function freeze() external {
        uint256 allowedAt = freezeAllowedAt();
        if (block.timestamp < allowedAt) revert FreezeTooEarly(allowedAt);
        _freeze(type(uint256).max);
    }

    /// @notice Freezes the pool (anyone) once path request `requestId` is left unanswered past
    ///         its deadline (`maxEpochDelay` after it was made).
    function freezeOnRequest(uint256 requestId) external {
        uint256 allowedAt = pathRequests.unansweredDeadline(requestId);
        if (block.timestamp < allowedAt) revert FreezeTooEarly(allowedAt);
        _freeze(requestId);
    }

    /// @dev The freeze, once: the last opened epoch's root becomes the exit root (settle,
    ///      liquidate, batches, publications, deposits and LP requests stop), and the pot is fixed:
    ///      the balance less LP escrow (still claimed or cancelled as before) and less the trader
    ///      deposits no accepted root credits (refunded by `refundDeposit`).
    function _freeze(uint256 requestId) private {
        if (frozen) revert PoolFrozen();
        frozen = true;
        uint32 epoch = latestAcceptedEpoch;
        uint256 root;
        uint256 mark;
        if (anyAccepted) {
            EpochRecord storage r = _epochs[epoch];
            uint256 open = r.openAccountsRoot;
            root = open != 0 ? open & ROOT_MASK : _closedRoot;
            r.openAccountsRoot = root | PUBLISHED_ONLY | (r.status == EpochStatus.Haircut ? HAIRCUT_FLAG : 0);
            mark = _cursor.markTotal;
        }
        uint256 uncredited = unboundDeposits;
        uint256 held = token.balanceOf(address(this)) - pendingDeposits - withdrawalsOwed;
        uint256 pot = held > uncredited ? held - uncredited : 0;
        if (pot > type(uint128).max) pot = type(uint128).max;
        frozenPot = uint128(pot);
        refundsOwed = uint128(uncredited);
        emit Frozen(epoch, root, mark, pot, uncredited, requestId);
    }

    /// @notice Pays a trader's exit from a frozen pool with an Exit proof against the frozen
    ///         epoch's roots: `amount` = max(E_0, 0) at mark, less what the nullifier already took
    ///         (a settlement's amount, a liquidation's penalty), times the epoch's haircut when it
    ///         had one (the same rule as its settlements). Once per nullifier; anyone may submit
    ///         (the proof binds recipient and amount); no exit changes another's amount.
    function exit(uint32 epoch, uint256 nullifier, address recipient, uint256 amount, Proof calldata proof) external nonReentrant {
        if (nullifier >= FIELD_MODULUS) revert SignalNotInField(3, nullifier);
        if (amount >= FIELD_MODULUS) revert SignalNotInField(5, amount);
        EpochRecord storage record = _epochs[epoch];
        uint256 open = record.openAccountsRoot;
        if ((open & PUBLISHED_ONLY) == 0 || (open & ROOT_MASK) == 0) revert NotFrozenEpoch(epoch);
        uint256 spent = _spent[nullifier];
        if ((spent & SPENT_EXITED) != 0) revert AlreadyExited(nullifier);
        uint256[6] memory signals = [uint256(epoch), record.riskRoot, open & ROOT_MASK, nullifier, uint256(uint160(recipient)), amount];
        if (!exitVerifier.verifyProof(proof.a, proof.b, proof.c, signals)) revert InvalidProof();

        // The nullifier is Poseidon(accountKey, epoch): a record of it was made in this epoch.
        uint256 taken = (spent >> TAKEN_SHIFT) & TAKEN_MASK;
        uint256 left = amount > taken ? amount - taken : 0;
        uint256 paid = (open & HAIRCUT_FLAG) == 0 ? left : (left * record.haircutNum) / record.haircutDen;
        _spent[nullifier] = spent == 0 ? _spentRecord(epoch, 0) | SPENT_EXITED : spent | SPENT_EXITED;
        emit Exited(epoch, nullifier, recipient, amount, taken, paid);
        if (paid != 0) token.safeTransfer(recipient, paid);
    }

    /// @notice Counts a settlement or liquidation of the frozen epoch as paid before the freeze
    ///         (anyone; once per nullifier): its claim leaves the traders' outstanding total, so
    ///         the LPs' surplus grows by it. Until noted it is held back for the traders.
    function noteSettled(uint256 nullifier) external {
        if (!frozen) revert NotFrozen();
        uint256 spent = _spent[nullifier];
        if (spent == 0 || !anyAccepted || (spent >> EPOCH_SHIFT) != latestAcceptedEpoch) revert NotSpentInFrozenEpoch(nullifier);
        if ((spent & SPENT_NOTED) != 0) revert AlreadyNoted(nullifier);
        _spent[nullifier] = spent | SPENT_NOTED;
        uint256 noted = claimsNoted + ((spent >> TAKEN_SHIFT) & TAKEN_MASK);
        claimsNoted = uint128(noted);
        emit SettlementNoted(nullifier, (spent >> TAKEN_SHIFT) & TAKEN_MASK, noted);
    }

    /// @notice Refunds a trader deposit of a frozen pool that no accepted accounts root credits
    ///         (anyone may send it; the depositor is paid), once.
    function refundDeposit(uint256 depositId) external nonReentrant {
        if (!frozen) revert NotFrozen();
        TraderDeposit memory d = traderDeposits[depositId];
        if (d.depositor == address(0)) revert UnknownDeposit(depositId);
        if (anyAccepted && d.creditEpoch <= latestAcceptedEpoch) revert DepositCredited(depositId, d.creditEpoch);
        delete traderDeposits[depositId];
        refundsOwed -= uint128(d.amount);
        emit DepositRefunded(depositId, d.depositor, d.amount);
        token.safeTransfer(d.depositor, d.amount);
    }

    /// @notice Pays the caller its share of the LPs' surplus in a frozen pool: shares held /
    ///         shares outstanding of `lpSurplus()`, less what it took before. Callable again as
    ///         the surplus grows (claims noted); never more than what is left above the traders'
    ///         outstanding claims.
    function lpExit() external nonReentrant returns (uint256 paid) {
        paid = lpExitPreview(msg.sender);
        if (paid == 0) revert NothingToClaim(msg.sender);
        uint256 shares = _settleHolding(msg.sender);
        lpExitPaid[msg.sender] += paid;
        lpExitPaidTotal += uint128(paid);
        emit LpExited(msg.sender, shares, paid);
        token.safeTransfer(msg.sender, paid);
    }

    /// @notice What `lpExit` would pay `provider` now (0 when not frozen).
    function lpExitPreview(address provider) public view returns (uint256) {
        uint256 supply = totalShares;
        if (!frozen || supply == 0) return 0;
        Holding memory h = _holdings[provider];
        uint256 entitled = (_inCurrentEra(h.shares, h.era) * lpSurplus()) / supply;
        uint256 taken = lpExitPaid[provider];
        return entitled > taken ? entitled - taken : 0;
    }

    /// @notice The traders' outstanding claims on a frozen pool as they will be paid: the frozen
    ///         epoch's mark total less the claims noted as paid before the freeze, under its
    ///         haircut (rounded up: held back for the traders).
    function outstandingClaims() public view returns (uint256) {
        if (!frozen || !anyAccepted) return 0;
        uint256 claims = uint256(_cursor.markTotal) - claimsNoted;
        EpochRecord storage r = _epochs[latestAcceptedEpoch];
        if (r.status != EpochStatus.Haircut) return claims;
        return _ceilDiv(claims * r.haircutNum, r.haircutDen);
    }

    /// @notice The LPs' whole entitlement in a frozen pool (paid and not): their part of the pot
    ///         above the traders' outstanding claims, shared with the insurance fund pro rata to the
    ///         LPs' NAV at the last opening and the fund (both fixed by the freeze), so a deposit
    ///         executed at the last opening buys no part of the fund. It only grows (as claims are
    ///         noted). With no shares outstanding the LPs' part is the fund's.
    function lpSurplus() public view returns (uint256) {
        if (totalShares == 0) return 0;
        uint256 all = _surplus();
        uint256 weights = uint256(navAtOpening) + insuranceFund;
        return weights == 0 ? all : (all * navAtOpening) / weights;
    }

    /// @notice The insurance fund's part of a frozen pool's surplus (paid and not): paid to the admin.
    function fundSurplus() public view returns (uint256) {
        return _surplus() - lpSurplus();
    }

    function _surplus() private view returns (uint256) {
        uint256 owed = outstandingClaims();
        return frozenPot > owed ? frozenPot - owed : 0;
    }

    /// @notice Pays the insurance fund's part of a frozen pool's surplus to the admin (the protocol
    ///         treasury; anyone may send it), less what it took before. Callable again as it grows.
    function fundExit() external nonReentrant returns (uint256 paid) {
        if (!frozen) revert NotFrozen();
        uint256 due = fundSurplus();
        paid = due - fundExitPaid;
        if (paid == 0) revert NothingToClaim(admin);
        fundExitPaid = uint128(due);
        emit FundExited(admin, paid);
        token.safeTransfer(admin, paid);
    }

    /// @notice When anyone may `freeze` for want of an opening: `maxEpochDelay` after the last one.
    function freezeAllowedAt() public view returns (uint256) {
        return uint256(lastOpenedAt) + maxEpochDelay;
    }

    /// @notice The latest accepted epoch and its accounts root (open, closed or frozen): the root
    ///         a path answer and an exit use.
    function latestAccountsRoot() external view returns (uint32 epoch, uint256 root) {
        if (!anyAccepted) revert EpochNotSettleable(0);
        epoch = latestAcceptedEpoch;
        uint256 open = _epochs[epoch].openAccountsRoot;
        root = open != 0 ? open & ROOT_MASK : _closedRoot;
    }

    /// @notice Whether a nullifier (settlement or exit) or liquidation tag was spent.
    function nullifierUsed(uint256 nullifier) external view returns (bool) {
        return _spent[nullifier] != 0;
    }

    /// @notice A spent nullifier's record: the epoch, what it took (settlement amount or
    ///         liquidation penalty), whether it exited and whether it was noted.
    function nullifierRecord(uint256 nullifier) external view returns (bool used, uint32 epoch, uint256 taken, bool exited, bool noted) {
        uint256 s = _spent[nullifier];
        return (s != 0, uint32(s >> EPOCH_SHIFT), (s >> TAKEN_SHIFT) & TAKEN_MASK, (s & SPENT_EXITED) != 0, (s & SPENT_NOTED) != 0);
    }

    // ---------------------------------------------------------------- views

    /// @notice Tokens LP withdrawals must leave in the pool: the latest accepted liabilities
    ///         bound, trader deposits no accepted bound covers yet, and the insurance fund.
    function lockedBalance() public view returns (uint256) {
        return uint256(latestBound) + uint256(unboundDeposits) + insuranceFund;
    }

    /// @notice An accepted epoch's status (Solvent for an epoch never accepted) and its haircut
    ///         as num / den (0 / 0 when it has none: settlements pay in full).
    function epochStatus(uint32 epoch) external view returns (EpochStatus status, uint256 haircutNum, uint256 haircutDen) {
        EpochRecord storage r = _epochs[epoch];
        return (r.status, r.haircutNum, r.haircutDen);
    }

    function poolBalance() external view returns (uint256) {
        return token.balanceOf(address(this));
    }

    /// @notice An epoch's published risk root, its accounts root while open for settlement, and
    ///         whether it is open for settlement.
    function epochInfo(uint32 epoch) external view returns (uint256 riskRoot, uint256 openAccountsRoot, bool settleable) {
        EpochRecord storage r = _epochs[epoch];
        uint256 open = r.openAccountsRoot;
        return (r.riskRoot, open & ROOT_MASK, open != 0 && (open & PUBLISHED_ONLY) == 0);
    }

    /// @notice The solvency batches of `epoch` accepted so far: how many, the accounts root they
    ///         share and the running-totals commitment (it stays at the last non-final batch's).
    ///         All zero when `epoch` has no accepted batch or is not the latest epoch to receive
    ///         batches.
    function solvencyCursor(uint32 epoch) external view returns (uint32 nextBatch, uint256 accountsRoot, uint256 totalsCommitment) {
        SolvencyCursor storage c = _cursor;
        if (c.epoch != epoch || c.nextBatch == 0) return (0, 0, 0);
        return (c.nextBatch, c.accountsRoot, c.totalsCommitment);
    }

    /// @notice `provider`'s shares in the current era (not counting requests).
    function sharesOf(address provider) external view returns (uint256) {
        Holding memory h = _holdings[provider];
        return _inCurrentEra(h.shares, h.era);
    }

    /// @notice Token value of `shares` at the last opening's NAV per share (what a withdrawal of
    ///         them would get if the next opening had the same NAV and the lock allowed it).
    function previewWithdraw(uint256 shares) external view returns (uint256) {
        return (shares * (uint256(navAtOpening) + 1)) / (uint256(totalShares) + 1);
    }

    // ---------------------------------------------------------------- internal

    /// @dev Pulls `amount` from the caller and returns what actually arrived (fee-on-transfer safe).
    function _pull(uint256 amount) private returns (uint256 received) {
        if (amount == 0) revert ZeroAmount();
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), amount);
        received = token.balanceOf(address(this)) - before;
        if (received == 0) revert ZeroAmount();
    }
}
