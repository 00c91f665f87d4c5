import { HOW } from './cases/how.js';
import { OURS } from './cases/ours.js';
import { TRANSCRIPTS } from './cases/transcripts.js';
import { WHAT } from './cases/what.js';
import { WHEN } from './cases/when.js';
import { WHERE } from './cases/where.js';
import type { Capability } from './model.js';

/** Every row of the matrix, in report order: Beam's What / Where / When / How, then ours. */
export const CAPABILITIES: readonly Capability[] = [...WHAT, ...WHERE, ...WHEN, ...HOW, TRANSCRIPTS, ...OURS];
