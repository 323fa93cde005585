// Storage keys of one model (ARCHITECTURE.md "Storage keys"). Record keys are stored in the
// manifest relative to the model prefix, so they stay short and the id can change no data.

import { StoreError } from './errors.ts';
import type { ModelSource } from './types.ts';

/** Ids are also lock and key names: no slashes, nothing that needs escaping. */
const ID = /^[A-Za-z0-9][A-Za-z0-9._~+@=-]{0,199}$/;

export function checkModelId(id: string): void {
  if (!ID.test(id)) {
    throw new StoreError('bad_request', `"${id.slice(0, 80)}" cannot be a model id: use 1-200 letters, digits and . _ ~ + @ = - (no slashes)`);
  }
}

/** A readable id for a source: `owner~repo~file@revision`, `url~host~file`, `file~name~size`. */
export function modelIdFor(source: ModelSource): string {
  const clean = (s: string): string => s.replace(/\//g, '~').replace(/[^A-Za-z0-9._~+@=-]/g, '_');
  switch (source.kind) {
    case 'hub':
      return clean(`${source.repo}~${source.file}@${source.revision}`).slice(0, 200);
    case 'url': {
      const u = new URL(source.url);
      return clean(`url~${u.host}~${u.pathname.split('/').pop() ?? 'model'}`).slice(0, 200);
    }
    case 'file':
      return clean(`file~${source.name}~${source.size}`).slice(0, 200);
  }
}

export const modelPrefix = (id: string): string => `model/${id}/`;
export const manifestKey = (id: string): string => `model/${id}/manifest`;
export const headerKey = (id: string): string => `model/${id}/header`;
export const progressKey = (id: string): string => `model/${id}/progress`;
/** Absolute key of a record from its manifest-relative key. */
export const recordKey = (id: string, rel: string): string => `model/${id}/${rel}`;

/** Manifest-relative key of chunk `chunk` of a dense tensor. */
export const tensorRecordKey = (tensor: string, chunk: number): string => `t/${tensor}/${chunk}`;

/** Manifest-relative key of one expert's slice (`part` only when a slice is split). */
export function expertRecordKey(layer: number, kind: string, expert: number, part?: number): string {
  return part === undefined ? `x/${layer}/${kind}/${expert}` : `x/${layer}/${kind}/${expert}/${part}`;
}

/** Whether a manifest-relative key is an expert slice's (expertRecordKey) rather than a dense chunk's. */
export const isExpertRecord = (key: string): boolean => key.startsWith('x/');

export const lockName = (id: string): string => `pakar-model:${id}`;
