// A model on WebGPU: weights uploaded once, and each forward pass for T tokens encoded into
// one command buffer with one queue.submit. Greedy steps read back only the sampled ids.

import type { GgufFile } from '../gguf/types.ts';
import type { ArchDef } from '../model/archs/arch.ts';
import { archOf } from '../model/archs/index.ts';
import type { KvCacheType, ModelConfig } from '../model/config.ts';
import { ModelError } from '../model/errors.ts';
import { globalTensors, layerTensors, layerTensorName as w } from '../model/tensorNames.ts';
import type { WeightSource } from '../model/weightSource.ts';
import { GpuBlocks } from './blocks.ts';
import type { GpuContext } from './device.ts';
import { StepRecorder } from './recorder.ts';
import { allocateScratch, MAX_CANDIDATES } from './scratch.ts';
import type { Scratch } from './scratch.ts';
import { PipelineCache } from './shaders.ts';
import { SubmitProfiler, TimestampProfiler } from './profiler.ts';
import type { KernelProfile, PassProfiler, StepProfile } from './profiler.ts';
import { GpuWeights } from './weights.ts';
import { uploadDerivedKb } from './mla.ts';
import { ExpertSlots, routedTensors } from './expertSlots.ts';
import type { ExpertCacheCounters } from './expertSlots.ts';
import type { EvictionPolicyName } from '../experts/policy.ts';
import type { TopCandidates } from '../decode/stepModel.ts';
import { GpuError } from './errors.ts';
import { DeltaNetState } from './deltaNetState.ts';

export interface GpuModelOptions {
  /** Tokens per forward pass; longer prompts are processed in chunks of this size. */
  readonly maxTokens?: number;
  /** KV-cache positions (default: the model's training context, at most 4096). */
  readonly nCtx?: number;
  /** Weight bytes uploaded so far, of the total. */
  readonly onProgress?: (bytesDone: number, bytesTotal: number) => void;
  /** Aborting it stops the upload between tensors: the load fails with GpuError `aborted` and frees what it made. */
  readonly signal?: AbortSignal;
  /** Caps one weight binding below the device's limit (tests of the split path). */
  readonly maxBindingBytes?: number;
  /** The architecture; by default the one `general.architecture` names. */
  readonly arch?: ArchDef;
  /**
   * KV-cache element type. Default: f16 where the adapter has `shader-f16` (real GPUs, where the
   * cache's bandwidth matters), else f32. f16 halves the cache and rounds K and V to binary16, as
   * llama.cpp's default cache does.
   */
  readonly kvCache?: KvCacheType;
  /**
   * Bytes of GPU memory for the routed experts. Under their total, each MoE layer keeps that
   * share of its experts in slots, loaded from the source when routing first needs them
   * (ExpertSlots). By default every expert is resident, or, when a layer's expert tensors exceed
   * one binding, as many as its slot buffers can hold.
   */
  readonly expertCacheBytes?: number;
  readonly expertPolicy?: EvictionPolicyName;
  /**
   * Load no routed expert up front, even when all fit: each comes in when routing first needs
   * it (a model whose experts are still downloading).
   */
  readonly lazyExperts?: boolean;
  /**
   * Load the model's multi-token-prediction block when the file has one the engine runs
   * (default true): one more layer of weights and of KV cache, for the `mtp` drafter.
   */
  readonly mtp?: boolean;
}

/** The routed-expert cache since load (GpuModel.expertCache). */
export interface ExpertCacheStats extends Readonly<ExpertCacheCounters> {
  readonly paged: boolean;
  /** Slots per MoE layer, of the model's experts. */
  readonly slots: number;
  readonly experts: number;
  /** GPU bytes of the routed experts (all of them when resident). */
  readonly bytes: number;
}

/** The k most probable next tokens of one position. */

/** Per-call variations of a forward pass. */
export interface ForwardOptions {
  /**
   * Route each token to this many experts instead of the model's k (self-drafting: a cheaper,
   * approximate pass). Its KV entries are approximate too; the caller truncates them away.
   */
  readonly expertsUsed?: number;
  /**
   * Run only the first `layers` layers, then the output norm and head (early exit: another
   * cheaper, approximate pass). Only those layers' KV entries are written; later layers are
   * never read by such a pass, and the caller truncates the positions away.
   */
  readonly layers?: number;
}

type StepMode = 'none' | 'greedy' | 'greedy_last' | 'logits' | { top: number; allPositions?: boolean };

/** What an MTP pass reads back of its last row: nothing, the argmax, the top candidates, or every logit. */
type MtpMode = 'none' | 'greedy_last' | 'logits' | { top: number };

/** What the MTP block's trunk-side bookkeeping holds (GpuModel's MTP state). */
interface MtpState {
  /** Its KV entries are valid for positions < past: entry p joins the trunk's state at p with the token at p + 1. */
  past: number;
  /** Where a chained prediction writes next (its input state is the block's own last one); undefined: none in flight. */
  chainPos: number | undefined;
  /** The position whose trunk state each ring row holds (−1: none). */
  readonly ringPos: Int32Array;
  /** The token at each cached position. */
  readonly tokens: number[];
}

/** Counters of the last step (ARCHITECTURE.md invariant 2) and of the model. */
export interface GpuStats {
  submits: number;
  dispatches: number;
  readbackBytes: number;
  readonly weightBytes: number;
  /** Activations, scratch and the KV cache. */
  readonly scratchBytes: number;
  readonly kvCacheType: KvCacheType;
  readonly kvCacheBytes: number;
  /** The DeltaNet layers' state (hybrid models; 0 for others): one copy, as the KV cache. */
  readonly recurrentStateBytes: number;
}

export class GpuModel {
  readonly cfg: ModelConfig;
  readonly lastStep: GpuStats;
  private readonly arch: ArchDef;
  private readonly recorder: StepRecorder;
  private readonly idsStaging: GPUBuffer;
  private readonly candidatesStaging: GPUBuffer;
  private logitsStaging: GPUBuffer | undefined;
  private past = 0;
  private routingStaging: GPUBuffer | undefined;
  /** Read back each step's expert choices (for the routing view); off by default. */
  recordRouting = false;
  /** With recordRouting: the last step's choices, [layer][token][slot] expert ids. */
  lastRouting: number[][][] | undefined;
  /** With profiling on: the last forward pass's time per kernel class. */
  lastProfile: StepProfile | undefined;
  /** Why the `mtp` drafter cannot run on this model; undefined when it can. */
  readonly mtpUnavailable: string | undefined;
  private readonly mtp: MtpState | undefined;
  /** The DeltaNet layers' state (hybrid models). */
  private readonly recurrent: DeltaNetState | undefined;
  /** Hybrid models: the token at each position the GPU state holds, and those a truncation left to rerun. */
  private readonly history: number[] = [];
  private rerun: number[] = [];

