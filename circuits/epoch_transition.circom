pragma circom 2.1.5;

include "./lib/poseidon_hash.circom";
include "comparators.circom";
include "eddsaposeidon.circom";
include "./lib/account.circom";
include "./lib/hash_list.circom";
include "./lib/range.circom";
include "./lib/risk_row.circom";
include "./lib/subtree.circom";
include "./lib/transition.circom";

// EpochTransition — docs/design.md "Epoch transitions" (§10.1 of the spec), proven by the
// operator: epoch e's accounts root becomes epoch e+1's only by the rules below. One statement in
// two passes, each a chain of batch proofs, the second starting where the first ended:
//
//   1. EpochEvents: every deposit and settlement the contract recorded during epoch e, in the
//      order the contract recorded them, each applied to the account it names as one leaf update
//      of the accounts tree (StarkEx style): accountsRoot_e -> midRoot.
//   2. EpochTransition: every account slot, batch by batch in leaf order (the batch subtree at
//      batchIndex replaced): variation margin of perps/futures and the new salt for every
//      account; for the accounts that trade, in the batch's order slots, the owner's signed
//      order at the e+1 mark with a public fee rate and the margin rule after the change:
//      midRoot -> accountsRoot_{e+1}.
//
// Why a hash chain replayed in order (the mechanism for "every recorded event is applied exactly
// once, to the account it names"). The contract keeps one Poseidon hash chain per epoch,
//     chain_0 = 0,  chain_n = Poseidon(chain_{n-1}, Poseidon(kind_n, id_n, amount_n)),
// with kind 1 = deposit (id = the depositor's note, amount = the tokens received) and kind 2 =
// settlement (id = the margin proof's nullifier Poseidon(accountKey, e), amount = the proof's
// amount, before any haircut: the account is debited what it asked for). EpochEvents replays that
// chain event by event; the last batch's chain must equal the public eventsDigest the contract
// holds. So the events applied are exactly the recorded ones, each once, in their order: a
// missing, repeated, reordered or invented event changes the chain (a Poseidon collision
// otherwise). Each event is applied where it is replayed, to a leaf whose key it names (the note
// is Poseidon(accountKey, nonce), the nullifier Poseidon(accountKey, e)), so it lands on that
// account and nowhere else. Rejected alternatives: a multiset fingerprint over a linear encoding
// (id + g*amount) lets a depositor who picks note = note' + g*(A - a) pay a and be credited A; a
// sum of hashes falls to Wagner's generalized-birthday attack; a product of (gamma - h) needs a
// challenge drawn after the events are fixed, which the contract cannot accumulate as they
// arrive. The hash chain costs the contract one Poseidon(3) and one Poseidon(2) per event and the
// circuit 2 * DEPTH Poseidon(2) (the old and the new path) plus seven small hashes per event slot.
//
// Not in this statement yet (docs/design.md says so): liquidations (the closing of a liquidated
// account at epoch e's mark, collateral E_0 + deficit - penalty) and the expiry of instruments
// (the risk-table model has no expiry or settlement value yet); a closed account's slot is never
// freed; two slots holding one accountKey are not excluded (only that key's deposits could reach
// the second one: no value is created).

