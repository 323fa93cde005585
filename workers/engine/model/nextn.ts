// The NextN (multi-token-prediction) block, as llama.cpp's graph_mtp builds it for each family
// that ships one (DeepSeek-V3, GLM-4.5): trailing blocks blk.<n_layer>… that the trunk never
// runs. At a position, the first one joins the trunk's normalised final state h with the
// embedding of the token after it — eh_proj of [enorm(embedding); hnorm(h)] — runs one decoder
// block of the family, normalises with shared_head_norm (else output_norm) and predicts the
// token after that with its own head (shared_head_head) or the trunk's.

import { optNumber } from '../gguf/metadata.ts';
import type { GgufFile } from '../gguf/types.ts';
import { ModelError } from './errors.ts';
import type { Blocks } from './graph.ts';
import { globalTensors, layerTensorName as w } from './tensorNames.ts';

/** The trunk's layers and the NextN blocks after them, of `blockCount` blocks in the file. */
export function nextnLayers(file: GgufFile, arch: string, blockCount: number): { nLayer: number; nNextn: number } {
  const nNextn = optNumber(file, `${arch}.nextn_predict_layers`) ?? 0;
  if (nNextn < 0 || nNextn >= blockCount) throw new ModelError('bad_hparams', `${arch}: ${nNextn} NextN layers of ${blockCount} blocks`);
  return { nLayer: blockCount - nNextn, nNextn };
}

/** The first NextN block (layer il) on the batch's tokens and the states h before them; `layer` is the family's decoder block. */
export function nextnBlock<A>(b: Blocks<A>, il: number, h: A, layer: (x: A, il: number) => A): A {
  const own = (t: Parameters<typeof w>[1]): string | undefined => (b.has(w(il, t)) ? w(il, t) : undefined);
  const e = b.embed(own('nextnEmbedTokens'));
  const x = b.join(b.rmsNorm(e, w(il, 'nextnEnorm')), b.rmsNorm(h, w(il, 'nextnHnorm')), w(il, 'nextnEhProj'));
  return b.output(b.rmsNorm(layer(x, il), own('nextnSharedHeadNorm') ?? globalTensors.outputNorm), own('nextnSharedHeadHead'));
}
