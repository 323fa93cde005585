// Drafting with a model: the target itself routed to fewer experts (self-drafting), or a
// separate small model with the same vocabulary. Each proposes k tokens autoregressively,
// greedily or by sampling from its own distribution q (the target's sampler chain applied to
// the drafter's logits), which verification then corrects to the target's.

import { optStringArray } from '../gguf/metadata.ts';
import type { GgufFile } from '../gguf/types.ts';
import type { ForwardOptions, GpuModel } from '../gpu/model.ts';
import { runningCost } from './drafter.ts';
import type { Draft, Drafter, DraftRequest } from './drafter.ts';
import { DecodeError } from './errors.ts';
import { drawFrom } from './sampler.ts';
import type { Candidates, TokenDist } from './sampler.ts';

/** How a self-drafter cuts the model down. */
export interface SelfDraftOptions {
  /** Experts per token (default 1). */
  readonly expertsUsed?: number;
  /** Layers run before the output head (default all). */
  readonly layers?: number;
}

export class ModelDrafter implements Drafter {
  msPerToken: number | undefined;
  /** Tokens in a separate draft model's KV cache, in order (unused when sharing the target's). */
  private cached: number[] = [];

  private constructor(
    readonly name: string,
    private readonly model: GpuModel,
    private readonly forward: ForwardOptions,
    /** Whether `model` is the target, whose KV cache holds every token of `history` but the last. */
    private readonly sharesCache: boolean,
  ) {}

  /**
   * The target with fewer experts per token (default 1) and optionally only its first layers
   * (early exit). Drafted positions' KV entries are written by the cheap pass and removed again;
   * verification recomputes them exactly, and the accepted prefix's entries are the target's own.
   * Variants side by side (a benchmark) need their own `name`.
   */
  static self(target: GpuModel, { expertsUsed = 1, layers = target.cfg.nLayer }: SelfDraftOptions = {}, name = 'self'): ModelDrafter {
    return new ModelDrafter(name, target, { expertsUsed: Math.min(expertsUsed, target.cfg.nExpertUsed), layers: Math.min(layers, target.cfg.nLayer) }, true);
  }

  /** Whether this self-drafter runs the pass `opts` asks for. */
  drafts(opts: SelfDraftOptions): boolean {
    const cfg = this.model.cfg;
    return this.sharesCache && this.forward.expertsUsed === Math.min(opts.expertsUsed ?? 1, cfg.nExpertUsed) && this.forward.layers === Math.min(opts.layers ?? cfg.nLayer, cfg.nLayer);
  }

  /** A separate model; its vocabulary must equal the target's token for token. */
  static separate(draft: GpuModel, draftFile: GgufFile, target: GpuModel, targetFile: GgufFile): ModelDrafter {
    const why = vocabularyMismatch(draftFile, targetFile);
    if (why) throw new DecodeError('vocab_mismatch', `the draft model cannot draft for this model: ${why}. Pick a draft model from the same family (same tokenizer).`);
    if (draft.nCtx < target.nCtx)
      throw new DecodeError('bad_draft_model', `the draft model's context (${draft.nCtx}) is shorter than the model's (${target.nCtx}); load it with the same context size`);
    return new ModelDrafter('draft', draft, {}, false);
  }

  async draft({ history, k, sampling }: DraftRequest): Promise<Draft> {
    const m = this.model;
    if (k <= 0 || history.length + k > m.nCtx) return { tokens: [] };
    const started = performance.now();
    let base: number;
    if (this.sharesCache) {
      base = m.nPast;
      if (base >= history.length) throw new RangeError(`self-drafting needs the last token uncached (${base} cached of ${history.length})`);
    } else {
      // Keep the longest prefix of our own cache that still matches; always run ≥ 1 token.
      base = 0;
      while (base < this.cached.length && base < history.length - 1 && this.cached[base] === history[base]) base++;
      m.truncate(base);
      this.cached = history.slice(0, base);
    }
    // A hybrid undoes the draft passes from a copy of its DeltaNet state taken here.
    await m.savepoint();
    const tokens: number[] = [];
    const q: TokenDist[] = [];
    const hist = [...history];
    let feed = history.slice(base);
    for (let i = 0; i < k; i++) {
      let next: number;
      if (sampling) {
        const c = sampling.candidates === 'all' ? everyLogit((await m.forwardLogits(feed, this.forward)).at(-1)) : await m.forwardTop(feed, sampling.candidates, this.forward);
        const dist = sampling.distribution(c, hist);
        next = drawFrom(dist, sampling.random());
        q.push(dist);
      } else {
        next = await m.forwardGreedyLast(feed, this.forward);
      }
      if (!this.sharesCache) this.cached.push(...feed);
      tokens.push(next);
      hist.push(next);
      feed = [next];
    }
    // The target's cache must end where it began: verification recomputes these positions.
    if (this.sharesCache) m.truncate(base);
    this.msPerToken = runningCost(this.msPerToken, (performance.now() - started) / k);
    return sampling ? { tokens, q } : { tokens };
  }

  /** Forget a separate model's cache (a new conversation). */
  reset(): void {
    this.cached = [];
    if (!this.sharesCache) this.model.truncate(0);
  }
}

/** A full row of logits as candidates (every id). */
export function everyLogit(row: Float32Array | undefined): Candidates {
  if (!row) throw new RangeError('no logits');
  return { ids: Array.from(row.keys()), logits: Array.from(row) };
}

/** Why two GGUF files do not share a vocabulary, or undefined when they do. */
export function vocabularyMismatch(a: GgufFile, b: GgufFile): string | undefined {
  const ta = optStringArray(a, 'tokenizer.ggml.tokens');
  const tb = optStringArray(b, 'tokenizer.ggml.tokens');
  if (!ta || !tb) return 'one of the files has no tokenizer.ggml.tokens';
  if (ta.length !== tb.length) return `its vocabulary has ${ta.length} tokens, the model's ${tb.length}`;
  for (let i = 0; i < ta.length; i++) if (ta[i] !== tb[i]) return `token ${i} differs (${JSON.stringify(ta[i])} vs ${JSON.stringify(tb[i])})`;
  return undefined;
}
