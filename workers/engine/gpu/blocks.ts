// The WebGPU implementation of the shared blocks. Calls record dispatches; nothing runs until
// the step is submitted. Activations are lazy so that work folds into the kernel that consumes
// it: a norm into the next projection, a residual add and its scale into the kernel that
// produces the sublayer output, Granite's scales into the embedding and output kernels.

import type { ModelConfig } from '../model/config.ts';
import { ModelError } from '../model/errors.ts';
import type { AttentionOpts, Blocks, MoeOpts } from '../model/graph.ts';
import { globalTensors, layerTensorName as w } from '../model/tensorNames.ts';
import { F_BIAS, F_RES, recordMatmul, recordRmsNorm } from './matmul.ts';
import { itemsPerGroup, matmulTile, projectionRowsPerGroup } from './shaders.ts';
import type { StepRecorder } from './recorder.ts';
import type { Scratch } from './scratch.ts';
import type { GpuMatrix, GpuWeights } from './weights.ts';
import type { ExpertSlots, LayerExperts } from './expertSlots.ts';
import { recordDenseUp, recordMla } from './mla.ts';
import { projectionsOf, recordGatedNorm, recordRecurrence } from './deltaNet.ts';
import { kvLayerOf, recurrentSlotOf } from '../model/deltaNet.ts';
import type { MlaRecorder } from './mla.ts';

/** A materialised activation [n_tok, width]. */
interface Buf {
  readonly kind: 'buf';
  readonly buffer: GPUBuffer;
  readonly width: number;
}
/** RMSNorm(src)·weight, computed inside whichever kernel consumes it. */
interface Normed {
  readonly kind: 'normed';
  readonly src: Buf;
  readonly weight: string;
}
/** A sublayer output not yet written: finish(residual, alpha) writes residual + alpha·out. */
interface Pending {
  readonly kind: 'pending';
  readonly finish: (residual: Buf | undefined, alpha: number) => Buf;
}
export type GpuAct = Buf | Normed | Pending;

export class GpuBlocks implements Blocks<GpuAct> {
  constructor(
    private readonly rec: StepRecorder,
    private readonly weights: GpuWeights,
    /** Where each layer's routed experts are. */
    private readonly routed: ExpertSlots,
    private readonly cfg: ModelConfig,
    private readonly s: Scratch,
    private readonly nTok: number,
    /** Position of the batch's first token. */
    private readonly pos0: number,
    /** The device's lanes per weight row (GpuContext.rowLanes). */
    private readonly rowLanes: number,
    /** Compute logits for the last token only (prefill before sampling). */
    private readonly lastLogitsOnly = false,
    /** The DeltaNet state buffers this pass reads and writes (hybrid models). */
    private readonly recurrent?: { readonly from: GPUBuffer; readonly to: GPUBuffer },
  ) {}

  /** Pending values already written, so that a value used twice is computed once. */
  private readonly finished = new WeakMap<Pending, Buf>();

  materialize(x: GpuAct): Buf {
    if (x.kind === 'buf') return x;
    if (x.kind === 'normed') throw new Error('a normalised activation must be consumed by a projection');
    let b = this.finished.get(x);
    if (!b) {
      b = x.finish(undefined, 1);
      this.finished.set(x, b);
    }
    return b;
  }

  private other(b: Buf | undefined): GPUBuffer {
    return b?.buffer === this.s.act[0] ? this.s.act[1] : this.s.act[0];
  }

  /**
   * Normalised activations in s.xn, so that Q, K and V share one norm; forgotten when anything
   * else writes s.xn (the router).
   */
  private normalised = new WeakMap<Normed, Buf>();

