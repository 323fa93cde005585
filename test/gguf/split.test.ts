// Split GGUF files (llama.cpp's gguf-split layout): part names, joining the parts' headers into
// one file whose tensors point at the right bytes, and the errors for parts that do not fit.

import { describe, expect, it } from 'vitest';
import { GgufError } from '../../workers/engine/gguf/errors.ts';
import { parseGguf } from '../../workers/engine/gguf/reader.ts';
import { concatBytes } from '../../workers/engine/gguf/sources.ts';
import { joinSplitParts, splitInfo, splitPartNames } from '../../workers/engine/gguf/split.ts';
import { archOf } from '../../workers/engine/model/archs/index.ts';
import { splitGguf } from '../../scripts/model-gen/split.ts';
import { testModel } from '../helpers/testModels.ts';

const model = testModel({ arch: 'qwen3moe', seed: 5, nLayer: 2, nExpert: 4, types: { embd: 'Q8_0', attn: 'Q8_0', router: 'F32', experts: 'Q4_K', shexp: 'Q8_0', output: 'Q8_0' } }).bytes;

describe('splitPartNames', () => {
  it('names every part from any part, keeping the folder', () => {
    expect(splitPartNames('Q4_K_M/Qwen3-30B-A3B-Q4_K_M-00002-of-00003.gguf')).toEqual([
      'Q4_K_M/Qwen3-30B-A3B-Q4_K_M-00001-of-00003.gguf',
      'Q4_K_M/Qwen3-30B-A3B-Q4_K_M-00002-of-00003.gguf',
      'Q4_K_M/Qwen3-30B-A3B-Q4_K_M-00003-of-00003.gguf',
    ]);
  });
  it('is undefined for whole files and impossible part numbers', () => {
    expect(splitPartNames('model-Q8_0.gguf')).toBeUndefined();
    expect(splitPartNames('model-00004-of-00003.gguf')).toBeUndefined();
    expect(splitPartNames('model-00000-of-00003.gguf')).toBeUndefined();
  });
});

describe('joinSplitParts', () => {
  const parts = splitGguf(model, 3);
  const files = parts.map((p) => parseGguf(p));
  const original = parseGguf(model);

  it('gives every tensor of the original, pointing at its bytes in the parts laid end to end', () => {
    expect(files.map((f) => splitInfo(f))).toEqual([0, 1, 2].map((no) => ({ no, count: 3, tensors: original.tensors.length })));
    const joined = joinSplitParts(files.map((file, k) => ({ file, size: parts[k].length })));
    const bytes = concatBytes(parts);
    expect(joined.fileSize).toBe(bytes.length);
    expect(joined.tensors.map((t) => t.name)).toEqual(original.tensors.map((t) => t.name));
    for (const t of original.tensors) {
      const j = joined.tensorByName.get(t.name);
      expect(j?.dims).toEqual(t.dims);
      expect(Buffer.compare(bytes.subarray(j!.byteOffset, j!.byteOffset + j!.byteLength), model.subarray(t.byteOffset, t.byteOffset + t.byteLength)), t.name).toBe(0);
    }
    // Whole again: the split keys are gone and the architecture reads as the original's.
    expect([...joined.metadata.keys()].some((k) => k.startsWith('split.'))).toBe(false);
    expect(archOf(joined).name).toBe('qwen3moe');
  });

  it('refuses parts out of order, missing or from another model', () => {
    const at = (k: number) => ({ file: files[k], size: parts[k].length });
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof GgufError ? e.code : String(e);
      }
      return 'ok';
    };
    expect(code(() => joinSplitParts([at(1), at(0), at(2)]))).toBe('bad_split');
    expect(code(() => joinSplitParts([at(0), at(1)]))).toBe('bad_split');
    const other = parseGguf(splitGguf(model, 2)[1]);
    expect(code(() => joinSplitParts([at(0), at(1), { file: other, size: 1 }]))).toBe('bad_split');
  });

  it('says a part opened alone needs the others', () => {
    expect(() => archOf(files[0])).toThrow(/part 1 of 3 of a split model/);
    expect(() => archOf(files[2])).toThrow(expect.objectContaining({ code: 'split_part' }));
  });
});
