// The CPU reference implementation of the shared blocks: one Float32Array per token.

import type { ModelConfig } from '../../workers/engine/model/config.ts';
import type { AttentionOpts, Blocks, ExpertActivation, MoeOpts } from '../../workers/engine/model/graph.ts';
import { globalTensors, layerTensorName as w } from '../../workers/engine/model/tensorNames.ts';
import type { CpuKvCache } from './kvCache.ts';
import { matVec, rmsNorm, rope, sigmoid, silu, softmaxInPlace, swigluOai } from './ops.ts';
import type { CpuWeights } from './weights.ts';
import { mlaAttention } from './mla.ts';
import { selectExperts } from './selectExperts.ts';
import { deltaNetToken } from './deltaNet.ts';
import type { CpuRecurrentState } from './recurrentState.ts';

export type Acts = Float32Array[];

/**
 * Routing decisions of one forward pass: per layer, per token, the chosen experts, their
 * weights, and the router-logit gap between the last chosen and the first unchosen expert
 * (how close the choice was to flipping).
 */
export type Routing = { experts: number[]; weights: number[]; margin: number }[][];

interface ExpertBiases {
  readonly gate: Float32Array;
  readonly up: Float32Array;
  readonly down: Float32Array;
}

/** llama.cpp's floor for the renormalisation sum (graph.cpp). */
const MIN_WEIGHT_SUM = 6.103515625e-5;

export class CpuBlocks implements Blocks<Acts> {
  readonly routing: Routing = [];
  /** The normalised final states the output head read (the `h` the MTP block takes). */
  finalHidden: Acts = [];

  constructor(
    private readonly weights: CpuWeights,
    private readonly cfg: ModelConfig,
    private readonly cache: CpuKvCache,
    private readonly tokens: readonly number[],
    /** Position of the batch's first token. */
    private readonly start: number,
    /** The DeltaNet layers' state (hybrid models). */
    private readonly recurrent?: CpuRecurrentState,
  ) {}

  embed(name: string = globalTensors.tokenEmbd): Acts {
    const { nEmbd } = this.cfg;
    const table = this.weights.values(name);
    return this.tokens.map((t) => table.slice(t * nEmbd, (t + 1) * nEmbd));
  }

  has(name: string): boolean {
    return this.weights.has(name);
  }

  join(a: Acts, b: Acts, weight: string): Acts {
    const m = this.weights.matrix(weight);
    return a.map((v, t) => {
      const both = new Float32Array(v.length + b[t].length);
      both.set(v, 0);
      both.set(b[t], v.length);
      return matVec(m, both);
    });
  }

  rmsNorm(x: Acts, weight: string): Acts {
    const wv = this.weights.values(weight);
    return x.map((v) => rmsNorm(v, wv, this.cfg.rmsEps));
  }

  add(a: Acts, b: Acts, bScale: number): Acts {
    return a.map((v, t) => v.map((x, i) => x + b[t][i] * bScale));
  }

  scale(x: Acts, s: number): Acts {
    return x.map((v) => v.map((e) => e * s));
  }

  output(x: Acts, head?: string): Acts {
    const name = head ?? (this.weights.has(globalTensors.output) ? globalTensors.output : globalTensors.tokenEmbd);
    const m = this.weights.matrix(name);
    this.finalHidden = x;
    return x.map((v) => matVec(m, v));
  }