  /** RMSNorm(x.src)·weight into s.xn, once per value. */
  private normalise(x: Normed): Buf {
    let b = this.normalised.get(x);
    if (!b) {
      recordRmsNorm(this.rec, `norm@${x.weight}`, { buffer: x.src.buffer, stride: x.src.width, offset: 0 }, x.src.width, this.weights.vector(x.weight), this.s.xn, this.nTok, this.cfg.rmsEps);
      b = { kind: 'buf', buffer: this.s.xn, width: x.src.width };
      this.normalised.set(x, b);
    }
    return b;
  }

  /** Y[:, yOff..] = alpha·(W·xin + bias) + residual, xin normalised first when it is Normed. */
  private matmul(
    site: string,
    m: GpuMatrix,
    x: Buf | Normed,
    out: { buffer: GPUBuffer; stride: number; offset?: number },
    opts: { bias?: GPUBuffer; residual?: Buf; alpha?: number; lastTokenOnly?: boolean } = {},
  ): void {
    const nTok = opts.lastTokenOnly ? 1 : this.nTok;
    const src = x.kind === 'normed' ? this.normalise(x) : x;
    const flags = (opts.bias ? F_BIAS : 0) | (opts.residual ? F_RES : 0);
    const xOff = opts.lastTokenOnly ? (this.nTok - 1) * src.width : 0;
    recordMatmul(this.rec, site, m, { buffer: src.buffer, stride: src.width, offset: xOff }, { buffer: out.buffer, stride: out.stride, offset: out.offset ?? 0 }, nTok, this.rowLanes, {
      flags,
      alpha: opts.alpha ?? 1,
      bias: opts.bias,
      residual: opts.residual && { buffer: opts.residual.buffer, stride: opts.residual.width },
      dummy: this.s.dummy,
    });
  }

  /** Rows of `buffer` ([n_tok, n_embd]) as an activation: the MTP block's input states. */
  static states(buffer: GPUBuffer, width: number): GpuAct {
    return { kind: 'buf', buffer, width };
  }

  has(name: string): boolean {
    return this.weights.has(name);
  }

  embed(table: string = globalTensors.tokenEmbd): GpuAct {
    return {
      kind: 'pending',
      finish: (residual, alpha) => {
        if (residual) throw new Error('embed: no residual');
        const m = this.weights.matrix(table);
        const out = this.s.act[0];
        for (const [i, part] of (m.parts ?? [{ buffer: m.buffer, firstRow: 0, rows: m.rows }]).entries()) {
          const params = { n_embd: this.cfg.nEmbd, row_bytes: m.rowBytes, scale: alpha, n_tok: this.nTok, first_row: part.firstRow, n_rows: part.rows };
          this.rec.dispatch(`embed#${i}`, 'embed', m.type, [part.buffer, this.s.tokens, out], params, [Math.ceil(this.cfg.nEmbd / 32 / 64), this.nTok, 1]);
        }
        return { kind: 'buf', buffer: out, width: this.cfg.nEmbd };
      },
    };
  }

  rmsNorm(x: GpuAct, weight: string): GpuAct {
    return { kind: 'normed', src: this.materialize(x), weight };
  }

  add(a: GpuAct, b: GpuAct, bScale: number): GpuAct {
    if (b.kind !== 'pending') throw new Error('add: the second operand must be a sublayer output');
    return b.finish(this.materialize(a), bScale);
  }

  scale(x: GpuAct, s: number): GpuAct {
    if (x.kind !== 'pending') throw new Error('scale: only embeddings and logits can be scaled');
    return { kind: 'pending', finish: (residual, alpha) => x.finish(residual, alpha * s) };
  }

  /** The head reads x normalised in s.xn, all n_tok rows: they stay there after the pass (the MTP block's h). */
  output(x: GpuAct, head?: string): GpuAct {
    if (x.kind !== 'normed') throw new Error('output: expects the normalised final hidden state');
    const name = head ?? (this.weights.has(globalTensors.output) ? globalTensors.output : globalTensors.tokenEmbd);
    return {
      kind: 'pending',
      finish: (residual, alpha) => {
        if (residual) throw new Error('output: no residual');
        const m = this.weights.matrix(name);
        this.matmul('output', m, x, { buffer: this.s.logits, stride: this.cfg.nVocab }, { alpha, lastTokenOnly: this.lastLogitsOnly });
        return { kind: 'buf', buffer: this.s.logits, width: this.cfg.nVocab };
      },
    };
  }

