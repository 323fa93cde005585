// Checks an export against our CPU reference before its accuracy numbers are trusted: the F32
// GGUF's logits must equal PyTorch's (probes.json) within f32 rounding, at every position, and
// so must the MTP block's (at i: the trunk's state at i and the token at i + 1).
//
//   npx tsx scripts/train-demo/check.ts --in .cache/train-demo/export

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CpuModel } from '../../reference/cpu/model.ts';
import { buildDemoGguf } from './export.ts';

interface Probe {
  ids: number[];
  logits: number[][];
  mtpLogits: number[][];
}

const { values: v } = parseArgs({ options: { in: { type: 'string' }, tolerance: { type: 'string' } }, strict: true });
if (!v.in) {
  console.error('usage: check.ts --in OUT/export [--tolerance 1e-3]');
  process.exit(1);
}
const tolerance = Number(v.tolerance ?? '1e-3');
const probes = JSON.parse(readFileSync(join(v.in, 'probes.json'), 'utf8')) as Probe[];
const bytes = buildDemoGguf(v.in, 'F32');
const argmax = (xs: ArrayLike<number>): number => {
  let b = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i] > xs[b]) b = i;
  return b;
};
/** Largest |difference| and argmax agreement of our rows against PyTorch's. */
function compare(ours: readonly Float32Array[], ref: readonly number[][]): { maxDiff: number; agree: number } {
  let maxDiff = 0;
  let agree = 0;
  ours.forEach((row, t) => {
    for (let i = 0; i < row.length; i++) maxDiff = Math.max(maxDiff, Math.abs(row[i] - ref[t][i]));
    if (argmax(row) === argmax(ref[t])) agree++;
  });
  return { maxDiff, agree };
}

const trunk = { maxDiff: 0, agree: 0, positions: 0 };
const mtp = { maxDiff: 0, agree: 0, positions: 0 };
for (const p of probes) {
  const model = CpuModel.fromBytes(bytes);
  const logits = model.forward(p.ids);
  const mtpLogits = model.forwardMtp(model.lastHidden.slice(0, -1), p.ids.slice(1)).logits;
  for (const [acc, ours, ref] of [
    [trunk, logits, p.logits],
    [mtp, mtpLogits, p.mtpLogits],
  ] as const) {
    const c = compare(ours, ref);
    acc.maxDiff = Math.max(acc.maxDiff, c.maxDiff);
    acc.agree += c.agree;
    acc.positions += ours.length;
  }
}
console.log(JSON.stringify({ probes: probes.length, trunk, mtp, tolerance }));
if (trunk.maxDiff > tolerance || mtp.maxDiff > tolerance) process.exit(2);
