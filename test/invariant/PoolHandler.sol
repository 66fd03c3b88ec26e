// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {RiskSharingPool} from "../../contracts/RiskSharingPool.sol";
import {TestToken} from "../../contracts/TestToken.sol";
import {IERC20Minimal} from "../../contracts/IERC20Minimal.sol";
import {IGroth16Verifier2, IGroth16Verifier6, IGroth16Verifier9} from "../../contracts/IGroth16Verifier.sol";
import {Actor, MockVerifier2, MockVerifier6, MockVerifier9} from "./Mocks.sol";

/// @notice Drives every external function of RiskSharingPool with random actors and amounts, as
///         the fuzzer's only target. It is the pool's admin, risk oracle and operator, and an
///         honest prover: each epoch it makes up accounts (mark equities summing exactly to the
///         mark bound it posts, defaulters with deficits) and only "proves" (mock verifier
///         accepting) statements those accounts support: a settlement of at most an account's
///         equity, once per nullifier; a liquidation of a defaulter's deficit or of at most an
///         account's equity as penalty. Ghost variables record what the invariants check.
contract PoolHandler {
    uint256 internal constant FIELD = 21888242871839275222246405745257275088548364400416417784047086184934416058561 + 56;
    uint256 internal constant MAX_DEPOSIT = 1e27;

    RiskSharingPool public immutable pool;
    TestToken public immutable token;
    MockVerifier6 public immutable marginVerifier;
    MockVerifier9 public immutable solvencyVerifier;
    MockVerifier6 public immutable liquidationVerifier;
    MockVerifier6 public immutable exitVerifier;
    MockVerifier2 public immutable riskTableVerifier;
    Actor[] public actors;

    // ---------------------------------------------------------------- the honest prover's model
    uint32 public epoch;
    bool public published;
    bool public open;
    uint256[] internal equities; // mark equity of each honest account of `epoch`
    uint256[] internal deficits; // loss beyond collateral of each defaulter of `epoch`
    uint256 public markBound;
    uint256 public stressBound;
    uint256 internal accountsRoot;
    uint32 internal batchCount;
    uint32 internal batchesPosted;
    uint256 internal prevTotals;
    mapping(uint256 nullifier => bool) public spentInModel;

    // ---------------------------------------------------------------- ghosts
    uint32[] public openedEpochs;
    mapping(uint32 epoch => uint256) public balanceAtOpening;
    mapping(uint32 epoch => uint256) public paidInEpoch;
    mapping(uint256 nullifier => uint256) public timesPaid;
    uint256 public doublePays;
    uint256 public honestSettleReverts;
    uint256 public honestPostReverts;
    uint256 public honestLiquidationReverts;
    uint256 public badWithdrawals;
    /// LP calls that reverted with a Panic (checked-math overflow, division by zero): the pool's own bug.
    uint256 public lpPanics;
    /// Claims of executed requests, and cancels of pending ones by their owner, that reverted.
    uint256 public honestClaimReverts;
    uint256 public honestCancelReverts;
    /// @notice LP requests or cancels taken while the LP book was sealed (publishRisk to opening).
    uint256 public sealedLpCallsTaken;
    /// LP request ids made so far, and their owners (an id leaves when claimed or cancelled).
    uint256[] internal requestIds;
    mapping(uint256 requestId => Actor) internal requestOwner;
    uint256 public lpClaims;
    uint256 public eraStarts;
    uint256 public unauthorizedSucceeded;
    uint256 public refusedProofsAccepted;
    mapping(bytes32 name => uint256) public calls;
    // what the runs reached (for a person checking the suite exercises the pool, not only early returns)
    uint256 public settled;
    uint256 public liquidated;
    uint256 public lpWithdrawals;
    mapping(RiskSharingPool.EpochStatus status => uint256) public openedWithStatus;

    constructor() {
        token = new TestToken("Test USD", "tUSD", 6);
        marginVerifier = new MockVerifier6();
        solvencyVerifier = new MockVerifier9();
        liquidationVerifier = new MockVerifier6();
        riskTableVerifier = new MockVerifier2();
        exitVerifier = new MockVerifier6();
        pool = new RiskSharingPool(
            RiskSharingPool.PoolConfig({
                token: IERC20Minimal(address(token)),
                marginVerifier: IGroth16Verifier6(address(marginVerifier)),
                solvencyVerifier: IGroth16Verifier9(address(solvencyVerifier)),
                liquidationVerifier: IGroth16Verifier6(address(liquidationVerifier)),
                riskTableVerifier: IGroth16Verifier2(address(riskTableVerifier)),
                exitVerifier: IGroth16Verifier6(address(exitVerifier)),
                poseidon2: address(marginVerifier), // any contract: path answers are not exercised here
                riskOracle: address(this),
                operator: address(this),
                maxEpochDelay: 7 days,
                pathFee: 0,
                accountsDepth: 20
            })
        );
        for (uint256 i = 0; i < 4; i++) actors.push(new Actor());
    }

    // ---------------------------------------------------------------- helpers

    function _bound(uint256 x, uint256 lo, uint256 hi) internal pure returns (uint256) {
        if (hi <= lo) return lo;
        return lo + (x % (hi - lo + 1));
    }

    function _actor(uint256 seed) internal view returns (Actor) {
        return actors[seed % actors.length];
    }

    function _field(bytes memory data) internal pure returns (uint256) {
        return (uint256(keccak256(data)) % (FIELD - 1)) + 1;
    }

    function nullifierOf(uint32 e, uint256 i) public pure returns (uint256) {
        return _field(abi.encode("account", e, i));
    }

    function tagOfDefaulter(uint32 e, uint256 j) public pure returns (uint256) {
        return _field(abi.encode("defaulter", e, j));
    }

    function _proof() internal pure returns (RiskSharingPool.Proof memory p) {}

    function _fund(Actor a, uint256 amount) internal {
        token.mint(address(a), amount);
        a.exec(address(token), abi.encodeCall(TestToken.approve, (address(pool), amount)));
    }

    function actorCount() external view returns (uint256) {
        return actors.length;
    }

    function openedCount() external view returns (uint256) {
        return openedEpochs.length;
    }

    // ---------------------------------------------------------------- deposits, LP capital, insurance

    function depositCollateral(uint256 actorSeed, uint256 amount) external {
        calls["depositCollateral"]++;
        Actor a = _actor(actorSeed);
        amount = _bound(amount, 0, MAX_DEPOSIT);
        _fund(a, amount);
        a.exec(address(pool), abi.encodeCall(RiskSharingPool.depositCollateral, (amount)));
    }

    /// @notice Genesis LP capital: accepted only before the first risk publication.
    function depositLiquidity(uint256 actorSeed, uint256 amount) external {
        calls["depositLiquidity"]++;
        Actor a = _actor(actorSeed);
        amount = _bound(amount, 0, MAX_DEPOSIT);
        _fund(a, amount);
        (bool ok, bytes memory ret) = a.exec(address(pool), abi.encodeCall(RiskSharingPool.depositLiquidity, (amount)));
        _noPanic(ok, ret);
    }

    function requestDeposit(uint256 actorSeed, uint256 amount) external {
        calls["requestDeposit"]++;
        Actor a = _actor(actorSeed);
        amount = _bound(amount, 0, MAX_DEPOSIT);
        _fund(a, amount);
        bool sealedBefore = pool.lpBookSealed();
        (bool ok, bytes memory ret) = a.exec(address(pool), abi.encodeCall(RiskSharingPool.requestDeposit, (amount)));
        _noPanic(ok, ret);
        if (ok && sealedBefore) sealedLpCallsTaken++;
        if (ok) _track(abi.decode(ret, (uint256)), a);
    }

    function requestWithdraw(uint256 actorSeed, uint256 shares) external {
        calls["requestWithdraw"]++;
        Actor a = _actor(actorSeed);
        shares = _bound(shares, 0, pool.sharesOf(address(a)) + 1);
        bool sealedBefore = pool.lpBookSealed();
        (bool ok, bytes memory ret) = a.exec(address(pool), abi.encodeCall(RiskSharingPool.requestWithdraw, (shares)));
        _noPanic(ok, ret);
        if (ok && sealedBefore) sealedLpCallsTaken++;
        if (ok) _track(abi.decode(ret, (uint256)), a);
    }

    /// @notice Claims a tracked request (for its owner, sent by a random actor): must succeed once executed.
    function claim(uint256 which, uint256 actorSeed) external {
        calls["claim"]++;
        if (requestIds.length == 0) return;
        uint256 k = which % requestIds.length;
        uint256 id = requestIds[k];
        (, uint32 batch,, bool withdrawal,) = pool.lpRequests(id);
        bool executed = batch < (withdrawal ? pool.withdrawBatch() : pool.depositBatch());
        (bool ok, bytes memory ret) = _actor(actorSeed).exec(address(pool), abi.encodeCall(RiskSharingPool.claim, (id)));
        _noPanic(ok, ret);
        if (ok) {
            lpClaims++;
            _untrack(k);
        } else if (executed) {
            honestClaimReverts++;
        }
    }

    /// @notice The owner cancels a tracked request: must succeed while its batch is pending.
    function cancelRequest(uint256 which) external {
        calls["cancelRequest"]++;
        if (requestIds.length == 0) return;
        uint256 k = which % requestIds.length;
        uint256 id = requestIds[k];
        (, uint32 batch,, bool withdrawal,) = pool.lpRequests(id);
        bool sealedBefore = pool.lpBookSealed();
        bool pending = batch == (withdrawal ? pool.withdrawBatch() : pool.depositBatch()) && !sealedBefore;
        (bool ok, bytes memory ret) = requestOwner[id].exec(address(pool), abi.encodeCall(RiskSharingPool.cancelRequest, (id)));
        _noPanic(ok, ret);
        if (ok && sealedBefore) sealedLpCallsTaken++;
        if (ok) _untrack(k);
        else if (pending) honestCancelReverts++;
    }

    function _track(uint256 id, Actor owner) internal {
        requestIds.push(id);
        requestOwner[id] = owner;
    }

    function _untrack(uint256 k) internal {
        requestIds[k] = requestIds[requestIds.length - 1];
        requestIds.pop();
    }

    /// @dev A revert with Panic(uint256) is the pool's own arithmetic failing (issue 16.4 was one).
    function _noPanic(bool ok, bytes memory ret) internal {
        if (!ok && ret.length >= 4 && bytes4(ret) == bytes4(0x4e487b71)) lpPanics++;
    }

    function fundInsurance(uint256 actorSeed, uint256 amount) external {
        calls["fundInsurance"]++;
        Actor a = _actor(actorSeed);
        amount = _bound(amount, 0, MAX_DEPOSIT);
        _fund(a, amount);
        a.exec(address(pool), abi.encodeCall(RiskSharingPool.fundInsurance, (amount)));
    }

    // ---------------------------------------------------------------- epochs

    /// @notice Publishes the next epoch and makes up its accounts: a mark bound from 0 to about
    ///         twice the balance (so epochs open solvent, stressed or with a haircut), split
    ///         exactly among 1..6 accounts, a stress bound above it, 0..2 defaulters.
    function publishNextEpoch(uint256 seed, uint256 markSeed, uint256 stressSeed) external {
        calls["publishRisk"]++;
        uint32 next = published ? epoch + 1 : 1;
        pool.publishRisk(next, _field(abi.encode("risk", next, seed)), _proof());
        epoch = next;
        published = true;
        open = false;
        uint256 balance = token.balanceOf(address(pool));
        markBound = _bound(markSeed, 0, 2 * balance + 1e24);
        stressBound = markBound + _bound(stressSeed, 0, balance + 1e24);
        delete equities;
        delete deficits;
        uint256 n = _bound(seed, 1, 6);
        uint256 left = markBound;
        for (uint256 i = 0; i + 1 < n; i++) {
            uint256 e = _bound(uint256(keccak256(abi.encode(seed, i))), 0, left);
            equities.push(e);
            left -= e;
        }
        equities.push(left);
        uint256 d = uint256(keccak256(abi.encode(seed, "defaulters"))) % 3;
        for (uint256 j = 0; j < d; j++) deficits.push(_bound(uint256(keccak256(abi.encode(seed, "deficit", j))), 1, 1e24));
        accountsRoot = _field(abi.encode("accounts", next, seed));
        batchCount = uint32(_bound(seed >> 8, 1, 3));
        batchesPosted = 0;
        prevTotals = 0;
    }

    /// @notice Posts the next solvency batch of the published epoch (the last one opens it).
    function postNextBatch(uint256 seed) external {
        calls["postSolvency"]++;
        if (!published || open || batchesPosted == batchCount) return;
        bool isLast = batchesPosted + 1 == batchCount;
        uint256 totals = _field(abi.encode("totals", epoch, batchesPosted, seed));
        RiskSharingPool.BatchStatement memory s = RiskSharingPool.BatchStatement({
            accountsRoot: accountsRoot,
            stressTotal: isLast ? stressBound : 0,
            markTotal: isLast ? markBound : 0,
            batchIndex: batchesPosted,
            isLast: isLast,
            prevTotalsCommitment: prevTotals,
            totalsCommitment: totals
        });
        uint256 balance = token.balanceOf(address(pool));
        uint256 owedBefore = pool.withdrawalsOwed();
        uint24 eraBefore = pool.shareEra();
        // What LP withdrawals may take at this opening if it is Solvent: assets - fund - stress total.
        uint256 lpHeld = uint256(pool.pendingDeposits()) + owedBefore + pool.depositsSinceRisk();
        uint256 assets = balance > lpHeld ? balance - lpHeld : 0;
        uint256 fund = pool.insuranceFund();
        uint256 free = assets > fund + stressBound ? assets - fund - stressBound : 0;
        try pool.postSolvency(epoch, s, _proof()) {
            batchesPosted++;
            prevTotals = totals;
            if (isLast) {
                open = true;
                RiskSharingPool.EpochStatus status = pool.latestStatus();
                openedWithStatus[status]++;
                openedEpochs.push(epoch);
                // What the epoch may pay: its assets (the balance less uncredited deposits and LP requests' tokens).
                balanceAtOpening[epoch] = assets;
                uint256 paidToLps = pool.withdrawalsOwed() - owedBefore;
                if (paidToLps != 0) {
                    lpWithdrawals++;
                    if (status != RiskSharingPool.EpochStatus.Solvent || paidToLps > free) badWithdrawals++;
                }
                if (pool.shareEra() != eraBefore) eraStarts++;
            }
        } catch {
            honestPostReverts++;
        }
    }

    /// @notice A solvency batch whose proof does not verify: refused, nothing recorded.
    function postRefusedBatch(uint256 seed) external {
        calls["postSolvency(refused)"]++;
        if (!published || open || batchesPosted == batchCount) return;
        solvencyVerifier.setAccept(false);
        RiskSharingPool.BatchStatement memory s = RiskSharingPool.BatchStatement({
            accountsRoot: accountsRoot,
            stressTotal: batchesPosted + 1 == batchCount ? stressBound : 0,
            markTotal: batchesPosted + 1 == batchCount ? markBound : 0,
            batchIndex: batchesPosted,
            isLast: batchesPosted + 1 == batchCount,
            prevTotalsCommitment: prevTotals,
            totalsCommitment: _field(abi.encode("forged", seed))
        });
        try pool.postSolvency(epoch, s, _proof()) {
            refusedProofsAccepted++;
        } catch {}
        solvencyVerifier.setAccept(true);
    }

    // ---------------------------------------------------------------- settlement and liquidation

    /// @notice Settles account i of the open epoch for at most its equity, to a random actor:
    ///         honest (must succeed) when the model has not spent its nullifier yet; a replay
    ///         otherwise (must pay nothing).
    function settle(uint256 accountSeed, uint256 amountSeed, uint256 actorSeed) external {
        calls["settle"]++;
        if (!open) return;
        uint256 i = accountSeed % equities.length;
        uint256 nullifier = nullifierOf(epoch, i);
        uint256 amount = _bound(amountSeed, 0, equities[i]);
        address recipient = address(_actor(actorSeed));
        bool honest = !spentInModel[nullifier];
        uint256 before = token.balanceOf(recipient);
        try pool.settle(epoch, nullifier, recipient, amount, _proof()) {
            spentInModel[nullifier] = true;
            settled++;
            paidInEpoch[epoch] += token.balanceOf(recipient) - before;
            if (++timesPaid[nullifier] > 1) doublePays++;
        } catch {
            if (honest) honestSettleReverts++;
        }
    }

    /// @notice A settlement whose proof does not verify (say, a larger amount): refused.
    function settleRefused(uint256 accountSeed, uint256 amountSeed, uint256 actorSeed) external {
        calls["settle(refused)"]++;
        if (!open) return;
        uint256 i = accountSeed % equities.length;
        uint256 nullifier = nullifierOf(epoch, i);
        marginVerifier.setAccept(false);
        try pool.settle(epoch, nullifier, address(_actor(actorSeed)), _bound(amountSeed, 0, MAX_DEPOSIT), _proof()) {
            refusedProofsAccepted++;
        } catch {}
        marginVerifier.setAccept(true);
    }

    /// @notice Liquidates a defaulter (its deficit) or an honest account under its requirement
    ///         (a penalty of at most its equity), once per tag.
    function liquidate(uint256 which, uint256 penaltySeed) external {
        calls["liquidate"]++;
        if (!open) return;
        uint256 tag;
        uint256 penalty;
        uint256 deficit;
        if (deficits.length > 0 && which % 2 == 0) {
            uint256 j = (which / 2) % deficits.length;
            tag = tagOfDefaulter(epoch, j);
            deficit = deficits[j];
        } else {
            uint256 i = which % equities.length;
            tag = nullifierOf(epoch, i);
            penalty = _bound(penaltySeed, 0, equities[i]);
        }
        bool honest = !spentInModel[tag];
        try pool.liquidate(epoch, tag, penalty, deficit, _proof()) {
            if (!honest) doublePays++;
            spentInModel[tag] = true;
            liquidated++;
        } catch {
            if (honest) honestLiquidationReverts++;
        }
    }

    // ---------------------------------------------------------------- roles

    /// @notice An actor (not admin, oracle or operator) calls a guarded function: always refused.
    function unauthorized(uint256 actorSeed, uint256 which) external {
        calls["unauthorized"]++;
        Actor a = _actor(actorSeed);
        RiskSharingPool.BatchStatement memory s;
        bytes[6] memory attempts = [
            abi.encodeCall(RiskSharingPool.transferAdmin, (address(a))),
            abi.encodeCall(RiskSharingPool.setRiskOracle, (address(a))),
            abi.encodeCall(RiskSharingPool.setOperator, (address(a))),
            abi.encodeCall(RiskSharingPool.publishRisk, (epoch + 1, 1, _proof())),
            abi.encodeCall(RiskSharingPool.postSolvency, (epoch, s, _proof())),
            abi.encodeCall(RiskSharingPool.liquidate, (epoch, 1, 0, 0, _proof()))
        ];
        (bool ok,) = a.exec(address(pool), attempts[which % attempts.length]);
        if (ok) unauthorizedSucceeded++;
    }

    // ---------------------------------------------------------------- what the invariants read

    /// @notice The first opened epoch that paid out more than the pool held when it opened, if any.
    function overpaidEpoch() external view returns (bool found, uint32 e, uint256 paid, uint256 balance) {
        for (uint256 k = 0; k < openedEpochs.length; k++) {
            e = openedEpochs[k];
            if (paidInEpoch[e] > balanceAtOpening[e]) return (true, e, paidInEpoch[e], balanceAtOpening[e]);
        }
        return (false, 0, 0, 0);
    }

    /// @notice Shares held by the actors and escrowed by withdrawal requests not executed (both in the
    ///         current era), and what each actor's holding is worth at the last opening's NAV per share, summed.
    function lpBook() external view returns (uint256 shares, uint256 worth) {
        for (uint256 k = 0; k < actors.length; k++) {
            uint256 held = pool.sharesOf(address(actors[k]));
            shares += held;
            worth += pool.previewWithdraw(held);
        }
        uint32 wb = pool.withdrawBatch();
        uint24 era = pool.shareEra();
        for (uint256 k = 0; k < requestIds.length; k++) {
            (, uint32 batch, uint24 reqEra, bool withdrawal, uint256 amount) = pool.lpRequests(requestIds[k]);
            if (withdrawal && batch == wb && reqEra == era) {
                shares += amount;
                worth += pool.previewWithdraw(amount);
            }
        }
    }
}
