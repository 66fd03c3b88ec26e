// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

// Test-only stand-ins for the generated Groth16 verifiers (which are never edited): they accept
// or refuse every proof by a flag the handler sets, so the invariant suite drives the pool's own
// rules (epochs, nullifiers, statuses, waterfall, LP lock) without proving anything. The handler
// only ever "accepts" statements an honest prover could make (see PoolHandler).

contract MockVerifier6 {
    bool public accept = true;

    function setAccept(bool accept_) external {
        accept = accept_;
    }

    function verifyProof(uint256[2] calldata, uint256[2][2] calldata, uint256[2] calldata, uint256[6] calldata)
        external
        view
        returns (bool)
    {
        return accept;
    }
}

contract MockVerifier9 {
    bool public accept = true;

    function setAccept(bool accept_) external {
        accept = accept_;
    }

    function verifyProof(uint256[2] calldata, uint256[2][2] calldata, uint256[2] calldata, uint256[9] calldata)
        external
        view
        returns (bool)
    {
        return accept;
    }
}

/// @notice A pool user (trader, LP, stranger): a contract, so each actor is its own msg.sender.
contract Actor {
    function exec(address target, bytes calldata data) external returns (bool ok, bytes memory ret) {
        (ok, ret) = target.call(data);
    }
}
