import { readFileSync } from 'node:fs';

/**
 * Number-to-text for hot encoders: writes the exact characters `String(x)` gives (ECMAScript
 * Number::toString: the shortest digits that read back as `x`, exponent form below 1e-6 and from
 * 1e21) as ASCII bytes straight into a buffer, without making a string.
 *
 * It runs the ryu-js algorithm compiled to WebAssembly (native/number-text, rebuilt with
 * scripts/build-number-text.sh): about 2.5× faster than `String(x)` plus a copy, which matters when
 * an encoder writes millions of doubles (the Netflow job writes one distance per pair).
 * A test checks it against `String(x)` over millions of values.
 *
 * @example
 * ```ts
 * const buf = Buffer.alloc(32);
 * const end = writeNumberText(0.1 + 0.2, buf, 0); // buf.toString('latin1', 0, end) === '0.30000000000000004'
 * ```
 */
export function writeNumberText(x: number, buf: Buffer, offset: number): number {
  const n = formatF64(x);
  if (offset + n > buf.length) return -1;
  for (let i = 0; i < n; i++) buf[offset + i] = MEM[OUT + i]!;
  return offset + n;
}

interface NumberTextExports {
  readonly memory: { readonly buffer: ArrayBuffer };
  out_ptr(): number;
  format_f64(x: number): number;
}

/** The parts of the WebAssembly global used here (the project's TypeScript libs do not declare it). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

const wa = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
const wasm = new wa.Instance(new wa.Module(readFileSync(new URL('./number-text.wasm', import.meta.url))), {}).exports as NumberTextExports;
const formatF64 = wasm.format_f64;
const OUT = wasm.out_ptr();
/** The module's memory. It never grows (the crate allocates nothing), so one view stays valid. */
const MEM = new Uint8Array(wasm.memory.buffer);
