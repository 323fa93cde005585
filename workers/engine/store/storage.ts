// Storage management: which models are stored and how much of each, deleting a model (in any
// tab), marking damaged records for refetch, and the browser's usage, quota and persistence.

import type { StoreContext } from './context.ts';
import { StoreError, toStoreError } from './errors.ts';
import { lockName, manifestKey, modelPrefix, progressKey } from './keys.ts';
import { infoOf, loadManifest } from './manifest.ts';
import type { StorageEstimateInfo, StoredModelInfo } from './types.ts';

const MANIFEST_SUFFIX = '/manifest';

export async function listModels(ctx: StoreContext): Promise<StoredModelInfo[]> {
  const keys = await ctx.backend.keys('model/');
  const ids = keys.filter((k) => k.endsWith(MANIFEST_SUFFIX)).map((k) => k.slice('model/'.length, -MANIFEST_SUFFIX.length));
  const out: StoredModelInfo[] = [];
  for (const id of ids) {
    const stored = await loadManifest(ctx.backend, id);
    if (stored && !stored.manifest.deleting) out.push(infoOf(stored));
  }
  return out.sort((a, b) => a.createdAt - b.createdAt);
}

export async function modelInfo(ctx: StoreContext, id: string): Promise<StoredModelInfo | undefined> {
  const stored = await loadManifest(ctx.backend, id);
  return stored && !stored.manifest.deleting ? infoOf(stored) : undefined;
}

/**
 * Deletes a model: marks it deleted (so no tab loads it from now on), tells a tab that is
 * downloading it to stop, then, holding its lock, removes every key of it in one transaction.
 */
export async function deleteModel(ctx: StoreContext, id: string): Promise<void> {
  try {
    const stored = await loadManifest(ctx.backend, id);
    if (stored && !stored.manifest.deleting) {
      await ctx.backend.setMany([[manifestKey(id), { ...stored.manifest, deleting: true, updatedAt: Date.now() }]]).catch(() => {
        // Even a full disk must not stop a delete: the removal below is what frees space.
      });
    }
    ctx.notices.announceDeleted(id);
    await ctx.locks.run(
      lockName(id),
      undefined,
      () => {},
      () => ctx.backend.deletePrefix(modelPrefix(id)),
    );
  } catch (e) {
    throw toStoreError(e, `Deleting ${id}`, 'storage');
  }
}

/** Clears the done flags of damaged records so that the next download fetches them again. */
export async function markDamaged(ctx: StoreContext, id: string, indices: readonly number[]): Promise<void> {
  await ctx.locks.run(
    lockName(id),
    undefined,
    () => {},
    async () => {
      const stored = await loadManifest(ctx.backend, id);
      if (!stored || stored.manifest.deleting) return;
      const done = stored.progress.done.slice();
      for (const i of indices) done[i] = 0;
      await ctx.backend.setMany([[progressKey(id), { done, sums: stored.progress.sums }]]);
    },
  );
}

/** Usage and quota of this site's storage, when the platform tells. */
export async function estimateStorage(ctx: StoreContext): Promise<StorageEstimateInfo | undefined> {
  if (!ctx.storage) return undefined;
  const est = await ctx.storage.estimate();
  if (est.usage === undefined || est.quota === undefined) return undefined;
  const persisted = (await ctx.storage.persisted?.()) ?? false;
  return { usage: est.usage, quota: est.quota, persisted };
}

/**
 * Asks the browser to keep this site's data under storage pressure. Call it from a user action
 * (browsers grant it more readily then). Returns whether storage is persistent now.
 */
export async function requestPersistence(ctx: StoreContext): Promise<boolean> {
  if (!ctx.storage?.persist) return false;
  try {
    return await ctx.storage.persist();
  } catch (e) {
    throw new StoreError('storage', `The browser refused persistent storage: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}
