pragma circom 2.1.5;

include "poseidon.circom";
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
//      batchIndex replaced): variation margin of perps/futures, the owner's signed order at the
//      e+1 mark with a public fee rate, the margin rule after the change, the new salt:
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
// circuit 2 * DEPTH Poseidon(2) (the old and the new path) plus five small hashes per event slot.
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
// Proves, slot by slot in order: a used slot's event hash extends the chain; the leaf at leafIndex
//   is the opening (or empty, for a new account, whose positions must be empty); the event names
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
        idHash[j] <== Poseidon(2)([accountKey[j], idSecond[j] + epoch]);
        active[j] * (idHash[j] - id[j]) === 0;

        // Old leaf: the opening, or empty for a new account (which must hold no position).
        oldCommitment[j] <== Poseidon(4)([accountKey[j], collateral[j], salt[j], positionsHash[j]]);
        oldLeaf[j] <== (1 - isNew[j]) * oldCommitment[j];
        isNew[j] * (positionsHash[j] - EMPTY_POSITIONS_HASH(P)) === 0;
        keptCollateral[j] <== (1 - isNew[j]) * collateral[j];
        change[j] <== (isDeposit[j] - isSettlement[j]) * amount[j];
        newCollateral[j] <== keptCollateral[j] + change[j];
        InRange(COLLATERAL_BITS())(newCollateral[j]);
        newLeaf[j] <== Poseidon(4)([accountKey[j], newCollateral[j], salt[j], positionsHash[j]]);

        (oldRoot[j], newRoot[j]) <== MerkleUpdate(DEPTH)(oldLeaf[j], newLeaf[j], leafIndex[j], siblings[j]);
        active[j] * (oldRoot[j] - root[j]) === 0;
        root[j + 1] <== root[j] + active[j] * (newRoot[j] - root[j]);

        eventHash[j] <== Poseidon(3)([isDeposit[j] + 2 * isSettlement[j], id[j], amount[j]]);
        chained[j] <== Poseidon(2)([chain[j], eventHash[j]]);
        chain[j + 1] <== chain[j] + active[j] * (chained[j] - chain[j]);
    }
    isLast * (chain[E] - eventsDigest) === 0;

    signal computedPrev <== EventsState()(epoch, batchIndex - 1, prevRoot, prevChain);
    prevState === computedPrev;
    signal computedNext <== EventsState()(epoch, batchIndex, root[E], chain[E]);
    nextState === computedNext;
}

