// Pakar's command line: the engine in Node. Output is JSON lines on stdout, the last line being
// the result or `{"error":{"code","message"}}` (exit code 1, and a message for people on stderr).

import { toEngineErrorInfo } from '../workers/engine/errors.ts';
import { CliError } from './cli/args.ts';
import { generateCommand } from './cli/generate.ts';
import { tokenizeCommand } from './cli/tokenize.ts';

const usage = `Usage: npm run -s cli -- <command> [options]
   (or: npx tsx --import ./scripts/wgsl-loader.ts scripts/cli.ts <command> …; the loader lets
   Node import the engine's WGSL sources)

Runs Pakar's engine in Node. Prints JSON, one object per line; the last line is the result,
or {"error":{"code":"…","message":"…"}} with exit code 1.

Commands
  tokenize   text → token ids                 {"tokens":[…]}
  generate   prompt → generated tokens        one {"token","text","top"} line per token, then
                                              {"tokens":[…],"text":"…","sampler":{…},"stats":{…}}
                                              stats: promptTokens, generatedTokens, prefillMs, decodeMs,
                                              prefill/decodeTokensPerSecond, timeToFirstTokenMs,
                                              stopReason, backend, and per decode step (means;
                                              0 on the CPU): submitsPerStep, readbackBytesPerStep,
                                              dispatchesPerStep; speculation: speculative,
                                              tokensPerStep, acceptanceRate, acceptanceByDrafter,
                                              tokensPerStepByDrafter, draftLength, speedup

tokenize
  --model PATH          GGUF file (required)
  --text TEXT           text to tokenize (required)
  --special             parse control tokens written in the text, e.g. <|im_start|>
  BOS/EOS are added when the vocabulary asks for them (tokenizer.ggml.add_bos_token,
  add_eos_token), as llama_tokenize does with add_special = true.

generate
  --model PATH          GGUF file (required)
  --prompt TEXT         prompt text; control tokens are parsed, BOS added when the vocabulary asks
  --prompt-tokens IDS   prompt as comma-separated token ids, used as given
  --max-tokens N        generate at most N tokens (required)
  --greedy              argmax decoding (the same as --temperature 0)
  --temperature T       sampling temperature (default 0.8)
  --seed S              sampling seed, 0..4294967295 (default random; the result reports it)
  --top-k K             keep the K most likely tokens (default 40; 0 = off)
  --top-p P             keep the most likely tokens up to probability P (default 0.95; 1 = off)
  --min-p P             keep tokens with probability ≥ P × the top one's (default 0.05; 0 = off)
  --repeat-penalty R    penalise the recent tokens, llama.cpp style (default 1 = off)
  --repeat-last-n N     how far back the penalty looks (default 64; 0 = off; --repeat-last-n=-1 = all)
  --top N               candidates reported per token, with raw-softmax probabilities (default 5)
  --no-top              report no candidates (token lines without "top"); greedy decoding then
                        reads back only the token id per step
  --ctx-size N          context positions (default: the model's context_length, capped at 4096
                        on webgpu)
  --backend B           webgpu (default: WebGPU through Dawn, on a GPU or SwiftShader) or cpu
                        (the f32 reference, slow)
  --speculative S       speculative decoding (webgpu): off (default), ngram (prompt lookup),
                        self (the model with one expert per token), mtp (the model's own
                        multi-token-prediction block, when it has one), draft:<model.gguf> (a
                        small model with the same vocabulary) or auto (the fastest by measured cost
                        and acceptance, including none). Greedy output is unchanged token for
                        token, sampled output keeps its distribution. Implies --no-top.
  --draft-max K         most draft tokens per step (default 4; 0 = off)
  --draft-adaptive      let the engine pick k ≤ K per step for a named drafter (auto always does)
  --self-experts E      experts per token of the self drafter (default 1)
  --self-layers L       layers the self drafter runs before the output head (default all:
                        fewer is early exit, cheaper drafts that are accepted less often)
  --kv-cache T          f32 or f16 KV cache (default: f16 on webgpu when the adapter has
                        shader-f16, else f32); f16 halves the cache, as llama.cpp's default
  --expert-cache-mib N  GPU memory for the routed experts (default: all resident). Under their
                        size each MoE layer keeps that share of its experts in slots, loaded when
                        routing first needs them; the tokens are the same, only slower
  --expert-policy P     which expert a full cache evicts: lru (default) or lfu
  Sampling order as llama.cpp: repetition penalty, top-k, top-p, min-p, temperature.
  Generation stops at an end-of-generation token (not printed), --max-tokens or a full context.

  --help                this text
`;

const emit = (value: unknown): void => {
  process.stdout.write(JSON.stringify(value) + '\n');
};

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help' || args.includes('--help')) {
    if (command === undefined) throw new CliError('bad_args', 'no command given; run with --help for usage');
    process.stdout.write(usage);
    return;
  }
  switch (command) {
    case 'tokenize':
      emit(tokenizeCommand(args));
      return;
    case 'generate':
      emit(await generateCommand(args, emit));
      return;
    default:
      throw new CliError('bad_args', `unknown command '${command}'; the commands are tokenize and generate (see --help)`);
  }
}

/** Exits once stdout is flushed: Dawn's instance would keep the event loop alive. */
function exit(code: number): void {
  process.stdout.write('', () => process.exit(code));
}

main(process.argv.slice(2)).then(
  () => exit(0),
  (e: unknown) => {
    const error = e instanceof CliError ? { code: e.code, message: e.message } : toEngineErrorInfo(e);
    const detail = error.code === 'internal' && e instanceof Error && e.stack ? `\n${e.stack}` : '';
    process.stderr.write(`pakar: ${error.message} [${error.code}]${detail}\n`);
    emit({ error });
    exit(1);
  },
);
