// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TestToken} from "./TestToken.sol";

/// @notice TEST ONLY: a TestToken whose transfers misbehave on demand, to check that the pool
///         treats every failure as a failure and is not reentrant.
///         Normal     — behaves like TestToken.
///         ReturnFalse — transfer/transferFrom move nothing and return false.
///         Revert     — transfer/transferFrom revert.
///         NoReturn   — transfers work but return no data (USDT-style); must be accepted.
///         Reenter    — before moving tokens, calls `reentryTarget` with `reentryData` and
///                      records whether that call succeeded and what it returned.
contract FaultyToken is TestToken {
    enum Mode {
        Normal,
        ReturnFalse,
        Revert,
        NoReturn,
        Reenter
    }

    Mode public mode;
    address public reentryTarget;
    bytes public reentryData;
    bool public lastReentrySucceeded;
    bytes public lastReentryReturn;

    error FaultyTokenRevert();

    constructor() TestToken("Faulty Test Token", "FAULT", 6) {}

    function setMode(Mode mode_) external {
        mode = mode_;
    }

    function setReentry(address target, bytes calldata data) external {
        reentryTarget = target;
        reentryData = data;
    }

    function transfer(address to, uint256 amount) public override returns (bool) {
        if (_misbehave()) return false;
        _move(msg.sender, to, amount);
        _maybeNoReturn();
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) public override returns (bool) {
        if (_misbehave()) return false;
        bool ok = super.transferFrom(from, to, amount);
        _maybeNoReturn();
        return ok;
    }

    /// @dev True when the transfer must report failure by returning false.
    function _misbehave() private returns (bool) {
        Mode m = mode;
        if (m == Mode.Revert) revert FaultyTokenRevert();
        if (m == Mode.Reenter) {
            (bool ok, bytes memory ret) = reentryTarget.call(reentryData);
            lastReentrySucceeded = ok;
            lastReentryReturn = ret;
        }
        return m == Mode.ReturnFalse;
    }

    function _maybeNoReturn() private view {
        if (mode == Mode.NoReturn) {
            assembly {
                return(0, 0)
            }
        }
    }
}
