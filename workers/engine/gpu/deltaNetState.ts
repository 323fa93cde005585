// Which positions the DeltaNet state can return to, and how (model/deltaNet.ts has no KV cache
// to cut). The live state is one of two buffers; a pass writes the other and becomes live when it
// is kept. So, without copying anything per step:
//   - back to the start of the last pass: the buffer before it is still there;
//   - into the last pass (rejected drafts): the recurrence alone replays its first tokens from
//     that buffer and the pass's logged projections, bit for bit what a shorter pass gives;
//   - back to a copy: the `prompt` copy taken at the end of the last prompt (where the next
//     turn's prompt usually departs from the cached one), or the `draft` copy a drafter takes
//     before its draft passes (several passes to undo at once);
//   - anywhere else: the empty state at 0.
// Positions past the chosen one are rerun by the model (GpuModel.truncate), so every truncation
// is exact; only its cost varies. Recomputing was chosen over a state snapshot per drafted token
// (llama.cpp's way): a snapshot is the whole state (tens of MB on real models) per token, the
// replay costs one recurrence over a few tokens.

import type { ModelConfig } from '../model/config.ts';
import type { DeltaNetConfig } from '../model/deltaNet.ts';
import { recurrentSlotOf } from '../model/deltaNet.ts';
import { recordRecurrence } from './deltaNet.ts';
import type { DeltaNetScratch } from './deltaNet.ts';
import type { StepRecorder } from './recorder.ts';
import type { GpuWeights } from './weights.ts';

/** The state copies: at the end of the last prompt, and before the current draft passes. */
export type StateCopy = 'prompt' | 'draft';

export class DeltaNetState {
  /** Index of the live state buffer. */
  private live = 0;
  /** The last kept pass: its first position and its tokens (their projections are in the log). */
  private passStart = 0;
  private passLength = 0;
  /** Each copy's buffer (the draft one made on first use) and the position it holds. */
  private readonly copies = new Map<StateCopy, { buffer: GPUBuffer; at: number | undefined }>();

  constructor(
    private readonly device: GPUDevice,
    private readonly rec: StepRecorder,
    private readonly weights: GpuWeights,
    private readonly cfg: ModelConfig & { readonly deltaNet: DeltaNetConfig },
    private readonly s: DeltaNetScratch,
    private readonly rowLanes: number,
  ) {
    this.copies.set('prompt', { buffer: s.checkpoint, at: undefined });
  }

  /** The buffer a pass reads the state from, and the one it writes. */
  get from(): GPUBuffer {
    return this.s.state[this.live];
  }
  get to(): GPUBuffer {
    return this.s.state[1 - this.live];
  }

  /** A pass of `length` tokens at `start` was kept: its state becomes the live one. */
  kept(start: number, length: number): void {
    this.live = 1 - this.live;
    this.passStart = start;
    this.passLength = length;
  }

  /** The most positions ≤ n (of `past`) the state can return to directly. */
  restorable(n: number, past: number): number {
    if (n >= past) return past;
    if (n >= this.passStart) return n;
    let best = 0;
    for (const { at } of this.copies.values()) if (at !== undefined && at <= n) best = Math.max(best, at);
    return best;
  }

  /** Returns the state to position n, which must be restorable(n). */
  truncate(n: number, past: number): void {
    if (n >= past) return;
    const copy = [...this.copies.values()].find((c) => c.at === n);
    if (n >= this.passStart && n < this.passStart + this.passLength) {
      const m = n - this.passStart;
      if (m === 0) {
        this.live = 1 - this.live; // the buffer before the pass
      } else {
        this.submit((rec) => {
          for (let il = 0; il < this.cfg.nLayer; il++) {
            const slot = recurrentSlotOf(this.cfg.deltaNet, il);
            if (slot >= 0) recordRecurrence(rec, this.weights, this.cfg, this.s, il, slot, m, this.to, this.from, this.rowLanes);
          }
        });
      }
      this.passLength = m;
    } else if (copy) {
      this.copy(copy.buffer, this.from);
      this.passStart = n;
      this.passLength = 0;
    } else if (n === 0) {
      const encoder = this.device.createCommandEncoder({ label: 'dn.clear' });
      encoder.clearBuffer(this.from);
      this.device.queue.submit([encoder.finish()]);
      this.passStart = 0;
      this.passLength = 0;
    } else {
      throw new RangeError(`DeltaNet state: position ${n} cannot be restored directly (restorable: ${this.restorable(n, past)})`);
    }
    // A copy past n holds positions that are gone.
    for (const c of this.copies.values()) if (c.at !== undefined && c.at > n) c.at = undefined;
  }

  /** Copies the live state, the state at `past`, into `which`. */
  save(which: StateCopy, past: number): void {
    let c = this.copies.get(which);
    if (!c) {
      const buffer = this.device.createBuffer({ label: `dn.${which}`, size: this.s.checkpoint.size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
      this.copies.set(which, (c = { buffer, at: undefined }));
    }
    this.copy(this.from, c.buffer);
    c.at = past;
  }

  /** Bytes of every DeltaNet buffer: the two live ones, the copies and the pass log. */
  get bytes(): number {
    return this.s.bytes + (this.copies.get('draft')?.buffer.size ?? 0);
  }

  destroy(): void {
    for (const b of [...this.s.state, this.s.log, this.s.conv, this.s.out]) b.destroy();
    for (const c of this.copies.values()) c.buffer.destroy();
  }

  private copy(src: GPUBuffer, dst: GPUBuffer): void {
    const encoder = this.device.createCommandEncoder({ label: 'dn.copy' });
    encoder.copyBufferToBuffer(src, 0, dst, 0, src.size);
    this.device.queue.submit([encoder.finish()]);
  }

  /** Records `body` outside any pass (no profiling) and submits it. */
  private submit(body: (rec: StepRecorder) => void): void {
    const profiler = this.rec.profiler;
    this.rec.profiler = undefined;
    try {
      const encoder = this.device.createCommandEncoder({ label: 'dn.replay' });
      this.rec.begin(encoder);
      body(this.rec);
      this.rec.end();
      this.device.queue.submit([encoder.finish()]);
    } finally {
      this.rec.profiler = profiler;
    }
  }
}
