// Where the store keeps its values: one IndexedDB object store through idb-keyval. Injectable,
// so tests can wrap it (a backend that runs out of quota after N bytes).

import { createStore, getMany, promisifyRequest, setMany } from 'idb-keyval';
import type { UseStore } from 'idb-keyval';

export interface StoreBackend {
  getMany(keys: readonly string[]): Promise<unknown[]>;
  /** Writes all entries in one transaction: all of them or none. */
  setMany(entries: readonly (readonly [string, unknown])[]): Promise<void>;
  /** Every key that starts with `prefix`. */
  keys(prefix: string): Promise<string[]>;
  /** Deletes every key that starts with `prefix`, in one transaction. */
  deletePrefix(prefix: string): Promise<void>;
}

export const DEFAULT_DB_NAME = 'pakar-weights';

/** All keys with `prefix`: strings sort by code unit, and no key uses U+FFFF. */
function prefixRange(prefix: string): IDBKeyRange {
  return IDBKeyRange.bound(prefix, `${prefix}\uffff`);
}

export function idbBackend(dbName = DEFAULT_DB_NAME, storeName = 'records'): StoreBackend {
  const store: UseStore = createStore(dbName, storeName);
  return {
    getMany: (keys) => getMany([...keys], store),
    setMany: (entries) =>
      setMany(
        entries.map(([k, v]) => [k, v]),
        store,
      ),
    keys: (prefix) => store('readonly', (s) => promisifyRequest(s.getAllKeys(prefixRange(prefix)))).then((ks) => ks.map(String)),
    deletePrefix: (prefix) =>
      store('readwrite', (s) => {
        s.delete(prefixRange(prefix));
        return promisifyRequest(s.transaction);
      }),
  };
}

/** One value, or undefined when absent. */
export async function getOne(backend: StoreBackend, key: string): Promise<unknown> {
  const [v] = await backend.getMany([key]);
  return v;
}
