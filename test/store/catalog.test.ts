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

  it('has the curated entries with their quant types, the bundled demo first and default', () => {
    expect(entries.filter((e) => e.isDefault).map((e) => [e.id, e.bundled])).toEqual([['pakar-demo-q8_0', true]]);
    expect(entries.map((e) => `${e.name} ${e.quant}`)).toEqual([
      'Pakar Demo (tiny, offline) Q8_0',
      'Granite 3.1 1B-A400M Instruct Q4_K_M',
      'Granite 3.1 1B-A400M Instruct Q8_0',
      'Granite 3.1 3B-A800M Instruct Q4_K_M',
      'OLMoE 1B-7B 0125 Instruct Q4_K_M',
      'Qwen1.5-MoE-A2.7B Chat Q4_K_M',
      'Qwen3 30B-A3B Q4_K_M',
      'Qwen3.5 35B-A3B Q4_K_M',
      'Qwen3-Next 80B-A3B Thinking Q4_K_M',
      'DeepSeek-V2-Lite Chat Q4_K_M',
      'gpt-oss 20B MXFP4',
    ]);
  });

  it('marks support from the engine and keeps unsupported architectures in the list', () => {
    expect(supportedArchitectures).toEqual(expect.arrayContaining(['qwen3moe', 'qwen2moe', 'olmoe', 'granitemoe', 'deepseek2', 'qwen3next', 'qwen35moe']));
    const unsupported = entries.filter((e) => !e.supported).map((e) => e.architecture);
    expect(unsupported).toEqual([]);
    expect(
      parseCatalog(JSON.parse(catalogText), ['deepseek2'])
        .filter((e) => e.supported)
        .map((e) => e.id),
    ).toEqual(['deepseek-v2-lite-chat-q4_k_m']);
  });

  it('gives store ids and Hub sources the store accepts', () => {
    for (const e of entries) {
      expect(() => checkModelId(e.id)).not.toThrow();
      expect(e.memoryEstimateBytes).toBeGreaterThan(e.sizeBytes);
      if (e.source.kind !== 'hub') continue;
      expect(hubResolveUrl('https://huggingface.co', e.source.repo, e.source.revision, e.source.file)).toMatch(/^https:\/\/huggingface\.co\/[^/]+\/[^/]+\/resolve\/main\/[^/]+\.gguf$/);
    }
  });

  it('describes each bundled model by its real file in public/', () => {
    for (const e of entries.filter((x) => x.bundled)) {
      expect(e.source).toEqual({ kind: 'url', url: bundledUrl(`models/${e.file}`) });
      const bytes = new Uint8Array(readFileSync(resolve(import.meta.dirname, '../../public/models', e.file)));
      expect(bytes.length).toBe(e.sizeBytes);
      const file = parseGguf(bytes);
      const cfg = archOf(file).config(file);
      expect([cfg.arch, cfg.nExpert, cfg.nExpertUsed, cfg.nCtxTrain]).toEqual([e.architecture, e.experts.total, e.experts.used, e.contextLength]);
    }
    expect(entries.filter((e) => e.isDefault).every((e) => e.bundled)).toBe(true);
  });

  it('reads a bundled default: no Hub repository, served from the app under its base path', () => {
    const data = JSON.parse(catalogText) as { models: Record<string, unknown>[] };
    const hub = data.models.find((m) => m.repo !== undefined) ?? {};
    const { repo: _repo, revision: _revision, ...hubless } = hub;
    for (const m of data.models) delete m.default;
    data.models.unshift({ ...hubless, id: 'bundled-test', file: 'tiny.gguf', bundled: 'models/tiny.gguf', default: true });
    const e = parseCatalog(data)[0];
    expect([e.bundled, e.isDefault, e.repo, e.revision]).toEqual([true, true, undefined, undefined]);
    expect(e.source).toEqual({ kind: 'url', url: 'http://127.0.0.1/models/tiny.gguf' });
  });

  it('rejects a bundled path outside the app and a second default', () => {
    const data = JSON.parse(catalogText) as { models: Record<string, unknown>[] };
    data.models[0].bundled = '../secret.gguf';
    data.models[1].default = true;
    data.models[2].default = true;
    expect(() => parseCatalog(data)).toThrow(/models\[0\]\.bundled must be a string matching[\s\S]*at most one model may be the default/);
  });

  it('rejects invalid data with every problem and its path', () => {
    const data = JSON.parse(catalogText) as { models: Record<string, unknown>[] };
    data.models[1].sizeBytes = -3;
    data.models[2].repo = 'not a repo';
    delete data.models[3].licence;
    data.models[4].id = data.models[0].id;
    expect(() => parseCatalog(data)).toThrow(
      /models\[1\]\.sizeBytes must be an integer ≥ 1[\s\S]*models\[2\]\.repo must be a string matching[\s\S]*models\[3\]\.licence must be a non-empty string[\s\S]*appears twice/,
    );
    expect(() => parseCatalog({ version: 2, models: [] })).toThrow(/version must be 1[\s\S]*non-empty array/);
  });
});