  join(a: GpuAct, b: GpuAct, weight: string): GpuAct {
    if (a.kind !== 'normed' || b.kind !== 'normed') throw new Error('join: expects two normalised inputs');
    const joined = this.s.mtp?.joined;
    if (!joined) throw new Error('join: this model has no MTP scratch');
    const width = a.src.width + b.src.width;
    for (const [i, x] of [a, b].entries()) {
      const out = { buffer: joined, stride: width, offset: i * a.src.width };
      recordRmsNorm(this.rec, `norm@${x.weight}`, { buffer: x.src.buffer, stride: x.src.width, offset: 0 }, x.src.width, this.weights.vector(x.weight), out, this.nTok, this.cfg.rmsEps);
    }
    return this.projected('mtp.eh_proj', weight, { kind: 'buf', buffer: joined, width });
  }

  attention(x: GpuAct, il: number, opts: AttentionOpts): GpuAct {
    if (x.kind !== 'normed') throw new Error('attention: expects a normalised input');
    const { nHead, nHeadKv, headDimK: dk, headDimV: dv, nRot } = this.cfg;
    const s = this.s;
    // With an output gate, attn_q gives each head's query and gate side by side.
    const qDim = (opts.outputGate ? 2 : 1) * nHead * dk;
    const kvDim = nHeadKv * dk;
    const stride = qDim + kvDim + nHeadKv * dv;
    const out = { buffer: s.qkv, stride };
    const packedName = `blk.${il}.qkv`;
    if (this.weights.hasLoaded(packedName)) {
      const bias = opts.qkvBias ? this.weights.vector(`blk.${il}.qkv.bias`) : undefined;
      this.matmul(`L${il}.qkv`, this.weights.matrix(packedName), x, out, { bias });
    } else {
      const parts = [
        ['attnQ', 'attnQBias', 0],
        ['attnK', 'attnKBias', qDim],
        ['attnV', 'attnVBias', qDim + kvDim],
      ] as const;
      for (const [t, b, offset] of parts) {
        const bias = opts.qkvBias ? this.weights.vector(w(il, b)) : undefined;
        this.matmul(`L${il}.${t}`, this.weights.matrix(w(il, t)), x, { ...out, offset }, { bias });
      }
    }

    const flags = (opts.qkNorm === 'per_head' ? 1 : opts.qkNorm === 'full_width' ? 2 : 0) | (this.cfg.ropeType === 'neox' ? 4 : 0) | (opts.outputGate ? 8 : 0);
    const qn = opts.qkNorm === 'none' ? s.dummy : this.weights.vector(w(il, 'attnQNorm'));
    const kn = opts.qkNorm === 'none' ? s.dummy : this.weights.vector(w(il, 'attnKNorm'));
    const kvLayer = kvLayerOf(this.cfg.deltaNet, il);
    const kOff = kvLayer * s.nCtx * kvDim;
    const vOff = kvLayer * s.nCtx * nHeadKv * dv;
    this.rec.dispatch(
      `L${il}.qk_rope`,
      'qk_rope',
      undefined,
      [s.qkv, qn, kn, s.rope, s.q, s.kCache, s.vCache],
      { n_head: nHead, n_head_kv: nHeadKv, dk, dv, n_rot: nRot, pos0: this.pos0, flags, qkv_stride: stride, eps: this.cfg.rmsEps, k_cache_off: kOff, v_cache_off: vOff, n_tok: this.nTok },
      [nHead + nHeadKv, this.nTok, 1],
    );
    this.rec.dispatch(
      `L${il}.attention`,
      'attention',
      undefined,
      [s.q, s.kCache, s.vCache, s.scores, s.attnOut, opts.sinks ? this.weights.vector(w(il, 'attnSinks')) : s.dummy],
      {
        n_head: nHead,
        n_head_kv: nHeadKv,
        dk,
        dv,
        pos0: this.pos0,
        n_ctx: s.nCtx,
        k_cache_off: kOff,
        v_cache_off: vOff,
        kq_scale: this.cfg.kqScale,
        n_tok: this.nTok,
        n_swa: opts.slidingWindow ?? 0,
        flags: opts.sinks ? 1 : 0,
      },
      [Math.ceil(nHead / itemsPerGroup('attention', this.rowLanes)), this.nTok, 1],
    );
    if (opts.outputGate) {
      this.rec.dispatch(`L${il}.attn_gate`, 'attn_gate', undefined, [s.qkv, s.attnOut], { n_head: nHead, dk, qkv_stride: stride }, [Math.ceil((nHead * dk) / 64), this.nTok, 1]);
    }
    const attnOut: Buf = { kind: 'buf', buffer: s.attnOut, width: nHead * dv };
    return {
      kind: 'pending',
      finish: (residual, alpha) => {
        const target = this.other(residual);
        const bias = opts.outputBias ? this.weights.vector(w(il, 'attnOutputBias')) : undefined;
        this.matmul(`L${il}.attn_output`, this.weights.matrix(w(il, 'attnOutput')), attnOut, { buffer: target, stride: this.cfg.nEmbd }, { residual, alpha, bias });
        return { kind: 'buf', buffer: target, width: this.cfg.nEmbd };
      },
    };
  }

