// "Add a model": what a person pastes, read as a Hub repository, folder, file or a plain URL,
// and the GGUF files the Hub's tree listing offers for it (split parts as one, pages followed,
// vision projectors left out), with the errors a wrong name gets.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listModelFiles, parseModelRef, quantOfName } from '../../workers/engine/store/hubListing.ts';
import { startHubDouble } from '../helpers/hubDouble.ts';
import type { HubDouble } from '../helpers/hubDouble.ts';

const HUB = 'https://huggingface.co';

describe('parseModelRef', () => {
  const hub = (repo: string, revision = 'main', path?: string, quant?: string) => ({ kind: 'hub', repo, revision, path, quant });
  it.each([
    ['bartowski/granite-3.1-1b-a400m-instruct-GGUF', hub('bartowski/granite-3.1-1b-a400m-instruct-GGUF')],
    ['  unsloth/Qwen3-30B-A3B-GGUF:Q4_K_M ', hub('unsloth/Qwen3-30B-A3B-GGUF', 'main', undefined, 'Q4_K_M')],
    ['https://huggingface.co/unsloth/Qwen3-30B-A3B-GGUF', hub('unsloth/Qwen3-30B-A3B-GGUF')],
    ['huggingface.co/unsloth/Qwen3-30B-A3B-GGUF/tree/main/Q8_0', hub('unsloth/Qwen3-30B-A3B-GGUF', 'main', 'Q8_0')],
    ['hf.co/unsloth/Qwen3-30B-A3B-GGUF:IQ4_XS', hub('unsloth/Qwen3-30B-A3B-GGUF', 'main', undefined, 'IQ4_XS')],
    ['https://hf.co/o/r-GGUF/blob/v1.0/sub/m-Q8_0.gguf', hub('o/r-GGUF', 'v1.0', 'sub/m-Q8_0.gguf')],
    ['https://huggingface.co/o/r/resolve/main/m-Q4_K_M-00002-of-00003.gguf?download=true', hub('o/r', 'main', 'm-Q4_K_M-00002-of-00003.gguf')],
    ['https://example.org/models/m-Q4_0.gguf', { kind: 'url', url: 'https://example.org/models/m-Q4_0.gguf' }],
  ])('%s', (text, ref) => {
    expect(parseModelRef(text, HUB)).toEqual(ref);
  });

  it('treats links to the configured mirror as Hub links', () => {
    expect(parseModelRef('http://127.0.0.1:9999/o/r/tree/main', 'http://127.0.0.1:9999')).toEqual(hub('o/r'));
  });

  it.each([
    ['', /Paste a Hub repository/],
    ['https://huggingface.co/datasets/o/r', /is a dataset, not a model repository/],
    ['https://huggingface.co/o', /does not name a model repository/],
    ['https://example.org/page.html', /is not a \.gguf file/],
    ['just words', /neither a Hub repository/],
    ['https://huggingface.co/o/r/discussions/3', /not a repository, folder or file link/],
  ])('refuses %j', (text, message) => {
    expect(() => parseModelRef(text, HUB)).toThrow(message);
  });
});

it.each([
  ['granite-3.1-1b-a400m-instruct-Q4_K_M.gguf', 'Q4_K_M'],
  ['Qwen3-30B-A3B-UD-Q4_K_XL.gguf', 'UD-Q4_K_XL'],
  ['Q8_0/Qwen3-30B-A3B-Q8_0-00001-of-00002.gguf', 'Q8_0'],
  ['gpt-oss-20b-mxfp4.gguf', 'MXFP4'],
  ['model.IQ2_XXS.gguf', 'IQ2_XXS'],
  ['OLMoE-1B-7B-0924-Instruct-F16.gguf', 'F16'],
  ['Qwen3-30B-A3B.gguf', undefined],
])('quantOfName(%s) = %s', (name, quant) => {
  expect(quantOfName(name)).toBe(quant);
});

describe('listModelFiles on the Hub double', () => {
  let hub: HubDouble;
  const REPO = 'pakar-test/many-GGUF';
  const bytes = (n: number) => new Uint8Array(n).fill(7);
  beforeAll(async () => {
    hub = await startHubDouble();
    hub.setFile(REPO, 'm-Q8_0.gguf', bytes(300));
    hub.setFile(REPO, 'm-Q4_K_M.gguf', bytes(200));
    hub.setFile(REPO, 'mmproj-m-F16.gguf', bytes(50));
    hub.setFile(REPO, 'README.md', bytes(5));
    hub.setFile(REPO, 'BF16/m-BF16-00001-of-00002.gguf', bytes(400));
    hub.setFile(REPO, 'BF16/m-BF16-00002-of-00002.gguf', bytes(100));
    // A split set with a part missing is not offered.
    hub.setFile(REPO, 'F32/m-F32-00001-of-00003.gguf', bytes(10));
    hub.setFile(REPO, 'F32/m-F32-00003-of-00003.gguf', bytes(10));
  });
  afterAll(() => hub.close());
  const list = (text: string) => listModelFiles(fetch, hub.baseUrl, parseModelRef(text, hub.baseUrl), new AbortController().signal);

  it('offers every GGUF model file, a split set as one with its total size, smallest first, across pages', async () => {
    hub.treePageSize = 2;
    hub.resetStats();
    const listing = await list(REPO);
    hub.treePageSize = undefined;
    expect(hub.stats.treeRequests).toBe(4);
    expect(listing.files.map((f) => [f.path, f.size, f.quant, f.parts])).toEqual([
      ['m-Q4_K_M.gguf', 200, 'Q4_K_M', 1],
      ['m-Q8_0.gguf', 300, 'Q8_0', 1],
      ['BF16/m-BF16-00001-of-00002.gguf', 500, 'BF16', 2],
    ]);
    expect(listing.files[2].source).toEqual({ kind: 'hub', repo: REPO, file: 'BF16/m-BF16-00001-of-00002.gguf', revision: 'main' });
  });

  it('narrows to a quantization tag, a folder or a file (any part of a split file names the set)', async () => {
    expect((await list(`${REPO}:q8_0`)).files.map((f) => f.path)).toEqual(['m-Q8_0.gguf']);
    expect((await list(`${hub.baseUrl}/${REPO}/tree/main/BF16`)).files.map((f) => f.path)).toEqual(['BF16/m-BF16-00001-of-00002.gguf']);
    expect((await list(`${hub.baseUrl}/${REPO}/blob/main/BF16/m-BF16-00002-of-00002.gguf`)).files.map((f) => f.parts)).toEqual([2]);
  });

  it('says what is wrong with a name that finds nothing', async () => {
    await expect(list('pakar-test/nothing-here')).rejects.toMatchObject({ code: 'remote_missing', message: expect.stringMatching(/The Hub has no repository pakar-test\/nothing-here/) });
    await expect(list(`${REPO}:Q2_K`)).rejects.toMatchObject({ code: 'remote_missing', message: `${REPO} has no Q2_K GGUF file; it has Q4_K_M, Q8_0, BF16` });
    await expect(list(`${hub.baseUrl}/${REPO}/tree/main/F32`)).rejects.toMatchObject({ message: `${REPO} has no GGUF file at F32; it has Q4_K_M, Q8_0, BF16` });
  });
});
