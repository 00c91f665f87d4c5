/** True for a promise (or any thenable) returned by user code or a downstream step. */
export const isThenable = (x: unknown): x is Promise<void> => x !== undefined && x !== null && typeof (x as Promise<void>).then === 'function';
