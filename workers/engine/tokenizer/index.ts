export { TokenizerError, type TokenizerErrorCode } from './errors.ts';
export { knownPreTokenizers, preTokenizer, splitText, type PreTokenizer } from './pretokenize.ts';
export { StreamDecoder, type StreamOptions } from './stream.ts';
export { Tokenizer, tokenizerFromGguf, type DecodeOptions, type EncodeOptions } from './tokenizer.ts';
export { EOG_TEXTS, TokenAttr, vocabFromGguf, type SpecialIds, type Vocab, type VocabType } from './vocab.ts';
