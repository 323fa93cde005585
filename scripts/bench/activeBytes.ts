// The weight bytes one decoded token must read (PERFORMANCE.md, "the two numbers first"), from
// the GGUF tensor table at the file's quantization: attention, norms, router, the k routed
// experts (k/n_expert of each merged expert tensor), the shared expert, the whole output
// projection (token_embd when tied) and one embedding row; not the MTP block, which plain
// decoding never runs.

import { tensorRowBytes } from '../../workers/engine/gguf/slices.ts';
import type { GgufFile } from '../../workers/engine/gguf/types.ts';
import type { ModelConfig } from '../../workers/engine/model/config.ts';
import { globalTensors } from '../../workers/engine/model/tensorNames.ts';

export interface ActiveBytes {
  readonly total: number;
  readonly attention: number;
  readonly norms: number;
  readonly router: number;
  readonly experts: number;
  readonly sharedExpert: number;
  readonly output: number;
  readonly embeddingRow: number;
}

type Part = Exclude<keyof ActiveBytes, 'total'>;

/** Which part of the per-token traffic a layer tensor belongs to, by its GGUF name. */
function partOf(name: string): Part | undefined {
  // gpt-oss adds biases to the routed experts ([n, n_expert]) and to the router.
  if (/\.ffn_(gate|up|down)_exps\.(weight|bias)$/.test(name)) return 'experts';
  if (/\.ffn_(gate|up|down)_shexp\.weight$|\.ffn_gate_inp_shexp\.weight$/.test(name)) return 'sharedExpert';
  if (/\.ffn_gate_inp\.(weight|bias)$|\.exp_probs_b\.bias$/.test(name)) return 'router';
  if (/norm\.weight$/.test(name)) return 'norms';
  // The token mixers: attention, or a hybrid's Gated DeltaNet (its projections, conv and decay).
  if (/\.attn_|\.ssm_/.test(name)) return 'attention';
  return undefined;
}

export function activeBytesPerToken(file: GgufFile, cfg: ModelConfig): ActiveBytes {
  const parts: Record<Part, number> = { attention: 0, norms: 0, router: 0, experts: 0, sharedExpert: 0, output: 0, embeddingRow: 0 };
  const embd = file.tensorByName.get(globalTensors.tokenEmbd);
  const output = file.tensorByName.get(globalTensors.output) ?? embd;
  for (const t of file.tensors) {
    // The MTP (NextN) block after the trunk runs only when it drafts.
    if (t === embd || t === output || Number(/^blk\.(\d+)\./.exec(t.name)?.[1] ?? -1) >= cfg.nLayer) continue;
    const part = t.name === globalTensors.outputNorm ? 'norms' : partOf(t.name);
    if (!part) throw new Error(`activeBytesPerToken: no rule for tensor ${t.name}`);
    parts[part] += part === 'experts' ? (t.byteLength * cfg.nExpertUsed) / cfg.nExpert : t.byteLength;
  }
  if (output) parts.output = output.byteLength;
  if (embd) parts.embeddingRow = tensorRowBytes(embd);
  const total = Object.values(parts).reduce((a, b) => a + b, 0);
  return { total, ...parts };
}
