// Generation settings: the engine's parameters plus the app's own choices, validated when read
// back from storage (an old or hand-edited value falls back to its default, never breaks the app).

import { defaultGenerationParams } from '../../workers/engine/chat/types.ts';
import type { GenerationParams } from '../engine/client.ts';

export interface Settings {
  readonly temperature: number;
  /** Whether the person chose the temperature; until then a model's own default applies (modelTemperature). */
  readonly temperatureChosen: boolean;
  readonly topK: number;
  readonly topP: number;
  readonly minP: number;
  readonly repetitionPenalty: number;
  readonly maxTokens: number;
  readonly seed: number;
  /** Speculative decoding: drafts verified per step when on (same answers, or same distribution when sampling). */
  readonly speculative: boolean;
  /** Whether the person chose `speculative`; until then it is on for a model with its own MTP head (effectiveSpeculative). */
  readonly speculativeChosen: boolean;
  /** Who drafts: prompt lookup, the model itself with one expert per token, a draft model, or the engine's pick. */
  readonly drafter: Drafter;
  readonly draftMax: number;
  /** The stored model that drafts for the loaded one (same tokenizer); '' for none. */
  readonly draftModelId: string;
  /** Record expert routing even while the Insights panel is closed. */
  readonly alwaysRecordRouting: boolean;
  /** Time every kernel class of each answer (Insights); slows generation while on. */
  readonly profileKernels: boolean;
  /** The system prompt a new conversation starts with. */
  readonly defaultSystemPrompt: string;
  /** GPU memory for the routed experts, MiB, from the next load; 0: automatic (all resident when they fit). */
  readonly expertCacheMiB: number;
}

export const drafters = ['auto', 'ngram', 'mtp', 'self', 'draft'] as const;
export type Drafter = (typeof drafters)[number];

export const drafterLabels: Record<Drafter, string> = {
  auto: 'Automatic (the fastest measured, or none)',
  ngram: 'Look-up in the conversation (free)',
  mtp: "The model's own multi-token-prediction head",
  self: 'The model with one expert per token',
  draft: 'A smaller model with the same tokenizer',
};

type NumberKey = { [K in keyof Settings]: Settings[K] extends number ? K : never }[keyof Settings];
type BooleanKey = { [K in keyof Settings]: Settings[K] extends boolean ? K : never }[keyof Settings];

export const defaultSettings: Settings = {
  temperature: defaultGenerationParams.temperature,
  temperatureChosen: false,
  topK: defaultGenerationParams.topK,
  topP: defaultGenerationParams.topP,
  minP: defaultGenerationParams.minP,
  repetitionPenalty: defaultGenerationParams.repetitionPenalty,
  maxTokens: defaultGenerationParams.maxTokens,
  seed: defaultGenerationParams.seed,
  speculative: false,
  speculativeChosen: false,
  drafter: 'auto',
  draftMax: 4,
  draftModelId: '',
  alwaysRecordRouting: false,
  profileKernels: false,
  defaultSystemPrompt: '',
  expertCacheMiB: 0,
};

export interface NumberField {
  readonly key: NumberKey;
  readonly label: string;
  readonly min: number;
  readonly max: number;
  readonly step: number;
  readonly integer: boolean;
  readonly help: string;
}

/** The numeric sampling settings, in the order the panel shows them. */
export const numberFields: readonly NumberField[] = [
  { key: 'temperature', label: 'Temperature', min: 0, max: 2, step: 0.05, integer: false, help: '0 always picks the most likely token (greedy).' },
  { key: 'topK', label: 'Top-k', min: 0, max: 40, step: 1, integer: true, help: 'Sample among the k most likely tokens (the engine reads back at most 40).' },
  { key: 'topP', label: 'Top-p', min: 0, max: 1, step: 0.01, integer: false, help: 'Keep the most likely tokens that cover this probability; 1 turns it off.' },
  { key: 'minP', label: 'Min-p', min: 0, max: 1, step: 0.01, integer: false, help: 'Drop tokens less likely than this share of the best one; 0 turns it off.' },
  { key: 'repetitionPenalty', label: 'Repetition penalty', min: 1, max: 2, step: 0.01, integer: false, help: 'Makes tokens already in the conversation less likely; 1 turns it off.' },
  { key: 'maxTokens', label: 'Max tokens', min: 1, max: 32768, step: 1, integer: true, help: 'The longest answer, in tokens.' },
  { key: 'seed', label: 'Seed', min: 0, max: 2 ** 32 - 1, step: 1, integer: true, help: 'The same seed and settings give the same answer.' },
];

