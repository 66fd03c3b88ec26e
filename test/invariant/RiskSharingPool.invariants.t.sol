// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {PoolHandler} from "./PoolHandler.sol";
import {RiskSharingPool} from "../../contracts/RiskSharingPool.sol";

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
}
