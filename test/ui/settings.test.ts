import { describe, expect, it } from 'vitest';
import { defaultSettings, draftField, numberFields, parseSettings, toGenerationParams } from '../../src/settings/settings.ts';
import { defaultGenerationParams } from '../../workers/engine/chat/types.ts';

describe('settings', () => {
  it('default to the engine defaults', () => {
    const params = toGenerationParams(defaultSettings, false);
    for (const key of ['temperature', 'topK', 'topP', 'minP', 'repetitionPenalty', 'seed', 'maxTokens'] as const) expect(params[key]).toBe(defaultGenerationParams[key]);
    expect(params).toMatchObject({ draftMax: 0, routing: false });
  });

  it.each([null, '', 'not json', '[1,2]', '42', 'null'])('fall back to defaults for %j', (stored) => {
    expect(parseSettings(stored)).toEqual(defaultSettings);
  });

  it('keep valid values, clamp out-of-range ones, ignore wrong types', () => {
    const s = parseSettings(
      JSON.stringify({ temperature: 0, topK: 500, topP: -1, maxTokens: 12.6, seed: 'x', speculative: true, draftMax: 99, alwaysRecordRouting: 'yes', defaultSystemPrompt: 'Be kind.', extra: 1 }),
    );
    expect(s).toEqual({ ...defaultSettings, temperature: 0, topK: 40, topP: 0, maxTokens: 13, speculative: true, draftMax: 16, defaultSystemPrompt: 'Be kind.' });
    expect('extra' in s).toBe(false);
  });

  it('send drafts only when speculative decoding is on', () => {
    expect(toGenerationParams({ ...defaultSettings, speculative: true, draftMax: 6 }, true)).toMatchObject({ draftMax: 6, routing: true });
    expect(toGenerationParams({ ...defaultSettings, speculative: false, draftMax: 6 }, false).draftMax).toBe(0);
  });

  it('send the chosen drafter; an unknown stored drafter falls back to auto', () => {
    expect(toGenerationParams({ ...defaultSettings, speculative: true, drafter: 'self' }, false)).toMatchObject({ speculative: 'self', draftMax: 4 });
    expect(toGenerationParams({ ...defaultSettings, speculative: false, drafter: 'self' }, false)).toMatchObject({ speculative: 'off', draftMax: 0 });
    expect(parseSettings(JSON.stringify({ speculative: true, drafter: 'ngram' })).drafter).toBe('ngram');
    expect(parseSettings(JSON.stringify({ speculative: true, drafter: 'oracle' })).drafter).toBe('auto');
  });

  it('keep the chosen draft model; anything but a string means none', () => {
    const s = parseSettings(JSON.stringify({ speculative: true, drafter: 'draft', draftModelId: 'granite-1b' }));
    expect(s).toMatchObject({ drafter: 'draft', draftModelId: 'granite-1b' });
    expect(toGenerationParams(s, false).speculative).toBe('draft');
    expect(parseSettings(JSON.stringify({ draftModelId: 7 })).draftModelId).toBe('');
  });

  it("use a model's own temperature until the person chooses one", () => {
    expect(toGenerationParams(defaultSettings, false, { temperature: 0 }).temperature).toBe(0);
    expect(toGenerationParams(defaultSettings, false, {}).temperature).toBe(defaultSettings.temperature);
    const chosen = parseSettings(JSON.stringify({ temperature: 1.2, temperatureChosen: true }));
    expect(toGenerationParams(chosen, false, { temperature: 0 }).temperature).toBe(1.2);
    expect(parseSettings(JSON.stringify({ temperature: 1.2 })).temperatureChosen).toBe(false);
  });

  it('speculate with a model that has its own MTP head until the person chooses', () => {
    expect(toGenerationParams(defaultSettings, false, { mtp: true })).toMatchObject({ speculative: 'auto', draftMax: defaultSettings.draftMax });
    expect(toGenerationParams(defaultSettings, false, { mtp: false })).toMatchObject({ speculative: 'off', draftMax: 0 });
    const off = parseSettings(JSON.stringify({ speculative: false, speculativeChosen: true }));
    expect(toGenerationParams(off, false, { mtp: true }).speculative).toBe('off');
  });

  it('every field has a default inside its range', () => {
    for (const f of [...numberFields, draftField]) {
      expect(defaultSettings[f.key]).toBeGreaterThanOrEqual(f.min);
      expect(defaultSettings[f.key]).toBeLessThanOrEqual(f.max);
    }
  });
});
