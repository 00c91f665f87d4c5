/**
 * Stops the CLI with a message when Node is older than {@link MIN_NODE_MAJOR} (see ./node-version.ts).
 * Imported first by bin/watershed.ts, so it runs before any other module is evaluated.
 */
import { nodeVersionProblem } from './node-version.js';

const problem = nodeVersionProblem(process.version);
if (problem !== null) {
  console.error(problem);
  process.exit(1);
}
