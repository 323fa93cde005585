// The model the engine has on the GPU, as the UI sees it: how to load one, load progress, and
// what was loaded (experts' placement, the draft model).

export interface LoadOptions {
  /**
   * GPU memory for the routed experts, MiB. Under their size, each MoE layer keeps that share of
   * its experts and loads the others when routing needs them (same answers, slower). Default:
   * all resident, unless a layer's experts exceed one GPU binding.
   */
  expertCacheMiB?: number;
}

/** Where the loaded model's routed experts live on the GPU. */
export interface ExpertCacheInfo {
  /** False: every expert resident. */
  paged: boolean;
  slotsPerLayer: number;
  /** GPU bytes of the experts' slots. */
  bytes: number;
  /** The model's download is under way: experts not stored yet are read from its source (slower). */
  downloading: boolean;
}

export interface LoadProgress {
  /** Bytes of weights uploaded to the GPU so far, of `bytesTotal`. */
  bytesDone: number;
  bytesTotal: number;
}

export interface LoadedModelInfo {
  /** The store id, or the file name for a directly loaded file. */
  id: string;
  name: string;
  architecture: string;
  contextLength: number;
  nLayer: number;
  nExpert: number;
  nExpertUsed: number;
  weightBytes: number;
  /** KV cache on the GPU for the whole context, and per token (all layers; MLA keeps only the latent). */
  kvCacheBytes: number;
  kvBytesPerToken: number;
  /**
   * Hybrids (Gated DeltaNet layers): one copy of their fixed-size state, and all their buffers
   * (live state, the state before the last pass, the prompt checkpoint, the pass log); 0 elsewhere.
   */
  recurrentStateBytes: number;
  recurrentBytes: number;
  experts: ExpertCacheInfo;
  /** The model's own multi-token-prediction block is loaded: the `mtp` drafter can draft. */
  mtp: boolean;
  adapter: string;
  /** The draft model speculative decoding may use, when one is loaded. */
  draftModel?: DraftModelInfo;
}

export interface DraftModelInfo {
  /** The store id. */
  id: string;
  name: string;
  nLayer: number;
  weightBytes: number;
}