// EpochTransition(S, LOG_N, P, DEPTH, LOG_B) — the accounts pass, one batch of 2^LOG_B account
// slots: batch k replaces the subtree at index k of the running root by the same accounts in
// epoch e+1 form.
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
//   Per slot j: active; accountKey, collateral, Ax, Ay, saltKey, instrument[P], quantity[P] (the
//   opening after the events: salt = AccountSalt(Ax, Ay, saltKey, e)); newInstrument[P],
//   newQuantity[P] (after the order); hasOrder, sigS, sigR8x, sigR8y (the owner's signature);
//   compliant (which half of the margin rule is shown), worstColumn[S+1] (one-hot: the column of
//   the least slack before the trade).
// Proves, per slot: an inactive slot is empty before and after; an active one keeps its key, its
//   index and its public key, and gets the salt AccountSalt(Ax, Ay, saltKey, e+1);
//   collateral' = collateral + sum_i x_i * variation_i - sum_i (x'_i - x_i) * mark_i
//                 - feeRate * sum_k |newQuantity_k - quantity_k|,  in [0, 2^64),
//   where x_i, x'_i are the account's net quantities of instrument i before and after; a slot's
//   instrument changes only if it held nothing; any change needs hasOrder = 1 and a valid
//   EdDSA-Poseidon signature by (Ax, Ay) of
//       M = HashList(e + 1, accountKey, newInstrument[0..P-1], newQuantity[k] - quantity[k] ...);
//   and with an order, either (compliant) E'_s >= R' in every column s = 0..S, or (only reducing)
//   every position moves toward 0 without changing sign and the worst slack does not get worse:
//   min_s (E'_s - R') >= min_s (E_s - R), with E_s, R before the trade, after the variation
//   (StarkEx's "smaller and no worse"; a per-column comparison would forbid closing any
//   directional position, which always gives up its gain in the scenarios that favoured it).
// Bounds: |quantity| <= 2^32, collateral < 2^64, |variation|, |value|, addon < 2^48 (the table's
//   RiskTable proof; the variation is range-checked here). Net exposure sum_i |x_i| <= P * 2^32 =
//   2^35, so the variation, trade cash and requirement are below 2^84 in size, fees below 2^68,
//   equities below 2^86 and each slack (and a slack minus the old worst slack) below 2^88 in
//   size: checked in [0, 2^90), a negative one is a field element above p - 2^88 and fails.
template EpochTransition(S, LOG_N, P, DEPTH, LOG_B) {
    assert(P >= 1 && P <= 8);
    assert(DEPTH > LOG_B && DEPTH <= 32);
    var S1 = S + 1;
    var N = 1 << LOG_N;
    var B = 1 << LOG_B;
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
    signal input newInstrument[B][P];
    signal input newQuantity[B][P];
    signal input hasOrder[B];
    signal input sigS[B];
    signal input sigR8x[B];
    signal input sigR8y[B];
    signal input compliant[B];
    signal input worstColumn[B][S1];

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
    signal computedRiskRoot <== Poseidon(2)([instrumentsRoot, tableDigest]);
    riskRoot === computedRiskRoot;
    // The variation vector: committed, 48-bit, and 0 for anything that is not a perp or future.
    for (var i = 0; i < N; i++) {
        _ <== SignedInRange(VALUE_BITS())(variation[i]);
        (1 - linear[i]) * variation[i] === 0;
    }
    signal computedVariationDigest <== HashList(N)(variation);
    variationDigest === computedVariationDigest;

    signal oldSalt[B];
    signal newSalt[B];
    signal oldLeaves[B];
    signal newLeaves[B];
    signal oldCommitment[B];
    signal newCommitment[B];
    signal absQuantity[B][P];
    signal absNewQuantity[B][P];
    signal absDelta[B][P];
    signal sel[B][P][N];
    signal placedOld[B][P][N];
    signal placedNew[B][P][N];
    signal addonTerm[B][P][N];
    signal addonOf[B][P];
    signal reqOldTerm[B][P];
    signal reqNewTerm[B][P];
    signal variationTerm[B][N];
    signal tradeTerm[B][N];
    signal fee[B];
    signal newCollateral[B];
    signal oldValueTerm[B][S1][N];
    signal newValueTerm[B][S1][N];
    signal worstTerm[B][S1];
    signal floor[B];
    signal checked[B][S1];
    signal reducing[B];
    signal shrinkCheck[B][P];
    signal signProduct[B][P];
    signal signCheck[B][P];
    signal message[B];
    signal orderItems[B][2 + 2 * P];
    var flow = 0;
    for (var j = 0; j < B; j++) {
        active[j] * (active[j] - 1) === 0;
        hasOrder[j] * (hasOrder[j] - 1) === 0;
        compliant[j] * (compliant[j] - 1) === 0;
        hasOrder[j] * (1 - active[j]) === 0;
        InRange(COLLATERAL_BITS())(collateral[j]);
        (1 - active[j]) * collateral[j] === 0;

        // Salts: the old leaf's and epoch e+1's, from the same public key and salt key.
        oldSalt[j] <== AccountSalt()(Ax[j], Ay[j], saltKey[j], epoch);
        newSalt[j] <== AccountSalt()(Ax[j], Ay[j], saltKey[j], nextEpoch);

        var fees = 0;
        for (var k = 0; k < P; k++) {
            absQuantity[j][k] <== AbsSigned(QUANTITY_BITS())(quantity[j][k]);
            absNewQuantity[j][k] <== AbsSigned(QUANTITY_BITS())(newQuantity[j][k]);
            absDelta[j][k] <== AbsSigned(QUANTITY_BITS() + 1)(newQuantity[j][k] - quantity[j][k]);
            fees += absDelta[j][k];
            (1 - active[j]) * newQuantity[j][k] === 0;
            // No order, no change; a slot takes another instrument only when it held nothing.
            (1 - hasOrder[j]) * (newQuantity[j][k] - quantity[j][k]) === 0;
            (1 - hasOrder[j]) * (newInstrument[j][k] - instrument[j][k]) === 0;
            (newInstrument[j][k] - instrument[j][k]) * quantity[j][k] === 0;

            // One-hot row selector of the slot's (new) instrument: also < N. Where the instrument
            // changed the old quantity is 0, so the same selector places the old quantity too.
            var count = 0;
            var index = 0;
            var addonSum = 0;
            for (var i = 0; i < N; i++) {
                sel[j][k][i] <-- newInstrument[j][k] == i ? 1 : 0;
                sel[j][k][i] * (sel[j][k][i] - 1) === 0;
                count += sel[j][k][i];
                index += i * sel[j][k][i];
                placedOld[j][k][i] <== sel[j][k][i] * quantity[j][k];
                placedNew[j][k][i] <== sel[j][k][i] * newQuantity[j][k];
                addonTerm[j][k][i] <== sel[j][k][i] * addon[i];
                addonSum += addonTerm[j][k][i];
            }
            count === 1;
            index === newInstrument[j][k];
            addonOf[j][k] <== addonSum;
            reqOldTerm[j][k] <== absQuantity[j][k] * addonOf[j][k];
            reqNewTerm[j][k] <== absNewQuantity[j][k] * addonOf[j][k];
        }
        fee[j] <== feeRate * fees;

        // Net quantities per instrument; variation and trade cash at the e+1 mark (column 0).
        var cashBefore = collateral[j];
        var tradeCash = 0;
        var exposureOld[N];
        var exposureNew[N];
        for (var i = 0; i < N; i++) {
            exposureOld[i] = 0;
            exposureNew[i] = 0;
            for (var k = 0; k < P; k++) {
                exposureOld[i] += placedOld[j][k][i];
                exposureNew[i] += placedNew[j][k][i];
            }
            variationTerm[j][i] <== exposureOld[i] * variation[i];
            cashBefore += variationTerm[j][i];
            tradeTerm[j][i] <== (exposureNew[i] - exposureOld[i]) * values[i][0];
            tradeCash += tradeTerm[j][i];
        }
        newCollateral[j] <== cashBefore - tradeCash - fee[j];
        InRange(COLLATERAL_BITS())(newCollateral[j]);
        flow += collateral[j] - newCollateral[j];

        // The margin rule after an order: compliant, or only reducing and no worse in any column.
        var reqOld = 0;
        var reqNew = 0;
        for (var k = 0; k < P; k++) {
            reqOld += reqOldTerm[j][k];
            reqNew += reqNewTerm[j][k];
        }
        // worstOld = the slack E_s - R of the old-position column picked by the one-hot worstColumn:
        // the prover picks the minimum (any other column only makes the check stricter).
        var slackNew[S1];
        var worstOld = 0;
        var worstCount = 0;
        for (var s = 0; s < S1; s++) {
            var equityOld = cashBefore;
            var equityNew = newCollateral[j];
            for (var i = 0; i < N; i++) {
                oldValueTerm[j][s][i] <== exposureOld[i] * values[i][s];
                equityOld += oldValueTerm[j][s][i];
                newValueTerm[j][s][i] <== exposureNew[i] * values[i][s];
                equityNew += newValueTerm[j][s][i];
            }
            slackNew[s] = equityNew - reqNew;
            worstColumn[j][s] * (worstColumn[j][s] - 1) === 0;
            worstCount += worstColumn[j][s];
            worstTerm[j][s] <== worstColumn[j][s] * (equityOld - reqOld);
            worstOld += worstTerm[j][s];
        }
        worstCount === 1;
        // compliant: every E'_s - R' >= 0; reducing: every E'_s - R' >= worstOld.
        floor[j] <== (1 - compliant[j]) * worstOld;
        for (var s = 0; s < S1; s++) {
            checked[j][s] <== hasOrder[j] * (slackNew[s] - floor[j]);
            InRange(SLACK_BITS)(checked[j][s]);
        }
        reducing[j] <== hasOrder[j] * (1 - compliant[j]);
        for (var k = 0; k < P; k++) {
            shrinkCheck[j][k] <== reducing[j] * (absQuantity[j][k] - absNewQuantity[j][k]);
            InRange(QUANTITY_BITS() + 1)(shrinkCheck[j][k]);
            signProduct[j][k] <== quantity[j][k] * newQuantity[j][k];
            signCheck[j][k] <== reducing[j] * signProduct[j][k];
            InRange(2 * QUANTITY_BITS() + 1)(signCheck[j][k]);
        }

        // The owner's signature over (e + 1, the account, the order).
        orderItems[j][0] <== nextEpoch;
        orderItems[j][1] <== accountKey[j];
        for (var k = 0; k < P; k++) {
            orderItems[j][2 + k] <== newInstrument[j][k];
            orderItems[j][2 + P + k] <== newQuantity[j][k] - quantity[j][k];
        }
        message[j] <== HashList(2 + 2 * P)(orderItems[j]);
        EdDSAPoseidonVerifier()(hasOrder[j], Ax[j], Ay[j], sigS[j], sigR8x[j], sigR8y[j], message[j]);

        // Leaves: an inactive slot is empty before and after.
        oldCommitment[j] <== AccountCommitment(P)(accountKey[j], collateral[j], oldSalt[j], instrument[j], quantity[j]);
        oldLeaves[j] <== active[j] * oldCommitment[j];
        newCommitment[j] <== AccountCommitment(P)(accountKey[j], newCollateral[j], newSalt[j], newInstrument[j], newQuantity[j]);
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