  private constructor(
    private readonly gpu: GpuContext,
    private readonly weights: GpuWeights,
    private readonly routed: ExpertSlots,
    private readonly scratch: Scratch,
    arch: ArchDef,
    cfg: ModelConfig,
    mtpUnavailable: string | undefined,
  ) {
    this.arch = arch;
    this.cfg = cfg;
    this.mtpUnavailable = mtpUnavailable;
    if (scratch.mtp) this.mtp = { past: 0, chainPos: undefined, ringPos: new Int32Array(scratch.mtp.ringRows).fill(-1), tokens: [] };
    const device = gpu.device;
    this.recorder = new StepRecorder(device, PipelineCache.of(device, gpu.rowLanes, scratch.kvCacheType === 'f16'));
    this.idsStaging = device.createBuffer({ label: 'ids.staging', size: scratch.maxTokens * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    this.candidatesStaging = device.createBuffer({ label: 'candidates.staging', size: scratch.maxTokens * (1 + 2 * MAX_CANDIDATES) * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const dn = scratch.deltaNet;
    if (dn && cfg.deltaNet) this.recurrent = new DeltaNetState(device, this.recorder, weights, { ...cfg, deltaNet: cfg.deltaNet }, dn, gpu.rowLanes);
    this.lastStep = {
      submits: 0,
      dispatches: 0,
      readbackBytes: 0,
      weightBytes: weights.bytes,
      scratchBytes: scratch.bytes,
      kvCacheType: scratch.kvCacheType,
      kvCacheBytes: scratch.kvCacheBytes,
      recurrentStateBytes: dn?.stateBytes ?? 0,
    };
  }

  /** The architecture and configuration of a model file, or the ModelError that stops it loading (no GPU work). */
  static check(file: GgufFile, arch: ArchDef = archOf(file)): { arch: ArchDef; cfg: ModelConfig } {
    const cfg = arch.config(file);
    if (cfg.nExpert > 512) throw new ModelError('bad_hparams', `${cfg.nExpert} experts; the GPU router supports up to 512`);
    const d = cfg.deltaNet;
    // dn_recur keeps a state column in an array of 256, dn_conv 8 past inputs.
    if (d && (d.headDim > 256 || d.convKernel > 9)) throw new ModelError('bad_hparams', `DeltaNet heads of ${d.headDim} and a conv of ${d.convKernel}: the GPU kernels take heads ≤ 256 and convs ≤ 9`);
    return { arch, cfg };
  }

  static async load(gpu: GpuContext, source: WeightSource, opts: GpuModelOptions = {}): Promise<GpuModel> {
    const { arch, cfg } = GpuModel.check(source.file, opts.arch);
    // The expert kernels keep a batch's (token, slot) pairs in workgroup memory (members.wgsl).
    const maxTokens = Math.min(opts.maxTokens ?? 32, Math.floor(512 / Math.max(1, cfg.nExpertUsed)));
    const mtpUnavailable = mtpUnavailableReason(arch, cfg, opts.mtp);
    // The first NextN block is the MTP drafter's (its experts paged with the trunk's); blocks past it never run.
    const blocks = cfg.nLayer + (mtpUnavailable === undefined ? 1 : 0);
    const uploadCfg = { ...cfg, nLayer: blocks };
    const { perExpert } = ExpertSlots.expertBytes(source, uploadCfg);
    // Experts whose layer tensors exceed one binding are paged even without a budget.
    const maxBinding = Math.min(opts.maxBindingBytes ?? Infinity, gpu.device.limits.maxStorageBufferBindingSize);
    const budget = opts.expertCacheBytes ?? ExpertSlots.bindingBudget(source, uploadCfg, maxBinding);
    const paged = opts.lazyExperts === true || budget < perExpert * cfg.nExpert;
    const skip = new Set<string>();
    if (paged) for (let il = 0; il < blocks; il++) for (const t of routedTensors(source, il) ?? []) skip.add(t.name);
    for (const t of source.file.tensors) if (Number(/^blk\.(\d+)\./.exec(t.name)?.[1] ?? -1) >= blocks) skip.add(t.name);
    const total = source.file.tensors.reduce((n, t) => n + (skip.has(t.name) ? 0 : t.byteLength), 0);
    const uploaded = (done: number): void => {
      if (opts.signal?.aborted) throw new GpuError('aborted', 'the model load was cancelled');
      opts.onProgress?.(done, total);
    };
    const weights = new GpuWeights(gpu.device, source, uploaded, opts.maxBindingBytes);
    let routed: ExpertSlots;
    try {
      await uploadWeights(weights, source, uploadCfg, skip);
      uploaded(weights.bytes);
      routed = paged ? ExpertSlots.paged(gpu.device, source, uploadCfg, { bytes: budget, policy: opts.expertPolicy }, maxBinding) : ExpertSlots.resident(gpu.device, source, weights, uploadCfg);
    } catch (e) {
      weights.destroy();
      throw e;
    }
    const nCtx = opts.nCtx ?? Math.min(cfg.nCtxTrain, 4096);
    // f16 words hold element pairs, so a head must have an even width.
    const evenHeads = cfg.headDimK % 2 === 0 && cfg.headDimV % 2 === 0;
    // The MLA latent cache (deepseek2) is f32 only.
    if (cfg.mla && opts.kvCache === 'f16') throw new ModelError('bad_hparams', `${cfg.arch}: the latent (MLA) KV cache is f32 only; use an f32 cache`);
    const kvCache = opts.kvCache ?? (gpu.hasF16 && evenHeads && !cfg.mla ? 'f16' : 'f32');
    if (kvCache === 'f16' && !evenHeads) throw new ModelError('bad_hparams', `an f16 KV cache needs even head widths (k ${cfg.headDimK}, v ${cfg.headDimV})`);
    const scratch = allocateScratch(gpu.device, cfg, maxTokens, nCtx, kvCache, blocks - cfg.nLayer);
    return new GpuModel(gpu, weights, routed, scratch, arch, cfg, mtpUnavailable);
  }

  /** Positions in the KV cache (with a hybrid's positions still to rerun after a truncation). */
  get nPast(): number {
    return this.past + this.rerun.length;
  }

  get nCtx(): number {
    return this.scratch.nCtx;
  }

  /** Bytes of the KV cache (all nCtx positions): the MLA latent cache, or the per-head K and V. */
  get kvCacheBytes(): number {
    return this.scratch.kvCacheBytes;
  }

  /** Bytes of a hybrid's DeltaNet buffers: its state three times over and the last pass's log (0 for others). */
  get recurrentBytes(): number {
    return this.recurrent?.bytes ?? 0;
  }

  /** KV-cache bytes per token over all layers. */
  get kvBytesPerToken(): number {
    return this.kvCacheBytes / this.scratch.nCtx;
  }

  /** Tokens one forward pass takes; longer inputs run in several. */
  /** Most candidates one forwardTop returns. */
  get maxTopK(): number {
    return MAX_CANDIDATES;
  }

  get maxBatch(): number {
    return this.scratch.maxTokens;
  }

  /**
   * Times every following pass per kernel class (`lastProfile`): by GPU timestamps where the
   * adapter has them, else by one submit per dispatch (or as `method` asks). A profiled pass
   * runs each dispatch in its own pass, so it is slower than a plain one.
   */
  setProfiling(on: boolean, method: KernelProfile['method'] = this.gpu.hasTimestamps ? 'timestamps' : 'submits'): void {
    this.recorder.profiler?.destroy();
    this.recorder.profiler = undefined;
    this.lastProfile = undefined;
    if (!on) return;
    if (method === 'timestamps' && !this.gpu.hasTimestamps) throw new RangeError('this adapter has no timestamp-query');
    const device = this.gpu.device;
    this.recorder.profiler = method === 'timestamps' ? new TimestampProfiler(device) : new SubmitProfiler(device);
  }

  /**
   * Forgets positions ≥ n (the cache rows are simply overwritten later). A hybrid's DeltaNet
   * state returns to the nearest position it can (gpu/deltaNetState.ts); the tokens from there
   * to n run again before the next pass.
   */
  truncate(n: number): void {
    if (this.recurrent) {
      const target = Math.min(n, this.nPast);
      const all = [...this.history, ...this.rerun];
      const m = this.recurrent.restorable(target, this.past);
      this.recurrent.truncate(m, this.past);
      this.history.length = m;
      this.rerun = all.slice(m, target);
      this.past = m;
    } else {
      this.past = Math.min(this.past, n);
    }
    if (this.mtp) {
      // The MTP entry at n − 1 joined the token at n, which is gone.
      this.mtp.past = Math.min(this.mtp.past, Math.max(0, this.nPast - 1));
      this.mtp.chainPos = undefined;
    }
  }

  /** Runs `tokens` and returns the argmax token after each (speculative verification). */
  async forwardGreedy(tokens: readonly number[]): Promise<number[]> {
    const out: number[] = [];
    for (const chunk of this.chunks(tokens)) out.push(...Array.from(new Uint32Array(await this.step(chunk, 'greedy'))));
    return out;
  }

  /** Runs `tokens` and returns the argmax after the last one; earlier logits are never computed. */
  async forwardGreedyLast(tokens: readonly number[], opts: ForwardOptions = {}): Promise<number> {
    const chunks = this.chunks(tokens);
    for (const chunk of chunks.slice(0, -1)) await this.step(chunk, 'none', opts);
    return new Uint32Array(await this.step(chunks[chunks.length - 1], 'greedy_last', opts))[0];
  }

  /**
   * Runs `tokens` and returns the last token's k most probable next tokens (ties → lowest id),
   * with their logits and the log-normaliser over the whole vocabulary: p = exp(logit − logZ).
   */
  async forwardTop(tokens: readonly number[], k: number, opts: ForwardOptions = {}): Promise<TopCandidates> {
    if (k < 1 || k > MAX_CANDIDATES) throw new RangeError(`top-k of ${k}: between 1 and ${MAX_CANDIDATES}`);
    const chunks = this.chunks(tokens);
    for (const chunk of chunks.slice(0, -1)) await this.step(chunk, 'none', opts);
    return unpackCandidates(await this.step(chunks[chunks.length - 1], { top: k }, opts), k, 1)[0];
  }

  /**
   * Runs `tokens` and returns every position's k most probable next tokens (speculative
   * sampling verifies each draft against its position's distribution): T·(4 + 8k) bytes.
   */
  async forwardTopAll(tokens: readonly number[], k: number): Promise<TopCandidates[]> {
    if (k < 1 || k > MAX_CANDIDATES) throw new RangeError(`top-k of ${k}: between 1 and ${MAX_CANDIDATES}`);
    const out: TopCandidates[] = [];
    for (const chunk of this.chunks(tokens)) out.push(...unpackCandidates(await this.step(chunk, { top: k, allPositions: true }), k, chunk.length));
    return out;
  }

  /** Runs `tokens` and returns each token's logits (a full readback: tests and tools only). */
  async forwardLogits(tokens: readonly number[], opts: ForwardOptions = {}): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    const v = this.cfg.nVocab;
    for (const chunk of this.chunks(tokens)) {
      const all = new Float32Array(await this.step(chunk, 'logits', opts));
      for (let t = 0; t < chunk.length; t++) out.push(all.slice(t * v, (t + 1) * v));
    }
    return out;
  }

  private chunks(tokens: readonly number[]): number[][] {
    if (tokens.length === 0) throw new RangeError('no tokens to run');
    const out: number[][] = [];
    for (let i = 0; i < tokens.length; i += this.scratch.maxTokens) out.push(tokens.slice(i, i + this.scratch.maxTokens));
    return out;
  }

  /** The configuration a pass with `opts` runs (the model's own unless a draft pass asks for less). */
  private passConfig({ expertsUsed = this.cfg.nExpertUsed, layers = this.cfg.nLayer }: ForwardOptions): ModelConfig {
    if (expertsUsed === this.cfg.nExpertUsed && layers === this.cfg.nLayer) return this.cfg;
    if (!Number.isInteger(expertsUsed) || expertsUsed < 1 || expertsUsed > this.cfg.nExpertUsed) {
      throw new RangeError(`experts used ${expertsUsed}: between 1 and the model's ${this.cfg.nExpertUsed}`);
    }
    if (!Number.isInteger(layers) || layers < 1 || layers > this.cfg.nLayer) throw new RangeError(`layers ${layers}: between 1 and the model's ${this.cfg.nLayer}`);
    return { ...this.cfg, nExpertUsed: expertsUsed, nLayer: layers };
  }

  /** One forward pass of `tokens` at the cache's end (runStep), after any positions a hybrid's truncation left to rerun. */
  private async step(tokens: readonly number[], mode: StepMode, opts: ForwardOptions = {}): Promise<ArrayBuffer> {
    await this.runRerun();
    return this.runStep(tokens, mode, opts);
  }

  /** Runs the positions a hybrid's truncation could not keep, chunk by chunk; one that fails stays to run. */
  private async runRerun(): Promise<void> {
    while (this.rerun.length > 0) {
      const chunk = this.rerun.slice(0, this.scratch.maxTokens);
      await this.runStep(chunk, 'none');
      this.rerun = this.rerun.slice(chunk.length);
    }
  }

  /**
   * One forward pass of `tokens` at the cache's end, then the cache moves past them. With paged
   * experts the pass runs on whatever experts are resident, and the routing it reads back (in
   * the same round trip as its result) says whether that was all it chose. If not, the missing
   * experts of every layer are loaded, those of later layers as the wrong pass chose them (a
   * good guess: only the missing experts' share of the hidden state was absent), and the pass
   * runs again; the layers before the first miss were exact, so each retry gets further and
   * the last is exact. KV rows a wrong pass wrote are rewritten by the retry, and a hybrid's
   * retry reads the same DeltaNet state as the wrong pass (the state it wrote is kept only after
   * the exact one). A chunk whose tokens need more experts of one layer than it has slots runs as
   * two halves.
   */
  private async runStep(tokens: readonly number[], mode: StepMode, opts: ForwardOptions = {}): Promise<ArrayBuffer> {
    const T = tokens.length;
    await this.keepMtpStates(tokens);
    if (!this.routed.isPaged) {
      const { result } = await this.pass(tokens, mode, opts);
      this.kept(tokens);
      return result;
    }
    const cfg = this.passConfig(opts);
    const c = this.routed.counters;
    let firstEnd: number | undefined;
    let submits = 0;
    for (;;) {
      const { result, ids } = await this.pass(tokens, mode, opts);
      // Every try is a submit of this step's (lastStep counts one pass).
      this.lastStep.submits = ++submits;
      const need = routedNeed(ids, cfg, T, (il) => this.routed.layer(il) !== undefined);
      if (T > 1 && [...need.values()].some((n) => n.size > this.routed.slots)) return this.halves(tokens, mode, opts);
      let missed = false;
      for (const [il, chosen] of need) {
        for (const e of chosen) {
          const hit = this.routed.isResident(il, e);
          missed ||= !hit;
          if (firstEnd === undefined) {
            c.lookups++;
            if (hit) c.hits++;
          }
        }
      }
      if (!missed) {
        for (const [il, chosen] of need) this.routed.touch(il, chosen);
        if (firstEnd !== undefined) c.stallMs += performance.now() - firstEnd;
        this.kept(tokens);
        return result;
      }
      firstEnd ??= performance.now();
      for (const [il, chosen] of need) await this.routed.ensure(il, chosen);
    }
  }

  /** The pass of `tokens` at the cache's end stays: the cache (and a hybrid's state) moves past them. */
  private kept(tokens: readonly number[]): void {
    if (this.recurrent) {
      this.recurrent.kept(this.past, tokens.length);
      this.history.push(...tokens);
    }
    this.past += tokens.length;
  }

  /**
   * Keeps a copy of a hybrid's DeltaNet state at the current position, where the next turn's
   * prompt most likely departs from this one (the session calls it after each prompt); a no-op
   * for other models.
   */
  checkpoint(): void {
    if (this.rerun.length > 0) return; // the state is not at nPast yet
    this.recurrent?.save('prompt', this.past);
  }

  /**
   * Before several passes that will be undone together (a drafter's): a hybrid copies its
   * DeltaNet state here, so that going back costs a copy, not a rerun. A no-op for other models.
   */
  async savepoint(): Promise<void> {
    if (!this.recurrent) return;
    await this.runRerun();
    this.recurrent.save('draft', this.past);
  }

  /** A paged step of more experts than slots, as two: results joined as one pass gives them. */
  private async halves(tokens: readonly number[], mode: StepMode, opts: ForwardOptions): Promise<ArrayBuffer> {
    const h = Math.ceil(tokens.length / 2);
    const perPosition = mode === 'greedy' || mode === 'logits' || (typeof mode === 'object' && mode.allPositions === true);
    const a = await this.runStep(tokens.slice(0, h), perPosition ? mode : 'none', opts);
    const b = await this.runStep(tokens.slice(h), mode, opts);
    if (!perPosition) return b;
    const out = new Uint8Array(a.byteLength + b.byteLength);
    out.set(new Uint8Array(a), 0);
    out.set(new Uint8Array(b), a.byteLength);
    return out.buffer;
  }

  /** Records and runs one pass; with paged experts or recordRouting, reads its routing back too. */
  private async pass(tokens: readonly number[], mode: StepMode, opts: ForwardOptions): Promise<{ result: ArrayBuffer; ids?: Uint32Array }> {
    if (this.gpu.lostError) throw this.gpu.lostError;
    const { device } = this.gpu;
    const s = this.scratch;
    const T = tokens.length;
    if (this.past + T > s.nCtx) throw new RangeError(`context full: ${this.past} + ${T} tokens exceed ${s.nCtx} positions`);
    const cfg = this.passConfig(opts);
    const override = cfg !== this.cfg;
    for (const t of tokens) {
      if (!Number.isInteger(t) || t < 0 || t >= this.cfg.nVocab) throw new RangeError(`token id ${t} is outside the vocabulary (0..${this.cfg.nVocab - 1})`);
    }
    device.queue.writeBuffer(s.tokens, 0, Uint32Array.from(tokens));

    const recordStart = performance.now();
    const encoder = device.createCommandEncoder({ label: 'step' });
    this.recorder.begin(encoder);
    const lastOnly = mode === 'none' || mode === 'greedy_last' || (typeof mode === 'object' && !mode.allPositions);
    const blocks = new GpuBlocks(this.recorder, this.weights, this.routed, cfg, s, T, this.past, this.gpu.rowLanes, lastOnly, this.recurrent && { from: this.recurrent.from, to: this.recurrent.to });
    const logits = blocks.materialize(this.arch.forward(blocks, cfg));
    const { staging, bytes } = this.recordResult(encoder, logits.buffer, mode, T);
    // The exact pass's normalised final states, for the MTP block (draft passes' are not the model's).
    if (this.mtp && !override) this.keepStates(encoder, this.past, T);
    const { nLayer, nExpertUsed: k } = cfg;
    // Routing is logged for the model's own passes only (a draft pass routes differently).
    const logRouting = this.recordRouting && !override;
    const routingBytes = logRouting || this.routed.isPaged ? nLayer * T * k * 4 : 0;
    if (routingBytes > 0) encoder.copyBufferToBuffer(s.ids, 0, this.routingBuffer(), 0, routingBytes);
    const profiler: PassProfiler | undefined = this.recorder.profiler;
    const commands = encoder.finish();
    const submitted = performance.now();
    if (profiler instanceof SubmitProfiler) await profiler.run([...this.recorder.takeSeparate(), commands]);
    else device.queue.submit([commands]);
    this.lastStep.submits = 1;
    this.lastStep.dispatches = this.recorder.dispatches;
    this.lastStep.readbackBytes = bytes + routingBytes;
    let ids: Uint32Array | undefined;
    if (this.routingStaging && routingBytes > 0) {
      await this.routingStaging.mapAsync(GPUMapMode.READ, 0, routingBytes);
      const chosen = new Uint32Array(this.routingStaging.getMappedRange(0, routingBytes).slice(0));
      this.routingStaging.unmap();
      ids = chosen; // a const for the closure below
      // Dense leading layers (deepseek2) route nothing.
      const dense = this.cfg.nLayerDenseLead ?? 0;
      if (logRouting)
        this.lastRouting = Array.from({ length: nLayer }, (_, il) => Array.from({ length: T }, (_, t) => (il < dense ? [] : Array.from(chosen.subarray((il * T + t) * k, (il * T + t + 1) * k)))));
    }
    const result = await this.readResult(staging, bytes);
    const waitMs = performance.now() - submitted;
    if (profiler) this.lastProfile = { ...(await profiler.read()), tokens: T, recordMs: submitted - recordStart, waitMs };
    if (this.mtp) {
      this.mtp.chainPos = undefined;
      if (!override) {
        this.mtp.tokens.length = this.past;
        this.mtp.tokens.push(...tokens);
        for (let t = 0; t < T; t++) this.mtp.ringPos[(this.past + t) % this.mtp.ringPos.length] = this.past + t;
      }
    }
    return { result, ids };
  }

  /** Maps `staging` and copies its first `bytes` out, surfacing a lost device or a validation error. */
  private async readResult(staging: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
    await staging.mapAsync(GPUMapMode.READ, 0, bytes);
    if (this.gpu.lostError) throw this.gpu.lostError;
    const uncaptured = this.gpu.uncapturedError;
    if (uncaptured) {
      staging.unmap();
      this.gpu.uncapturedError = undefined;
      throw uncaptured;
    }
    const result = staging.getMappedRange(0, bytes).slice(0);
    staging.unmap();
    return result;
  }

  /** Copies rows [0, T) of s.xn (a pass's normalised final states) to the ring rows of positions pos0… */
  private keepStates(encoder: GPUCommandEncoder, pos0: number, T: number): void {
    const m = this.scratch.mtp;
    if (!m) return;
    const row = this.cfg.nEmbd * 4;
    for (const run of ringRuns(pos0, T, m.ringRows)) encoder.copyBufferToBuffer(this.scratch.xn, run.from * row, m.ring, run.slot * row, run.rows * row);
  }

  /**
   * Before a pass of `tokens` at nPast: the ring rows it will overwrite must not hold trunk
   * states the MTP block has not read yet, so those positions run through the block first (the
   * token after the last of them is tokens[0]).
   */
  private async keepMtpStates(tokens: readonly number[]): Promise<void> {
    const mtp = this.mtp;
    if (!mtp || mtp.past >= this.past + tokens.length - mtp.ringPos.length) return;
    await this.mtpRows([...mtp.tokens.slice(mtp.past + 1, this.past), tokens[0]], 'none');
  }

  /**
   * The MTP block over positions mtp.past … nPast − 1, each with the token after it (`next`:
   * the cache's, then the one to come after the last), from the trunk states in the ring; the
   * last row's result as `mode` asks. Positions whose states the ring lost (after the cache
   * went back further than it holds) keep the entries they had.
   */
  private async mtpRows(next: readonly number[], mode: MtpMode): Promise<ArrayBuffer | undefined> {
    const mtp = this.mtp;
    if (!mtp) throw new Error('no MTP block loaded');
    let start = this.past - next.length;
    const r = mtp.ringPos.length;
    while (start < this.past && mtp.ringPos[start % r] !== start) start++;
    if (start === this.past) return undefined;
    const rows = next.slice(next.length - (this.past - start));
    let result: ArrayBuffer | undefined;
    // With paged experts, as many rows as the slots hold all of their choices.
    const per = this.routed.isPaged ? Math.max(1, Math.floor(this.routed.slots / this.cfg.nExpertUsed)) : this.scratch.maxTokens;
    for (let i = 0; i < rows.length; i += Math.min(per, this.scratch.maxTokens)) {
      const chunk = rows.slice(i, i + Math.min(per, this.scratch.maxTokens));
      const last = i + chunk.length === rows.length;
      result = await this.mtpPass(start + i, chunk, 'ring', last ? mode : 'none');
    }
    mtp.past = this.past;
    return result;
  }

  /**
   * One pass of the MTP block: `next` at positions pos0…, their input states from the ring
   * (the trunk's at those positions) or from the block's own last state (a chained
   * prediction); keeps the last row's normalised state for the next chained one. With paged
   * experts the pass reads its routing back and runs again once the experts it chose are in,
   * as a trunk step does (its input rows are untouched by a try).
   */
  private async mtpPass(pos0: number, next: readonly number[], from: 'ring' | 'chain', mode: MtpMode): Promise<ArrayBuffer | undefined> {
    const m = this.scratch.mtp;
    const mtpBlock = this.arch.mtp;
    if (!m || !mtpBlock) throw new Error('no MTP block loaded');
    const { device } = this.gpu;
    const s = this.scratch;
    const T = next.length;
    if (pos0 + T > s.nCtx) throw new RangeError(`context full: MTP rows up to ${pos0 + T} exceed ${s.nCtx} positions`);
    const il = this.cfg.nLayer;
    const paged = this.routed.isPaged && this.routed.layer(il) !== undefined;
    const k = this.cfg.nExpertUsed;
    const row = this.cfg.nEmbd * 4;
    for (let attempt = 0; ; attempt++) {
      if (this.gpu.lostError) throw this.gpu.lostError;
      device.queue.writeBuffer(s.tokens, 0, Uint32Array.from(next));
      const encoder = device.createCommandEncoder({ label: 'mtp' });
      // A retry keeps the input rows of the first try (the chain state is rewritten by each try).
      if (attempt === 0 && from === 'chain') encoder.copyBufferToBuffer(m.chain, 0, m.input, 0, row);
      else if (attempt === 0) for (const run of ringRuns(pos0, T, m.ringRows)) encoder.copyBufferToBuffer(m.ring, run.slot * row, m.input, run.from * row, run.rows * row);
      this.recorder.begin(encoder);
      const blocks = new GpuBlocks(this.recorder, this.weights, this.routed, this.cfg, s, T, pos0, this.gpu.rowLanes, true);
      const logits = blocks.materialize(mtpBlock(blocks, this.cfg, GpuBlocks.states(m.input, this.cfg.nEmbd)));
      let readback: { staging: GPUBuffer; bytes: number } | undefined;
      if (mode === 'none') this.recorder.end();
      // Only the last row has logits (lastLogitsOnly).
      else readback = this.recordResult(encoder, logits.buffer, mode, mode === 'logits' ? 1 : T);
      encoder.copyBufferToBuffer(s.xn, (T - 1) * row, m.chain, 0, row);
      const routingBytes = paged ? T * k * 4 : 0;
      const routing = paged ? this.routingBuffer() : undefined;
      if (routing) encoder.copyBufferToBuffer(s.ids, il * T * k * 4, routing, 0, routingBytes);
      device.queue.submit([encoder.finish()]);
      if (routing) {
        const chosen = new Set(new Uint32Array(await this.readResult(routing, routingBytes)));
        const c = this.routed.counters;
        let missed = false;
        for (const e of chosen) {
          const hit = this.routed.isResident(il, e);
          missed ||= !hit;
          if (attempt === 0) {
            c.lookups++;
            if (hit) c.hits++;
          }
        }
        if (missed) {
          await this.routed.ensure(il, chosen);
          continue;
        }
        this.routed.touch(il, chosen);
      }
      return readback && (await this.readResult(readback.staging, readback.bytes));
    }
  }

  /** The staging buffer routing is read back through, sized for a whole trunk pass. */
  private routingBuffer(): GPUBuffer {
    const size = this.cfg.nLayer * this.scratch.maxTokens * this.cfg.nExpertUsed * 4;
    if (!this.routingStaging || this.routingStaging.size < size) {
      this.routingStaging?.destroy();
      this.routingStaging = this.gpu.device.createBuffer({ label: 'routing.staging', size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    }
    return this.routingStaging;
  }

  /** Positions the MTP block has yet to read before it can draft (the trunk ran them since): a prompt just prefilled leaves many. */
  get mtpBacklog(): number {
    return this.mtp ? this.past - this.mtp.past : 0;
  }

  /**
   * The MTP block's prediction for the token after `next`: the first of a draft reads the
   * trunk's state at nPast − 1 (`next` is the token that follows it, not yet cached), each
   * further one the block's own state and the previous prediction. Undefined when the trunk
   * state at nPast − 1 is gone (the cache went back further than the ring holds): no draft.
   */
  async mtpGreedy(next: number): Promise<number | undefined> {
    const r = await this.mtpStep(next, 'greedy_last');
    return r && new Uint32Array(r)[0];
  }

  /**
   * k greedy predictions in one submit: the block's first row as mtpGreedy's, then each
   * further prediction fed its argmax and state on the GPU, the k ids read back once (the
   * chain of mtpGreedy calls, without a round trip per draft). Undefined as mtpGreedy. It is
   * that chain of calls with paged experts (whose residency each pass must check), and when the
   * block has more rows to catch up on than one pass takes or the ring lost some (rare: after a
   * long prefill, or going far back).
   */
  async mtpGreedyDraft(next: number, k: number): Promise<number[] | undefined> {
    const mtp = this.mtp;
    const m = this.scratch.mtp;
    const mtpBlock = this.arch.mtp;
    const s = this.scratch;
    const rows = mtp ? [...mtp.tokens.slice(mtp.past + 1, this.past), next] : [];
    const r = m?.ringRows ?? 1;
    const inRing = (p: number): boolean => mtp?.ringPos[p % r] === p;
    if (!mtp || !m || !mtpBlock || this.routed.isPaged || mtp.chainPos !== undefined || k < 1 || k > s.maxTokens || rows.length > s.maxTokens || !inRing(mtp.past)) {
      return this.mtpGreedyChain(next, k);
    }
    if (!inRing(this.past - 1)) return undefined;
    if (this.past + k - 1 > s.nCtx) throw new RangeError(`context full: ${k} MTP drafts from ${this.past} exceed ${s.nCtx} positions`);
    if (this.gpu.lostError) throw this.gpu.lostError;
    const { device } = this.gpu;
    const row = this.cfg.nEmbd * 4;
    const pos0 = this.past - rows.length;
    device.queue.writeBuffer(s.tokens, 0, Uint32Array.from(rows));
    const encoder = device.createCommandEncoder({ label: 'mtp.draft' });
    for (const run of ringRuns(pos0, rows.length, m.ringRows)) encoder.copyBufferToBuffer(m.ring, run.slot * row, m.input, run.from * row, run.rows * row);
    try {
      for (let j = 0; j < k; j++) {
        const T = j === 0 ? rows.length : 1;
        this.recorder.sitePrefix = j === 0 ? '' : `mtp#${j}/`;
        this.recorder.begin(encoder);
        const blocks = new GpuBlocks(this.recorder, this.weights, this.routed, this.cfg, s, T, j === 0 ? pos0 : this.past + j - 1, this.gpu.rowLanes, true);
        const logits = blocks.materialize(mtpBlock(blocks, this.cfg, GpuBlocks.states(m.input, this.cfg.nEmbd)));
        this.recorder.dispatch('argmax', 'argmax', undefined, [logits.buffer, s.sampled], { n_vocab: this.cfg.nVocab, n_tok: 1, l_stride: this.cfg.nVocab, out_off: j }, [1, 1, 1]);
        this.recorder.end();
        // The next prediction's input: this one's state and its argmax.
        encoder.copyBufferToBuffer(s.xn, (T - 1) * row, m.chain, 0, row);
        encoder.copyBufferToBuffer(m.chain, 0, m.input, 0, row);
        encoder.copyBufferToBuffer(s.sampled, j * 4, s.tokens, 0, 4);
      }
    } finally {
      this.recorder.sitePrefix = '';
    }
    encoder.copyBufferToBuffer(s.sampled, 0, this.idsStaging, 0, k * 4);
    device.queue.submit([encoder.finish()]);
    const ids = Array.from(new Uint32Array(await this.readResult(this.idsStaging, k * 4)));
    mtp.past = this.past;
    mtp.chainPos = this.past + k - 1;
    return ids;
  }

  /** Up to k greedy predictions, one call each. */
  private async mtpGreedyChain(next: number, k: number): Promise<number[] | undefined> {
    const out: number[] = [];
    for (let t = next; out.length < k;) {
      const guess = await this.mtpGreedy(t);
      if (guess === undefined) break;
      out.push((t = guess));
    }
    return out.length > 0 ? out : undefined;
  }

  /** As mtpGreedy, the k most probable tokens (sampling drafts). */
  async mtpTop(next: number, k: number): Promise<TopCandidates | undefined> {
    if (k < 1 || k > MAX_CANDIDATES) throw new RangeError(`top-k of ${k}: between 1 and ${MAX_CANDIDATES}`);
    const r = await this.mtpStep(next, { top: k });
    return r && unpackCandidates(r, k, 1)[0];
  }

  /** As mtpGreedy, every logit (sampling drafts with the whole vocabulary). */
  async mtpLogits(next: number): Promise<Float32Array | undefined> {
    const r = await this.mtpStep(next, 'logits');
    return r && new Float32Array(r);
  }

  private async mtpStep(next: number, mode: Exclude<MtpMode, 'none'>): Promise<ArrayBuffer | undefined> {
    const mtp = this.mtp;
    if (!mtp) throw new Error(`no MTP drafter: ${this.mtpUnavailable ?? 'not loaded'}`);
    if (!Number.isInteger(next) || next < 0 || next >= this.cfg.nVocab) throw new RangeError(`token id ${next} is outside the vocabulary (0..${this.cfg.nVocab - 1})`);
    if (mtp.chainPos !== undefined) {
      const result = await this.mtpPass(mtp.chainPos, [next], 'chain', mode);
      mtp.chainPos++;
      return result;
    }
    const last = this.past - 1;
    if (last < 0 || mtp.ringPos[last % mtp.ringPos.length] !== last) return undefined;
    const result = await this.mtpRows([...mtp.tokens.slice(mtp.past + 1, this.past), next], mode);
    mtp.chainPos = this.past;
    return result;
  }

  /**
   * Creates the pipelines and bind groups of passes of 1, 2, 4, 8 and maxBatch tokens (every token
   * tile of the projection kernels) and of a sampling step, by recording such passes and never submitting
   * them. A browser compiles a pipeline in its GPU process when it is created, so after this the
   * kernels compile while the person types rather than during the first answer (most of Pakar
   * Demo's 2.4 s to its first token on SwiftShader). Nothing runs: the cache, the KV rows and the
   * step counters are untouched (the uniforms a recorded dispatch writes are rewritten by each
   * real one before it runs).
   */
  preparePasses(): void {
    const { device } = this.gpu;
    const n = this.scratch.maxTokens;
    const modes: readonly [number, StepMode][] = [
      [1, 'greedy'],
      [1, { top: MAX_CANDIDATES }],
      [2, 'greedy'],
      [4, 'greedy'],
      [8, 'greedy'],
      [n, 'greedy'],
    ];
    for (const [T, mode] of modes.filter(([t]) => t <= n)) {
      const encoder = device.createCommandEncoder({ label: 'prepare' });
      this.recorder.begin(encoder);
      const blocks = new GpuBlocks(
        this.recorder,
        this.weights,
        this.routed,
        this.cfg,
        this.scratch,
        T,
        0,
        this.gpu.rowLanes,
        false,
        this.recurrent && { from: this.recurrent.from, to: this.recurrent.to },
      );
      this.recordResult(encoder, blocks.materialize(this.arch.forward(blocks, this.cfg)).buffer, mode, T);
      encoder.finish();
    }
  }

  /** Records the readback `mode` asks for of `logits` ([T or 1, n_vocab]), ending the compute pass. */
  private recordResult(encoder: GPUCommandEncoder, logits: GPUBuffer, mode: StepMode, T: number): { staging: GPUBuffer; bytes: number } {
    const s = this.scratch;
    let staging: GPUBuffer;
    let bytes: number;
    if (mode === 'greedy' || mode === 'greedy_last' || mode === 'none') {
      const n = mode === 'greedy' ? T : 1;
      this.recorder.dispatch('argmax', 'argmax', undefined, [logits, s.sampled], { n_vocab: this.cfg.nVocab, n_tok: n, l_stride: this.cfg.nVocab, out_off: 0 }, [n, 1, 1]);
      this.recorder.end();
      bytes = n * 4;
      staging = this.idsStaging;
      encoder.copyBufferToBuffer(s.sampled, 0, staging, 0, bytes);
    } else if (mode !== 'logits') {
      // One partial+merge pair per position; each site keeps its own uniform (same step).
      const n = mode.allPositions ? T : 1;
      for (let t = 0; t < n; t++) {
        const sfx = t === 0 ? '' : `#${t}`;
        this.recorder.dispatch(`topk.partial${sfx}`, 'topk_partial', undefined, [logits, s.topkPartial], { n_vocab: this.cfg.nVocab, k: mode.top, l_off: t * this.cfg.nVocab }, [64, 1, 1]);
        this.recorder.dispatch(`topk.merge${sfx}`, 'topk_merge', undefined, [s.topkPartial, s.candidates], { n_vocab: this.cfg.nVocab, k: mode.top, out_off: t * (1 + 2 * mode.top) }, [1, 1, 1]);
      }
      this.recorder.end();
      bytes = n * (1 + 2 * mode.top) * 4;
      staging = this.candidatesStaging;
      encoder.copyBufferToBuffer(s.candidates, 0, staging, 0, bytes);
    } else {
      this.recorder.end();
      bytes = T * this.cfg.nVocab * 4;
      if (!this.logitsStaging || this.logitsStaging.size < bytes) {
        this.logitsStaging?.destroy();
        this.logitsStaging = this.gpu.device.createBuffer({ label: 'logits.staging', size: s.maxTokens * this.cfg.nVocab * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      }
      staging = this.logitsStaging;
      encoder.copyBufferToBuffer(logits, 0, staging, 0, bytes);
    }
    return { staging, bytes };
  }

  /** The routed-expert cache: its slots and what it has done since load. */
  get expertCache(): ExpertCacheStats {
    return { ...this.routed.counters, paged: this.routed.isPaged, slots: this.routed.slots, experts: this.cfg.nExpert, bytes: this.routed.bytes };
  }

  destroy(): void {
    this.weights.destroy();
    this.routed.destroy();
    this.recorder.destroy();
    this.recorder.profiler?.destroy();
    this.idsStaging.destroy();
    this.candidatesStaging.destroy();
    this.routingStaging?.destroy();
    this.logitsStaging?.destroy();
    for (const b of Object.values(this.scratch)) if (b instanceof GPUBuffer) b.destroy();
    for (const b of this.scratch.act) b.destroy();
    for (const b of this.scratch.mla?.buffers ?? []) b.destroy();
    for (const b of Object.values(this.scratch.mtp ?? {})) if (b instanceof GPUBuffer) b.destroy();
    this.recurrent?.destroy();
  }
}

/** Why a loaded model would have no MTP drafter (undefined: it has one). */
function mtpUnavailableReason(arch: ArchDef, cfg: ModelConfig, wanted: boolean | undefined): string | undefined {
  if (!(cfg.nNextn ?? 0)) return 'this model has no multi-token-prediction (NextN) layers';
  if (!arch.mtp) return `Pakar does not run ${cfg.arch}'s multi-token-prediction block yet`;
  if (wanted === false) return 'the multi-token-prediction block was not loaded';
  return undefined;
}

/** Positions pos0 … pos0 + T − 1 as contiguous runs of ring rows: batch row `from`, ring row `slot`. */
function ringRuns(pos0: number, T: number, ringRows: number): { from: number; slot: number; rows: number }[] {
  const runs = [];
  for (let from = 0; from < T;) {
    const slot = (pos0 + from) % ringRows;
    const rows = Math.min(T - from, ringRows - slot);
    runs.push({ from, slot, rows });
    from += rows;
  }
  return runs;
}

/** The distinct experts a pass chose in each layer that has routed experts (ids: [layer][token][k]). */
function routedNeed(ids: Uint32Array | undefined, cfg: ModelConfig, T: number, routed: (il: number) => boolean): Map<number, Set<number>> {
  const need = new Map<number, Set<number>>();
  if (!ids) return need;
  const k = cfg.nExpertUsed;
  for (let il = 0; il < cfg.nLayer; il++) {
    if (routed(il)) need.set(il, new Set(ids.subarray(il * T * k, (il + 1) * T * k)));
  }
  return need;
}

/** [logZ, id_0, logit_0, …] per position (ids as u32 bits) → candidates. */
function unpackCandidates(raw: ArrayBuffer, k: number, n: number): TopCandidates[] {
  const u = new Uint32Array(raw);
  const f = new Float32Array(raw);
  return Array.from({ length: n }, (_, t) => {
    const o = t * (1 + 2 * k);
    return { logZ: f[o], ids: Array.from({ length: k }, (_, i) => u[o + 1 + 2 * i]), logits: Array.from({ length: k }, (_, i) => f[o + 2 + 2 * i]) };
  });
}

/** Uploads every tensor but those of `skip`, packing what one kernel reads through one binding. */
async function uploadWeights(weights: GpuWeights, source: WeightSource, cfg: ModelConfig, skip: ReadonlySet<string>): Promise<void> {
  const has = (n: string): boolean => source.file.tensorByName.has(n);
  const typeOf = (n: string): string | undefined => source.file.tensorByName.get(n)?.type.name;
  for (let il = 0; il < cfg.nLayer; il++) {
    const [q, k, v] = [w(il, 'attnQ'), w(il, 'attnK'), w(il, 'attnV')];
    if (has(q) && typeOf(q) === typeOf(k) && typeOf(k) === typeOf(v)) {
      await weights.packed(`blk.${il}.qkv`, [q, k, v]);
      if (has(w(il, 'attnQBias'))) await weights.loadConcatVector(`blk.${il}.qkv.bias`, [w(il, 'attnQBias'), w(il, 'attnKBias'), w(il, 'attnVBias')]);
    }
    for (const [gate, up] of [
      [w(il, 'ffnGateExps'), w(il, 'ffnUpExps')],
      [w(il, 'ffnGateShexp'), w(il, 'ffnUpShexp')],
    ]) {
      if (!has(gate) || skip.has(gate)) continue;
      if (typeOf(gate) !== typeOf(up)) throw new ModelError('unsupported_type', `${gate} (${typeOf(gate)}) and ${up} (${typeOf(up)}) differ in type; the GPU expert kernel needs them alike`);
      await weights.packed(`${gate}+up`, [gate, up]);
    }
  }
  for (const t of source.file.tensors) {
    if (skip.has(t.name)) continue;
    // Biases are f32 vectors whatever their shape (gpt-oss's per-expert biases are [n, n_expert]).
    // So is a DeltaNet layer's conv kernel, which dn_conv reads per channel.
    if (t.dims.length === 1 || t.name.endsWith('.bias') || t.name.endsWith(layerTensors.ssmConv1d)) await weights.loadVector(t.name);
    else if (!weights.hasLoaded(t.name)) await weights.loadMatrix(t.name);
  }
  await uploadDerivedKb(weights, source, cfg);
  if (!has(globalTensors.outputNorm)) throw new ModelError('missing_tensor', `tensor ${globalTensors.outputNorm} is missing`);
}
