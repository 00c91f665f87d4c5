export * from './test-stream.js';
export * from './capture.js';
export { VirtualClock } from '../clock.js';
export * from './committed-capture.js';
export * from './failpoints.js';
