import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChatTemplate, renderChat, TemplateError, type ChatMessage } from '../../workers/engine/template/chatTemplate.ts';
import { strftime } from '../../workers/engine/template/strftime.ts';

// Real templates, read in place (../shared/fixtures is not ours to copy).
const dir = path.resolve(import.meta.dirname, '../../../shared/fixtures/chat-templates');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.jinja'))
  .sort();
const read = (file: string): string => readFileSync(path.join(dir, file), 'utf8');

const conversation: ChatMessage[] = [
  { role: 'system', content: 'You are a terse assistant.' },
  { role: 'user', content: 'What is 2+2?' },
  { role: 'assistant', content: 'It is 4.' },
  { role: 'user', content: 'And 3+3?' },
];
// Local midnight, so every directive strftime reads gives the same answer in any time zone.
const now = new Date(2025, 5, 28);

/** Templates written for tool calling only: they iterate `tools`/`functions` unconditionally. */
const needsVariables: Record<string, Record<string, unknown>> = {
  'CohereForAI-c4ai-command-r-plus-tool_use.jinja': { tools: [] },
  'NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use.jinja': { tools: [] },
  'NousResearch-Hermes-3-Llama-3.1-8B-tool_use.jinja': { tools: [] },
  'meetkai-functionary-medium-v3.1.jinja': { tools: [] },
  'fireworks-ai-llama-3-firefunction-v2.jinja': { functions: '[]', datetime: '2025-06-28' },
};

/** Templates that cannot render with @huggingface/jinja 0.5, and why. */
const unsupported: Record<string, { reason: string; message: RegExp }> = {
  'ByteDance-Seed-OSS.jinja': {
    reason: 'dict literal with integer keys ({0: 0, 512: 128, …}); the runtime allows string keys only',
    message: /Object keys must be strings/,
  },
  'tencent-Hy3.jinja': {
    reason: "Python str.format ('<｜hy_eos{}｜>'.format(HYTK)) is not a string method in the runtime",
    message: /not a function/,
  },
};

/** Templates that reject this conversation on purpose. */
const rejectsSystemRole: Record<string, RegExp> = {
  'google-gemma-2-2b-it.jinja': /System role not supported/,
};

function render(file: string, messages: ChatMessage[] = conversation, extra?: Record<string, unknown>): string {
  return renderChat(read(file), messages, {
    addGenerationPrompt: true,
    bosToken: '<s>',
    eosToken: '</s>',
    now,
    extra: { ...needsVariables[file], ...extra },
  });
}

function renderError(run: () => unknown): TemplateError {
  try {
    run();
  } catch (e) {
    if (e instanceof TemplateError) return e;
    throw new Error(`expected a TemplateError, got ${String(e)}`, { cause: e });
  }
  throw new Error('expected a TemplateError, but the template rendered');
}

describe('every fixture template', () => {
  it('finds the fixtures, and every listed exception names a file that exists', () => {
    expect(files.length).toBeGreaterThan(50);
    const listed = [...Object.keys(needsVariables), ...Object.keys(unsupported), ...Object.keys(rejectsSystemRole)];
    for (const f of listed) expect(files).toContain(f);
  });

  const renderable = files.filter((f) => !(f in unsupported) && !(f in rejectsSystemRole));
  it.each(renderable)('%s renders the 4-turn conversation with every message in it', (file) => {
    const out = render(file);
    for (const m of conversation) expect(out).toContain(m.content);
  });

  it.each(Object.entries(unsupported))('%s is unsupported (%s) and throws TemplateError', (file, { message }) => {
    const err = renderError(() => render(file));
    expect(err.code).toBe('render');
    expect(err.message).toMatch(message);
  });

  it.each(Object.entries(rejectsSystemRole))('%s rejects a system message through raise_exception', (file, message) => {
    const err = renderError(() => render(file));
    expect(err.code).toBe('render');
    expect(err.message).toMatch(message);
    // Without the system turn the same template renders.
    const out = render(file, conversation.slice(1));
    for (const m of conversation.slice(1)) expect(out).toContain(m.content);
  });
});

