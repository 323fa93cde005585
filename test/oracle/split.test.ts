// The split files our tests cut (scripts/model-gen/split.ts) are llama.cpp's format: llama.cpp
// loads the three parts from the first one's name and decodes exactly what it decodes from the
// whole file; the CPU reference on the parts joined (gguf/split.ts) gives the same tokens.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { CpuModel } from '../../reference/cpu/model.ts';
import { parseGguf } from '../../workers/engine/gguf/reader.ts';
import { concatBytes } from '../../workers/engine/gguf/sources.ts';
import { joinSplitParts } from '../../workers/engine/gguf/split.ts';
import { splitGguf, splitPartName } from '../../scripts/model-gen/split.ts';
import { llamaGreedy } from '../helpers/llamaOracle.ts';
import { nTokens, oracleCase, promptLength } from '../helpers/oracleSpecs.ts';
import { clearMarginModel, cpuGreedy } from '../helpers/testModels.ts';

const dir = mkdtempSync(join(tmpdir(), 'pakar-split-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('llama.cpp reads a three-part split as the whole file, and so does the CPU reference', async () => {
  const { spec, minGap } = oracleCase('qwen3moe', 'Q8_0');
  const m = clearMarginModel(spec, promptLength, nTokens, minGap);
  const parts = splitGguf(m.bytes, 3);
  parts.forEach((p, k) => writeFileSync(join(dir, splitPartName('model', k, 3)), p));

  const whole = await llamaGreedy(m.path, m.prompt, nTokens);
  const split = await llamaGreedy(join(dir, splitPartName('model', 0, 3)), m.prompt, nTokens);
  expect(split.map((s) => s.token)).toEqual(whole.map((s) => s.token));
  for (let i = 0; i < whole.length; i++) expect([...split[i].probs]).toEqual([...whole[i].probs]);

  const file = joinSplitParts(parts.map((p) => ({ file: parseGguf(p), size: p.length })));
  const joined = concatBytes(parts);
  expect(cpuGreedy(new CpuModel(file, joined), m.prompt, nTokens).tokens).toEqual(whole.map((s) => s.token));
});
