// A conversation as the model reads it: rendered by the file's chat template (or a plain
// fallback for files without one) and tokenized with its special tokens.

import { optString } from '../gguf/metadata.ts';
import type { GgufFile } from '../gguf/types.ts';
import { ChatTemplate } from '../template/chatTemplate.ts';
import type { ChatMessage } from '../template/chatTemplate.ts';
import type { Tokenizer } from '../tokenizer/index.ts';

/** A template for models that ship none: plain role-prefixed turns. */
const FALLBACK_TEMPLATE = "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n\n{% endfor %}{% if add_generation_prompt %}assistant: {% endif %}";

export function chatTemplateOf(file: GgufFile): ChatTemplate {
  return new ChatTemplate(optString(file, 'tokenizer.chat_template') ?? FALLBACK_TEMPLATE);
}

/** The prompt tokens of `messages`, ready for the assistant's turn. */
export function chatPromptTokens(tokenizer: Tokenizer, template: ChatTemplate, messages: readonly ChatMessage[]): number[] {
  const { special } = tokenizer.vocab;
  const text = (id: number | undefined): string => (id === undefined || id < 0 ? '' : tokenizer.tokenText(id));
  const rendered = template.render(messages, { addGenerationPrompt: true, bosToken: text(special.bos), eosToken: text(special.eos) });
  const tokens = tokenizer.encode(rendered, { addSpecial: true, parseSpecial: true });
  // Templates that print the BOS text themselves would otherwise get two (llama.cpp warns too).
  if (tokens.length > 1 && tokens[0] === special.bos && tokens[1] === special.bos) tokens.shift();
  return tokens;
}
