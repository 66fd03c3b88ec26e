// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {PoolHandler} from "./PoolHandler.sol";
import {RiskSharingPool} from "../../contracts/RiskSharingPool.sol";
import {PathRequests} from "../../contracts/PathRequests.sol";
import {Actor} from "./Mocks.sol";
import {Vm} from "./PoolHandler.sol";

/// @notice Foundry invariant suite of RiskSharingPool (issue 16 item 6; LP shares at NAV, docs/design.md §11): the fuzzer calls
///         PoolHandler's functions in random sequences (runs x depth in foundry.toml, fixed seed),
///         and after every call each invariant below must hold. Run: `npm run test:invariants`.
contract RiskSharingPoolInvariants {
    PoolHandler internal handler;

    function setUp() public {
        handler = new PoolHandler();
    }

    /// @dev Forge fuzzes only the handler (not the pool, token or mocks directly).
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// The handler reaches what the invariants are about (a plain test, run once): genesis capital,
    /// LP requests executed and claimed at a Solvent opening, and a wipe-out starting a new share era.
    function test_handlerReachesLpRequestsClaimsAndEras() public {
        PoolHandler h = new PoolHandler();
        h.depositLiquidity(0, 1e12); // actor 0, before any epoch: 1:1
        h.publishNextEpoch(0, 0, 0); // mark 0, stress 0, one batch
        h.postNextBatch(0);
        h.requestWithdraw(0, 1e11);
        h.requestDeposit(1, 1e9);
        h.publishNextEpoch(0, 0, 0);
        h.postNextBatch(0); // solvent: both batches execute
        require(h.lpWithdrawals() == 1, "no LP withdrawal executed");
        h.claim(0, 2);
        h.claim(0, 3);
        require(h.lpClaims() == 2, "the executed requests were not claimed");
        uint256 balance = h.token().balanceOf(address(h.pool()));
        h.publishNextEpoch(0, 2 * balance + 1e24, 0); // a mark far above the balance: a haircut, NAV 0
        h.postNextBatch(0);
        require(h.eraStarts() == 1, "the wipe-out started no share era");
        require(h.pool().sharesOf(address(h.actors(0))) == 0, "old shares survived the wipe-out");
        require(h.lpPanics() + h.honestClaimReverts() + h.badWithdrawals() == 0, "a handler ghost recorded a fault");
    }

    /// An epoch never pays out more than the pool's balance when it opened.
    function invariant_epochNeverPaysMoreThanItsOpeningBalance() public view {
        (bool found,,,) = handler.overpaidEpoch();
        require(!found, "an epoch paid more than its balance at opening");
    }

    /// No nullifier (settlement) or tag (liquidation) is spent twice.
    function invariant_noNullifierPaysTwice() public view {
        require(handler.doublePays() == 0, "a nullifier or tag was spent twice");
    }

    /// LP withdrawals execute only at a Solvent opening, and never take more than the pool holds above
    /// the lock (stress total, uncredited deposits, insurance fund).
    function invariant_lpWithdrawalsOnlySolventAndAboveTheLock() public view {
        require(handler.badWithdrawals() == 0, "LP withdrawals executed in a non-solvent epoch or below the lock");
    }

    /// What the LPs' shares (held and escrowed) are worth never exceeds the NAV the pool prices them at,
    /// those shares never exceed the shares outstanding, and the tokens of pending deposits and of executed
    /// withdrawals not claimed yet are always in the pool.
    function invariant_lpClaimsWithinWhatThePoolHoldsForLps() public view {
        (uint256 shares, uint256 worth) = handler.lpBook();
        RiskSharingPool pool = handler.pool();
        require(shares <= pool.totalShares(), "LP shares exceed totalShares");
        require(worth <= pool.navAtOpening(), "LP shares are worth more than the NAV");
        require(
            handler.token().balanceOf(address(pool)) >= uint256(pool.pendingDeposits()) + pool.withdrawalsOwed(),
            "escrowed deposits and owed withdrawals are not in the pool"
        );
    }

    /// No LP call ever fails on the pool's own arithmetic (issue 16.4: deposits overflowed after a few
    /// wipe-outs of large deposits), and shares outstanding stay far below 2^128.
    function invariant_lpArithmeticNeverPanics() public view {
        require(handler.lpPanics() == 0, "an LP call reverted with a Panic");
        require(handler.pool().totalShares() < 1 << 126, "shares outstanding reached 2^126");
    }

    /// A claim of an executed request and a cancel of a pending one by its owner never revert.
    function invariant_honestLpCallsNeverRevert() public view {
        require(handler.honestClaimReverts() == 0, "a claim of an executed request reverted");
        require(handler.honestCancelReverts() == 0, "a cancel of a pending request reverted");
    }

    /// No LP request or cancel is taken between publishRisk and the opening it would trade at.
    function invariant_noLpCallWhileSealed() public view {
        require(handler.sealedLpCallsTaken() == 0, "an LP request or cancel was taken while the LP book was sealed");
    }

    /// Honest settlements, liquidations and solvency posts never revert.
    function invariant_honestCallsNeverRevert() public view {
        require(handler.honestSettleReverts() == 0, "an honest settlement reverted");
        require(handler.honestLiquidationReverts() == 0, "an honest liquidation reverted");
        require(handler.honestPostReverts() == 0, "an honest solvency batch reverted");
    }

    /// Refused proofs and callers without the role never change anything.
    function invariant_refusalsRefuse() public view {
        require(handler.refusedProofsAccepted() == 0, "a proof the verifier refused was accepted");
        require(handler.unauthorizedSucceeded() == 0, "a call without the role succeeded");
    }

    // ---------------------------------------------------------------- the frozen pool (docs/design.md §12)

    /// The handler reaches the frozen pool's every path (a plain test, run once): a settlement and a
    /// liquidation, an early freeze refused, a freeze, exits (one twice), notes, a refund, LP exits.
    function test_handlerReachesTheFrozenPool() public {
        PoolHandler h = new PoolHandler();
        h.depositLiquidity(0, 1e12);
        h.depositCollateral(1, 5e6); // before any risk: credited by the first root
        h.publishNextEpoch(3, 1e11, 1e9); // mark 1e11 split among accounts, stress above it
        h.depositCollateral(2, 7e6); // after the publication: uncredited
        h.postNextBatch(0);
        h.postNextBatch(0);
        h.postNextBatch(0);
        require(h.openedCount() == 1, "the epoch did not open");
        h.settle(0, 1e9, 1);
        h.liquidate(1, 1e6);
        h.freeze(1 days, 0); // too early: refused
        require(h.freezes() == 0 && h.earlyFreezes() == 0, "an early freeze was taken");
        h.freeze(7 days, 0);
        require(h.freezes() == 1, "the freeze was refused");
        for (uint256 k = 0; k < 8; k++) h.exit(k, k);
        h.exit(0, 0); // twice: refused
        require(h.takenAtFreeze() > 0, "nothing taken at freeze");
        require(h.exitsAfterTaking() > 0, "no exit after taking");
        for (uint256 k = 0; k < 8; k++) h.noteSettled(k, 1);
        h.refundDeposit(0, 3);
        h.refundDeposit(1, 3);
        h.lpExit(0);
        require(h.exits() >= 2 && h.notes() >= 2 && h.refunds() == 1 && h.lpExits() == 1, "a frozen-pool path was not reached");
        require(h.owedToUnexited() == 0, "every account exited, yet the model says something is owed");
        _checkFrozen(h);
    }

    function _checkFrozen(PoolHandler h) internal view {
        require(h.earlyFreezes() == 0, "a freeze was taken before the delay (or a path request's deadline)");
        require(h.honestFreezeReverts() == 0, "a freeze past the delay was refused");
        require(h.wrongExitPays() == 0, "an exit paid other than (claim - taken) x the epoch's ratio");
        require(h.honestExitReverts() == 0, "an honest exit reverted (the order of exits changed an amount)");
        require(h.exitsBeforeFreeze() == 0, "an exit was paid before any freeze");
        require(h.doublePays() == 0, "a nullifier was paid twice");
        require(h.badNotes() + h.honestNoteReverts() == 0, "noteSettled took a wrong nullifier or refused a right one");
        require(h.badRefunds() + h.honestRefundReverts() == 0, "a refund was wrong, twice, of a credited deposit, or refused");
        require(h.wrongLpExitPays() + h.honestLpExitReverts() == 0, "an LP exit paid other than its preview, or reverted");
        require(h.frozenFigureMismatches() == 0, "frozenPot, refundsOwed or claimsNoted differ from the model");
        require(h.surplusDecreases() == 0, "the LPs' surplus decreased while frozen");
    }

    /// Freezing waits maxEpochDelay after the last opening (or a path request's deadline); every
    /// exit pays exactly the model's claim less what its nullifier took, at the epoch's ratio, in
    /// any order, once; refunds only of uncredited deposits, once; LP exits only what the preview says.
    function invariant_frozenPoolPaysByTheRules() public view {
        _checkFrozen(handler);
    }

    /// Frozen, no operator, oracle or money-in call is taken.
    function invariant_frozenPoolRefusesOperatorAndMoneyIn() public view {
        require(handler.frozenCallsTaken() == 0, "a call was taken on a frozen pool");
    }

    /// The frozen pool always holds what it owes: every unexited trader's claim at the ratio, the
    /// refunds owed, the LP escrow and what the LPs may still take; LP exits never exceed the surplus.
    function invariant_frozenPoolHoldsWhatItOwes() public view {
        RiskSharingPool pool = handler.pool();
        if (!pool.frozen()) return;
        uint256 lpLeft = pool.lpSurplus() - pool.lpExitPaidTotal(); // reverts (fails) if LPs took more
        uint256 owed = handler.owedToUnexited() + pool.refundsOwed() + pool.pendingDeposits() + pool.withdrawalsOwed() + lpLeft;
        require(handler.token().balanceOf(address(pool)) >= owed, "the frozen pool holds less than it owes");
        require(pool.refundsOwed() == handler.refundsOwedInModel(), "refundsOwed differs from the model");
        require(handler.lpExitsPaidModel() == pool.lpExitPaidTotal(), "LP exits paid differ from lpExitPaidTotal");
    }

    // ---------------------------------------------------------------- findings of the escape hatch's review

    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    /// A path request needs a root to answer against. Before any opening the operator cannot answer
    /// (there is no accounts root), yet a request made then ran its deadline all the same: a stranger
    /// who asked at deployment could freeze a pool whose first epoch opened one second before the
    /// delay ran out, leaving the operator two seconds in which an answer was possible at all.
    /// Requests wait for the first accepted root.
    function test_noPathRequestBeforeAnyRoot() public {
        PoolHandler h = new PoolHandler();
        RiskSharingPool pool = h.pool();
        PathRequests paths = h.paths();
        Actor stranger = new Actor();
        uint256 t0 = block.timestamp;
        (bool asked,) = stranger.exec(address(paths), abi.encodeCall(PathRequests.request, (0)));
        vm.warp(t0 + h.DELAY() - 1);
        h.publishNextEpoch(0, 0, 0); // one batch
        h.postNextBatch(0);
        require(h.openedCount() == 1, "the first epoch did not open");
        vm.warp(t0 + h.DELAY() + 1);
        (bool froze,) = stranger.exec(address(pool), abi.encodeCall(RiskSharingPool.freezeOnRequest, (0)));
        require(!asked && !froze && !pool.frozen(), "frozen on a request made before any root could answer it");
        (bool askedAfter,) = stranger.exec(address(paths), abi.encodeCall(PathRequests.request, (0)));
        require(askedAfter, "a request after the first opening was refused");
    }
}
