// Writes finished records. Each write is one transaction holding the record(s) and the progress
// value with their done flags and checksums, so a done flag never exists without its record.
// Writes are serialised; records that finish while one is running go in the next together.

import type { StoreBackend } from './backend.ts';
import { progressKey, recordKey } from './keys.ts';
import type { ManifestProgress, ModelManifest } from './manifest.ts';

interface Pending {
  readonly index: number;
  readonly bytes: Uint8Array;
  readonly sum: number;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

export class RecordWriter {
  private progress: ManifestProgress;
  private pending: Pending[] = [];
  private running: Promise<void> | undefined;

  constructor(
    private readonly backend: StoreBackend,
    private readonly manifest: ModelManifest,
    progress: ManifestProgress,
  ) {
    this.progress = progress;
  }

  /** Resolves once record `index` and its done flag are stored (rejects if that write failed). */
  commit(index: number, bytes: Uint8Array, sum: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ index, bytes, sum, resolve, reject });
      this.running ??= this.drain();
    });
  }

  /** Resolves when nothing is being written. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0);
      const done = this.progress.done.slice();
      const sums = this.progress.sums.slice();
      for (const p of batch) {
        done[p.index] = 1;
        sums[p.index] = p.sum;
      }
      const id = this.manifest.id;
      const entries: [string, unknown][] = batch.map((p) => [recordKey(id, this.manifest.records[p.index].key), p.bytes]);
      entries.push([progressKey(id), { done, sums } satisfies ManifestProgress]);
      try {
        await this.backend.setMany(entries);
        this.progress = { done, sums };
        for (const p of batch) p.resolve();
      } catch (e) {
        for (const p of batch) p.reject(e);
      }
    }
    this.running = undefined;
  }
}
