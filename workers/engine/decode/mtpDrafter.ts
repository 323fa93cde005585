// Drafting with the model's own multi-token-prediction block (DeepSeek-V3's MTP module, the
// NextN layers of GLM-4.5 and others): from the trunk's state at the last cached position and
// the token after it, the block predicts the token after that; each further draft feeds the
// block its own state and the previous draft. One layer and the output head per draft token,
// and the block was trained for exactly this, so it drafts free text where n-gram lookup has
// nothing. Greedy drafts are the block's argmax; sampling drafts are drawn from the target's
// sampler chain applied to the block's logits, read as the target's are (its top candidates, or
// every logit), which verification corrects to the model's own distribution.

import type { GpuModel } from '../gpu/model.ts';
import { runningCost } from './drafter.ts';
import type { Draft, Drafter, DraftRequest } from './drafter.ts';
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
    const tokens: number[] = [];
    const q: TokenDist[] = [];
    const hist = [...history];
    let next = history[history.length - 1];
    for (let i = 0; i < k; i++) {
      let guess: number | undefined;
      if (sampling) {
        const row = sampling.candidates === 'all' ? await m.mtpLogits(next) : undefined;
        const c = sampling.candidates === 'all' ? row && everyLogit(row) : await m.mtpTop(next, sampling.candidates);
        if (!c) break;
        const dist = sampling.distribution(c, hist);
        guess = drawFrom(dist, sampling.random());
        q.push(dist);
      } else {
        guess = await m.mtpGreedy(next);
      }
      if (guess === undefined) break;
      tokens.push(guess);
      hist.push(guess);
      next = guess;
    }
    if (steady && tokens.length > 0) this.msPerToken = runningCost(this.msPerToken, (performance.now() - started) / tokens.length);
    return sampling ? { tokens, q } : { tokens };
  }
}