// EpochEvents(P, DEPTH, LOG_E) — the events pass, one batch of 2^LOG_E event slots.
//
// Public inputs (in this order):
//   epoch          e, in [0, 2^32).
//   accountsRoot   on batch 0: epoch e's accounts root, where the pass starts; 0 on other batches.
//   eventsDigest   on the last batch: the contract's chain of epoch e; 0 on other batches.
//   batchIndex     k, in [0, 2^32).
//   isLast         1 on the last batch of the pass, else 0.
//   prevState      EventsState(e, k - 1, root, chain) before this batch (on batch 0 it is the
//                  state (accountsRoot, 0) and the contract does not compare it).
//   nextState      EventsState(e, k, root, chain) after this batch.
// Private inputs:
//   prevRoot, prevChain            the state before this batch.
//   isDeposit[E], isSettlement[E]  the kind of each slot (both 0: an unused slot, nothing done).
//   id[E], amount[E]               the event as recorded (note or nullifier; amount < 2^64).
//   leafIndex[E], siblings[E][DEPTH]   the leaf the event applies to and its path in the current
//                                  tree (after the events before it).
//   isNew[E]                       1: a deposit that opens a new account in an empty leaf.
//   accountKey[E], collateral[E], salt[E], positionsHash[E]   the leaf's opening (for a new
//                                  account: its key, its salt, and positionsHash = no positions).
//   nonce[E]                       a deposit's nonce: id = Poseidon(accountKey, nonce).
//   Ax[E], Ay[E], saltKey[E]       for a new account: its owner's public key and salt key (the
//                                  nonce of an opening deposit is Poseidon(Ax, Ay, saltKey)).
// Proves, slot by slot in order: a used slot's event hash extends the chain; the leaf at leafIndex
//   is the opening (or empty, for a new account, whose positions must be empty, whose note's nonce
//   is Poseidon(Ax, Ay, saltKey) and whose salt is AccountSalt(Ax, Ay, saltKey, e): the operator
//   cannot open the depositor's account under a key of its own); the event names
//   the leaf's key (deposit: id = Poseidon(accountKey, nonce); settlement: id = Poseidon(accountKey,
//   e)); the new leaf is the same opening with collateral + amount (deposit; 0 + amount for a new
//   account) or collateral - amount (settlement), which must stay in [0, 2^64); the root moves from
//   the old leaf's root to the new leaf's. Batch 0 starts at (accountsRoot, 0); the last batch ends
//   at chain = eventsDigest.
// Bounds: collateral, amount and the new collateral are range-checked to 64 bits, so nothing wraps.
template EpochEvents(P, DEPTH, LOG_E) {
    assert(P >= 1 && P <= 8);
    var E = 1 << LOG_E;

    signal input epoch;
    signal input accountsRoot;
    signal input eventsDigest;
    signal input batchIndex;
    signal input isLast;
    signal input prevState;
    signal input nextState;

    signal input prevRoot;
    signal input prevChain;
    signal input isDeposit[E];
    signal input isSettlement[E];
    signal input id[E];
    signal input amount[E];
    signal input leafIndex[E];
    signal input siblings[E][DEPTH];
    signal input isNew[E];
    signal input accountKey[E];
    signal input collateral[E];
    signal input salt[E];
    signal input positionsHash[E];
    signal input nonce[E];
    signal input Ax[E];
    signal input Ay[E];
    signal input saltKey[E];

    InRange(32)(epoch);
    InRange(32)(batchIndex);
    isLast * (isLast - 1) === 0;
    signal isFirst <== IsZero()(batchIndex);
    // Batch 0 starts from epoch e's root and the empty chain; only it names the root, only the
    // last batch names the digest.
    isFirst * (prevRoot - accountsRoot) === 0;
    isFirst * prevChain === 0;
    (1 - isFirst) * accountsRoot === 0;
    (1 - isLast) * eventsDigest === 0;

    signal root[E + 1];
    signal chain[E + 1];
    root[0] <== prevRoot;
    chain[0] <== prevChain;
    signal active[E];
    signal idSecond[E];
    signal idHash[E];
    signal oldCommitment[E];
    signal oldLeaf[E];
    signal openingNonce[E];
    signal openingSalt[E];
    signal keptCollateral[E];
    signal change[E];
    signal newCollateral[E];
    signal newLeaf[E];
    signal oldRoot[E];
    signal newRoot[E];
    signal eventHash[E];
    signal chained[E];
    for (var j = 0; j < E; j++) {
        isDeposit[j] * (isDeposit[j] - 1) === 0;
        isSettlement[j] * (isSettlement[j] - 1) === 0;
        isDeposit[j] * isSettlement[j] === 0;
        isNew[j] * (isNew[j] - 1) === 0;
        isNew[j] * (1 - isDeposit[j]) === 0;
        active[j] <== isDeposit[j] + isSettlement[j];
        InRange(COLLATERAL_BITS())(amount[j]);
        InRange(COLLATERAL_BITS())(collateral[j]);

        // The event names this leaf's key: Poseidon(accountKey, nonce) or Poseidon(accountKey, e).
        idSecond[j] <== isDeposit[j] * (nonce[j] - epoch);
        idHash[j] <== PoseidonHash(2)([accountKey[j], idSecond[j] + epoch]);
        active[j] * (idHash[j] - id[j]) === 0;

        // Old leaf: the opening, or empty for a new account (which must hold no position).
        oldCommitment[j] <== PoseidonHash(4)([accountKey[j], collateral[j], salt[j], positionsHash[j]]);
        oldLeaf[j] <== (1 - isNew[j]) * oldCommitment[j];
        isNew[j] * (positionsHash[j] - EMPTY_POSITIONS_HASH(P)) === 0;
        // A new account's key material is the depositor's: the note's nonce commits to the
        // owner's public key and salt key, and the leaf's salt is derived from them.
        openingNonce[j] <== PoseidonHash(3)([Ax[j], Ay[j], saltKey[j]]);
        isNew[j] * (nonce[j] - openingNonce[j]) === 0;
        openingSalt[j] <== AccountSalt()(Ax[j], Ay[j], saltKey[j], epoch);
        isNew[j] * (salt[j] - openingSalt[j]) === 0;
        keptCollateral[j] <== (1 - isNew[j]) * collateral[j];
        change[j] <== (isDeposit[j] - isSettlement[j]) * amount[j];
        newCollateral[j] <== keptCollateral[j] + change[j];
        InRange(COLLATERAL_BITS())(newCollateral[j]);
        newLeaf[j] <== PoseidonHash(4)([accountKey[j], newCollateral[j], salt[j], positionsHash[j]]);

        (oldRoot[j], newRoot[j]) <== MerkleUpdate(DEPTH)(oldLeaf[j], newLeaf[j], leafIndex[j], siblings[j]);
        active[j] * (oldRoot[j] - root[j]) === 0;
        root[j + 1] <== root[j] + active[j] * (newRoot[j] - root[j]);

        eventHash[j] <== PoseidonHash(3)([isDeposit[j] + 2 * isSettlement[j], id[j], amount[j]]);
        chained[j] <== PoseidonHash(2)([chain[j], eventHash[j]]);
        chain[j + 1] <== chain[j] + active[j] * (chained[j] - chain[j]);
    }
    isLast * (chain[E] - eventsDigest) === 0;

    signal computedPrev <== EventsState()(epoch, batchIndex - 1, prevRoot, prevChain);
    prevState === computedPrev;
    signal computedNext <== EventsState()(epoch, batchIndex, root[E], chain[E]);
    nextState === computedNext;
}

