// Incremental detokenization for generation: one token in, the text it completes out. Bytes of a
// character split across tokens (byte-level BPE, SPM `<0xXX>`) are held until it is whole.

import type { Tokenizer } from './tokenizer.ts';

export interface StreamOptions {
  /** Render control tokens as their text. Default false. */
  readonly special?: boolean;
  /**
   * Strip one leading space from the first token, as decode() does for vocabularies that add a
   * prefix space (SPM). Default: the vocabulary's `add_space_prefix`.
   */
  readonly stripLeadingSpace?: boolean;
}

export class StreamDecoder {
  // WHATWG streaming decode: holds an incomplete sequence, emits U+FFFD only for invalid bytes.
  private decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  private first = true;
  private readonly special: boolean;
  private readonly stripLeadingSpace: boolean;

  constructor(
    private readonly tokenizer: Tokenizer,
    options: StreamOptions = {},
  ) {
    this.special = options.special ?? false;
    this.stripLeadingSpace = options.stripLeadingSpace ?? tokenizer.vocab.addSpacePrefix;
  }

  /** Adds one token; returns the text that is now complete (possibly ''). */
  push(id: number): string {
    let bytes = this.tokenizer.tokenBytes(id, this.special);
    if (this.first && this.stripLeadingSpace && bytes[0] === 0x20) bytes = bytes.subarray(1);
    this.first = false;
    return this.decoder.decode(bytes, { stream: true });
  }

  /** Ends the stream: returns held bytes (as U+FFFD, since they never completed) and resets. */
  flush(): string {
    const rest = this.decoder.decode();
    this.first = true;
    return rest;
  }

  /** Forgets held bytes and starts a new stream. */
  reset(): void {
    this.decoder = new TextDecoder('utf-8', { ignoreBOM: true });
    this.first = true;
  }
}
