// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice The part of ERC-20 the pool uses. Calls go through SafeTransfer, so tokens that
///         return no value (USDT-style) are accepted.
interface IERC20Minimal {
    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    function balanceOf(address account) external view returns (uint256);
    function transfer(address to, uint256 amount) external returns (bool);
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
    function approve(address spender, uint256 amount) external returns (bool);
    function allowance(address owner, address spender) external view returns (uint256);
}
