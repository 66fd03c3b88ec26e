// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {RiskSharingPool} from "../../contracts/RiskSharingPool.sol";
import {TestToken} from "../../contracts/TestToken.sol";
import {IERC20Minimal} from "../../contracts/IERC20Minimal.sol";
import {IGroth16Verifier2, IGroth16Verifier6, IGroth16Verifier9} from "../../contracts/IGroth16Verifier.sol";
import {Actor, MockVerifier2, MockVerifier6, MockVerifier9} from "./Mocks.sol";
import {PathRequests} from "../../contracts/PathRequests.sol";

/// @dev Forge's cheat codes the handler uses (no forge-std in this project).
interface Vm {
    function warp(uint256 timestamp) external;
}

/// @notice Drives every external function of RiskSharingPool with random actors and amounts, as
///         the fuzzer's only target. It is the pool's admin, risk oracle and operator, and an
///         honest prover: each epoch it makes up accounts (mark equities summing exactly to the
///         mark bound it posts, defaulters with deficits) and only "proves" (mock verifier
///         accepting) statements those accounts support: a settlement of at most an account's
///         equity, once per nullifier; a liquidation of a defaulter's deficit or of at most an
///         account's equity as penalty. Ghost variables record what the invariants check.
///         The escape hatch (docs/design.md §12): time passes (`warp`), anyone tries to freeze
///         (early tries must be refused), and once frozen every trader exits with the mark claim
///         the model gave its account in the last opened epoch (the mock exit verifier accepts
///         exactly those claims: each >= what its settlement or liquidation took, all of them
///         summing to the mark total posted), settlements are noted, deposits refunded and the
///         LPs exit, in any order; the model predicts every payment.
contract PoolHandler {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    uint256 public constant DELAY = 7 days;
    uint256 internal constant FIELD = 21888242871839275222246405745257275088548364400416417784047086184934416058561 + 56;
    uint256 internal constant MAX_DEPOSIT = 1e27;
    /// A trader deposit is at most 2^64 - 1 (an account's collateral bound).
    uint256 internal constant MAX_COLLATERAL = type(uint64).max;

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

    // ---------------------------------------------------------------- the escape hatch's model
    PathRequests public immutable paths;
    /// When the pool last opened an epoch (the deployment before any): freeze waits DELAY after it.
    uint256 public openedAt;
    /// The last opened epoch's accounts (what a freeze leaves to exit): mark claims, defaulters,
    /// the mark total and the assets it opened with.
    uint32 public lastOpened;
    uint256[] internal lastEquities;
    uint256 internal lastDefaulters;
    uint256 public lastMark;
    uint256 public lastAssets;
    /// What each nullifier's settlement or liquidation took (amount, penalty).
    mapping(uint256 nullifier => uint256) public takenInModel;
    mapping(uint256 nullifier => bool) public exitedInModel;
    mapping(uint256 nullifier => bool) public notedInModel;
    uint256 public notedInModelTotal;
    /// Trader deposits: amount, depositor, and the epoch published when made (0: before any).
    uint256[] internal depositIds;
    mapping(uint256 id => uint256) internal depositAmount;
    mapping(uint256 id => Actor) internal depositOwner;
    mapping(uint256 id => uint32) internal depositAfterEpoch;
    mapping(uint256 id => bool) internal refundedInModel;
    uint256 public refundsOwedInModel;
    /// Path requests made, and their deadlines.
    uint256[] internal pathIds;
    mapping(uint256 id => uint256) internal pathDeadline;
    bool public frozenInModel;
    uint256 public potInModel;
    // ghosts of the frozen pool
    uint256 public exits;
    /// Exits of accounts whose settlement or liquidation took something first.
    uint256 public exitsAfterTaking;
    uint256 public takenAtFreeze;
    uint256 public exitsPaidTotal;
    uint256 public lpExits;
    uint256 public lpExitsPaidModel;
    uint256 public refunds;
    uint256 public notes;
    uint256 public freezes;
    uint256 public earlyFreezes;
    uint256 public honestFreezeReverts;
    uint256 public honestExitReverts;
    uint256 public wrongExitPays;
    uint256 public exitsBeforeFreeze;
    uint256 public honestNoteReverts;
    uint256 public badNotes;
    uint256 public honestRefundReverts;
    uint256 public badRefunds;
    uint256 public honestLpExitReverts;
    uint256 public wrongLpExitPays;
    uint256 public frozenCallsTaken;
    uint256 public frozenFigureMismatches;
    uint256 public surplusDecreases;
    uint256 public maxSurplusSeen;

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
        paths = pool.pathRequests();
        openedAt = block.timestamp;
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
        amount = _bound(amount, 0, MAX_COLLATERAL);
        _fund(a, amount);
        (bool ok,) = a.exec(address(pool), abi.encodeCall(RiskSharingPool.depositCollateral, (amount)));
        _frozenTaken(ok);
        if (ok) {
            uint256 id = pool.nextDepositId() - 1;
            depositIds.push(id);
            depositAmount[id] = amount;
            depositOwner[id] = a;
            depositAfterEpoch[id] = published ? epoch : 0;
        }
    }

    /// @notice Genesis LP capital: accepted only before the first risk publication.
    function depositLiquidity(uint256 actorSeed, uint256 amount) external {
        calls["depositLiquidity"]++;
        Actor a = _actor(actorSeed);
        amount = _bound(amount, 0, MAX_DEPOSIT);
        _fund(a, amount);
        (bool ok, bytes memory ret) = a.exec(address(pool), abi.encodeCall(RiskSharingPool.depositLiquidity, (amount)));
        _noPanic(ok, ret);
        _frozenTaken(ok);
    }

    function requestDeposit(uint256 actorSeed, uint256 amount) external {
        calls["requestDeposit"]++;
        Actor a = _actor(actorSeed);
        amount = _bound(amount, 0, MAX_DEPOSIT);
        _fund(a, amount);
        bool sealedBefore = pool.lpBookSealed();
        (bool ok, bytes memory ret) = a.exec(address(pool), abi.encodeCall(RiskSharingPool.requestDeposit, (amount)));
        _noPanic(ok, ret);
        _frozenTaken(ok);
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
        _frozenTaken(ok);
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
        // A frozen pool takes cancels at any time (the LP book is never sealed against them then).
        bool sealedBefore = pool.lpBookSealed() && !pool.frozen();
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
        (bool ok,) = a.exec(address(pool), abi.encodeCall(RiskSharingPool.fundInsurance, (amount)));
        _frozenTaken(ok);
    }

    /// @dev A call of an operator, the oracle or money in that succeeded on a frozen pool.
    function _frozenTaken(bool ok) internal {
        if (ok && frozenInModel) frozenCallsTaken++;
    }

    // ---------------------------------------------------------------- epochs

    /// @notice Publishes the next epoch and makes up its accounts: a mark bound from 0 to about
    ///         twice the balance (so epochs open solvent, stressed or with a haircut), split
    ///         exactly among 1..6 accounts, a stress bound above it, 0..2 defaulters.
    function publishNextEpoch(uint256 seed, uint256 markSeed, uint256 stressSeed) external {
        calls["publishRisk"]++;
        uint32 next = published ? epoch + 1 : 1;
        if (frozenInModel) {
            try pool.publishRisk(next, _field(abi.encode("risk", next, seed)), _proof()) {
                frozenCallsTaken++;
            } catch {}
            return;
        }
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
        if (frozenInModel) {
            try pool.postSolvency(epoch, s, _proof()) {
                frozenCallsTaken++;
            } catch {}
            return;
        }
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
                openedAt = block.timestamp;
                lastOpened = epoch;
                lastEquities = equities;
                lastDefaulters = deficits.length;
                lastMark = markBound;
                lastAssets = assets;
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
        if (frozenInModel) {
            try pool.settle(epoch, nullifier, recipient, amount, _proof()) {
                frozenCallsTaken++;
            } catch {}
            return;
        }
        try pool.settle(epoch, nullifier, recipient, amount, _proof()) {
            spentInModel[nullifier] = true;
            takenInModel[nullifier] = amount;
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
        if (frozenInModel) {
            try pool.liquidate(epoch, tag, penalty, deficit, _proof()) {
                frozenCallsTaken++;
            } catch {}
            return;
        }
        try pool.liquidate(epoch, tag, penalty, deficit, _proof()) {
            if (!honest) doublePays++;
            spentInModel[tag] = true;
            takenInModel[tag] = penalty;
            liquidated++;
        } catch {
            if (honest) honestLiquidationReverts++;
        }
    }


    // ---------------------------------------------------------------- the escape hatch

    /// @notice Time passes (0 to 3 days).
    function warp(uint256 seconds_) external {
        calls["warp"]++;
        vm.warp(block.timestamp + _bound(seconds_, 0, 3 days));
    }

    /// @notice A trader asks for its path on-chain (fee 0 in this pool); the handler never answers.
    function requestPath(uint256 actorSeed, uint256 leaf) external {
        calls["requestPath"]++;
        (bool ok, bytes memory ret) =
            _actor(actorSeed).exec(address(paths), abi.encodeCall(PathRequests.request, (uint32(leaf % (1 << 20)))));
        _frozenTaken(ok);
        if (ok) {
            uint256 id = abi.decode(ret, (uint256));
            pathIds.push(id);
            pathDeadline[id] = block.timestamp + DELAY;
        }
    }

    /// @notice After some time (0 to 10 days), a stranger freezes for want of an opening or on a
    ///         path request: taken exactly when the model says the delay has run out.
    function freeze(uint256 seed, uint256 actorSeed) external {
        calls["freeze"]++;
        vm.warp(block.timestamp + _bound(seed, 0, 10 days));
        bool onRequest = pathIds.length != 0 && actorSeed % 2 == 1;
        uint256 id = onRequest ? pathIds[(actorSeed / 2) % pathIds.length] : 0;
        uint256 allowedAt = onRequest ? pathDeadline[id] : openedAt + DELAY;
        bytes memory call_ = onRequest ? abi.encodeCall(RiskSharingPool.freezeOnRequest, (id)) : abi.encodeCall(RiskSharingPool.freeze, ());
        uint256 held = token.balanceOf(address(pool)) - pool.pendingDeposits() - pool.withdrawalsOwed();
        (bool ok,) = _actor(actorSeed).exec(address(pool), call_);
        if (ok && onRequest) calls["freezeOnRequest"]++;
        if (ok) {
            if (frozenInModel || block.timestamp < allowedAt) earlyFreezes++;
            frozenInModel = true;
            freezes++;
            uint256 uncredited;
            for (uint256 k = 0; k < depositIds.length; k++) {
                if (_uncredited(depositIds[k])) uncredited += depositAmount[depositIds[k]];
            }
            refundsOwedInModel = uncredited;
            for (uint256 k = 0; k < lastEquities.length + lastDefaulters; k++) {
                (uint256 n,) = _exitAccount(k);
                if (takenInModel[n] != 0) takenAtFreeze++;
            }
            potInModel = held > uncredited ? held - uncredited : 0;
            if (pool.frozenPot() != potInModel || pool.refundsOwed() != uncredited) frozenFigureMismatches++;
        } else if (!frozenInModel && block.timestamp >= allowedAt) {
            honestFreezeReverts++;
        }
        _checkSurplus();
    }

    /// @dev A deposit no accepted root credits: made after the last opened epoch's publishRisk (or none opened).
    function _uncredited(uint256 id) internal view returns (bool) {
        return openedEpochs.length == 0 || depositAfterEpoch[id] >= lastOpened;
    }

    /// @dev Account k of the last opened epoch (honest accounts first, then defaulters): its
    ///      nullifier and its mark claim (a defaulter's is 0).
    function _exitAccount(uint256 k) internal view returns (uint256 nullifier, uint256 claim_) {
        k = k % (lastEquities.length + lastDefaulters);
        if (k < lastEquities.length) return (nullifierOf(lastOpened, k), lastEquities[k]);
        return (tagOfDefaulter(lastOpened, k - lastEquities.length), 0);
    }

    /// @dev What the model pays a claim left over: its part at the epoch's ratio (1 unless its
    ///      assets at opening were below its mark total).
    function _atRatio(uint256 left) internal view returns (uint256) {
        return lastAssets < lastMark ? (left * lastAssets) / lastMark : left;
    }

    function _owedTo(uint256 nullifier, uint256 claim_) internal view returns (uint256) {
        uint256 taken = takenInModel[nullifier];
        return _atRatio(claim_ > taken ? claim_ - taken : 0);
    }

    /// @notice A trader exits with its account's mark claim (the only claim the mock verifier is
    ///         made to accept), to a random recipient: paid exactly the model's amount, once; refused
    ///         before a freeze.
    function exit(uint256 accountSeed, uint256 actorSeed) external {
        calls["exit"]++;
        if (openedEpochs.length == 0) return;
        // Half the time, the first account from the seed on whose nullifier took something (a
        // settlement or a liquidation before the freeze), if any: those are the exits that subtract.
        uint256 n_ = lastEquities.length + lastDefaulters;
        if (actorSeed % 2 == 1) {
            for (uint256 j = 0; j < n_; j++) {
                (uint256 m,) = _exitAccount(accountSeed + j);
                if (takenInModel[m] != 0 && !exitedInModel[m]) {
                    accountSeed += j;
                    break;
                }
            }
        }
        (uint256 nullifier, uint256 claim_) = _exitAccount(accountSeed);
        address recipient = address(_actor(actorSeed));
        uint256 before = token.balanceOf(recipient);
        uint256 expected = _owedTo(nullifier, claim_);
        try pool.exit(lastOpened, nullifier, recipient, claim_, _proof()) {
            uint256 paid = token.balanceOf(recipient) - before;
            if (!frozenInModel) exitsBeforeFreeze++;
            if (exitedInModel[nullifier]) doublePays++;
            if (paid != expected) wrongExitPays++;
            if (takenInModel[nullifier] != 0) exitsAfterTaking++;
            exitedInModel[nullifier] = true;
            exits++;
            exitsPaidTotal += paid;
            paidInEpoch[lastOpened] += paid;
        } catch {
            if (frozenInModel && !exitedInModel[nullifier]) honestExitReverts++;
        }
        _checkSurplus();
    }

    /// @notice An exit proof the verifier refuses (a larger claim, say): refused.
    function exitRefused(uint256 accountSeed, uint256 amountSeed) external {
        calls["exit(refused)"]++;
        if (openedEpochs.length == 0) return;
        (uint256 nullifier,) = _exitAccount(accountSeed);
        exitVerifier.setAccept(false);
        try pool.exit(lastOpened, nullifier, address(this), _bound(amountSeed, 0, MAX_DEPOSIT), _proof()) {
            refusedProofsAccepted++;
        } catch {}
        exitVerifier.setAccept(true);
    }

    /// @notice Anyone notes a settlement or liquidation of the frozen epoch (or tries an account
    ///         never spent, or one of an older epoch): taken exactly once per spent nullifier.
    function noteSettled(uint256 accountSeed, uint256 older) external {
        calls["noteSettled"]++;
        if (openedEpochs.length == 0) return;
        (uint256 nullifier,) = _exitAccount(accountSeed);
        bool stale = older % 4 == 0 && lastOpened > 1;
        if (stale) nullifier = nullifierOf(lastOpened - 1, accountSeed % 6);
        bool spent = !stale && (spentInModel[nullifier] || exitedInModel[nullifier]);
        bool allowed = frozenInModel && spent && !notedInModel[nullifier];
        try pool.noteSettled(nullifier) {
            notes++;
            if (!allowed) badNotes++;
            notedInModel[nullifier] = true;
            notedInModelTotal += takenInModel[nullifier];
            if (pool.claimsNoted() != notedInModelTotal) frozenFigureMismatches++;
        } catch {
            if (allowed) honestNoteReverts++;
        }
        _checkSurplus();
    }

    /// @notice Anyone asks a deposit's refund: paid to its depositor exactly once when no
    ///         accepted root credits it, refused otherwise.
    function refundDeposit(uint256 which, uint256 actorSeed) external {
        calls["refundDeposit"]++;
        if (depositIds.length == 0) return;
        uint256 id = depositIds[which % depositIds.length];
        bool allowed = frozenInModel && _uncredited(id) && !refundedInModel[id];
        Actor owner = depositOwner[id];
        uint256 before = token.balanceOf(address(owner));
        (bool ok,) = _actor(actorSeed).exec(address(pool), abi.encodeCall(RiskSharingPool.refundDeposit, (id)));
        if (ok) {
            refunds++;
            if (!allowed || token.balanceOf(address(owner)) - before != depositAmount[id]) badRefunds++;
            refundedInModel[id] = true;
            refundsOwedInModel -= depositAmount[id];
        } else if (allowed) {
            honestRefundReverts++;
        }
        _checkSurplus();
    }

    /// @notice An LP takes its share of the surplus: exactly what lpExitPreview said, never more
    ///         in total than lpSurplus.
    function lpExit(uint256 actorSeed) external {
        calls["lpExit"]++;
        Actor a = _actor(actorSeed);
        uint256 preview = pool.lpExitPreview(address(a));
        uint256 before = token.balanceOf(address(a));
        (bool ok, bytes memory ret) = a.exec(address(pool), abi.encodeCall(RiskSharingPool.lpExit, ()));
        _noPanic(ok, ret);
        if (ok) {
            uint256 paid = token.balanceOf(address(a)) - before;
            lpExits++;
            lpExitsPaidModel += paid;
            if (paid != preview || paid == 0) wrongLpExitPays++;
        } else if (preview != 0) {
            honestLpExitReverts++;
        }
        _checkSurplus();
    }

    /// @dev The LPs' entitlement only grows once frozen.
    function _checkSurplus() internal {
        uint256 s = pool.lpSurplus();
        if (s < maxSurplusSeen) surplusDecreases++;
        else maxSurplusSeen = s;
    }

    /// @notice What the frozen pool still owes the traders who have not exited, by the model:
    ///         each account's claim less what its nullifier took, at the epoch's ratio.
    function owedToUnexited() public view returns (uint256 owed) {
        if (!frozenInModel || openedEpochs.length == 0) return 0;
        for (uint256 k = 0; k < lastEquities.length; k++) {
            uint256 n = nullifierOf(lastOpened, k);
            if (!exitedInModel[n]) owed += _owedTo(n, lastEquities[k]);
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
