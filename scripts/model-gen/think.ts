// Qwen3's `<think>` format, scripted (see scripted.ts): after the prompt's
// `<|im_start|>assistant\n` the greedy model writes
//   <think> Weighing the options.</think> Take the train.<|im_end|>

import type { ChatScript } from './scripted.ts';

const CHAIN = ['<think>', ' Weighing', ' the', ' options.', '</think>', ' Take', ' the ', 'train.', '<|im_end|>'] as const;

export const think: ChatScript = {
  // Qwen3's <think> tags are added tokens that render as text; <|im_end|> ends generation.
  specials: [
    ['<|im_start|>', 3],
    ['<|im_end|>', 3],
    ['<think>', 4],
    ['</think>', 4],
  ],
  pieces: [' Weighing', ' the', ' options.', ' Take', ' the ', 'train.'],
  chain: CHAIN,
  eos: '<|im_end|>',
  template: 'Qwen-Qwen3-0.6B.jinja',
  generationPrompt: '<|im_start|>assistant\n',
  pre: 'qwen2',
};

/** What the scripted answer reads as, split into reasoning and answer. */
export const thinkScript = { reasoning: 'Weighing the options.', answer: 'Take the train.', tokens: CHAIN.length } as const;
