// Expert routing of one answer, accumulated from the engine's `routing` events: how often each
// layer picked each expert, and each token's picks (for the per-token view).

import { createStore } from '../ui/store.ts';

export interface RoutingStep {
  /** The token fed to the model at this step (the last prompt token, then each generated one). */
  readonly token: number;
  /** experts[layer] = expert ids, best first. */
  readonly experts: readonly (readonly number[])[];
}

export interface RoutingLog {
  readonly messageId: string;
  readonly nLayer: number;
  readonly nExpert: number;
  /** counts[layer * nExpert + expert] = times picked. */
  readonly counts: Uint32Array;
  readonly steps: readonly RoutingStep[];
  /** The text of generated tokens, for labels (prompt tokens have none). */
  readonly texts: ReadonlyMap<number, string>;
}

/** Steps kept for the per-token view (the counts cover every step). */
export const MAX_STEPS = 1024;

export function emptyRouting(messageId: string, nLayer: number, nExpert: number): RoutingLog {
  return { messageId, nLayer, nExpert, counts: new Uint32Array(nLayer * nExpert), steps: [], texts: new Map() };
}

/** The log with one more step; layers or expert ids beyond the model's sizes are ignored. */
export function addRoutingStep(log: RoutingLog, step: RoutingStep): RoutingLog {
  const counts = log.counts.slice();
  step.experts.forEach((ids, layer) => {
    if (layer >= log.nLayer) return;
    for (const e of ids) if (e >= 0 && e < log.nExpert) counts[layer * log.nExpert + e]++;
  });
  const steps = log.steps.length >= MAX_STEPS ? [...log.steps.slice(1), step] : [...log.steps, step];
  return { ...log, counts, steps };
}

/** Remembers how a generated token reads. */
export function addTokenText(log: RoutingLog, token: number, text: string): RoutingLog {
  if (text === '' || log.texts.get(token) === text) return log;
  return { ...log, texts: new Map(log.texts).set(token, text) };
}

/** Share of a layer's picks that went to each expert, 0–1, per layer. */
export function usageShares(log: RoutingLog): Float32Array {
  const shares = new Float32Array(log.nLayer * log.nExpert);
  for (let l = 0; l < log.nLayer; l++) {
    let total = 0;
    for (let e = 0; e < log.nExpert; e++) total += log.counts[l * log.nExpert + e];
    for (let e = 0; e < log.nExpert; e++) shares[l * log.nExpert + e] = total > 0 ? log.counts[l * log.nExpert + e] / total : 0;
  }
  return shares;
}

/** Each layer's shares divided by its largest, so every layer's favourite shows at full strength. */
export function relativeToLayerMax(shares: Float32Array, nLayer: number, nExpert: number): Float32Array {
  const out = new Float32Array(shares.length);
  for (let l = 0; l < nLayer; l++) {
    let max = 0;
    for (let e = 0; e < nExpert; e++) max = Math.max(max, shares[l * nExpert + e]);
    for (let e = 0; e < nExpert; e++) out[l * nExpert + e] = max > 0 ? shares[l * nExpert + e] / max : 0;
  }
  return out;
}

/** For one layer: a row per step (the last `rows`), 1 where the expert was picked, weighted by rank. */
export function tokenMatrix(log: RoutingLog, layer: number, rows: number): { values: Float32Array; steps: readonly RoutingStep[] } {
  const steps = log.steps.slice(-rows);
  const values = new Float32Array(steps.length * log.nExpert);
  steps.forEach((s, r) => {
    const ids = s.experts[layer] ?? [];
    ids.forEach((e, rank) => {
      if (e >= 0 && e < log.nExpert) values[r * log.nExpert + e] = 1 - rank / (ids.length + 1);
    });
  });
  return { values, steps };
}

/** The most used expert of each layer and its share of the layer's picks. */
export function topExperts(log: RoutingLog): { expert: number; share: number }[] {
  const shares = usageShares(log);
  return Array.from({ length: log.nLayer }, (_, l) => {
    let best = 0;
    for (let e = 1; e < log.nExpert; e++) if (shares[l * log.nExpert + e] > shares[l * log.nExpert + best]) best = e;
    return { expert: best, share: shares[l * log.nExpert + best] };
  });
}

/** The routing of the answer being written, or of the last one. */
export const routingLog = createStore<RoutingLog | undefined>(undefined);

/** How many Insights panels are open: routing is recorded while someone looks. */
let viewers = 0;
export function addRoutingViewer(): () => void {
  viewers++;
  return () => {
    viewers--;
  };
}
export function routingWanted(always: boolean): boolean {
  return always || viewers > 0;
}
