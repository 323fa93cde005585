// Checks an export against our CPU reference before its accuracy numbers are trusted: the F32
// GGUF's logits must equal PyTorch's (probes.json) within f32 rounding, at every position.
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
}

const { values: v } = parseArgs({ options: { in: { type: 'string' }, tolerance: { type: 'string' } }, strict: true });
if (!v.in) {
  console.error('usage: check.ts --in OUT/export [--tolerance 1e-3]');
  process.exit(1);
}
const tolerance = Number(v.tolerance ?? '1e-3');
const probes = JSON.parse(readFileSync(join(v.in, 'probes.json'), 'utf8')) as Probe[];
const bytes = buildDemoGguf(v.in, 'F32');
let maxDiff = 0;
let argmaxAgree = 0;
let positions = 0;
for (const p of probes) {
  const ours = CpuModel.fromBytes(bytes).forward(p.ids);
  ours.forEach((row, t) => {
    const ref = p.logits[t];
    for (let i = 0; i < row.length; i++) maxDiff = Math.max(maxDiff, Math.abs(row[i] - ref[i]));
    const argmax = (xs: ArrayLike<number>): number => {
      let b = 0;
      for (let i = 1; i < xs.length; i++) if (xs[i] > xs[b]) b = i;
      return b;
    };
    if (argmax(row) === argmax(ref)) argmaxAgree++;
    positions++;
  });
}
console.log(JSON.stringify({ probes: probes.length, positions, maxAbsLogitDiff: maxDiff, argmaxAgree, tolerance }));
if (maxDiff > tolerance) process.exit(2);