  attention(x: Acts, il: number, opts: AttentionOpts): Acts {
    const { nHead, nHeadKv, headDimK: dk, headDimV: dv, rmsEps, kqScale } = this.cfg;
    const wt = this.weights;
    const bias = (name: string): Float32Array | undefined => (opts.qkvBias ? wt.values(name) : undefined);
    const neox = this.cfg.ropeType === 'neox';
    const queries: Float32Array[] = [];

    const gates: Float32Array[] = [];

    for (let t = 0; t < x.length; t++) {
      const pos = this.start + t;
      let q = matVec(wt.matrix(w(il, 'attnQ')), x[t], bias(w(il, 'attnQBias')));
      if (opts.outputGate) {
        // Each head's query is followed by its gate: [q_0; g_0; q_1; g_1; …].
        const both = q;
        q = new Float32Array(nHead * dk);
        const gate = new Float32Array(nHead * dk);
        for (let h = 0; h < nHead; h++) {
          q.set(both.subarray(2 * h * dk, (2 * h + 1) * dk), h * dk);
          gate.set(both.subarray((2 * h + 1) * dk, (2 * h + 2) * dk), h * dk);
        }
        gates.push(gate);
      }
      let k = matVec(wt.matrix(w(il, 'attnK')), x[t], bias(w(il, 'attnKBias')));
      const v = matVec(wt.matrix(w(il, 'attnV')), x[t], bias(w(il, 'attnVBias')));
      if (opts.qkNorm === 'full_width') {
        q = rmsNorm(q, wt.values(w(il, 'attnQNorm')), rmsEps);
        k = rmsNorm(k, wt.values(w(il, 'attnKNorm')), rmsEps);
      }
      for (const [vec, nh] of [
        [q, nHead],
        [k, nHeadKv],
      ] as const) {
        for (let h = 0; h < nh; h++) {
          const head = vec.subarray(h * dk, (h + 1) * dk);
          if (opts.qkNorm === 'per_head') head.set(rmsNorm(head, wt.values(w(il, vec === q ? 'attnQNorm' : 'attnKNorm')), rmsEps));
          rope(head, pos, this.cfg, neox);
        }
      }
      this.cache.put(il, pos, k, v);
      queries.push(q);
    }

    const group = nHead / nHeadKv;
    const wo = wt.matrix(w(il, 'attnOutput'));
    const bo = opts.outputBias ? wt.values(w(il, 'attnOutputBias')) : undefined;
    return queries.map((q, t) => {
      const pos = this.start + t;
      const out = new Float32Array(nHead * dv);
      const scores = new Float32Array(pos + 1);
      // Sliding window: keys at distance ≥ window are masked (llama-hparams is_masked_swa).
      const first = opts.slidingWindow ? Math.max(0, pos - opts.slidingWindow + 1) : 0;
      const sinks = opts.sinks ? wt.values(w(il, 'attnSinks')) : undefined;
      for (let h = 0; h < nHead; h++) {
        const kvh = Math.floor(h / group);
        let max = sinks ? sinks[h] : -Infinity;
        for (let j = first; j <= pos; j++) {
          const key = this.cache.key(il, j);
          let s = 0;
          for (let i = 0; i < dk; i++) s += q[h * dk + i] * key[kvh * dk + i];
          scores[j] = s * kqScale;
          max = Math.max(max, scores[j]);
        }
        // softmax over the unmasked keys, the sink (unscaled) joining the normaliser only.
        let z = sinks ? Math.exp(sinks[h] - max) : 0;
        for (let j = first; j <= pos; j++) {
          scores[j] = Math.exp(scores[j] - max);
          z += scores[j];
        }
        for (let j = first; j <= pos; j++) {
          const val = this.cache.value(il, j);
          const p = scores[j] / z;
          for (let i = 0; i < dv; i++) out[h * dv + i] += p * val[kvh * dv + i];
        }
      }
      if (opts.outputGate) for (let i = 0; i < out.length; i++) out[i] *= sigmoid(gates[t][i]);
      return matVec(wo, out, bo);
    });
  }

