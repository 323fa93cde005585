// Fetches records with bounded concurrency and hands each to the writer once it is complete
// and of the right length. The first real failure stops the others (their requests are
// aborted); records already written stay.

import { xxh32 } from './checksum.ts';
import { abortedError, isAbortError, StoreError } from './errors.ts';
import type { RecordSpec } from './plan.ts';
import type { ProgressTracker } from './progress.ts';
import type { RecordWriter } from './writer.ts';

/** Fetches one record's bytes; `onBytes(n)` as bytes arrive, `onBytes(-n)` to take back a failed try's. */
export type FetchRecord = (spec: RecordSpec, signal: AbortSignal, onBytes: (n: number) => void) => Promise<Uint8Array>;

export interface TransferOptions {
  readonly records: readonly RecordSpec[];
  /** Indices into `records`, in fetch order. */
  readonly todo: readonly number[];
  readonly fetchRecord: FetchRecord;
  readonly writer: RecordWriter;
  readonly tracker: ProgressTracker;
  readonly concurrency: number;
  readonly signal: AbortSignal;
}

export async function runTransfer(o: TransferOptions): Promise<void> {
  const inner = new AbortController();
  const onAbort = (): void => inner.abort();
  o.signal.addEventListener('abort', onAbort, { once: true });
  let failure: unknown;
  let next = 0;

  const worker = async (): Promise<void> => {
    while (!inner.signal.aborted && next < o.todo.length) {
      const index = o.todo[next++];
      const spec = o.records[index];
      let counted = 0;
      try {
        const bytes = await o.fetchRecord(spec, inner.signal, (n) => {
          counted += n;
          o.tracker.bytes(n);
        });
        if (bytes.length !== spec.length) {
          throw new StoreError('corrupt', `record ${spec.key} came back with ${bytes.length} bytes instead of ${spec.length}`, { detail: 'length' });
        }
        await o.writer.commit(index, bytes, xxh32(bytes));
        o.tracker.recordStored(spec.length, counted);
      } catch (e) {
        if (counted !== 0) o.tracker.bytes(-counted);
        // Requests aborted because another worker failed are not the failure.
        if (failure === undefined && !(inner.signal.aborted && isAbortError(e))) failure = e;
        inner.abort();
        return;
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: Math.max(1, o.concurrency) }, worker));
  } finally {
    o.signal.removeEventListener('abort', onAbort);
  }
  if (failure !== undefined) throw failure;
  if (o.signal.aborted) throw abortedError('The download');
}
