// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20Minimal} from "./IERC20Minimal.sol";
import {IGroth16Verifier6, IGroth16Verifier8} from "./IGroth16Verifier.sol";
import {safeTransfer, safeTransferFrom} from "./SafeTransfer.sol";

/// @title RiskSharingPool — a shared derivatives risk pool settled by zero-knowledge proofs (DESIGN §5).
/// @notice One ERC-20 collateral token. Traders deposit collateral (the operator credits it in its
///         private ledger); LPs deposit capital for shares. Each epoch:
///           1. the risk oracle publishes the risk table's root (`publishRisk`);
///           2. the operator proves, batch by batch, that the pool's liabilities to every account in
///              its accounts root are at most `liabilitiesBound` at mark and under every stress
///              scenario (`postSolvency`); the last batch is accepted only if the bound is covered
///              by the pool's token balance, and it opens the epoch for settlement;
///           3. traders (or anyone on their behalf) settle with a margin proof against that
///              epoch's roots (`settle`): one settlement per account and epoch (nullifier).
///         Settlement of an epoch closes when the oracle publishes the next epoch, so every
///         accounts root the operator proves is built after all settlements against the previous
///         root are final. LP withdrawals never take the balance below the locked amount:
///         the latest accepted bound plus trader deposits that no accepted bound covers yet.
/// @dev    Every proof is verified before any state is written; every public signal is checked
///         to be a canonical BN254 scalar-field element before it reaches a verifier.
contract RiskSharingPool {
    using {safeTransfer, safeTransferFrom} for IERC20Minimal;

    /// @notice The BN254 scalar field modulus: public signals must be below it.
    uint256 public constant FIELD_MODULUS =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;

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

    /// @dev Per epoch: the published risk root and, while the epoch is open for settlement, its
    ///      proven accounts root (zero when not accepted yet or closed).
    struct EpochRecord {
        uint256 riskRoot;
        uint256 openAccountsRoot;
    }

    /// @dev Progress of the current epoch's solvency batches. Only the current epoch can take
    ///      batches, so one cursor serves every epoch: a cursor of another epoch reads as "no batch
    ///      yet". Its slots are never zeroed (set non-zero at deployment), so each batch rewrites
    ///      warm non-zero slots instead of paying for fresh ones.
    struct SolvencyCursor {
        uint256 accountsRoot;
        uint256 totalsCommitment;
        uint128 liabilitiesBound;
        uint32 epoch;
        uint32 nextBatch;
    }

    // ---------------------------------------------------------------- immutables and roles

    IERC20Minimal public immutable token;
    IGroth16Verifier6 public immutable marginVerifier;
    IGroth16Verifier8 public immutable solvencyVerifier;

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
    /// @notice The liabilities bound of `latestAcceptedEpoch`: LP withdrawals keep the balance above it.
    uint128 public latestBound;

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
        uint256 liabilitiesBound,
        uint256 prevTotalsCommitment,
        uint256 totalsCommitment
    );
    event EpochOpened(uint32 indexed epoch, uint256 riskRoot, uint256 accountsRoot, uint256 liabilitiesBound, uint256 poolBalance);
    event EpochClosed(uint32 indexed epoch);
    event Settled(uint32 indexed epoch, uint256 indexed nullifier, address indexed recipient, uint256 amount);
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
    error EpochNotIncreasing(uint32 epoch, uint32 currentEpoch);
    error NotCurrentEpoch(uint32 epoch);
    error SolvencyAlreadyAccepted(uint32 epoch);
    error BatchOutOfOrder(uint32 epoch, uint32 expectedBatch, uint32 batchIndex);
    error BatchStatementMismatch(uint32 epoch, uint32 batchIndex);
    error BatchNotChained(uint32 epoch, uint32 batchIndex);
    error BoundTooLarge(uint256 liabilitiesBound);
    error BoundExceedsBalance(uint256 liabilitiesBound, uint256 poolBalance);
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
        IGroth16Verifier8 solvencyVerifier_,
        address riskOracle_,
        address operator_
    ) {
        if (riskOracle_ == address(0) || operator_ == address(0)) revert ZeroAddress();
        if (address(token_).code.length == 0) revert NotAContract(address(token_));
        if (address(marginVerifier_).code.length == 0) revert NotAContract(address(marginVerifier_));
        if (address(solvencyVerifier_).code.length == 0) revert NotAContract(address(solvencyVerifier_));
        token = token_;
        marginVerifier = marginVerifier_;
        solvencyVerifier = solvencyVerifier_;
        admin = msg.sender;
        riskOracle = riskOracle_;
        operator = operator_;
        emit RoleTransferred(Role.Admin, address(0), msg.sender);
        emit RoleTransferred(Role.RiskOracle, address(0), riskOracle_);
        emit RoleTransferred(Role.Operator, address(0), operator_);
        // Non-zero placeholders (nextBatch = 0 means "no batch yet" whatever the epoch).
        _cursor = SolvencyCursor({
            accountsRoot: 1, totalsCommitment: 1, liabilitiesBound: 0, epoch: type(uint32).max, nextBatch: 0
        });
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

    /// @notice Deposits LP capital for shares: the first deposit mints 1:1, later ones
    ///         `received * totalShares / lpCapital` shares. lpCapital is book value (deposits minus
    ///         withdrawals), so the price stays 1:1 until a loss rule (DESIGN §9) writes it down.
    function depositLiquidity(uint256 amount) external nonReentrant returns (uint256 shares) {
        uint256 supply = totalShares;
        uint256 capital = lpCapital;
        uint256 received = _pull(amount);
        shares = supply == 0 || capital == 0 ? received : (received * supply) / capital;
        if (shares == 0) revert ZeroShares();
        lpCapital = capital + received;
        totalShares = supply + shares;
        sharesOf[msg.sender] += shares;
        emit LiquidityDeposited(msg.sender, received, shares);
    }

    /// @notice Burns `shares` for their part of the LP capital, as long as the pool keeps at
    ///         least `lockedBalance()` tokens afterwards.
    function withdrawLiquidity(uint256 shares) external nonReentrant returns (uint256 amount) {
        if (shares == 0) revert ZeroAmount();
        uint256 owned = sharesOf[msg.sender];
        if (shares > owned) revert InsufficientShares(owned, shares);
        uint256 supply = totalShares;
        uint256 capital = lpCapital;
        amount = (shares * capital) / supply;
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

    // ---------------------------------------------------------------- epochs

    /// @notice Publishes epoch `epoch`'s risk root (risk oracle only). Epochs strictly increase;
    ///         publishing closes settlement of the previously accepted epoch.
    function publishRisk(uint32 epoch, uint256 riskRoot) external onlyRole(Role.RiskOracle) {
        if (riskRoot >= FIELD_MODULUS) revert SignalNotInField(1, riskRoot);
        if (riskRoot == 0) revert ZeroRoot();
        uint32 current = currentEpoch;
        if (riskPublished && epoch <= current) revert EpochNotIncreasing(epoch, current);
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

    /// @notice Posts batch `batchIndex` of the current epoch's solvency proof (operator only).
    ///         Batches go in order 0..K-1 with the same accounts root and bound, each chained to
    ///         the previous one by its totals commitment; the batch with `isLast` is accepted only
    ///         if `liabilitiesBound` is at most the pool's balance, and opens the epoch for settlement.
    function postSolvency(
        uint32 epoch,
        uint256 accountsRoot,
        uint256 liabilitiesBound,
        uint32 batchIndex,
        bool isLast,
        uint256 prevTotalsCommitment,
        uint256 totalsCommitment,
        Proof calldata proof
    ) external onlyRole(Role.Operator) {
        (uint256[8] memory signals, uint256 balance) = _checkBatch(
            epoch, accountsRoot, liabilitiesBound, batchIndex, isLast, prevTotalsCommitment, totalsCommitment
        );
        if (!solvencyVerifier.verifyProof(proof.a, proof.b, proof.c, signals)) revert InvalidProof();
        _acceptBatch(signals, balance); // effects only after the proof verified
    }

    /// @dev Every check of a solvency batch but the proof: canonical signals, current epoch, batch
    ///      order, same roots and bound as batch 0, chaining, and (last batch) bound <= balance.
    ///      Returns the batch's public signals and, for the last batch, the pool's balance.
    function _checkBatch(
        uint32 epoch,
        uint256 accountsRoot,
        uint256 liabilitiesBound,
        uint32 batchIndex,
        bool isLast,
        uint256 prevTotalsCommitment,
        uint256 totalsCommitment
    ) private view returns (uint256[8] memory signals, uint256 balance) {
        if (accountsRoot >= FIELD_MODULUS) revert SignalNotInField(2, accountsRoot);
        if (liabilitiesBound >= FIELD_MODULUS) revert SignalNotInField(3, liabilitiesBound);
        if (prevTotalsCommitment >= FIELD_MODULUS) revert SignalNotInField(6, prevTotalsCommitment);
        if (totalsCommitment >= FIELD_MODULUS) revert SignalNotInField(7, totalsCommitment);
        if (accountsRoot == 0) revert ZeroRoot();
        if (liabilitiesBound > type(uint128).max) revert BoundTooLarge(liabilitiesBound);
        if (!riskPublished || epoch != currentEpoch) revert NotCurrentEpoch(epoch);
        EpochRecord storage record = _epochs[epoch];
        if (record.openAccountsRoot != 0) revert SolvencyAlreadyAccepted(epoch);

        SolvencyCursor storage cursor = _cursor;
        uint32 expected = cursor.epoch == epoch ? cursor.nextBatch : 0;
        if (batchIndex != expected) revert BatchOutOfOrder(epoch, expected, batchIndex);
        if (batchIndex != 0) {
            if (accountsRoot != cursor.accountsRoot || liabilitiesBound != cursor.liabilitiesBound) {
                revert BatchStatementMismatch(epoch, batchIndex);
            }
            if (prevTotalsCommitment != cursor.totalsCommitment) revert BatchNotChained(epoch, batchIndex);
        }
        if (isLast) {
            balance = token.balanceOf(address(this));
            if (liabilitiesBound > balance) revert BoundExceedsBalance(liabilitiesBound, balance);
        }
        signals = [
            uint256(epoch),
            record.riskRoot,
            accountsRoot,
            liabilitiesBound,
            uint256(batchIndex),
            isLast ? 1 : 0,
            prevTotalsCommitment,
            totalsCommitment
        ];
    }

    /// @dev Records a verified batch: advances the cursor and, on the last batch, opens the epoch
    ///      for settlement and makes its bound the latest accepted one.
    function _acceptBatch(uint256[8] memory s, uint256 balance) private {
        uint32 epoch = uint32(s[0]);
        uint32 batchIndex = uint32(s[4]);
        emit SolvencyBatchAccepted(epoch, batchIndex, s[5] == 1, s[2], s[3], s[6], s[7]);
        SolvencyCursor storage cursor = _cursor;
        if (batchIndex == 0) {
            cursor.accountsRoot = s[2];
            cursor.liabilitiesBound = uint128(s[3]);
            cursor.epoch = epoch;
        }
        cursor.nextBatch = batchIndex + 1;
        if (s[5] == 1) {
            _epochs[epoch].openAccountsRoot = s[2];
            latestAcceptedEpoch = epoch;
            anyAccepted = true;
            latestBound = uint128(s[3]);
            unboundDeposits = depositsSinceRisk;
            emit EpochOpened(epoch, s[1], s[2], s[3], balance);
        } else {
            cursor.totalsCommitment = s[7];
        }
    }

    /// @notice Pays `amount` to `recipient` for a margin proof against `epoch`'s roots: the
    ///         epoch must be open for settlement and the nullifier unused. Anyone may submit
    ///         (the proof binds the recipient and amount).
    function settle(uint32 epoch, uint256 nullifier, address recipient, uint256 amount, Proof calldata proof)
        external
        nonReentrant
    {
        if (nullifier >= FIELD_MODULUS) revert SignalNotInField(3, nullifier);
        if (amount >= FIELD_MODULUS) revert SignalNotInField(5, amount);
        EpochRecord storage record = _epochs[epoch];
        uint256 accountsRoot = record.openAccountsRoot;
        if (accountsRoot == 0) revert EpochNotSettleable(epoch);
        if (nullifierUsed[nullifier]) revert NullifierAlreadyUsed(nullifier);
        uint256[6] memory signals =
            [uint256(epoch), record.riskRoot, accountsRoot, nullifier, uint256(uint160(recipient)), amount];
        if (!marginVerifier.verifyProof(proof.a, proof.b, proof.c, signals)) revert InvalidProof();

        nullifierUsed[nullifier] = true;
        emit Settled(epoch, nullifier, recipient, amount);
        if (amount != 0) token.safeTransfer(recipient, amount);
    }

    // ---------------------------------------------------------------- views

    /// @notice Tokens LP withdrawals must leave in the pool: the latest accepted liabilities
    ///         bound plus trader deposits no accepted bound covers yet.
    function lockedBalance() public view returns (uint256) {
        return uint256(latestBound) + uint256(unboundDeposits);
    }

    function poolBalance() external view returns (uint256) {
        return token.balanceOf(address(this));
    }

    /// @notice An epoch's published risk root, its accounts root while open for settlement, and
    ///         whether it is open for settlement.
    function epochInfo(uint32 epoch) external view returns (uint256 riskRoot, uint256 openAccountsRoot, bool settleable) {
        EpochRecord storage r = _epochs[epoch];
        return (r.riskRoot, r.openAccountsRoot, r.openAccountsRoot != 0);
    }

    /// @notice The solvency batches of `epoch` accepted so far: how many, and the accounts root,
    ///         bound and running-totals commitment they share (the commitment stays at the last
    ///         non-final batch's). All zero when `epoch` has no accepted batch or is not the
    ///         latest epoch to receive batches.
    function solvencyCursor(uint32 epoch)
        external
        view
        returns (uint32 nextBatch, uint256 accountsRoot, uint256 liabilitiesBound, uint256 totalsCommitment)
    {
        SolvencyCursor storage c = _cursor;
        if (c.epoch != epoch || c.nextBatch == 0) return (0, 0, 0, 0);
        return (c.nextBatch, c.accountsRoot, c.liabilitiesBound, c.totalsCommitment);
    }

    /// @notice Token value of `shares` at the current LP capital.
    function previewWithdraw(uint256 shares) external view returns (uint256) {
        uint256 supply = totalShares;
        return supply == 0 ? 0 : (shares * lpCapital) / supply;
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