  mla(x: GpuAct, il: number): GpuAct {
    if (x.kind !== 'normed') throw new Error('mla: expects a normalised input');
    recordMla(this.recorder(), x, il);
    const nHead = this.cfg.nHead;
    const attnOut: Buf = { kind: 'buf', buffer: this.s.attnOut, width: nHead * (this.cfg.mla?.vDim ?? 0) };
    return this.projected(`L${il}.attn_output`, w(il, 'attnOutput'), attnOut);
  }

  deltaNet(x: GpuAct, il: number): GpuAct {
    if (x.kind !== 'normed') throw new Error('deltaNet: expects a normalised input');
    const d = this.cfg.deltaNet;
    const dn = this.s.deltaNet;
    if (!d || !dn || !this.recurrent) throw new ModelError('bad_hparams', `layer ${il}: a DeltaNet layer in a model without DeltaNet state`);
    const slot = recurrentSlotOf(d, il);
    const rowOff = slot * dn.logRows * dn.rowWidth;
    for (const { tensor, column } of projectionsOf(this.weights, d, il)) {
      // Sites dn.attn_qkv, dn.attn_gate, …: the DeltaNet projections, apart from attention's in profiles.
      this.matmul(`L${il}.dn.${tensor.split('.')[2]}`, this.weights.matrix(tensor), x, { buffer: dn.log, stride: dn.rowWidth, offset: rowOff + column });
    }
    recordRecurrence(this.rec, this.weights, this.cfg, dn, il, slot, this.nTok, this.recurrent.from, this.recurrent.to, this.rowLanes);
    recordGatedNorm(this.rec, this.weights, this.cfg, dn, il, slot, this.nTok);
    return this.projected(`L${il}.dn.ssm_out`, w(il, 'ssmOut'), { kind: 'buf', buffer: dn.out, width: d.nVHeads * d.headDim });
  }

  denseFfn(x: GpuAct, il: number): GpuAct {
    if (x.kind !== 'normed') throw new Error('denseFfn: expects a normalised input');
    const h: Buf = { kind: 'buf', buffer: recordDenseUp(this.recorder(), x, il), width: this.cfg.nFfDense ?? 0 };
    return this.projected(`L${il}.ffn_down`, w(il, 'ffnDown'), h);
  }

