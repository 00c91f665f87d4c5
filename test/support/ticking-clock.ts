/** Moved to capability-matrix/support (the matrix's checkpoint cases use it too); re-exported for the tests. */
export { TickingClock } from '../../capability-matrix/support/ticking-clock.js';
