/** Moved to capability-matrix/support (the matrix's checkpoint cases use it too); re-exported for the tests. */
export { hiddenFiles, listParts, readParts, readPartLines } from '../../capability-matrix/support/read-parts.js';
