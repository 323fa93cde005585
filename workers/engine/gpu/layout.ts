// How a weight matrix's rows sit in GPU memory. Every type keeps its GGUF bytes except Q8_0:
// its 34-byte blocks put every other block's quants 2 bytes into a word, and joining words
// (a funnel shift per word) cost the kernels a third of their time. On the GPU a Q8_0 row is
// regrouped in runs of 8 blocks, their 8 f16 scales (16 B) then their 8 × 32 quants, so every
// block's quants start on a word: 272 B a run, the same bytes as the file's, a row's last run
// shorter (its scales still take 16 B). kernels/quant/q8_0.wgsl reads this layout.

import type { GgmlTypeInfo } from '../quant/types.ts';
import { rowBytes } from '../quant/types.ts';

const RUN = 8; // Q8_0 blocks per run
const SCALES = 16; // bytes of a run's scales
const Q8_BLOCK = 34;

const regrouped = (type: GgmlTypeInfo): boolean => type.name === 'Q8_0';

/** Bytes of one row of `cols` elements of `type` as the GPU keeps it. */
export function deviceRowBytes(type: GgmlTypeInfo, cols: number): number {
  if (!regrouped(type)) return rowBytes(type, cols);
  const blocks = cols / 32;
  const rest = blocks % RUN;
  return Math.floor(blocks / RUN) * (SCALES + 32 * RUN) + (rest ? SCALES + 32 * rest : 0);
}

/** Whether the type's rows, as the GPU keeps them, start at a multiple of 4 bytes (else any byte). */
export function wordAlignedRows(type: GgmlTypeInfo): boolean {
  return regrouped(type) || type.typeSize % 4 === 0;
}

/** Whole rows of `cols` elements in the file's layout, in the GPU's (the input itself when they are the same). */
export function toDeviceLayout(type: GgmlTypeInfo, cols: number, rows: Uint8Array): Uint8Array {
  if (!regrouped(type)) return rows;
  const fileRow = rowBytes(type, cols);
  const n = rows.length / fileRow;
  if (!Number.isInteger(n)) throw new RangeError(`${rows.length} bytes are not whole rows of ${fileRow}`);
  const rowOut = deviceRowBytes(type, cols);
  const out = new Uint8Array(n * rowOut);
  const blocks = cols / 32;
  for (let r = 0; r < n; r++) {
    for (let u = 0; u < blocks; u++) {
      const src = r * fileRow + Q8_BLOCK * u;
      const run = r * rowOut + (SCALES + 32 * RUN) * Math.floor(u / RUN);
      const k = u % RUN;
      out[run + 2 * k] = rows[src];
      out[run + 2 * k + 1] = rows[src + 1];
      out.set(rows.subarray(src + 2, src + Q8_BLOCK), run + SCALES + 32 * k);
    }
  }
  return out;
}
