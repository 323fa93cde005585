// The engine's surface as the UI sees it through Comlink (`Remote<EngineApi>`). Everything here
// crosses a postMessage boundary, so every type is a plain structured-cloneable object.

export interface EngineApi {
  /** Reads a GGUF header (metadata + tensor table) from a local file; no tensor data is read. */
  inspectGguf(file: Blob): Promise<GgufSummary>;
  /** Whether WebGPU works inside the engine worker, and with which adapter. */
  probeGpu(): Promise<GpuProbe>;
}

/** What the UI receives when an engine call fails (see `errors.ts`). */
export interface EngineErrorInfo {
  /** Stable machine-readable reason, e.g. a GgufError code such as `truncated`. */
  code: string;
  /** What went wrong, for a person. */
  message: string;
}

export interface GgufSummary {
  version: number;
  /** `general.architecture`, e.g. `qwen3moe`. */
  architecture: string | undefined;
  /** `general.name`. */
  name: string | undefined;
  /** Bytes; undefined when the source could not tell. */
  fileSize: number | undefined;
  tensorCount: number;
  /** Sum of the tensors' element counts. */
  parameterCount: number;
  /** Bytes of tensor data the header describes. */
  tensorBytes: number;
  /** One row per ggml type used by the tensors, largest share of bytes first. */
  quantTypes: QuantTypeUsage[];
  tokenizer: TokenizerSummary | undefined;
  hasChatTemplate: boolean;
  /** Every metadata key in file order, values summarised for display. */
  metadata: MetadataEntry[];
}

export interface QuantTypeUsage {
  /** ggml type name, e.g. `Q4_K`. */
  type: string;
  tensors: number;
  parameters: number;
  bytes: number;
  /** Whether Pakar can dequantize this type. */
  supported: boolean;
}

export interface TokenizerSummary {
  /** `tokenizer.ggml.model`: `gpt2` (byte-level BPE), `llama` (SentencePiece), … */
  model: string | undefined;
  /** `tokenizer.ggml.pre`: the pre-tokenizer name. */
  pre: string | undefined;
  /** Length of `tokenizer.ggml.tokens`. */
  tokenCount: number | undefined;
}

export interface MetadataEntry {
  key: string;
  /** GGUF value type, e.g. `u32`, `string`, `array<string>`. */
  type: string;
  /** The value as text; long arrays and strings are summarised ("array of 151936 strings"). */
  value: string;
}

export type GpuProbe =
  | {
      available: true;
      vendor: string;
      architecture: string;
      device: string;
      description: string;
      /** A software or otherwise reduced adapter, when the browser says so. */
      isFallbackAdapter: boolean | undefined;
      features: string[];
      /** The limits the engine plans with, in bytes. */
      limits: {
        maxBufferSize: number;
        maxStorageBufferBindingSize: number;
        maxComputeWorkgroupStorageSize: number;
      };
    }
  | {
      available: false;
      /** Why not, in words a person can act on. */
      reason: string;
    };
