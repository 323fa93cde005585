// The bundled demo model and its held-out prompts (scripts/train-demo/heldout.json, written by
// `python3 scripts/train-demo/data.py`; none of them occurs in training).

import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const DEMO_MODEL_PATH = resolve(import.meta.dirname, '../../public/models/pakar-demo-q8_0.gguf');

/** The model is committed once training reaches the accuracy its tests ask (scripts/train-demo/README.md). */
export const demoModelShipped = existsSync(DEMO_MODEL_PATH);

export interface HeldoutPrompt {
  readonly prompt: string;
  readonly answer: string;
  readonly category: 'arithmetic' | 'repeat' | 'replace';
}

export function heldoutPrompts(): HeldoutPrompt[] {
  return JSON.parse(readFileSync(resolve(import.meta.dirname, '../../scripts/train-demo/heldout.json'), 'utf8')) as HeldoutPrompt[];
}