describe('exact prompts', () => {
  it('Qwen3: ChatML with the assistant header as generation prompt', () => {
    expect(render('Qwen-Qwen3-0.6B.jinja')).toBe(
      '<|im_start|>system\nYou are a terse assistant.<|im_end|>\n' +
        '<|im_start|>user\nWhat is 2+2?<|im_end|>\n' +
        '<|im_start|>assistant\nIt is 4.<|im_end|>\n' +
        '<|im_start|>user\nAnd 3+3?<|im_end|>\n' +
        '<|im_start|>assistant\n',
    );
  });

  it('Qwen3: enable_thinking=false pre-fills an empty think block', () => {
    const out = render('Qwen-Qwen3-0.6B.jinja', conversation, { enable_thinking: false });
    expect(out.endsWith('<|im_start|>assistant\n<think>\n\n</think>\n\n')).toBe(true);
  });

  it('Qwen3: an earlier turn keeps only the answer after </think>', () => {
    const withThought: ChatMessage[] = [conversation[1], { role: 'assistant', content: '<think>\nadd them\n</think>\n\nIt is 4.' }, conversation[3]];
    expect(render('Qwen-Qwen3-0.6B.jinja', withThought)).toBe(
      '<|im_start|>user\nWhat is 2+2?<|im_end|>\n' + '<|im_start|>assistant\nIt is 4.<|im_end|>\n' + '<|im_start|>user\nAnd 3+3?<|im_end|>\n' + '<|im_start|>assistant\n',
    );
  });

  it('Granite 3.3: role markers, <|end_of_text|> after each turn', () => {
    expect(render('ibm-granite-granite-3.3-2B-Instruct.jinja')).toBe(
      '<|start_of_role|>system<|end_of_role|>You are a terse assistant.<|end_of_text|>\n' +
        '<|start_of_role|>user<|end_of_role|>What is 2+2?<|end_of_text|>\n' +
        '<|start_of_role|>assistant<|end_of_role|>It is 4.<|end_of_text|>\n' +
        '<|start_of_role|>user<|end_of_role|>And 3+3?<|end_of_text|>\n' +
        '<|start_of_role|>assistant<|end_of_role|>',
    );
  });

  it("Granite 3.3: without a system message it writes its own, dated through strftime_now('%B %d, %Y')", () => {
    expect(render('ibm-granite-granite-3.3-2B-Instruct.jinja', conversation.slice(1, 2))).toBe(
      '<|start_of_role|>system<|end_of_role|>Knowledge Cutoff Date: April 2024. ' +
        "Today's Date: June 28, 2025. You are Granite, developed by IBM. You are a helpful AI assistant.<|end_of_text|>\n" +
        '<|start_of_role|>user<|end_of_role|>What is 2+2?<|end_of_text|>\n' +
        '<|start_of_role|>assistant<|end_of_role|>',
    );
  });

  it('gpt-oss: harmony, system preamble with a pinned date, system turn as developer instructions', () => {
    expect(render('openai-gpt-oss-120b.jinja')).toBe(
      '<|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.\n' +
        'Knowledge cutoff: 2024-06\n' +
        'Current date: 2025-06-28\n\n' +
        'Reasoning: medium\n\n' +
        '# Valid channels: analysis, commentary, final. Channel must be included for every message.<|end|>' +
        '<|start|>developer<|message|># Instructions\n\nYou are a terse assistant.\n\n<|end|>' +
        '<|start|>user<|message|>What is 2+2?<|end|>' +
        '<|start|>assistant<|channel|>final<|message|>It is 4.<|end|>' +
        '<|start|>user<|message|>And 3+3?<|end|>' +
        '<|start|>assistant',
    );
  });

  it('gpt-oss: reasoning_effort goes into the system preamble', () => {
    expect(render('openai-gpt-oss-120b.jinja', conversation, { reasoning_effort: 'high' })).toContain('\n\nReasoning: high\n\n');
  });

  it('DeepSeek-V3.1: BOS + system, <｜User｜>/<｜Assistant｜>, non-thinking by default', () => {
    // This template (llama.cpp's copy) closes the empty thought as `<think></think>`.
    expect(render('deepseek-ai-DeepSeek-V3.1.jinja', conversation, {})).toBe(
      '<s>You are a terse assistant.' + '<｜User｜>What is 2+2?<｜Assistant｜><think></think>It is 4.<｜end▁of▁sentence｜>' + '<｜User｜>And 3+3?<｜Assistant｜><think></think>',
    );
  });

  it('DeepSeek-V3.1: thinking=true opens a thought', () => {
    const out = render('deepseek-ai-DeepSeek-V3.1.jinja', conversation, { thinking: true });
    expect(out.endsWith('<｜User｜>And 3+3?<｜Assistant｜><think>')).toBe(true);
  });
});

