import type { GgufFile } from '../../gguf/types.ts';
import type { ModelConfig } from '../config.ts';
import type { Blocks } from '../graph.ts';

/** One architecture: how its hyper-parameters are read and how its layers are composed. */
export interface ArchDef {
  readonly name: string;
  config(file: GgufFile): ModelConfig;
  /** Builds the forward pass of the current batch; returns the logits. */
  forward<A>(b: Blocks<A>, cfg: ModelConfig): A;
  /**
   * The multi-token-prediction block (cfg.nNextn > 0), on a batch whose tokens are those after
   * the positions of `h`, the trunk's normalised final states there: the logits for the token
   * after each batch token. Backends keep the normalised state before its head (the `h` of a
   * further, chained prediction).
   */
  mtp?<A>(b: Blocks<A>, cfg: ModelConfig, h: A): A;
}
