/** The tests' market: the small snapshot that fits the test circuits' 4 instrument slots. */
export { smallSnapshot as testSnapshot } from "../../src/demo/demoMarket.js";
