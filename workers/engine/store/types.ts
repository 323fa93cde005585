// Plain data the store hands to the UI (through Comlink) and keeps in IndexedDB.

/** `${hubBaseUrl}/${repo}/resolve/${revision}/${file}` */
export interface HubSource {
  readonly kind: 'hub';
  readonly repo: string;
  readonly file: string;
  readonly revision: string;
}

/** Any HTTPS URL of a GGUF file that answers Range requests. */
export interface UrlSource {
  readonly kind: 'url';
  readonly url: string;
}

/** A file the user picked or dropped (no network). */
export interface FileSource {
  readonly kind: 'file';
  readonly name: string;
  readonly size: number;
  readonly lastModified: number;
}

/** Where a model's bytes come from. */
export type ModelSource = HubSource | UrlSource | FileSource;

export type DownloadState =
  /** Reading the remote header, or comparing the remote file with the stored records. */
  | 'checking'
  /** Another tab is downloading this model; this one waits and then takes what is missing. */
  | 'waiting'
  | 'downloading'
  | 'complete'
  | 'paused'
  | 'failed';

export interface ErrorInfo {
  readonly code: string;
  readonly message: string;
}

/** One progress event of a download or import. */
export interface DownloadProgress {
  readonly id: string;
  readonly state: DownloadState;
  /** Bytes of tensor data stored, plus bytes of records in flight. */
  readonly bytesDone: number;
  readonly bytesTotal: number;
  readonly recordsDone: number;
  readonly recordsTotal: number;
  /** Recent transfer speed, bytes per second (0 until measured). */
  readonly bytesPerSecond: number;
  /** Seconds left at the recent speed; undefined while unknown. */
  readonly etaSeconds: number | undefined;
  readonly error?: ErrorInfo;
}

export type StoredState = 'complete' | 'partial' | 'failed';

/** A model in the store, as the model manager lists it. */
export interface StoredModelInfo {
  readonly id: string;
  readonly source: ModelSource;
  /** `general.name` and `general.architecture` from the header. */
  readonly name: string | undefined;
  readonly architecture: string | undefined;
  /** Size of the GGUF file in bytes. */
  readonly size: number;
  /** Bytes this model takes in the store (header + stored records). */
  readonly bytesStored: number;
  readonly recordsDone: number;
  readonly recordsTotal: number;
  /** Percentage of tensor bytes stored, 0–100 (floored, so 100 only when complete). */
  readonly percent: number;
  /** `failed` when the last download stopped on an error and the model is not complete. */
  readonly state: StoredState;
  /**
   * Every dense record (all but the experts) is stored: the model can run while its experts
   * download (EngineApi.loadModel).
   */
  readonly denseStored: boolean;
  readonly failure: ErrorInfo | undefined;
  readonly etag: string | undefined;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** navigator.storage.estimate(), in bytes. */
export interface StorageEstimateInfo {
  readonly usage: number;
  readonly quota: number;
  readonly persisted: boolean;
}