  private recorder(): MlaRecorder {
    // MLA and the dense FFN normalise into s.xn themselves.
    this.normalised = new WeakMap();
    return { rec: this.rec, weights: this.weights, cfg: this.cfg, s: this.s, nTok: this.nTok, pos0: this.pos0, rowLanes: this.rowLanes };
  }

  /** A sublayer output W·x, written with the residual when it is added. */
  private projected(site: string, weight: string, x: Buf): GpuAct {
    return {
      kind: 'pending',
      finish: (residual, alpha) => {
        const target = this.other(residual);
        this.matmul(site, this.weights.matrix(weight), x, { buffer: target, stride: this.cfg.nEmbd }, { residual, alpha });
        return { kind: 'buf', buffer: target, width: this.cfg.nEmbd };
      },
    };
  }

  moe(x: GpuAct, il: number, opts: MoeOpts): GpuAct {
    if (x.kind !== 'normed') throw new Error('moe: expects a normalised input');
    const { nEmbd, nExpert, nExpertUsed: k, nFfExp, nFfShexp } = this.cfg;
    const s = this.s;
    const router = this.weights.matrix(w(il, 'ffnGateInp'));
    const gated = opts.sharedExpert === 'sigmoid_gated';
    const biases = opts.biases === true;
    // The router writes its own normalised input to s.xn.
    this.normalised = new WeakMap();
    const rflags = (opts.gating === 'sigmoid' ? 1 : 0) | (opts.normWeights ? 2 : 0) | (gated ? 4 : 0) | (biases ? 8 : 0) | (opts.gating === 'softmax_weight' ? 16 : 0);
    const routerParams = { n_embd: nEmbd, n_expert: nExpert, k, row_bytes: router.rowBytes, eps: this.cfg.rmsEps, w_scale: opts.weightsScale, n_tok: this.nTok, ids_off: il * this.nTok * k };
    if (opts.selectionBias || opts.groups) {
      // DeepSeek-V3: biased selection within the best groups (router_v3.wgsl).
      const vflags = (opts.gating === 'sigmoid' ? 1 : 0) | (opts.normWeights ? 2 : 0) | (opts.selectionBias ? 4 : 0);
      this.rec.dispatch(
        `L${il}.router`,
        'router_v3',
        router.type,
        [router.buffer, x.src.buffer, this.weights.vector(x.weight), opts.selectionBias ? this.weights.vector(w(il, 'expProbsB')) : s.dummy, s.xn, s.ids, s.wts],
        { ...routerParams, flags: vflags, n_group: opts.groups?.count ?? 1, n_group_used: opts.groups?.used ?? 1 },
        [this.nTok, 1, 1],
      );
    } else
      this.rec.dispatch(
        `L${il}.router`,
        'router',
        router.type,
        [
          router.buffer,
          x.src.buffer,
          this.weights.vector(x.weight),
          gated ? this.weights.vector(w(il, 'ffnGateInpShexp')) : s.dummy,
          s.xn,
          s.ids,
          s.wts,
          s.shGate,
          biases ? this.weights.vector(w(il, 'ffnGateInpBias')) : s.dummy,
        ],
        { ...routerParams, flags: rflags },
        [Math.ceil(this.nTok / itemsPerGroup('router', this.rowLanes)), 1, 1],
      );
    const expertBiases = biases ? { gate: w(il, 'ffnGateExpsBias'), up: w(il, 'ffnUpExpsBias'), down: w(il, 'ffnDownExpsBias') } : undefined;
    const routed = this.routed.layer(il);
    if (!routed) throw new Error(`layer ${il} has no routed experts`);
    this.experts(`L${il}.experts`, routed, this.routed.slots, k, nFfExp, s.h, s.y, il * this.nTok * k, expertBiases, opts.activation === 'swiglu_oai');
    const shared = opts.sharedExpert !== 'none';
    if (shared) {
      const gate = this.weights.matrix(w(il, 'ffnGateShexp'));
      const one = { gateUp: gate, upOffset: this.weights.matrix(w(il, 'ffnUpShexp')).offset, down: this.weights.matrix(w(il, 'ffnDownShexp')), tableOffset: 0 };
      this.experts(`L${il}.shexp`, one, 1, 1, nFfShexp, s.hShared, s.yShared, 'dense');
    }

    return {
      kind: 'pending',
      finish: (residual, alpha) => {
        if (!residual) throw new Error('moe: needs the residual');
        const target = this.other(residual);
        const cflags = (shared ? 1 : 0) | (gated ? 2 : 0);
        this.rec.dispatch(
          `L${il}.moe_combine`,
          'moe_combine',
          undefined,
          [residual.buffer, s.y, s.wts, shared ? s.yShared : s.dummy, gated ? s.shGate : s.dummy, target],
          { n_embd: nEmbd, k, flags: cflags, alpha, n_tok: this.nTok },
          [Math.ceil(nEmbd / 64), this.nTok, 1],
        );
        return { kind: 'buf', buffer: target, width: nEmbd };
      },
    };
  }

