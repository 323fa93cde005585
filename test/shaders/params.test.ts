// Every kernel's uniform struct Params, read from its WGSL, against the layout the recorder
// packs (gpu/params.ts): the same fields, in the same order, of the same types. No GPU needed.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packParams, paramLayouts, type ParamKernel } from '../../workers/engine/gpu/params.ts';

const kernels = resolve(import.meta.dirname, '../../workers/engine/gpu/kernels');

function wgslParams(kernel: string): string[] {
  const source = readFileSync(resolve(kernels, `${kernel}.wgsl`), 'utf8');
  const body = /struct Params\s*\{([^}]*)\}/.exec(source)?.[1];
  if (!body) throw new Error(`${kernel}.wgsl has no struct Params`);
  return body
    .split(',')
    .map((f) => f.replace(/\/\/.*$/gm, '').trim())
    .filter(Boolean)
    .map((f) => f.replace(/\s*:\s*/, ':'));
}

describe('uniform Params', () => {
  it.each(Object.keys(paramLayouts) as ParamKernel[])('%s: the layout is its WGSL struct', (kernel) => {
    expect([...paramLayouts[kernel]]).toEqual(wgslParams(kernel));
  });

  it('packs by name, pads to 16 bytes, and refuses a missing value or a value that is no u32', () => {
    const bytes = packParams('rms_norm', { cols: 64, x_stride: 128, x_off: 4, eps: 1e-6, y_stride: 64, y_off: 0 });
    expect(bytes.byteLength).toBe(32);
    const view = new DataView(bytes);
    expect([view.getUint32(0, true), view.getUint32(4, true), view.getUint32(8, true), view.getFloat32(12, true), view.getUint32(16, true)]).toEqual([64, 128, 4, Math.fround(1e-6), 64]);
    expect(packParams('topk_merge', { n_vocab: 10, k: 2, out_off: 3 }).byteLength).toBe(16);
    expect(() => packParams('rms_norm', { cols: 64, x_stride: 128, x_off: 4, y_stride: 64, y_off: 0 } as never)).toThrow(/eps is undefined/);
    expect(() => packParams('rms_norm', { cols: -1, x_stride: 128, x_off: 4, eps: 1e-6, y_stride: 64, y_off: 0 })).toThrow(/cols = -1 is not a u32/);
  });
});
