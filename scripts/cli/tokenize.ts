// `tokenize`: text → token ids, as llama.cpp's llama_tokenize(add_special = true).

import { tokenizerFromGguf } from '../../workers/engine/tokenizer/index.ts';
import { parseFlags, required } from './args.ts';
import { openModelFile } from './model.ts';

export interface TokenizeResult {
  tokens: number[];
}

export function tokenizeCommand(args: string[]): TokenizeResult {
  const flags = parseFlags(args, {
    model: { type: 'string' },
    text: { type: 'string' },
    special: { type: 'boolean', default: false },
  });
  const { file } = openModelFile(required(flags.model, 'model'));
  const tokenizer = tokenizerFromGguf(file);
  // add_special = true: BOS if add_bos_token, EOS if add_eos_token. (llama-tokenize passes
  // add_special = add_bos, so there a vocabulary with add_eos but not add_bos gets no EOS.)
  return { tokens: tokenizer.encode(required(flags.text, 'text'), { addSpecial: true, parseSpecial: flags.special }) };
}
