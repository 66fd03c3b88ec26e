// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20Minimal} from "./IERC20Minimal.sol";

/// @notice A token transfer failed: it reverted, returned false, or returned malformed data.
error TokenTransferFailed();

// Checked ERC-20 transfers (a minimal SafeERC20): the call must succeed and return either
// nothing (tokens without a return value, USDT-style) or exactly `true`. Anything else reverts
// with TokenTransferFailed. The caller must make sure `token` has code (the pool checks it once,
// at deployment: a call to an address without code "succeeds" with no return data).

function safeTransfer(IERC20Minimal token, address to, uint256 amount) {
    _checkedCall(token, abi.encodeCall(IERC20Minimal.transfer, (to, amount)));
}

function safeTransferFrom(IERC20Minimal token, address from, address to, uint256 amount) {
    _checkedCall(token, abi.encodeCall(IERC20Minimal.transferFrom, (from, to, amount)));
}

function _checkedCall(IERC20Minimal token, bytes memory data) {
    (bool ok, bytes memory ret) = address(token).call(data);
    if (!ok) revert TokenTransferFailed();
    if (ret.length != 0 && (ret.length < 32 || abi.decode(ret, (uint256)) != 1)) revert TokenTransferFailed();
}