// EpochTransition(S, LOG_N, P, DEPTH, LOG_B, LOG_O) — the accounts pass, one batch of 2^LOG_B
// account slots and 2^LOG_O order slots: batch k replaces the subtree at index k of the running
// root by the same accounts in epoch e+1 form. Every account slot is re-salted and settled to the
// variation; an order slot applies one signed order to one account slot of the batch (its
// target), so only the accounts that trade pay for the signature check, the trade and the margin
// rule. At most 2^LOG_O accounts of a batch trade in one epoch.
//
// Public inputs (in this order):
//   epoch, nextEpoch   e and e + 1 (e in [0, 2^32)).
//   riskRoot           epoch e+1's risk root: marks (trade prices) and the margin rule.
//   variationDigest    HashList(variation[0..N-1]): each instrument's variation margin per
//                      contract from e to e+1 (0 for an option), as the risk oracle publishes it.
//   feeRate            fee per contract traded, in collateral units, to the LPs; in [0, 2^32).
//   nextAccountsRoot   on the last batch: epoch e+1's accounts root; 0 on other batches.
//   netFlow            on the last batch: sum over all accounts of (collateral after the events -
//                      collateral in e+1) = trade cash + fees - variation, what moved from the
//                      traders to the LPs (signed: p - x for -x; |netFlow| < 2^96); 0 otherwise.
//   batchIndex         k, in [0, 2^(DEPTH - LOG_B)).
//   isLast             1 on the last batch (every subtree to its right must be empty).
//   prevState          on batch 0: the events pass's last EventsState; then the previous batch's
//                      TransitionState.
//   nextState          TransitionState(e, k, root, running net flow, blinding) after this batch.
// Private inputs:
//   values[N][S+1], addon[N], linear[N], tableDigest   epoch e+1's whole risk table.
//   variation[N]       the variation vector (hashed to variationDigest).
//   prevRoot, prevNetFlow, prevBlinding    the state before this batch (root: the running root).
//   eventsBatch, eventsChain               on batch 0: the rest of the events pass's last state.
//   subtreeSiblings[DEPTH - LOG_B], blinding.
//   Per account slot j: active; accountKey, collateral, Ax, Ay, saltKey, instrument[P],
//   quantity[P] (the opening after the events: salt = AccountSalt(Ax, Ay, saltKey, e)).
//   Per order slot o: target[o][B] (one-hot: the account slot it applies to; all 0 = unused);
//   newInstrument[P], newQuantity[P] (the target's positions after the order); sigS, sigR8x,
//   sigR8y (the owner's signature); compliant (which half of the margin rule is shown);
//   worstColumn[S+1] (one-hot: the column of least slack before the trade).
// Proves, per account slot: an inactive slot is empty before and after; an active one keeps its
//   key, its index and its public key, and gets the salt AccountSalt(Ax, Ay, saltKey, e+1); at most
//   one order slot targets it, none if inactive; without an order its positions stay and
//   collateral' = collateral + sum_i x_i * variation_i (x_i: its net quantity of instrument i);
//   with one, its positions become the order's and collateral' also pays
//   sum_i (x'_i - x_i) * mark_i + feeRate * sum_k |newQuantity_k - quantity_k|, at epoch e+1's
//   marks; collateral' in [0, 2^64). Per used order slot: a slot's instrument changes only if it
//   held nothing; the target's owner signed, with EdDSA-Poseidon under (Ax, Ay),
//       M = HashList(e + 1, accountKey, newInstrument[0..P-1], newQuantity[k] - quantity[k] ...);
//   and either (compliant) E'_s >= R' in every column s = 0..S, or (only reducing) every position
//   moves toward 0 without changing sign and the worst slack does not get worse:
//   min_s (E'_s - R') >= min_s (E_s - R), with E_s, R before the trade, after the variation
//   (StarkEx's "smaller and no worse"; a per-column comparison would forbid closing any
//   directional position, which always gives up its gain in the scenarios that favoured it).
// Bounds: |quantity| <= 2^32, collateral < 2^64, |variation|, |value|, addon < 2^48 (the table's
//   RiskTable proof; the variation is range-checked here). Net exposure sum_i |x_i| <= P * 2^32 =
//   2^35, so the variation, trade cash and requirement are below 2^84 in size, fees below 2^68,
//   equities below 2^86 and each slack (and a slack minus the old worst slack) below 2^88 in
//   size: checked in [0, 2^90), a negative one is a field element above p - 2^88 and fails.
template EpochTransition(S, LOG_N, P, DEPTH, LOG_B, LOG_O) {
    assert(P >= 1 && P <= 8);
    assert(DEPTH > LOG_B && DEPTH <= 32 && LOG_O <= LOG_B);
    var S1 = S + 1;
    var N = 1 << LOG_N;
    var B = 1 << LOG_B;
    var O = 1 << LOG_O;
    var SLACK_BITS = 90;

    signal input epoch;
    signal input nextEpoch;
    signal input riskRoot;
    signal input variationDigest;
    signal input feeRate;
    signal input nextAccountsRoot;
    signal input netFlow;
    signal input batchIndex;
    signal input isLast;
    signal input prevState;
    signal input nextState;

    signal input values[N][S1];
    signal input addon[N];
    signal input linear[N];
    signal input tableDigest;
    signal input variation[N];
    signal input prevRoot;
    signal input prevNetFlow;
    signal input prevBlinding;
    signal input eventsBatch;
    signal input eventsChain;
    signal input subtreeSiblings[DEPTH - LOG_B];
    signal input blinding;

    signal input active[B];
    signal input accountKey[B];
    signal input collateral[B];
    signal input Ax[B];
    signal input Ay[B];
    signal input saltKey[B];
    signal input instrument[B][P];
    signal input quantity[B][P];

    signal input target[O][B];
    signal input newInstrument[O][P];
    signal input newQuantity[O][P];
    signal input sigS[O];
    signal input sigR8x[O];
    signal input sigR8y[O];
    signal input compliant[O];
    signal input worstColumn[O][S1];

    InRange(32)(epoch);
    nextEpoch === epoch + 1;
    InRange(32)(feeRate);
    isLast * (isLast - 1) === 0;

    // Epoch e+1's risk table: every row, so the marks, scenario values and add-ons used are the
    // ones in riskRoot (the instruments tree is rebuilt; tableDigest, bound by riskRoot, is given).
    signal rowLeaves[N];
    for (var i = 0; i < N; i++) {
        rowLeaves[i] <== RiskRowLeaf(S1)(values[i], addon[i], linear[i]);
    }
    signal instrumentsRoot <== SubtreeRoot(LOG_N)(rowLeaves);
    signal computedRiskRoot <== PoseidonHash(2)([instrumentsRoot, tableDigest]);
    riskRoot === computedRiskRoot;
    // The variation vector: committed, 48-bit, and 0 for anything that is not a perp or future.
    for (var i = 0; i < N; i++) {
        _ <== SignedInRange(VALUE_BITS())(variation[i]);
        (1 - linear[i]) * variation[i] === 0;
    }
    signal computedVariationDigest <== HashList(N)(variation);
    variationDigest === computedVariationDigest;

    // ---- Account slots, part 1: the opening, its variation, who trades.
    signal oldSalt[B];
    signal oldCommitment[B];
    signal oldLeaves[B];
    signal placed[B][P][N];
    signal variationTerm[B][N];
    signal cashBefore[B];
    signal hasOrder[B];
    for (var j = 0; j < B; j++) {
        active[j] * (active[j] - 1) === 0;
        InRange(COLLATERAL_BITS())(collateral[j]);
        (1 - active[j]) * collateral[j] === 0;
        oldSalt[j] <== AccountSalt()(Ax[j], Ay[j], saltKey[j], epoch);
        oldCommitment[j] <== AccountCommitment(P)(accountKey[j], collateral[j], oldSalt[j], instrument[j], quantity[j]);
        oldLeaves[j] <== active[j] * oldCommitment[j];
        // Net quantity per instrument: position k puts its whole quantity in column instrument[k]
        // (placed[k][i] is forced to 0 for i != instrument[k] and the row sums to quantity[k]).
        for (var k = 0; k < P; k++) {
            _ <== SignedInRange(QUANTITY_BITS())(quantity[j][k]);
            (1 - active[j]) * quantity[j][k] === 0;
            var rowSum = 0;
            for (var i = 0; i < N; i++) {
                placed[j][k][i] <-- instrument[j][k] == i ? quantity[j][k] : 0;
                placed[j][k][i] * (instrument[j][k] - i) === 0;
                rowSum += placed[j][k][i];
            }
            rowSum === quantity[j][k];
        }
        var cash = collateral[j];
        for (var i = 0; i < N; i++) {
            var x = 0;
            for (var k = 0; k < P; k++) {
                x += placed[j][k][i];
            }
            variationTerm[j][i] <== x * variation[i];
            cash += variationTerm[j][i];
        }
        cashBefore[j] <== cash;
        var orders = 0;
        for (var o = 0; o < O; o++) {
            orders += target[o][j];
        }
        hasOrder[j] <== orders;
        hasOrder[j] * (hasOrder[j] - 1) === 0;
        hasOrder[j] * (1 - active[j]) === 0;
    }

    // ---- Order slots: the target's state, the signature, the trade, the margin rule.
    signal used[O];
    signal pickKey[O][B];
    signal pickAx[O][B];
    signal pickAy[O][B];
    signal pickCash[O][B];
    signal pickInstrument[O][B][P];
    signal pickQuantity[O][B][P];
    signal oKey[O];
    signal oCash[O];
    signal oInstrument[O][P];
    signal oQuantity[O][P];
    signal absQuantity[O][P];
    signal absNewQuantity[O][P];
    signal absDelta[O][P];
    signal sel[O][P][N];
    signal placedOld[O][P][N];
    signal placedNew[O][P][N];
    signal addonTerm[O][P][N];
    signal addonOf[O][P];
    signal reqOldTerm[O][P];
    signal reqNewTerm[O][P];
    signal tradeTerm[O][N];
    signal fee[O];
    signal cashOut[O];
    signal oldValueTerm[O][S1][N];
    signal newValueTerm[O][S1][N];
    signal worstTerm[O][S1];
    signal floor[O];
    signal checked[O][S1];
    signal reducing[O];
    signal shrinkCheck[O][P];
    signal signProduct[O][P];
    signal signCheck[O][P];
    signal orderItems[O][2 + 2 * P];
    signal message[O];
    for (var o = 0; o < O; o++) {
        compliant[o] * (compliant[o] - 1) === 0;
        var count = 0;
        var key = 0;
        var ax = 0;
        var ay = 0;
        var cashSel = 0;
        var instrSel[P];
        var qSel[P];
        for (var k = 0; k < P; k++) {
            instrSel[k] = 0;
            qSel[k] = 0;
        }
        for (var j = 0; j < B; j++) {
            target[o][j] * (target[o][j] - 1) === 0;
            count += target[o][j];
            pickKey[o][j] <== target[o][j] * accountKey[j];
            pickAx[o][j] <== target[o][j] * Ax[j];
            pickAy[o][j] <== target[o][j] * Ay[j];
            pickCash[o][j] <== target[o][j] * cashBefore[j];
            key += pickKey[o][j];
            ax += pickAx[o][j];
            ay += pickAy[o][j];
            cashSel += pickCash[o][j];
            for (var k = 0; k < P; k++) {
                pickInstrument[o][j][k] <== target[o][j] * instrument[j][k];
                pickQuantity[o][j][k] <== target[o][j] * quantity[j][k];
                instrSel[k] += pickInstrument[o][j][k];
                qSel[k] += pickQuantity[o][j][k];
            }
        }
        used[o] <== count;
        used[o] * (used[o] - 1) === 0;
        oKey[o] <== key;
        oCash[o] <== cashSel;

        var fees = 0;
        for (var k = 0; k < P; k++) {
            oInstrument[o][k] <== instrSel[k];
            oQuantity[o][k] <== qSel[k];
            absQuantity[o][k] <== AbsSigned(QUANTITY_BITS())(oQuantity[o][k]);
            absNewQuantity[o][k] <== AbsSigned(QUANTITY_BITS())(newQuantity[o][k]);
            absDelta[o][k] <== AbsSigned(QUANTITY_BITS() + 1)(newQuantity[o][k] - oQuantity[o][k]);
            fees += absDelta[o][k];
            // A slot takes another instrument only when it held nothing.
            (newInstrument[o][k] - oInstrument[o][k]) * oQuantity[o][k] === 0;
            // One-hot row selector of the slot's (new) instrument: also < N. Where the instrument
            // changed the old quantity is 0, so the same selector places the old quantity too.
            var selCount = 0;
            var index = 0;
            var addonSum = 0;
            for (var i = 0; i < N; i++) {
                sel[o][k][i] <-- newInstrument[o][k] == i ? 1 : 0;
                sel[o][k][i] * (sel[o][k][i] - 1) === 0;
                selCount += sel[o][k][i];
                index += i * sel[o][k][i];
                placedOld[o][k][i] <== sel[o][k][i] * oQuantity[o][k];
                placedNew[o][k][i] <== sel[o][k][i] * newQuantity[o][k];
                addonTerm[o][k][i] <== sel[o][k][i] * addon[i];
                addonSum += addonTerm[o][k][i];
            }
            selCount === 1;
            index === newInstrument[o][k];
            addonOf[o][k] <== addonSum;
            reqOldTerm[o][k] <== absQuantity[o][k] * addonOf[o][k];
            reqNewTerm[o][k] <== absNewQuantity[o][k] * addonOf[o][k];
        }
        fee[o] <== feeRate * fees;

        // The trade at epoch e+1's mark (column 0), net per instrument.
        var tradeCash = 0;
        var exposureOld[N];
        var exposureNew[N];
        for (var i = 0; i < N; i++) {
            exposureOld[i] = 0;
            exposureNew[i] = 0;
            for (var k = 0; k < P; k++) {
                exposureOld[i] += placedOld[o][k][i];
                exposureNew[i] += placedNew[o][k][i];
            }
            tradeTerm[o][i] <== (exposureNew[i] - exposureOld[i]) * values[i][0];
            tradeCash += tradeTerm[o][i];
        }
        cashOut[o] <== tradeCash + fee[o];

        // The margin rule after the order: compliant, or only reducing and no worse at its worst.
        var reqOld = 0;
        var reqNew = 0;
        for (var k = 0; k < P; k++) {
            reqOld += reqOldTerm[o][k];
            reqNew += reqNewTerm[o][k];
        }
        // worstOld = the slack E_s - R of the old-position column picked by the one-hot worstColumn:
        // the prover picks the minimum (any other column only makes the check stricter).
        var slackNew[S1];
        var worstOld = 0;
        var worstCount = 0;
        for (var s = 0; s < S1; s++) {
            var equityOld = oCash[o];
            var equityNew = oCash[o] - cashOut[o];
            for (var i = 0; i < N; i++) {
                oldValueTerm[o][s][i] <== exposureOld[i] * values[i][s];
                equityOld += oldValueTerm[o][s][i];
                newValueTerm[o][s][i] <== exposureNew[i] * values[i][s];
                equityNew += newValueTerm[o][s][i];
            }
            slackNew[s] = equityNew - reqNew;
            worstColumn[o][s] * (worstColumn[o][s] - 1) === 0;
            worstCount += worstColumn[o][s];
            worstTerm[o][s] <== worstColumn[o][s] * (equityOld - reqOld);
            worstOld += worstTerm[o][s];
        }
        worstCount === 1;
        // compliant: every E'_s - R' >= 0; reducing: every E'_s - R' >= worstOld.
        floor[o] <== (1 - compliant[o]) * worstOld;
        for (var s = 0; s < S1; s++) {
            checked[o][s] <== used[o] * (slackNew[s] - floor[o]);
            InRange(SLACK_BITS)(checked[o][s]);
        }
        reducing[o] <== used[o] * (1 - compliant[o]);
        for (var k = 0; k < P; k++) {
            shrinkCheck[o][k] <== reducing[o] * (absQuantity[o][k] - absNewQuantity[o][k]);
            InRange(QUANTITY_BITS() + 1)(shrinkCheck[o][k]);
            signProduct[o][k] <== oQuantity[o][k] * newQuantity[o][k];
            signCheck[o][k] <== reducing[o] * signProduct[o][k];
            InRange(2 * QUANTITY_BITS() + 1)(signCheck[o][k]);
        }

        // The target owner's signature over (e + 1, the account, the order). An unused slot checks
        // nothing (its key point is (0, 1), the curve's identity, so the verifier's arithmetic runs).
        orderItems[o][0] <== nextEpoch;
        orderItems[o][1] <== oKey[o];
        for (var k = 0; k < P; k++) {
            orderItems[o][2 + k] <== newInstrument[o][k];
            orderItems[o][2 + P + k] <== newQuantity[o][k] - oQuantity[o][k];
        }
        message[o] <== HashList(2 + 2 * P)(orderItems[o]);
        EdDSAPoseidonVerifier()(used[o], ax, ay + 1 - used[o], sigS[o], sigR8x[o], sigR8y[o], message[o]);
    }

    // ---- Account slots, part 2: positions and collateral after the order, the new leaf.
    signal keptInstrument[B][P];
    signal keptQuantity[B][P];
    signal takeInstrument[B][O][P];
    signal takeQuantity[B][O][P];
    signal takeCash[B][O];
    signal finalInstrument[B][P];
    signal finalQuantity[B][P];
    signal newCollateral[B];
    signal newSalt[B];
    signal newCommitment[B];
    signal newLeaves[B];
    var flow = 0;
    for (var j = 0; j < B; j++) {
        var out = 0;
        for (var o = 0; o < O; o++) {
            takeCash[j][o] <== target[o][j] * cashOut[o];
            out += takeCash[j][o];
        }
        for (var k = 0; k < P; k++) {
            keptInstrument[j][k] <== (1 - hasOrder[j]) * instrument[j][k];
            keptQuantity[j][k] <== (1 - hasOrder[j]) * quantity[j][k];
            var ni = keptInstrument[j][k];
            var nq = keptQuantity[j][k];
            for (var o = 0; o < O; o++) {
                takeInstrument[j][o][k] <== target[o][j] * newInstrument[o][k];
                takeQuantity[j][o][k] <== target[o][j] * newQuantity[o][k];
                ni += takeInstrument[j][o][k];
                nq += takeQuantity[j][o][k];
            }
            finalInstrument[j][k] <== ni;
            finalQuantity[j][k] <== nq;
        }
        newCollateral[j] <== cashBefore[j] - out;
        InRange(COLLATERAL_BITS())(newCollateral[j]);
        flow += collateral[j] - newCollateral[j];
        newSalt[j] <== AccountSalt()(Ax[j], Ay[j], saltKey[j], nextEpoch);
        newCommitment[j] <== AccountCommitment(P)(accountKey[j], newCollateral[j], newSalt[j], finalInstrument[j], finalQuantity[j]);
        newLeaves[j] <== active[j] * newCommitment[j];
    }

    // The batch subtree, old and new, at batchIndex of the running root (same siblings).
    signal oldSubtree <== SubtreeRoot(LOG_B)(oldLeaves);
    signal newSubtree <== SubtreeRoot(LOG_B)(newLeaves);
    signal rootBefore <== SubtreeInclusion(LOG_B, DEPTH)(oldSubtree, batchIndex, subtreeSiblings, isLast);
    signal rootAfter <== SubtreeInclusion(LOG_B, DEPTH)(newSubtree, batchIndex, subtreeSiblings, isLast);
    prevRoot === rootBefore;

    // Chaining: batch 0 continues the events pass's last state, others the previous batch.
    signal isFirst <== IsZero()(batchIndex);
    isFirst * prevNetFlow === 0;
    signal eventsPrev <== EventsState()(epoch, eventsBatch, prevRoot, eventsChain);
    signal batchPrev <== TransitionState()(epoch, batchIndex - 1, prevRoot, prevNetFlow, prevBlinding);
    signal expectedPrev <== batchPrev + isFirst * (eventsPrev - batchPrev);
    prevState === expectedPrev;
    signal totalFlow <== prevNetFlow + flow;
    signal computedNext <== TransitionState()(epoch, batchIndex, rootAfter, totalFlow, blinding);
    nextState === computedNext;

    // The last batch publishes epoch e+1's root and the net flow; the others neither.
    isLast * (nextAccountsRoot - rootAfter) === 0;
    (1 - isLast) * nextAccountsRoot === 0;
    isLast * (netFlow - totalFlow) === 0;
    (1 - isLast) * netFlow === 0;
}
