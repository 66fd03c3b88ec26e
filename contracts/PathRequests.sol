// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice circomlibjs' generated Poseidon contract for 2 inputs (the accounts tree's node hash).
interface IPoseidon2 {
    function poseidon(uint256[2] calldata input) external pure returns (uint256);
}

/// @notice What path requests read of their pool.
interface IPathRequestsPool {
    function operator() external view returns (address);
    function frozen() external view returns (bool);
    function anyAccepted() external view returns (bool);
    function latestAccountsRoot() external view returns (uint32 epoch, uint256 root);
}

/// @title PathRequests — a trader's on-chain request for its inclusion path (docs/design.md §12).
/// @notice The operator publishes every epoch's leaf hashes, so a trader can rebuild its own path;
///         when it does not, the trader asks here for the path of its leaf index, paying `fee`
///         (the operator gets it with the answer, so requests cannot be used to make it pay gas).
///         The operator answers with the leaf and its siblings, checked on-chain against the
///         latest accepted accounts root. A request unanswered for `maxDelay` lets anyone freeze
///         the pool (`RiskSharingPool.freezeOnRequest`); its fee then goes back to the requester.
///         Created by the pool, one per pool.
contract PathRequests {
    uint256 public constant FIELD_MODULUS =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;

    struct Request {
        address requester;
        uint32 leafIndex;
        uint40 deadline;
        bool answered;
    }

    IPathRequestsPool public immutable pool;
    IPoseidon2 public immutable poseidon;
    /// @notice Wei a request pays.
    uint256 public immutable fee;
    /// @notice Seconds the operator has to answer.
    uint256 public immutable maxDelay;
    /// @notice Depth of the accounts tree: an answer has exactly this many siblings.
    uint8 public immutable depth;

    mapping(uint256 requestId => Request) public requests;
    uint256 public nextRequestId;

    event PathRequested(uint256 indexed requestId, address indexed requester, uint32 leafIndex, uint256 deadline, uint256 fee);
    event PathAnswered(uint256 indexed requestId, uint32 indexed epoch, uint32 leafIndex, uint256 leaf, uint256[] siblings);
    event PathFeeRefunded(uint256 indexed requestId, address indexed requester, uint256 fee);

    error PoolFrozen();
    error NoAcceptedRoot();
    error NotFrozen();
    error WrongFee(uint256 sent, uint256 fee);
    error LeafIndexOutOfRange(uint32 leafIndex, uint8 depth);
    error UnknownRequest(uint256 requestId);
    error RequestAnswered(uint256 requestId);
    error NotOperator(address caller);
    error PathLength(uint256 given, uint8 depth);
    error SignalNotInField(uint256 index, uint256 value);
    error PathMismatch(uint256 computedRoot, uint256 root);
    error FeeTransferFailed(address to);

    constructor(address pool_, address poseidon_, uint256 fee_, uint256 maxDelay_, uint8 depth_) {
        pool = IPathRequestsPool(pool_);
        poseidon = IPoseidon2(poseidon_);
        fee = fee_;
        maxDelay = maxDelay_;
        depth = depth_;
    }

    /// @notice Asks the operator for the inclusion path of leaf `leafIndex` in the latest accepted
    ///         accounts root; pays exactly `fee`. Refused before the pool accepted any root: there
    ///         is no path to give then, and the deadline would run while no answer is possible.
    function request(uint32 leafIndex) external payable returns (uint256 requestId) {
        if (pool.frozen()) revert PoolFrozen();
        if (!pool.anyAccepted()) revert NoAcceptedRoot();
        if (msg.value != fee) revert WrongFee(msg.value, fee);
        if (depth < 32 && (leafIndex >> depth) != 0) revert LeafIndexOutOfRange(leafIndex, depth);
        requestId = nextRequestId++;
        uint256 deadline = block.timestamp + maxDelay;
        requests[requestId] = Request({requester: msg.sender, leafIndex: leafIndex, deadline: uint40(deadline), answered: false});
        emit PathRequested(requestId, msg.sender, leafIndex, deadline, msg.value);
    }

    /// @notice The operator's answer: `leaf` and its `siblings` (leaf level first) hash up to the
    ///         latest accepted accounts root at the requested index. Pays the fee to the operator.
    function answer(uint256 requestId, uint256 leaf, uint256[] calldata siblings) external {
        if (msg.sender != pool.operator()) revert NotOperator(msg.sender);
        if (pool.frozen()) revert PoolFrozen();
        Request storage r = requests[requestId];
        if (r.requester == address(0)) revert UnknownRequest(requestId);
        if (r.answered) revert RequestAnswered(requestId);
        if (siblings.length != depth) revert PathLength(siblings.length, depth);
        if (leaf >= FIELD_MODULUS) revert SignalNotInField(0, leaf);
        (uint32 epoch, uint256 root) = pool.latestAccountsRoot();
        uint256 node = leaf;
        uint256 index = r.leafIndex;
        for (uint256 i = 0; i < siblings.length; i++) {
            uint256 sibling = siblings[i];
            if (sibling >= FIELD_MODULUS) revert SignalNotInField(i + 1, sibling);
            node = (index >> i) & 1 == 0 ? poseidon.poseidon([node, sibling]) : poseidon.poseidon([sibling, node]);
        }
        if (node != root) revert PathMismatch(node, root);
        r.answered = true;
        emit PathAnswered(requestId, epoch, r.leafIndex, leaf, siblings);
        (bool ok,) = msg.sender.call{value: fee}("");
        if (!ok) revert FeeTransferFailed(msg.sender);
    }

    /// @notice The deadline of an unanswered request (when it lets anyone freeze the pool).
    function unansweredDeadline(uint256 requestId) external view returns (uint256) {
        Request memory r = requests[requestId];
        if (r.requester == address(0)) revert UnknownRequest(requestId);
        if (r.answered) revert RequestAnswered(requestId);
        return r.deadline;
    }

    /// @notice Returns an unanswered request's fee to its requester once the pool is frozen (anyone may send it).
    function refundFee(uint256 requestId) external {
        if (!pool.frozen()) revert NotFrozen();
        Request memory r = requests[requestId];
        if (r.requester == address(0)) revert UnknownRequest(requestId);
        if (r.answered) revert RequestAnswered(requestId);
        delete requests[requestId];
        emit PathFeeRefunded(requestId, r.requester, fee);
        (bool ok,) = r.requester.call{value: fee}("");
        if (!ok) revert FeeTransferFailed(r.requester);
    }
}
