// Why a store operation failed. Each code names one situation the UI can act on; the message
// says what happened and what to do next.

export type StoreErrorCode =
  /** The connection failed or dropped; retrying later usually works. */
  | 'network'
  /** The server answered with an unusable status (see `status`): overloaded, rate-limiting, broken. */
  | 'http'
  /** The server has no such file (HTTP 404 or 410): a wrong repository, file name or revision. */
  | 'remote_missing'
  /** The server refused access (HTTP 401 or 403): a gated or private repository, or an expired link. */
  | 'access_denied'
  /** The file on the server is no longer the one the stored records came from. */
  | 'remote_changed'
  /** The browser refused to store more data. */
  | 'quota'
  /** A body or a stored record has the wrong length or checksum. */
  | 'corrupt'
  /** The model is not in the store (never stored, or deleted, maybe in another tab). */
  | 'not_found'
  /** The model is only partly stored. */
  | 'incomplete'
  /** The bytes are not a usable GGUF file (`detail` holds the GgufError code). */
  | 'invalid_gguf'
  /** A valid GGUF this engine cannot run (`detail` holds the ModelError code, e.g. unknown_arch). */
  | 'unsupported'
  /** The download or import was paused or cancelled. */
  | 'aborted'
  /** The model was deleted while it was being downloaded. */
  | 'deleted'
  /** IndexedDB failed for another reason than quota (private mode, a broken database). */
  | 'storage'
  /** A model id or source the store cannot use. */
  | 'bad_request';

export class StoreError extends Error {
  override readonly name = 'StoreError';
  /** HTTP status, for `http` errors. */
  readonly status: number | undefined;
  /** A finer reason: the GgufError code for `invalid_gguf`, `length`/`checksum` for `corrupt`. */
  readonly detail: string | undefined;
  /** Server-requested wait before retrying (Retry-After), in ms. */
  readonly retryAfterMs: number | undefined;

  constructor(
    readonly code: StoreErrorCode,
    message: string,
    extra: { status?: number; detail?: string; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.status = extra.status;
    this.detail = extra.detail;
    this.retryAfterMs = extra.retryAfterMs;
  }
}

/** Whether trying the same request again may succeed. */
export function isRetryable(e: StoreError): boolean {
  if (e.code === 'network' || e.code === 'corrupt') return true;
  if (e.code !== 'http' || e.status === undefined) return false;
  return e.status === 408 || e.status === 425 || e.status === 429 || e.status >= 500;
}

/** A browser or fake-indexeddb refusal to store more bytes. */
export function isQuotaError(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const name = (e as { name?: unknown }).name;
  // Firefox used NS_ERROR_DOM_QUOTA_REACHED before it adopted the standard name.
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED';
}

export function isAbortError(e: unknown): boolean {
  return (e instanceof StoreError && e.code === 'aborted') || (typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'AbortError');
}

export function abortedError(what: string): StoreError {
  return new StoreError('aborted', `${what} was paused; what is already stored is kept, and it resumes from there`);
}

/** Any failure as a StoreError, keeping StoreErrors as they are; `fallback` for the unknown. */
export function toStoreError(e: unknown, context: string, fallback: 'network' | 'storage' = 'network'): StoreError {
  if (e instanceof StoreError) return e;
  if (isAbortError(e)) return abortedError(context);
  if (isQuotaError(e)) {
    return new StoreError('quota', `${context}: the browser has no more storage for this site. Delete a model or free disk space, then resume`, { cause: e });
  }
  const why = e instanceof Error ? e.message : String(e);
  const hint = fallback === 'network' ? 'check the connection and resume' : 'the browser storage failed; reload the page and resume';
  return new StoreError(fallback, `${context}: ${why} (${hint})`, { cause: e });
}

export function formatBytes(n: number): string {
  if (n < 1e3) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e9).toFixed(2)} GB`;
}
