// The curated catalog: valid data, the entries the issue names, support derived from the
// engine's architectures (unsupported ones listed, not hidden), and a validator that says
// exactly what is wrong.

import { describe, expect, it } from 'vitest';
import catalogText from '../../src/models/catalog.json?raw';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { bundledUrl, loadCatalog, parseCatalog, supportedArchitectures } from '../../src/models/catalog.ts';
import { parseGguf } from '../../workers/engine/gguf/reader.ts';
import { archOf } from '../../workers/engine/model/archs/index.ts';
import { checkModelId } from '../../workers/engine/store/keys.ts';
import { hubResolveUrl } from '../../workers/engine/store/hub.ts';

describe('catalog', () => {
  const entries = loadCatalog();

  it('has the curated entries with their quant types', () => {
    expect(entries.map((e) => `${e.name} ${e.quant}`)).toEqual([
      'Pakar Demo (tiny, offline) Q8_0',
      'Granite 3.1 1B-A400M Instruct Q4_K_M',
      'Granite 3.1 1B-A400M Instruct Q8_0',
      'Granite 3.1 3B-A800M Instruct Q4_K_M',
      'OLMoE 1B-7B 0125 Instruct Q4_K_M',
      'Qwen1.5-MoE-A2.7B Chat Q4_K_M',
      'Qwen3 30B-A3B Q4_K_M',
      'DeepSeek-V2-Lite Chat Q4_K_M',
      'gpt-oss 20B MXFP4',
    ]);
  });

  it('marks support from the engine and keeps unsupported architectures in the list', () => {
    expect(supportedArchitectures).toEqual(expect.arrayContaining(['qwen3moe', 'qwen2moe', 'olmoe', 'granitemoe']));
    const unsupported = entries.filter((e) => !e.supported).map((e) => e.architecture);
    expect(unsupported).toEqual(['deepseek2', 'gpt-oss']);
    expect(parseCatalog(JSON.parse(catalogText), ['deepseek2']).filter((e) => e.supported).map((e) => e.id)).toEqual(['deepseek-v2-lite-chat-q4_k_m']);
  });

  it('gives store ids and Hub sources the store accepts', () => {
    for (const e of entries) {
      expect(() => checkModelId(e.id)).not.toThrow();
      expect(e.memoryEstimateBytes).toBeGreaterThan(e.sizeBytes);
      if (e.source.kind !== 'hub') continue;
      expect(hubResolveUrl('https://huggingface.co', e.source.repo, e.source.revision, e.source.file)).toMatch(/^https:\/\/huggingface\.co\/[^/]+\/[^/]+\/resolve\/main\/[^/]+\.gguf$/);
    }
  });

  it('has one default: the bundled demo model, served by the app and described by its real file', () => {
    const defaults = entries.filter((e) => e.isDefault);
    expect(defaults.map((e) => e.id)).toEqual(['pakar-demo-q8_0']);
    const demo = defaults[0];
    expect(demo.bundled).toBe(true);
    expect(demo.source).toEqual({ kind: 'url', url: bundledUrl('models/pakar-demo-q8_0.gguf') });
    const bytes = new Uint8Array(readFileSync(resolve(import.meta.dirname, '../../public/models', demo.file)));
    expect(bytes.length).toBe(demo.sizeBytes);
    const cfg = archOf(parseGguf(bytes)).config(parseGguf(bytes));
    expect([cfg.arch, cfg.nExpert, cfg.nExpertUsed, cfg.nCtxTrain]).toEqual([demo.architecture, demo.experts.total, demo.experts.used, demo.contextLength]);
  });

  it('rejects a bundled path outside the app and a second default', () => {
    const data = JSON.parse(catalogText) as { models: Record<string, unknown>[] };
    data.models[0].bundled = '../secret.gguf';
    data.models[1].default = true;
    expect(() => parseCatalog(data)).toThrow(/models\[0\]\.bundled must be a string matching[\s\S]*at most one model may be the default/);
  });

  it('rejects invalid data with every problem and its path', () => {
    const data = JSON.parse(catalogText) as { models: Record<string, unknown>[] };
    data.models[1].sizeBytes = -3;
    data.models[2].repo = 'not a repo';
    delete data.models[3].licence;
    data.models[4].id = data.models[0].id;
    expect(() => parseCatalog(data)).toThrow(/models\[1\]\.sizeBytes must be an integer ≥ 1[\s\S]*models\[2\]\.repo must be a string matching[\s\S]*models\[3\]\.licence must be a non-empty string[\s\S]*appears twice/);
    expect(() => parseCatalog({ version: 2, models: [] })).toThrow(/version must be 1[\s\S]*non-empty array/);
  });
});
