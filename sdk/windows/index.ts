export * from './window-fn.js';
export * from './global-windows.js';
export * from './fixed-windows.js';
export * from './sliding-windows.js';
export * from './sessions.js';
export * from './processing-time-windows.js';