export const draftField: NumberField = {
  key: 'draftMax',
  label: 'Draft length',
  min: 1,
  max: 16,
  step: 1,
  integer: true,
  help: 'Most tokens guessed ahead and checked in one pass (Automatic picks fewer when that is faster). The answer is identical; only the speed changes.',
};

export const expertCacheField: NumberField = {
  key: 'expertCacheMiB',
  label: 'GPU memory for experts (MiB)',
  min: 0,
  max: 262144,
  step: 0.125,
  integer: false,
  help: '0 is automatic: every expert on the GPU when they fit. Less keeps only the experts in use there and loads the others when an answer needs them: the same answers, slower. Applies when a model loads.',
};

/** The load options the settings ask for (undefined: the engine's automatic choice). */
export function expertCacheMiB(s: Settings): number | undefined {
  return s.expertCacheMiB > 0 ? s.expertCacheMiB : undefined;
}

const booleanKeys: readonly BooleanKey[] = ['temperatureChosen', 'speculative', 'speculativeChosen', 'alwaysRecordRouting', 'profileKernels'];

/** A value clamped into its field's range; NaN falls back to the default. */
export function clampField(field: NumberField, value: number): number {
  if (!Number.isFinite(value)) return defaultSettings[field.key];
  const v = Math.min(field.max, Math.max(field.min, value));
  return field.integer ? Math.round(v) : v;
}

/** Settings from stored JSON; anything missing or invalid takes its default. */
export function parseSettings(json: string | null): Settings {
  if (!json) return defaultSettings;
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return defaultSettings;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return defaultSettings;
  const o = raw as Record<string, unknown>;
  const out: Record<string, unknown> = { ...defaultSettings };
  for (const f of [...numberFields, draftField, expertCacheField]) {
    const v = o[f.key];
    if (typeof v === 'number') out[f.key] = clampField(f, v);
  }
  for (const k of booleanKeys) if (typeof o[k] === 'boolean') out[k] = o[k];
  if (typeof o.defaultSystemPrompt === 'string') out.defaultSystemPrompt = o.defaultSystemPrompt;
  if (typeof o.draftModelId === 'string') out.draftModelId = o.draftModelId;
  if (typeof o.drafter === 'string' && (drafters as readonly string[]).includes(o.drafter)) out.drafter = o.drafter;
  return out as unknown as Settings;
}

/**
 * The temperature an answer uses: the person's choice, else the model's own default (a narrow
 * model such as the demo answers right only when greedy), else the app's default.
 */
export function effectiveTemperature(s: Settings, modelTemperature: number | undefined): number {
  return s.temperatureChosen || modelTemperature === undefined ? s.temperature : modelTemperature;
}

/**
 * Whether answers speculate: the person's choice, else on for a model that drafts for itself
 * (its own multi-token-prediction head was trained for exactly that, and answers are the same).
 */
export function effectiveSpeculative(s: Settings, modelHasMtp: boolean): boolean {
  return s.speculativeChosen ? s.speculative : s.speculative || modelHasMtp;
}

/** What the engine gets for one answer; `model` says what the loaded model brings: its default temperature, its MTP head. */
export function toGenerationParams(s: Settings, routing: boolean, model: { temperature?: number; mtp?: boolean } = {}): GenerationParams {
  const speculative = effectiveSpeculative(s, model.mtp === true);
  const modelTemperature = model.temperature;
  return {
    temperature: effectiveTemperature(s, modelTemperature),
    topK: s.topK,
    topP: s.topP,
    minP: s.minP,
    repetitionPenalty: s.repetitionPenalty,
    maxTokens: s.maxTokens,
    seed: s.seed,
    speculative: speculative ? s.drafter : 'off',
    draftMax: speculative ? s.draftMax : 0,
    routing,
    profile: s.profileKernels,
  };
}
