// Renders a model's `tokenizer.chat_template` (Jinja) into the prompt text the model was trained on.
// @huggingface/jinja parses and runs the template; this file supplies the context that
// transformers' `apply_chat_template` gives real templates, and turns failures into TemplateError.

import { Environment, Interpreter, Template } from '@huggingface/jinja';
import { TemplateError } from './errors.ts';
import { strftime } from './strftime.ts';

export { TemplateError, type TemplateErrorCode } from './errors.ts';

export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

export interface RenderOptions {
  /** Append the header that opens the assistant's turn (what generation continues from). */
  readonly addGenerationPrompt: boolean;
  /** Text of the BOS token; templates that print it expect the tokenizer's string. Default ''. */
  readonly bosToken?: string;
  /** Text of the EOS token. Default ''. */
  readonly eosToken?: string;
  /** The clock behind `strftime_now` (system prompts that state today's date). Default: now. */
  readonly now?: Date;
  /**
   * Further template variables (`enable_thinking`, `reasoning_effort`, `tools`, …). They are set
   * last, so they override the defaults and the globals (e.g. a custom `strftime_now`).
   */
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** A parsed template, ready to render many conversations (parsing is the slow part). */
export class ChatTemplate {
  private readonly template: Template;

  /** @throws TemplateError `parse` when @huggingface/jinja cannot tokenize or parse `source`. */
  constructor(readonly source: string) {
    try {
      this.template = new Template(source);
    } catch (e) {
      throw new TemplateError('parse', `The chat template could not be parsed: ${reason(e)}`, { cause: e });
    }
  }

  /** @throws TemplateError `render` when the template raises or uses something unsupported. */
  render(messages: readonly ChatMessage[], opts: RenderOptions): string {
    const env = new Environment();
    for (const [name, value] of Object.entries(globals(opts.now))) env.set(name, value);
    // A child scope, so that `extra` may shadow a global without a "variable already declared" error.
    const scope = new Environment(env);
    const context: Record<string, unknown> = {
      // Copies: the runtime converts them into its own values, the caller's objects stay untouched.
      messages: messages.map((m) => ({ role: m.role, content: m.content })),
      add_generation_prompt: opts.addGenerationPrompt,
      bos_token: opts.bosToken ?? '',
      eos_token: opts.eosToken ?? '',
      // transformers passes None for both when the caller gives none; several templates test
      // `tools is not none` and then take `tools|length`, which fails on an undefined value here.
      tools: null,
      documents: null,
      ...opts.extra,
    };
    for (const [name, value] of Object.entries(context)) scope.set(name, value);

    const result = this.run(scope);
    if (typeof result.value !== 'string') {
      throw new TemplateError('render', `The chat template produced a ${result.type}, not text`);
    }
    return result.value;
  }

  private run(scope: Environment): ReturnType<Interpreter['run']> {
    try {
      return new Interpreter(scope).run(this.template.parsed);
    } catch (e) {
      if (e instanceof TemplateError) throw e;
      throw new TemplateError('render', `The chat template failed while rendering: ${reason(e)}`, { cause: e });
    }
  }
}

/** Parses `template` and renders `messages` with it. */
export function renderChat(template: string, messages: readonly ChatMessage[], opts: RenderOptions): string {
  return new ChatTemplate(template).render(messages, opts);
}

/** What @huggingface/jinja's own `setupGlobals` declares, plus a clock we control and a typed raise. */
function globals(now: Date | undefined): Record<string, unknown> {
  return {
    true: true,
    false: false,
    none: null,
    True: true,
    False: false,
    None: null,
    range,
    strftime_now: (format: unknown) => strftime(now ?? new Date(), String(format)),
    raise_exception: (message: unknown) => {
      throw new TemplateError('render', `The chat template rejected the conversation: ${String(message)}`);
    },
  };
}

/** Python's `range(stop)` / `range(start, stop[, step])`. */
function range(start: number, stop?: number, step = 1): number[] {
  if (stop === undefined) [start, stop] = [0, start];
  if (step === 0) throw new Error('range() step must not be zero');
  const out: number[] = [];
  for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(i);
  return out;
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
