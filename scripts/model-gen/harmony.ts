// gpt-oss's harmony format, scripted (see scripted.ts): after the prompt's `<|start|>assistant`
// the greedy model writes
//   <|channel|>analysis<|message|> The user says hi.<|end|><|start|>assistant<|channel|>final<|message|> Hello there!<|return|>
// The second header is spelled with plain pieces (`<|chan`, `nel|>`, ...) that detokenize to the
// same text, and its `assistant` is a whole-word token.

import type { ChatScript } from './scripted.ts';

const CHAIN = [
  '<|channel|>',
  'analysis',
  '<|message|>',
  ' The',
  ' user',
  ' says',
  ' hi.',
  '<|end|>',
  '<|start|>',
  'assistant',
  '<|chan',
  'nel|>',
  'final',
  '<|mes',
  'sage|>',
  ' Hello',
  ' there!',
  '<|return|>',
] as const;

export const harmony: ChatScript = {
  specials: [
    ['<|start|>', 3],
    ['<|end|>', 3],
    ['<|message|>', 3],
    ['<|channel|>', 3],
    ['<|return|>', 3],
    ['<|call|>', 3],
    ['<|constrain|>', 3],
  ],
  pieces: ['analysis', 'final', 'assistant', '<|chan', 'nel|>', '<|mes', 'sage|>', ' The', ' user', ' says', ' hi.', ' Hello', ' there!'],
  chain: CHAIN,
  eos: '<|return|>',
  template: 'openai-gpt-oss-120b.jinja',
  generationPrompt: '<|start|>assistant',
  pre: 'gpt-4o',
};

/** What the scripted answer reads as, split into reasoning and answer. */
export const harmonyScript = { reasoning: 'The user says hi.', answer: 'Hello there!', tokens: CHAIN.length } as const;