  moe(x: Acts, il: number, opts: MoeOpts): Acts {
    const { nExpertUsed } = this.cfg;
    const wt = this.weights;
    const router = wt.matrix(w(il, 'ffnGateInp'));
    const routerBias = opts.biases ? wt.values(w(il, 'ffnGateInpBias')) : undefined;
    const layerRouting: Routing[number] = [];
    const out = x.map((v) => {
      const logits = matVec(router, v, routerBias);
      const probs = Array.from(logits);
      if (opts.gating === 'softmax') softmaxInPlace(probs);
      else if (opts.gating === 'sigmoid') for (let e = 0; e < probs.length; e++) probs[e] = sigmoid(probs[e]);
      let experts: number[];
      let margin: number;
      if (opts.selectionBias || opts.groups) {
        ({ experts, margin } = selectExperts(probs, nExpertUsed, opts.selectionBias ? wt.values(w(il, 'expProbsB')) : undefined, opts.groups));
      } else {
        const order = probs.map((_, e) => e).sort((a, b) => probs[b] - probs[a] || a - b);
        experts = order.slice(0, nExpertUsed);
        margin = order.length > nExpertUsed ? logits[order[nExpertUsed - 1]] - logits[order[nExpertUsed]] : Infinity;
      }
      let weights = experts.map((e) => probs[e]);
      if (opts.gating === 'softmax_weight') softmaxInPlace(weights);
      if (opts.normWeights) {
        const sum = Math.max(
          weights.reduce((a, b) => a + b, 0),
          MIN_WEIGHT_SUM,
        );
        weights = weights.map((x) => x / sum);
      }
      weights = weights.map((x) => x * opts.weightsScale);
      layerRouting.push({ experts, weights, margin });

      const y = new Float32Array(v.length);
      experts.forEach((e, i) => {
        const biases = opts.biases ? this.expertBiases(il, e) : undefined;
        const f = this.ffn(v, wt.expert(w(il, 'ffnGateExps'), e), wt.expert(w(il, 'ffnUpExps'), e), wt.expert(w(il, 'ffnDownExps'), e), opts.activation, biases);
        for (let j = 0; j < y.length; j++) y[j] += weights[i] * f[j];
      });
      if (opts.sharedExpert !== 'none') {
        const f = this.ffn(v, wt.matrix(w(il, 'ffnGateShexp')), wt.matrix(w(il, 'ffnUpShexp')), wt.matrix(w(il, 'ffnDownShexp')));
        const gate = opts.sharedExpert === 'sigmoid_gated' ? sigmoid(matVec(wt.matrix(w(il, 'ffnGateInpShexp')), v)[0]) : 1;
        for (let j = 0; j < y.length; j++) y[j] += gate * f[j];
      }
      return y;
    });
    this.routing[il] = layerRouting;
    return out;
  }

  mla(x: Acts, il: number): Acts {
    return mlaAttention(this.weights, this.cfg, this.cache, this.start, x, il);
  }

  deltaNet(x: Acts, il: number): Acts {
    const d = this.cfg.deltaNet;
    if (!d || !this.recurrent) throw new RangeError(`layer ${il}: DeltaNet on a model without DeltaNet state`);
    const state = this.recurrent.layer(il);
    return x.map((v, t) => {
      const y = deltaNetToken(this.weights, this.cfg, d, il, state, v);
      this.recurrent?.record(il, this.start + t + 1);
      return y;
    });
  }

  denseFfn(x: Acts, il: number): Acts {
    const wt = this.weights;
    return x.map((v) => this.ffn(v, wt.matrix(w(il, 'ffnGate')), wt.matrix(w(il, 'ffnUp')), wt.matrix(w(il, 'ffnDown'))));
  }

  /** Expert e's gate, up and down biases (rows of [n, n_expert] tensors). */
  private expertBiases(il: number, e: number): ExpertBiases {
    const row = (name: string, n: number): Float32Array => this.weights.values(name).subarray(e * n, (e + 1) * n);
    const { nFfExp, nEmbd } = this.cfg;
    return { gate: row(w(il, 'ffnGateExpsBias'), nFfExp), up: row(w(il, 'ffnUpExpsBias'), nFfExp), down: row(w(il, 'ffnDownExpsBias'), nEmbd) };
  }

  /** Gated FFN: down(act(gate·x [+bg], up·x [+bu])) [+bd]; act is silu(g)·u unless swiglu_oai. */
  private ffn(
    x: Float32Array,
    gate: Parameters<typeof matVec>[0],
    up: Parameters<typeof matVec>[0],
    down: Parameters<typeof matVec>[0],
    activation: ExpertActivation = 'silu',
    biases?: ExpertBiases,
  ): Float32Array {
    const g = matVec(gate, x, biases?.gate);
    const u = matVec(up, x, biases?.up);
    for (let i = 0; i < g.length; i++) g[i] = activation === 'swiglu_oai' ? swigluOai(g[i], u[i]) : silu(g[i]) * u[i];
    return matVec(down, g, biases?.down);
  }
}
