// Drafting with the model's own multi-token-prediction block (DeepSeek-V3's MTP module, the
// NextN layers of GLM-4.5 and others): from the trunk's state at the last cached position and
// the token after it, the block predicts the token after that; each further draft feeds the
// block its own state and the previous draft (greedy: all k in one submit, on the GPU). One
// layer and the output head per draft token,
// and the block was trained for exactly this, so it drafts free text where n-gram lookup has
// nothing. Greedy drafts are the block's argmax; sampling drafts are drawn from the target's
// sampler chain applied to the block's logits, read as the target's are (its top candidates, or
// every logit), which verification corrects to the model's own distribution.

import type { GpuModel } from '../gpu/model.ts';
import { runningCost } from './drafter.ts';
import type { Draft, Drafter, DraftRequest, DraftSampling } from './drafter.ts';
import { everyLogit } from './modelDrafter.ts';
import { drawFrom } from './sampler.ts';
import type { TokenDist } from './sampler.ts';

export class MtpDrafter implements Drafter {
  readonly name = 'mtp';
  msPerToken: number | undefined;
  // DeepSeek-V3 reports 85–90% acceptance for its MTP module's second token; assume a little less.
  readonly priorAcceptance = 0.8;

  private constructor(private readonly model: GpuModel) {}

  /** The model's MTP drafter, or why there is none. */
  static of(model: GpuModel): MtpDrafter | { unavailable: string } {
    return model.mtpUnavailable === undefined ? new MtpDrafter(model) : { unavailable: model.mtpUnavailable };
  }

  async draft({ history, k, sampling }: DraftRequest): Promise<Draft> {
    const m = this.model;
    if (k <= 0 || history.length + k > m.nCtx) return { tokens: [] };
    if (m.nPast !== history.length - 1) throw new RangeError(`MTP drafting needs every token but the last cached (${m.nPast} cached of ${history.length})`);
    // Catching the block up on a prompt just prefilled is no draft's cost: such a draft is not timed.
    const steady = m.mtpBacklog <= m.maxBatch / 2;
    const started = performance.now();
    const last = history[history.length - 1];
    const { tokens, q } = sampling ? await this.sampled(last, k, history, sampling) : { tokens: (await m.mtpGreedyDraft(last, k)) ?? [], q: undefined };
    if (steady && tokens.length > 0) this.msPerToken = runningCost(this.msPerToken, (performance.now() - started) / tokens.length);
    return q ? { tokens, q } : { tokens };
  }

  /** k drafts drawn one by one, each from the target's sampler chain over the block's logits. */
  private async sampled(next: number, k: number, history: readonly number[], sampling: DraftSampling): Promise<{ tokens: number[]; q: TokenDist[] }> {
    const m = this.model;
    const tokens: number[] = [];
    const q: TokenDist[] = [];
    const hist = [...history];
    for (let i = 0; i < k; i++) {
      const row = sampling.candidates === 'all' ? await m.mtpLogits(next) : undefined;
      const c = row ? everyLogit(row) : sampling.candidates === 'all' ? undefined : await m.mtpTop(next, sampling.candidates);
      if (!c) break;
      const dist = sampling.distribution(c, hist);
      next = drawFrom(dist, sampling.random());
      q.push(dist);
      tokens.push(next);
      hist.push(next);
    }
    return { tokens, q };
  }
}