  /**
   * Gate+up+SiLU then down for the (token, slot) pairs routed to each expert (every token for a
   * dense, shared expert) of `slots` weight slots; gate|up share one buffer. gpt-oss: per-expert
   * biases (1-D f32 buffers [E·n]) and the clamped SwiGLU in place of SiLU.
   */
  private experts(
    site: string,
    m: LayerExperts,
    slots: number,
    k: number,
    nFf: number,
    h: GPUBuffer,
    y: GPUBuffer,
    idsOff: number | 'dense',
    biases?: { readonly gate: string; readonly up: string; readonly down: string },
    swigluOai = false,
  ): void {
    const dense = idsOff === 'dense';
    const off = dense ? 0 : idsOff;
    const { gateUp: gate, down } = m;
    const { nEmbd, nExpert } = this.cfg;
    const pairs = this.nTok * k;
    const ids = dense ? this.s.dummy : this.s.ids;
    const table = dense ? this.s.dummy : this.routed.table;
    const bias = (name: string | undefined): GPUBuffer => (name ? this.weights.vector(name) : this.s.dummy);
    const upFlags = (biases ? 1 : 0) | (swigluOai ? 2 : 0);
    // A tile of about the members an expert gets on average (k of nExpert per token, every token
    // for a dense expert): CPU adapters run a tile's unused slots too, masked.
    const tile = { TILE: matmulTile(Math.ceil(dense ? this.nTok : (this.nTok * k) / nExpert), this.rowLanes) };
    this.rec.dispatch(
      `${site}.up`,
      'moe_up',
      gate.type,
      [gate.buffer, this.s.xn, ids, h, bias(biases?.gate), bias(biases?.up), table],
      {
        n_embd: nEmbd,
        n_ff: nFf,
        row_bytes: gate.rowBytes,
        expert_bytes: gate.rowBytes * nFf,
        up_off: m.upOffset,
        k,
        n_pairs: pairs,
        dense: dense ? 1 : 0,
        ids_off: off,
        flags: upFlags,
        slots_off: m.tableOffset,
      },
      [Math.ceil(nFf / projectionRowsPerGroup(this.rowLanes)), slots, 1],
      tile,
    );
    this.rec.dispatch(
      `${site}.down`,
      'moe_down',
      down.type,
      [down.buffer, h, ids, y, bias(biases?.down), table],
      {
        n_embd: nEmbd,
        n_ff: nFf,
        row_bytes: down.rowBytes,
        expert_bytes: down.rowBytes * nEmbd,
        n_pairs: pairs,
        dense: dense ? 1 : 0,
        ids_off: off,
        flags: biases ? 1 : 0,
        slots_off: m.tableOffset,
      },
      [Math.ceil(nEmbd / projectionRowsPerGroup(this.rowLanes)), slots, 1],
      tile,
    );
  }
}
