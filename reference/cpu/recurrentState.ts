// The CPU reference's DeltaNet state (model/deltaNet.ts): per recurrent layer, the convolution's
// last conv_kernel − 1 inputs and the S matrices of every value head. A copy of the whole state
// after each of the last `window` positions makes rollback exact (rejected drafts, an edited
// history): the reference spends memory where the GPU replays (gpu/deltaNetState.ts).

import type { DeltaNetConfig } from '../../workers/engine/model/deltaNet.ts';
import { convChannels } from '../../workers/engine/model/deltaNet.ts';

export interface DeltaNetLayerState {
  /** [convKernel − 1][channels]: the oldest input first. */
  readonly conv: Float32Array;
  /** [nVHeads][headDim (k)][headDim (v)]. */
  readonly s: Float32Array;
}

type Snapshot = Map<number, DeltaNetLayerState>;

const copy = (st: DeltaNetLayerState): DeltaNetLayerState => ({ conv: st.conv.slice(), s: st.s.slice() });

export class CpuRecurrentState {
  private layers = new Map<number, DeltaNetLayerState>();
  /** Position → the state after that many positions, per layer. */
  private readonly snapshots = new Map<number, Snapshot>();

  constructor(
    private readonly cfg: DeltaNetConfig,
    /** Positions back from the end that a rollback can reach. */
    readonly window = 256,
  ) {}

  /** Layer il's live state (zeros before its first token). */
  layer(il: number): DeltaNetLayerState {
    let st = this.layers.get(il);
    if (!st) {
      const d = this.cfg;
      st = { conv: new Float32Array((d.convKernel - 1) * convChannels(d)), s: new Float32Array(d.nVHeads * d.headDim * d.headDim) };
      this.layers.set(il, st);
    }
    return st;
  }

  /** Records layer il's state as the state after `pos` positions. */
  record(il: number, pos: number): void {
    let snap = this.snapshots.get(pos);
    if (!snap) this.snapshots.set(pos, (snap = new Map()));
    snap.set(il, copy(this.layer(il)));
  }

  /** Forgets snapshots older than the window before `end`. */
  prune(end: number): void {
    for (const pos of this.snapshots.keys()) if (pos < end - this.window) this.snapshots.delete(pos);
  }

  /** The longest prefix of n positions or fewer whose state can be restored (0 always can). */
  restorable(n: number): number {
    for (let m = n; m > 0; m--) if (this.snapshots.has(m)) return m;
    return 0;
  }

  /** Restores the state after n positions (n = 0: the empty state). */
  truncate(n: number): void {
    if (n === 0) {
      this.layers.clear();
      this.snapshots.clear();
      return;
    }
    const snap = this.snapshots.get(n);
    if (!snap) throw new RangeError(`recurrent state: position ${n} is outside the last ${this.window} positions and cannot be restored`);
    this.layers = new Map([...snap].map(([il, st]) => [il, copy(st)]));
    for (const pos of this.snapshots.keys()) if (pos > n) this.snapshots.delete(pos);
  }

  /** Floats of live state (memory stats). */
  storedFloats(): number {
    let n = 0;
    for (const st of this.layers.values()) n += st.conv.length + st.s.length;
    return n;
  }
}
