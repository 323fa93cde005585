import type { GgufFile } from '../../gguf/types.ts';
import type { ModelConfig } from '../config.ts';
import type { Blocks } from '../graph.ts';

/** One architecture: how its hyper-parameters are read and how its layers are composed. */
export interface ArchDef {
  readonly name: string;
  config(file: GgufFile): ModelConfig;
  /** Builds the forward pass of the current batch; returns the logits. */
  forward<A>(b: Blocks<A>, cfg: ModelConfig): A;
}
