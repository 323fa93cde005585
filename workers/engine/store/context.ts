// What every store operation runs with. Each piece is injectable: tests use fake IndexedDB,
// a backend that runs out of quota, a clock that never sleeps, the in-process lock table.

import type { StoreBackend } from './backend.ts';
import type { Clock } from './retry.ts';
import type { RetryPolicy } from './retry.ts';
import type { ModelLocks, Notices } from './tabs.ts';

/** The part of navigator.storage the store uses. */
export interface StorageManagerLike {
  estimate(): Promise<{ usage?: number; quota?: number }>;
  persist?(): Promise<boolean>;
  persisted?(): Promise<boolean>;
}

export interface StoreContext {
  readonly backend: StoreBackend;
  readonly locks: ModelLocks;
  readonly notices: Notices;
  readonly clock: Clock;
  readonly retry: RetryPolicy;
  readonly fetch: typeof fetch;
  readonly hubBaseUrl: string;
  /** navigator.storage, when the platform has it. */
  readonly storage: StorageManagerLike | undefined;
  /** Records fetched at once. */
  readonly concurrency: number;
  readonly maxRecordBytes: number;
}
