// Recording the dense projection (kernels/matmul.wgsl) and the RMSNorm that feeds it
// (kernels/rms_norm.wgsl), for every block that projects: attention, MLA, dense FFNs, output.

import { ModelError } from '../model/errors.ts';
import type { StepRecorder } from './recorder.ts';
import { matmulTile, projectionRowsPerGroup } from './shaders.ts';
import type { GpuMatrix } from './weights.ts';

/** Rows of an activation buffer: `stride` floats per token, the first used at `offset`. */
export interface View {
  readonly buffer: GPUBuffer;
  readonly stride: number;
  readonly offset: number;
}

export const F_BIAS = 2;
export const F_RES = 4;

export interface MatmulExtras {
  readonly flags?: number;
  readonly alpha?: number;
  readonly bias?: GPUBuffer;
  readonly residual?: { readonly buffer: GPUBuffer; readonly stride: number };
  readonly dummy: GPUBuffer;
  /** Rows `firstRow ..` of `m` only, `rows` of them (default: all of `m`). */
  readonly firstRow?: number;
  readonly rows?: number;
}

/**
 * Y[t, y.offset + r] = alpha·(Σ_c W[r, c]·X[t, x.offset + c] + B[r]) + R[t, r] for nTok tokens.
 * A matrix split across bindings runs once per part, each writing its rows of Y.
 */
export function recordMatmul(rec: StepRecorder, site: string, m: GpuMatrix, x: View, y: View, nTok: number, rowLanes: number, e: MatmulExtras): void {
  // X is read as vec4: its rows must start on a 4-float boundary.
  if (x.offset % 4 !== 0 || x.stride % 4 !== 0) throw new ModelError('bad_shape', `${site}: activation offset ${x.offset} and stride ${x.stride} must be multiples of 4`);
  const tile = matmulTile(nTok, rowLanes);
  const rowsPerGroup = projectionRowsPerGroup(rowLanes);
  const partial = e.firstRow !== undefined || e.rows !== undefined;
  if (partial && m.parts) throw new ModelError('bad_shape', `${site}: a weight split across bindings cannot take a row range`);
  const parts = m.parts ?? [{ buffer: m.buffer, firstRow: e.firstRow ?? 0, rows: e.rows ?? m.rows }];
  for (const [i, part] of parts.entries()) {
    const groups = Math.ceil(part.rows / rowsPerGroup);
    // A row range starts firstRow rows into the matrix; split parts start their own buffers.
    const wOff = m.offset + (partial ? part.firstRow * m.rowBytes : 0);
    const yOff = y.offset + (m.parts ? part.firstRow : 0);
    const params = {
      rows: part.rows,
      cols: m.cols,
      row_bytes: m.rowBytes,
      n_tok: nTok,
      x_stride: x.stride,
      y_stride: y.stride,
      y_off: yOff,
      flags: e.flags ?? 0,
      alpha: e.alpha ?? 1,
      w_off: wOff,
      r_stride: e.residual?.stride ?? 0,
      x_off: x.offset,
    };
    const buffers = [part.buffer, x.buffer, e.bias ?? e.dummy, e.residual?.buffer ?? e.dummy, y.buffer];
    rec.dispatch(m.parts ? `${site}#${i}` : site, 'matmul', m.type, buffers, params, [Math.min(groups, 32768), Math.ceil(groups / 32768), Math.ceil(nTok / tile)], { TILE: tile });
  }
}

/** out[t, c] = RMSNorm(X[t])·weight for nTok tokens of `cols` floats. */
/** RMSNorm(x)·weight of nTok rows into `out` (rows of `cols` from its start unless `out` is a View). */
export function recordRmsNorm(rec: StepRecorder, site: string, x: View, cols: number, weight: GPUBuffer, out: GPUBuffer | View, nTok: number, eps: number): void {
  const y: View = out instanceof GPUBuffer ? { buffer: out, stride: cols, offset: 0 } : out;
  rec.dispatch(site, 'rms_norm', undefined, [x.buffer, weight, y.buffer], { cols, x_stride: x.stride, x_off: x.offset, eps, y_stride: y.stride, y_off: y.offset }, [nTok, 1, 1]);
}
