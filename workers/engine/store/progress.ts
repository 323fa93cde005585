// Progress of one download or import as events for the UI: bytes done/total, records, a speed
// over the last few seconds, an ETA, and the state. Events are throttled; state changes are not.

import type { DownloadProgress, DownloadState, ErrorInfo } from './types.ts';

/** Speed is measured over this window, in ms. */
const WINDOW_MS = 4000;

export class ProgressTracker {
  private state: DownloadState = 'checking';
  private bytesTotal = 0;
  private recordsTotal = 0;
  private storedBytes = 0;
  private storedRecords = 0;
  /** Bytes of records still in flight. */
  private inflight = 0;
  /** Every body byte received, failed requests included: what the speed is made of. */
  private received = 0;
  private samples: { t: number; bytes: number }[] = [];
  private lastEmit = -Infinity;

  constructor(
    private readonly id: string,
    private readonly now: () => number,
    private readonly emit: ((p: DownloadProgress) => void) | undefined,
    private readonly intervalMs = 200,
  ) {}

  setTotals(bytesTotal: number, recordsTotal: number, storedBytes: number, storedRecords: number): void {
    this.bytesTotal = bytesTotal;
    this.recordsTotal = recordsTotal;
    this.storedBytes = storedBytes;
    this.storedRecords = storedRecords;
  }

  /** `n` body bytes arrived (negative: a failed request's bytes no longer count as done). */
  bytes(n: number): void {
    this.inflight += n;
    if (n > 0) this.received += n;
    this.tick();
  }

  /** A record of `length` bytes is stored; `counted` of its bytes were reported in flight. */
  recordStored(length: number, counted: number): void {
    this.inflight -= counted;
    this.storedBytes += length;
    this.storedRecords += 1;
    this.tick();
  }

  setState(state: DownloadState, error?: ErrorInfo): void {
    this.state = state;
    if (state !== 'downloading') this.inflight = 0;
    this.send(error);
  }

  snapshot(error?: ErrorInfo): DownloadProgress {
    const bytesPerSecond = this.speed();
    const left = this.bytesTotal - this.storedBytes - this.inflight;
    return {
      id: this.id,
      state: this.state,
      bytesDone: this.storedBytes + this.inflight,
      bytesTotal: this.bytesTotal,
      recordsDone: this.storedRecords,
      recordsTotal: this.recordsTotal,
      bytesPerSecond,
      etaSeconds: this.state === 'complete' ? 0 : bytesPerSecond > 0 ? left / bytesPerSecond : undefined,
      ...(error ? { error } : {}),
    };
  }

  private tick(): void {
    const t = this.now();
    if (t - this.lastEmit >= this.intervalMs) this.send();
  }

  private send(error?: ErrorInfo): void {
    const t = this.now();
    this.samples.push({ t, bytes: this.received });
    while (this.samples.length > 2 && t - this.samples[0].t > WINDOW_MS) this.samples.shift();
    this.lastEmit = t;
    this.emit?.(this.snapshot(error));
  }

  private speed(): number {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.t - first.t < 250) return 0;
    return ((last.bytes - first.bytes) * 1000) / (last.t - first.t);
  }
}