describe('renderChat', () => {
  const messages: ChatMessage[] = [{ role: 'user', content: 'hi' }];

  it('passes bos/eos tokens, add_generation_prompt and leaves enable_thinking undefined', () => {
    const tpl =
      '{{ bos_token }}{% for m in messages %}[{{ m.role }}:{{ m.content }}]{% endfor %}' +
      '{% if add_generation_prompt %}>{% endif %}{{ eos_token }}|{{ enable_thinking is defined }}|{{ tools is none }}';
    expect(renderChat(tpl, messages, { addGenerationPrompt: true, bosToken: '<s>', eosToken: '</s>' })).toBe('<s>[user:hi]></s>|false|true');
    expect(renderChat(tpl, messages, { addGenerationPrompt: false, extra: { enable_thinking: true } })).toBe('[user:hi]|true|true');
  });

  it('lets extra override a global such as strftime_now', () => {
    const out = renderChat('{{ strftime_now("%Y") }}', messages, {
      addGenerationPrompt: false,
      extra: { strftime_now: () => 'pinned' },
    });
    expect(out).toBe('pinned');
  });

  it('turns raise_exception into a TemplateError naming the template message', () => {
    const err = renderError(() => renderChat("{{ raise_exception('Only user turns, please') }}", messages, { addGenerationPrompt: true }));
    expect(err.code).toBe('render');
    expect(err.message).toContain('Only user turns, please');
  });

  it('reports syntax errors as code parse', () => {
    const err = renderError(() => new ChatTemplate('{% if messages %}unclosed'));
    expect(err.code).toBe('parse');
    expect(err.message).toMatch(/could not be parsed/);
  });

  it('reports runtime failures as code render', () => {
    const err = renderError(() => renderChat('{{ nothing.here + 1 }}', messages, { addGenerationPrompt: true }));
    expect(err.code).toBe('render');
  });

  it('renders one parsed template many times', () => {
    const tpl = new ChatTemplate('{% for m in messages %}{{ m.content }}{% endfor %}');
    expect(tpl.render(messages, { addGenerationPrompt: false })).toBe('hi');
    expect(tpl.render([{ role: 'user', content: 'again' }], { addGenerationPrompt: false })).toBe('again');
  });
});

describe('strftime', () => {
  it('formats the directives templates use, in English', () => {
    const d = new Date(2025, 0, 5, 14, 7, 9);
    expect(strftime(d, '%Y-%m-%d %H:%M:%S')).toBe('2025-01-05 14:07:09');
    expect(strftime(d, '%d %B %Y / %b %e / %A %a / %I %p / %j / %y / 100%%')).toBe('05 January 2025 / Jan  5 / Sunday Sun / 02 PM / 005 / 25 / 100%');
  });
});
