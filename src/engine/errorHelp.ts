// Engine failures as a person reads them: what happened, what to do, and which button helps.
// Codes come from the engine's typed errors (GpuError, StoreError, ModelError, ChatError, GgufError).

// The class the UI's error transfer handler rethrows (the same module client.ts installs).
import { EngineError, type EngineErrorCode } from '../../workers/engine/errors.ts';

/** What the UI can offer next to the message. */
export type ErrorAction = 'reload-model' | 'open-models' | 'retry' | 'new-chat' | 'none';

export interface ErrorHelp {
  readonly code: string;
  readonly title: string;
  readonly message: string;
  readonly hint: string | undefined;
  readonly action: ErrorAction;
}

const WEBGPU_BROWSERS = 'WebGPU runs in Chrome and Edge 113+ on Windows, macOS and ChromeOS, Chrome 121+ on Android, Safari 26+ and Firefox 141+ on Windows.';

/** Codes of the UI's own failures (a broken catalog, an unreadable import). */
type UiErrorCode = 'invalid_catalog' | 'invalid_import';

const HELP: Partial<Record<EngineErrorCode | UiErrorCode, { title: string; hint?: string; action?: ErrorAction }>> = {
  no_webgpu: { title: 'WebGPU is not available here', hint: WEBGPU_BROWSERS },
  no_adapter: { title: 'WebGPU offered no GPU', hint: `The GPU may be blocklisted or WebGPU turned off in the browser settings. ${WEBGPU_BROWSERS}` },
  device_lost: { title: 'The GPU was reset', hint: 'The browser or the driver reset the GPU. Reload the model to continue; your conversation is kept.', action: 'reload-model' },
  out_of_memory: { title: 'The model does not fit in GPU memory', hint: 'Pick a smaller model or a smaller quantization, or close other GPU-heavy tabs.', action: 'open-models' },
  validation: { title: 'The GPU reported an error', hint: 'A bug in Pakar or the browser’s WebGPU. Reload the model to continue; your conversation is kept.', action: 'reload-model' },
  too_large: { title: 'The model is too large for this device', hint: 'This GPU cannot hold one of its tensors. Pick a smaller model or quantization.', action: 'open-models' },
  quota: { title: 'The browser refused to store more data', hint: 'Free space by deleting models you no longer use, or press “Keep storage” so the browser grants more.', action: 'open-models' },
  network: { title: 'The download was interrupted', hint: 'Check the connection and press Resume: what was stored is kept.', action: 'retry' },
  http: { title: 'The server could not send the file', hint: 'The server is busy or broken right now. Press Resume later; what was stored is kept.', action: 'retry' },
  remote_missing: { title: 'The file is not on the server', hint: 'The repository, file name or revision is wrong, or the file was removed. Pick another model.', action: 'open-models' },
  access_denied: { title: 'The server refused access', hint: 'The repository is gated or private: accept its licence on the Hub, or pick another model.', action: 'open-models' },
  remote_changed: { title: 'The file changed on the server', hint: 'Delete the partial download and download it again.', action: 'open-models' },
  corrupt: { title: 'Stored data is damaged', hint: 'Resume the download: damaged parts are fetched again.', action: 'retry' },
  not_found: { title: 'The model is not in this browser', hint: 'It may have been deleted in another tab. Download it again.', action: 'open-models' },
  incomplete: { title: 'The model is only partly downloaded', hint: 'Resume its download in Models.', action: 'open-models' },
  unsupported: { title: 'This model cannot run here yet', hint: 'Its architecture or a tensor type is not supported by this version of Pakar.', action: 'open-models' },
  unknown_arch: { title: 'Unsupported architecture', hint: 'This version of Pakar runs qwen3moe, qwen2moe, olmoe, granitemoe, llama, deepseek2, gpt-oss and glm4moe models.', action: 'open-models' },
  unsupported_type: { title: 'Unsupported tensor type', hint: 'Try another quantization of the same model.', action: 'open-models' },
  invalid_gguf: { title: 'Not a usable GGUF file', action: 'open-models' },
  truncated: { title: 'The file ends early', hint: 'The download or copy is probably incomplete.' },
  bad_magic: { title: 'Not a GGUF file' },
  unsupported_version: { title: 'Unsupported GGUF version', hint: 'Try a file converted by a recent llama.cpp.' },
  split_part: { title: 'One part of a split model', hint: 'Open all its parts together (select every …-of-0000N.gguf file), or download the model from the Hub.', action: 'open-models' },
  bad_split: { title: 'These parts do not make one model', hint: 'Pick every part of one split model, and nothing else.', action: 'open-models' },
  read_failed: { title: 'The browser could not read the file', hint: 'Pick it again.' },
  context_full: { title: 'The conversation no longer fits the context', hint: 'Start a new chat, or edit an earlier message to shorten the history.', action: 'new-chat' },
  no_model: { title: 'No model is loaded', hint: 'Pick a model first.', action: 'open-models' },
  busy: { title: 'The engine is busy', hint: 'Wait for the running answer or press Stop.' },
  no_draft_model: { title: 'No draft model is loaded', hint: 'Pick a draft model in Settings, or another drafter.' },
  no_mtp: { title: 'This model has no multi-token-prediction head', hint: 'Pick another drafter in Settings, or Automatic.' },
  vocab_mismatch: { title: 'This model cannot draft for the loaded one', hint: 'A draft model must use the same tokenizer: pick a smaller model of the same family.' },
  bad_draft_model: { title: 'This model cannot draft for the loaded one', hint: 'Pick a smaller model of the same family.' },
  storage: { title: 'The browser storage failed', hint: 'Private windows may not allow storage; try a normal window.' },
};

/** Help for a thrown error, or for a stored `{code, message}` (a failed answer, a failed download). */
export function describeError(error: unknown): ErrorHelp {
  const code = error instanceof EngineError ? error.code : errorCode(error);
  const message = error instanceof Error ? error.message : typeof (error as { message?: unknown })?.message === 'string' ? (error as { message: string }).message : String(error);
  const help = HELP[code as EngineErrorCode];
  return { code, title: help?.title ?? 'Something went wrong', message, hint: help?.hint, action: help?.action ?? 'none' };
}

function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string') {
    return (error as { code: string }).code;
  }
  return 'internal';
}
