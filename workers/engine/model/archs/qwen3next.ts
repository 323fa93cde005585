// Qwen3-Next (llama.cpp models/qwen3next.cpp): the Qwen hybrid decoder (model/qwenHybrid.ts) with
// value heads grouped under their key head; its DeltaNet input may be the legacy ssm_in / ssm_ba.

import { qwenHybridConfig, qwenHybridForward, qwenHybridMtp } from '../qwenHybrid.ts';
import type { ArchDef } from './arch.ts';

export const qwen3next: ArchDef = {
  name: 'qwen3next',
  config: (file) => qwenHybridConfig(file, 'qwen3next', 'grouped'),
  forward: qwenHybridForward,
  mtp: qwenHybridMtp,
};
