// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {PoolHandler} from "./PoolHandler.sol";

/// @notice Foundry invariant suite of RiskSharingPool (issue 16 item 6): the fuzzer calls
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

    /// An epoch never pays out more than the pool's balance when it opened.
    function invariant_epochNeverPaysMoreThanItsOpeningBalance() public view {
        (bool found,,,) = handler.overpaidEpoch();
        require(!found, "an epoch paid more than its balance at opening");
    }

    /// No nullifier (settlement) or tag (liquidation) is spent twice.
    function invariant_noNullifierPaysTwice() public view {
        require(handler.doublePays() == 0, "a nullifier or tag was spent twice");
    }

    /// LP withdrawals happen only while the latest epoch is solvent, and never leave less than the lock.
    function invariant_lpWithdrawalsOnlySolventAndAboveTheLock() public view {
        require(handler.badWithdrawals() == 0, "an LP withdrew in a non-solvent epoch or below the lock");
    }

    /// What all LPs' shares could withdraw never exceeds the LP capital the pool holds for them,
    /// and the shares add up.
    function invariant_lpClaimsWithinLpCapital() public view {
        (uint256 claims, uint256 shares) = handler.lpClaims();
        require(claims <= handler.pool().lpCapital(), "LP claims exceed the LP capital");
        require(shares == handler.pool().totalShares(), "shares do not add up to totalShares");
    }

    /// Shares outstanding never fall below the LP capital (the share price never rises above 1):
    /// so a deposit of at least one unit always mints at least one share, and the pool's
    /// ZeroShares refusal cannot be reached.
    function invariant_sharesNeverBelowLpCapital() public view {
        require(handler.pool().totalShares() >= handler.pool().lpCapital(), "LP capital exceeds the shares outstanding");
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
