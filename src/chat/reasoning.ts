// Splits an assistant's text, complete or still streaming, into its reasoning and its answer.
//
// Two conventions are recognised:
// - gpt-oss harmony: messages `[<|start|>assistant]<|channel|>NAME[ to=…][<|constrain|>…]<|message|>BODY`
//   ended by `<|end|>`, `<|return|>` or `<|call|>` (or by the end of the text while streaming).
//   The `final` channel is the answer; `analysis` and `commentary` are reasoning. A message without
//   a channel counts as answer. The engine renders these markers as text (llama.cpp treats them
//   as user-defined tokens); `<|return|>` and `<|call|>` end generation and are not rendered.
// - Qwen3 / DeepSeek-R1 style: `<think>REASONING</think>ANSWER`. When the chat template opens the
//   `<think>` itself, the text holds only the closing tag; until that tag arrives such a stream
//   reads as answer.
// Text with neither is all answer.

export interface ReasoningSplit {
  /** The model's reasoning (analysis channel, `<think>` block); '' when there is none. */
  readonly reasoning: string;
  /** What the user asked for: the final channel, or the text after `</think>`. */
  readonly answer: string;
  /** The text ends inside the reasoning: a stream that is still thinking. */
  readonly thinking: boolean;
}

const START = '<|start|>';
const CHANNEL = '<|channel|>';
const MESSAGE = '<|message|>';
const ENDS = ['<|end|>', '<|return|>', '<|call|>'];
const THINK_OPEN = '<think>';
const THINK_CLOSE = '</think>';

export function splitReasoning(text: string): ReasoningSplit {
  if (text.includes(CHANNEL) || text.includes(MESSAGE)) return splitHarmony(text);
  return splitThink(text);
}

function splitHarmony(text: string): ReasoningSplit {
  const reasoning: string[] = [];
  const answer: string[] = [];
  let headerArriving = false;
  let i = 0;
  while (i < text.length) {
    if (text.startsWith(START, i)) i += START.length;
    const headerEnd = text.indexOf(MESSAGE, i);
    if (headerEnd < 0) {
      // A header still arriving (`assistant<|channel|>fin`), or plain text, which is answer.
      const rest = text.slice(i);
      if (rest.includes(CHANNEL) || isRolePrefix(rest)) headerArriving = true;
      else answer.push(rest);
      break;
    }
    const channel = channelOf(text.slice(i, headerEnd));
    const bodyStart = headerEnd + MESSAGE.length;
    const [bodyEnd, markerLength] = firstEnd(text, bodyStart);
    (channel === 'analysis' || channel === 'commentary' ? reasoning : answer).push(text.slice(bodyStart, bodyEnd));
    i = bodyEnd + markerLength;
  }
  const answerText = answer.join('\n\n').trim();
  const reasoningText = reasoning.join('\n\n').trim();
  // Until the final channel has text, a stream is still thinking.
  return { reasoning: reasoningText, answer: answerText, thinking: answerText === '' && (reasoning.length > 0 || headerArriving) };
}

/** The channel a header names: `assistant<|channel|>analysis to=fn<|constrain|>json` → `analysis`. */
function channelOf(header: string): string | undefined {
  const at = header.indexOf(CHANNEL);
  if (at < 0) return undefined;
  return header.slice(at + CHANNEL.length).split(/[\s<]/, 1)[0];
}

/** Where the message body starting at `from` ends, and the length of its end marker (0 at the end of the text). */
function firstEnd(text: string, from: number): [number, number] {
  let best: [number, number] = [text.length, 0];
  for (const m of ENDS) {
    const at = text.indexOf(m, from);
    if (at >= 0 && at < best[0]) best = [at, m.length];
  }
  // A new message may also start without the previous one being closed.
  const start = text.indexOf(START, from);
  if (start >= 0 && start < best[0]) best = [start, 0];
  return best;
}

/** A role name being streamed after `<|start|>` (`assistant`, or the start of it). */
function isRolePrefix(s: string): boolean {
  const t = s.trim();
  return t !== '' && 'assistant'.startsWith(t);
}

function splitThink(text: string): ReasoningSplit {
  const close = text.indexOf(THINK_CLOSE);
  const open = text.indexOf(THINK_OPEN);
  if (open >= 0 && (close < 0 || open < close)) {
    const inner = text.slice(open + THINK_OPEN.length, close < 0 ? undefined : close);
    const before = text.slice(0, open);
    const after = close < 0 ? '' : text.slice(close + THINK_CLOSE.length);
    return { reasoning: inner.trim(), answer: (before + after).trim(), thinking: close < 0 };
  }
  if (close >= 0) return { reasoning: text.slice(0, close).trim(), answer: text.slice(close + THINK_CLOSE.length).trim(), thinking: false };
  return { reasoning: '', answer: text, thinking: false };
}

/**
 * How an answer is stored: the answer as the message's content (what copy, search and the next
 * prompt use; templates drop earlier turns' reasoning anyway), the reasoning beside it.
 */
export function storedParts(text: string): { content: string; reasoning?: string } {
  const { reasoning, answer } = splitReasoning(text);
  return reasoning === '' ? { content: answer } : { content: answer, reasoning };
}
