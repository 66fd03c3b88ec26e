// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20Minimal} from "./IERC20Minimal.sol";
import {IGroth16Verifier2, IGroth16Verifier6, IGroth16Verifier9} from "./IGroth16Verifier.sol";
import {safeTransfer, safeTransferFrom} from "./SafeTransfer.sol";

/// @title RiskSharingPool — a shared derivatives risk pool settled by zero-knowledge proofs (docs/design.md §5, §9).
/// @notice One ERC-20 collateral token. Traders deposit collateral (the operator credits it in its
///         private ledger); LPs deposit capital for shares. Each epoch:
///           1. the risk oracle publishes the risk table's root with a RiskTable proof that the
///              root commits to one well-formed table (`publishRisk`);
///           2. the operator proves, batch by batch, the pool's liabilities to every account in
///              its accounts root (`postSolvency`); the last batch publishes two exact figures,
///              `markTotal` (what the pool owes all accounts at mark) and `stressTotal` (the
///              largest such total over mark and every stress scenario), and opens the epoch
///              for settlement with a status set from them alone against the pool's assets
///              (its balance less trader deposits made since the risk was published, which this
///              accounts root cannot hold yet) (docs/design.md §9):
///                Solvent  — stressTotal <= assets;
///                Stressed — markTotal <= assets < stressTotal: LP withdrawals frozen;
///                Haircut  — assets < markTotal: the insurance fund and the LP capital are
///                           written off and every settlement of the epoch pays
///                           amount * assets / markTotal (rounded down);
///           3. traders (or anyone on their behalf) settle with a margin proof against that
///              epoch's roots (`settle`): one settlement per account and epoch (nullifier);
///           4. the operator liquidates an account below its requirement with a Liquidation
///              proof (`liquidate`); the proof's tag is the account's nullifier of the epoch, so a
///              liquidated account cannot also settle. The loss waterfall runs on-chain, in
///              order: the defaulter's collateral (inside the proof: `deficit` is what is left
///              after it), its penalty (into the insurance fund), the insurance fund, the LP
///              capital (first loss), and last the epoch haircut above.
///         Settlement of an epoch closes when the oracle publishes the next epoch, so every
///         accounts root the operator proves is built after all settlements against the previous
///         root are final. Epochs advance by exactly one. LP withdrawals never take the balance
///         below the locked amount: the latest stress total plus trader deposits that no
///         accepted root covers yet, and the insurance fund.
/// @dev    Every proof is verified before any state is written; every public signal is checked
///         to be a canonical BN254 scalar-field element before it reaches a verifier.
contract RiskSharingPool {
    using {safeTransfer, safeTransferFrom} for IERC20Minimal;

    /// @notice The BN254 scalar field modulus: public signals must be below it.
    uint256 public constant FIELD_MODULUS =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 private constant HAIRCUT_FLAG = 1 << 255;

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
    }

    // ---------------------------------------------------------------- immutables and roles

    IERC20Minimal public immutable token;
    IGroth16Verifier6 public immutable marginVerifier;
    IGroth16Verifier9 public immutable solvencyVerifier;
    IGroth16Verifier6 public immutable liquidationVerifier;
    IGroth16Verifier2 public immutable riskTableVerifier;

    address public admin;
    address public riskOracle;
    address public operator;

    // ---------------------------------------------------------------- epochs

    mapping(uint256 epoch => EpochRecord) internal _epochs;
    SolvencyCursor internal _cursor;
    mapping(uint256 nullifier => bool) public nullifierUsed;

    /// @notice The latest epoch whose risk root was published (meaningful once `riskPublished`).
    uint32 public currentEpoch;
    bool public riskPublished;
    /// @notice The latest epoch whose solvency was accepted (meaningful once `anyAccepted`).
    uint32 public latestAcceptedEpoch;
    bool public anyAccepted;
    /// @notice The stress total of `latestAcceptedEpoch`: LP withdrawals keep the balance above it.
    uint128 public latestBound;
    /// @notice The status of `latestAcceptedEpoch`: LP withdrawals are frozen unless Solvent.
    ///         (Declared here to share the slot of the epoch counters above.)
    EpochStatus public latestStatus;

    /// @notice Tokens earmarked for losses (docs/design.md §9): fed by liquidation penalties and
    ///         `fundInsurance`, drawn by liquidation deficits; locked against LP withdrawals.
    uint256 public insuranceFund;

    /// @notice Trader deposits not covered by any accepted bound yet (locked against LP withdrawals).
    uint128 public unboundDeposits;
    /// @notice Trader deposits since the current epoch's risk was published.
    uint128 public depositsSinceRisk;

    // ---------------------------------------------------------------- LP shares

    /// @notice LP capital in token units (deposits minus withdrawals); shares are claims on it.
    uint256 public lpCapital;
    uint256 public totalShares;
    mapping(address provider => uint256) public sharesOf;

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
    event CollateralDeposited(address indexed depositor, uint256 amount);
    event LiquidityDeposited(address indexed provider, uint256 amount, uint256 shares);
    event LiquidityWithdrawn(address indexed provider, uint256 shares, uint256 amount);

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
    error WithdrawalsFrozen(uint32 epoch, EpochStatus status);
    error InvalidProof();
    error EpochNotSettleable(uint32 epoch);
    error NullifierAlreadyUsed(uint256 nullifier);
    error InsufficientShares(uint256 shares, uint256 requested);
    error ZeroShares();
    error AmountTooLarge(uint256 amount);
    error WithdrawalBreaksReserve(uint256 balanceAfter, uint256 locked);

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

    constructor(
        IERC20Minimal token_,
        IGroth16Verifier6 marginVerifier_,
        IGroth16Verifier9 solvencyVerifier_,
        IGroth16Verifier6 liquidationVerifier_,
        IGroth16Verifier2 riskTableVerifier_,
        address riskOracle_,
        address operator_
    ) {
        if (riskOracle_ == address(0) || operator_ == address(0)) revert ZeroAddress();
        if (address(token_).code.length == 0) revert NotAContract(address(token_));
        if (address(marginVerifier_).code.length == 0) revert NotAContract(address(marginVerifier_));
        if (address(solvencyVerifier_).code.length == 0) revert NotAContract(address(solvencyVerifier_));
        if (address(liquidationVerifier_).code.length == 0) revert NotAContract(address(liquidationVerifier_));
        if (address(riskTableVerifier_).code.length == 0) revert NotAContract(address(riskTableVerifier_));
        token = token_;
        marginVerifier = marginVerifier_;
        solvencyVerifier = solvencyVerifier_;
        liquidationVerifier = liquidationVerifier_;
        riskTableVerifier = riskTableVerifier_;
        admin = msg.sender;
        riskOracle = riskOracle_;
        operator = operator_;
        emit RoleTransferred(Role.Admin, address(0), msg.sender);
        emit RoleTransferred(Role.RiskOracle, address(0), riskOracle_);
        emit RoleTransferred(Role.Operator, address(0), operator_);
        // Non-zero placeholders (nextBatch = 0 means "no batch yet" whatever the epoch).
        _cursor = SolvencyCursor({accountsRoot: 1, totalsCommitment: 1, epoch: type(uint32).max, nextBatch: 0});
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
    function depositCollateral(uint256 amount) external nonReentrant {
        uint256 received = _pull(amount);
        if (received > type(uint128).max - unboundDeposits || received > type(uint128).max - depositsSinceRisk) {
            revert AmountTooLarge(received);
        }
        unboundDeposits += uint128(received);
        depositsSinceRisk += uint128(received);
        emit CollateralDeposited(msg.sender, received);
    }

    /// @notice Deposits LP capital for shares: `received * (totalShares + 1) / (lpCapital + 1)`
    ///         shares (1:1 for the first deposit). lpCapital is book value (deposits minus
    ///         withdrawals), so the price stays 1:1 until the waterfall (docs/design.md §9) writes it down.
    ///         The +1 (one virtual share and one virtual token unit) keeps the price defined when
    ///         a loss wiped the capital out: shares left from before are then worth nothing and
    ///         cannot dilute a new deposit.
    function depositLiquidity(uint256 amount) external nonReentrant returns (uint256 shares) {
        uint256 supply = totalShares;
        uint256 capital = lpCapital;
        uint256 received = _pull(amount);
        shares = (received * (supply + 1)) / (capital + 1);
        if (shares == 0) revert ZeroShares();
        lpCapital = capital + received;
        totalShares = supply + shares;
        sharesOf[msg.sender] += shares;
        emit LiquidityDeposited(msg.sender, received, shares);
    }

    /// @notice Burns `shares` for their part of the LP capital, as long as the pool keeps at
    ///         least `lockedBalance()` tokens afterwards. Frozen while the latest accepted epoch
    ///         is Stressed or Haircut (docs/design.md §9).
    function withdrawLiquidity(uint256 shares) external nonReentrant returns (uint256 amount) {
        if (shares == 0) revert ZeroAmount();
        EpochStatus status = latestStatus;
        if (status != EpochStatus.Solvent) revert WithdrawalsFrozen(latestAcceptedEpoch, status);
        uint256 owned = sharesOf[msg.sender];
        if (shares > owned) revert InsufficientShares(owned, shares);
        uint256 supply = totalShares;
        uint256 capital = lpCapital;
        amount = _sharesValue(shares, supply, capital);
        if (amount == 0) revert ZeroAmount();
        uint256 balance = token.balanceOf(address(this));
        uint256 locked = lockedBalance();
        if (amount > balance || balance - amount < locked) {
            revert WithdrawalBreaksReserve(amount > balance ? 0 : balance - amount, locked);
        }
        sharesOf[msg.sender] = owned - shares;
        totalShares = supply - shares;
        lpCapital = capital - amount;
        emit LiquidityWithdrawn(msg.sender, shares, amount);
        token.safeTransfer(msg.sender, amount);
    }

    /// @notice Adds `amount` to the insurance fund (anyone: protocol treasury, LPs, sponsors).
    ///         Funded tokens are locked against LP withdrawals and only ever absorb losses.
    function fundInsurance(uint256 amount) external nonReentrant {
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
            if (_epochs[open].openAccountsRoot != 0) {
                _epochs[open].openAccountsRoot = 0;
                emit EpochClosed(open);
            }
        }
        _epochs[epoch].riskRoot = riskRoot;
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
        if (!riskPublished || epoch != currentEpoch) revert NotCurrentEpoch(epoch);
        EpochRecord storage record = _epochs[epoch];
        if (record.openAccountsRoot != 0) revert SolvencyAlreadyAccepted(epoch);

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
        if (s.isLast) _openEpoch(epoch, s);
        else cursor.totalsCommitment = s.totalsCommitment;
    }

    /// @dev Opens a proven epoch for settlement and sets its status from the proven figures
    ///      against the pool's assets — its balance less the trader deposits made since the risk
    ///      was published (this accounts root cannot credit them: they must not pay old accounts):
    ///      Solvent, Stressed (LP withdrawals frozen) or Haircut (the insurance fund and the LP
    ///      capital are written off — they are part of the assets that pay the haircut — and
    ///      settlements pay assets / markTotal of their amount).
    function _openEpoch(uint32 epoch, BatchStatement calldata s) private {
        uint256 held = token.balanceOf(address(this));
        uint256 uncredited = depositsSinceRisk;
        uint256 balance = held > uncredited ? held - uncredited : 0;
        EpochRecord storage record = _epochs[epoch];
        EpochStatus status = s.stressTotal <= balance
            ? EpochStatus.Solvent
            : (s.markTotal <= balance ? EpochStatus.Stressed : EpochStatus.Haircut);
        record.openAccountsRoot = status == EpochStatus.Haircut ? s.accountsRoot | HAIRCUT_FLAG : s.accountsRoot;
        if (status != EpochStatus.Solvent) record.status = status; // a fresh record reads Solvent already
        latestAcceptedEpoch = epoch;
        anyAccepted = true;
        latestStatus = status;
        latestBound = uint128(s.stressTotal);
        unboundDeposits = depositsSinceRisk;
        emit EpochOpened(epoch, record.riskRoot, s.accountsRoot, s.stressTotal, s.markTotal, balance, status);
        if (status == EpochStatus.Solvent) return;
        emit LpWithdrawalsFrozen(epoch, s.stressTotal, balance);
        if (status != EpochStatus.Haircut) return;
        record.haircutNum = uint128(balance); // balance < markTotal < 2^116
        record.haircutDen = uint128(s.markTotal);
        uint256 fund = insuranceFund;
        if (fund != 0) {
            insuranceFund = 0;
            emit WaterfallStep(epoch, 0, WaterfallStage.InsuranceFund, fund, 0, lpCapital);
        }
        uint256 capital = lpCapital;
        if (capital != 0) {
            lpCapital = 0;
            emit WaterfallStep(epoch, 0, WaterfallStage.LpCapital, capital, 0, 0);
        }
        emit WaterfallStep(epoch, 0, WaterfallStage.Haircut, s.markTotal - balance, 0, 0);
        emit HaircutSet(epoch, balance, s.markTotal);
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

        nullifierUsed[nullifier] = true;
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

        nullifierUsed[tag] = true;
        emit Liquidated(epoch, tag, penalty, deficit);
        _runWaterfall(epoch, tag, penalty, deficit);
    }

    /// @dev The checks settle and liquidate share: `epoch` is open for settlement and the account's
    ///      nullifier of the epoch (a settlement's nullifier, a liquidation's tag: one spent set)
    ///      is unused. Returns the epoch's record and its open accounts root, HAIRCUT_FLAG included.
    function _openEpochFor(uint32 epoch, uint256 nullifier) private view returns (EpochRecord storage record, uint256 open) {
        record = _epochs[epoch];
        open = record.openAccountsRoot;
        if (open == 0) revert EpochNotSettleable(epoch);
        if (nullifierUsed[nullifier]) revert NullifierAlreadyUsed(nullifier);
    }

    /// @dev The on-chain steps of the loss waterfall for one liquidation, in order, each logged:
    ///      penalty into the insurance fund; deficit drawn from the fund, then written off the LP
    ///      capital (first loss); the rest is left to the mark total (a later haircut).
    function _runWaterfall(uint32 epoch, uint256 tag, uint256 penalty, uint256 deficit) private {
        uint256 fund = insuranceFund;
        uint256 capital = lpCapital;
        if (penalty != 0) {
            fund += penalty;
            emit WaterfallStep(epoch, tag, WaterfallStage.Penalty, penalty, fund, capital);
        }
        if (deficit != 0) {
            uint256 drawn = deficit < fund ? deficit : fund;
            if (drawn != 0) {
                fund -= drawn;
                emit WaterfallStep(epoch, tag, WaterfallStage.InsuranceFund, drawn, fund, capital);
            }
            uint256 rest = deficit - drawn;
            uint256 written = rest < capital ? rest : capital;
            if (written != 0) {
                capital -= written;
                lpCapital = capital;
                emit WaterfallStep(epoch, tag, WaterfallStage.LpCapital, written, fund, capital);
            }
            if (rest != written) emit WaterfallStep(epoch, tag, WaterfallStage.Haircut, rest - written, fund, capital);
        }
        insuranceFund = fund;
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
        return (r.riskRoot, open & ~HAIRCUT_FLAG, open != 0);
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

    /// @notice Token value of `shares` at the current LP capital.
    function previewWithdraw(uint256 shares) external view returns (uint256) {
        return _sharesValue(shares, totalShares, lpCapital);
    }

    // ---------------------------------------------------------------- internal

    /// @dev What `shares` of `supply` are worth out of `capital`, with the virtual share and unit
    ///      of depositLiquidity: the last shares out get exactly the capital (supply >= capital
    ///      always holds: capital only ever falls below what the shares paid in).
    function _sharesValue(uint256 shares, uint256 supply, uint256 capital) private pure returns (uint256) {
        return (shares * (capital + 1)) / (supply + 1);
    }

    /// @dev Pulls `amount` from the caller and returns what actually arrived (fee-on-transfer safe).
    function _pull(uint256 amount) private returns (uint256 received) {
        if (amount == 0) revert ZeroAmount();
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), amount);
        received = token.balanceOf(address(this)) - before;
        if (received == 0) revert ZeroAmount();
    }
}
