// The CLI as a child process: JSON lines on stdout, exit codes, errors. Each spawn costs ~1 s of
// tsx start-up, so the tests share runs where they can.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateModel } from '../../scripts/model-gen/generate.ts';
import { splitGguf, splitPartName } from '../../scripts/model-gen/split.ts';
import { fixturesDir } from '../../scripts/model-gen/vocab.ts';
import { CpuModel } from '../../reference/cpu/model.ts';
import { argmax } from '../../workers/engine/decode/sampler.ts';

const root = resolve(import.meta.dirname, '../..');
let dir: string;
let modelPath: string;
let bytes: Uint8Array;

interface CliRun {
  code: number | null;
  lines: unknown[];
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Promise<CliRun> {
  return cliWithEnv({}, ...args);
}

/** Runs the CLI as `npm run cli` does (tsx with the WGSL loader), with extra environment. */
function cliWithEnv(env: Record<string, string>, ...args: string[]): Promise<CliRun> {
  return new Promise((done, fail) => {
    const argv = ['--import', 'tsx', '--import', './scripts/wgsl-loader.ts', 'scripts/cli.ts', ...args];
    const child = spawn(process.execPath, argv, { cwd: root, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      const json = stdout.split('\n').filter((l) => l.startsWith('{'));
      done({ code, stdout, stderr, lines: json.map((l) => JSON.parse(l) as unknown) });
    });
  });
}

const last = (r: CliRun): Record<string, unknown> => r.lines[r.lines.length - 1] as Record<string, unknown>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pakar-cli-'));
  bytes = generateModel({ arch: 'qwen3moe', seed: 5 });
  modelPath = join(dir, 'model.gguf');
  writeFileSync(modelPath, bytes);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cli tokenize', () => {
  it('returns the same ids as llama.cpp (node-llama-cpp), with BOS where the vocabulary adds it', async () => {
    const text = 'Hello, world! <|endoftext|> <s> déjà vu 12345\n\tend  ';
    // A SentencePiece vocabulary with add_bos_token (a vocab-only GGUF: tokenize needs no weights).
    const spmPath = join(fixturesDir, 'vocab', 'ggml-vocab-llama-spm.gguf');
    const [plain, special, spm] = await Promise.all([
      cli('tokenize', '--model', modelPath, '--text', text),
      cli('tokenize', '--model', modelPath, '--text', text, '--special'),
      cli('tokenize', '--model', spmPath, '--text', text, '--special'),
    ]);
    for (const r of [plain, special, spm]) expect(r.code).toBe(0);

    const { getLlama } = await import('node-llama-cpp');
    const llama = await getLlama({ gpu: false, build: 'never' });
    const model = await llama.loadModel({ modelPath });
    const spmModel = await llama.loadModel({ modelPath: spmPath, vocabOnly: true });
    try {
      expect(last(plain).tokens).toEqual(Array.from(model.tokenize(text, false)));
      expect(last(special).tokens).toEqual(Array.from(model.tokenize(text, true)));
      // The control token is one id only when parsed.
      expect(last(special).tokens).not.toEqual(last(plain).tokens);
      // node-llama-cpp tokenizes with add_special = false; llama_tokenize(add_special = true) adds BOS.
      expect(last(spm).tokens).toEqual([spmModel.tokens.bos, ...spmModel.tokenize(text, true)]);
    } finally {
      await spmModel.dispose();
      await model.dispose();
      await llama.dispose();
    }
  });
});

type TokenLine = { token: number; text: string; top?: [number, number][] };
type Result = { tokens: number[]; text: string; stats: Record<string, unknown> };

describe('cli generate', () => {
  it('greedy on webgpu (the default) equals --backend cpu and CpuModel, one submit per step', async () => {
    const prompt = [104, 101, 108, 108, 111];
    // An f32 cache, as on the CPU (the default is f16 on adapters with shader-f16).
    const args = ['generate', '--model', modelPath, '--prompt-tokens', prompt.join(','), '--max-tokens', '8', '--greedy', '--kv-cache', 'f32'];
    // Any part of a split copy opens the whole model.
    splitGguf(bytes, 3).forEach((p, k) => writeFileSync(join(dir, splitPartName('split', k, 3)), p));
    const splitArgs = args.map((a) => (a === modelPath ? join(dir, splitPartName('split', 1, 3)) : a));
    const [gpu, cpu, fast, split] = await Promise.all([cli(...args), cli(...args, '--backend', 'cpu'), cli(...args, '--no-top'), cli(...splitArgs, '--backend', 'cpu')]);
    for (const r of [gpu, cpu, fast, split]) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.lines).toHaveLength(9);
      // stdout is JSON lines only (Dawn's messages go to stderr).
      expect(r.stdout.split('\n').filter((l) => l !== '')).toHaveLength(9);
      const tokenLines = r.lines.slice(0, 8) as TokenLine[];
      const result = last(r) as Result;
      expect(result.tokens).toEqual(tokenLines.map((l) => l.token));
      expect(result.text).toBe(tokenLines.map((l) => l.text).join(''));
      expect(result.stats).toMatchObject({ promptTokens: 5, generatedTokens: 8, stopReason: 'max_tokens' });
    }
    const tokens = (last(gpu) as Result).tokens;
    expect((last(cpu) as Result).tokens).toEqual(tokens);
    expect((last(fast) as Result).tokens).toEqual(tokens);
    expect((last(split) as Result).tokens).toEqual(tokens);

    // `top`: the 5 most probable, the token first, as the CPU reports them (f32 rounding apart).
    const gpuLines = gpu.lines.slice(0, 8) as TokenLine[];
    const cpuLines = cpu.lines.slice(0, 8) as TokenLine[];
    gpuLines.forEach((l, i) => {
      expect(l.top).toHaveLength(5);
      expect(l.top?.[0][0]).toBe(l.token);
      expect(l.top?.map(([id]) => id)).toEqual(cpuLines[i].top?.map(([id]) => id));
      l.top?.forEach(([, p], j) => expect(Math.abs(p - (cpuLines[i].top?.[j][1] ?? 0))).toBeLessThan(1e-5));
    });
    for (const l of fast.lines.slice(0, 8)) expect(l).not.toHaveProperty('top');

    // Invariant 2: one submit per decode step; the readback is 5 candidates (4 + 8·5 bytes), or
    // the token id alone with --no-top.
    expect(last(gpu).stats).toMatchObject({ backend: 'webgpu', submitsPerStep: 1, readbackBytesPerStep: 44 });
    expect(last(fast).stats).toMatchObject({ backend: 'webgpu', submitsPerStep: 1, readbackBytesPerStep: 4 });
    expect((last(fast) as Result).stats.dispatchesPerStep).toBeGreaterThan(0);
    expect(last(cpu).stats).toMatchObject({ backend: 'cpu', submitsPerStep: 0, readbackBytesPerStep: 0, dispatchesPerStep: 0 });

    const model = CpuModel.fromBytes(bytes);
    const expected: number[] = [];
    let logits = model.forward(prompt)[prompt.length - 1];
    for (let i = 0; i < 8; i++) {
      expected.push(argmax(logits));
      logits = model.forward([expected[i]])[0];
    }
    expect(tokens).toEqual(expected);
  });

  it('--kv-cache f16 rounds the cache the same way on both backends; a bad value is bad_args', async () => {
    const args = ['generate', '--model', modelPath, '--prompt-tokens', '104,101,108,108,111', '--max-tokens', '6', '--greedy', '--kv-cache'];
    const [gpu, cpu, bad] = await Promise.all([cli(...args, 'f16'), cli(...args, 'f16', '--backend', 'cpu'), cli(...args, 'f8')]);
    for (const r of [gpu, cpu]) expect(r.code, r.stderr).toBe(0);
    expect(last(gpu).stats).toMatchObject({ backend: 'webgpu', kvCache: 'f16' });
    expect(last(cpu).stats).toMatchObject({ backend: 'cpu', kvCache: 'f16' });
    expect((last(gpu) as Result).tokens).toEqual((last(cpu) as Result).tokens);
    (gpu.lines.slice(0, 6) as TokenLine[]).forEach((l, i) => {
      const ref = (cpu.lines[i] as TokenLine).top ?? [];
      l.top?.forEach(([id, p], j) => {
        expect(id).toBe(ref[j][0]);
        expect(Math.abs(p - ref[j][1])).toBeLessThan(1e-5);
      });
    });
    expect(bad.code).toBe(1);
    expect(last(bad)).toMatchObject({ error: { code: 'bad_args' } });
  });

  it("--expert-cache-mib pages the experts: the same tokens, with the cache's figures; too small a cache and a bad policy are errors", async () => {
    // 2 layers × 8 experts × gate, up, down of 64 × 64 f32 = 0.75 MiB; half of it holds 4 a layer.
    const args = ['generate', '--model', modelPath, '--prompt-tokens', '104,101,108,108,111', '--max-tokens', '8', '--greedy', '--no-top', '--kv-cache', 'f32'];
    const [resident, lru, lfu, small, badPolicy] = await Promise.all([
      cli(...args),
      cli(...args, '--expert-cache-mib', '0.375'),
      cli(...args, '--expert-cache-mib', '0.375', '--expert-policy', 'lfu'),
      cli(...args, '--expert-cache-mib', '0.05'),
      cli(...args, '--expert-cache-mib', '0.375', '--expert-policy', 'mru'),
    ]);
    for (const r of [resident, lru, lfu]) expect(r.code, r.stderr).toBe(0);
    expect(last(resident).stats).toMatchObject({ expertCacheMiB: 0.75, expertHitRate: 1, expertBytesPagedPerToken: 0, expertStallMsPerToken: 0 });
    for (const r of [lru, lfu]) {
      expect((last(r) as Result).tokens).toEqual((last(resident) as Result).tokens);
      const stats = last(r).stats as Record<string, number>;
      expect(stats.expertCacheMiB).toBe(0.375);
      expect(stats.expertHitRate).toBeGreaterThan(0);
      expect(stats.expertHitRate).toBeLessThan(1);
      expect(stats.expertBytesPagedPerToken).toBeGreaterThan(0);
    }
    expect(small.code).toBe(1);
    expect(last(small)).toMatchObject({ error: { code: 'too_large' } });
    expect(badPolicy.code).toBe(1);
    expect(last(badPolicy)).toMatchObject({ error: { code: 'bad_args' } });
  });

  it('sampling is reproducible for a seed, varies with it, and agrees across backends', async () => {
    const args = ['generate', '--model', modelPath, '--prompt', 'the cat', '--max-tokens', '12', '--temperature', '0.8', '--kv-cache', 'f32'];
    // Top-k 40 (the default) samples from GPU top-k candidates; top-k 0 needs every logit.
    const wide = ['--top-k', '0', '--top-p', '1', '--min-p', '0'];
    const [a, b, c, cpu, aWide, cpuWide] = await Promise.all([
      cli(...args, '--seed', '7'),
      cli(...args, '--seed', '7'),
      cli(...args, '--seed', '8'),
      cli(...args, '--seed', '7', '--backend', 'cpu'),
      cli(...args, ...wide, '--seed', '7'),
      cli(...args, ...wide, '--seed', '7', '--backend', 'cpu'),
    ]);
    const tokens = (r: CliRun): unknown => last(r).tokens;
    for (const r of [a, b, c, cpu, aWide, cpuWide]) expect(r.code, r.stderr).toBe(0);
    expect(a.lines.slice(0, -1)).toEqual(b.lines.slice(0, -1));
    expect(tokens(a)).toEqual(tokens(b));
    expect(tokens(a)).not.toEqual(tokens(c));
    expect(tokens(a)).toEqual(tokens(cpu));
    expect(tokens(aWide)).toEqual(tokens(cpuWide));
    expect(tokens(aWide)).not.toEqual(tokens(a));
    expect(last(a).sampler).toMatchObject({ temperature: 0.8, seed: 7, topK: 40 });
    // Top-k sampling reads back 40 candidates (4 + 8·40 bytes); top-k 0 the whole vocabulary.
    expect(last(a).stats).toMatchObject({ submitsPerStep: 1, readbackBytesPerStep: 324 });
    expect(last(aWide).stats).toMatchObject({ submitsPerStep: 1, readbackBytesPerStep: 4 * CpuModel.fromBytes(bytes).cfg.nVocab });
  });
});

describe('cli errors', () => {
  it('a truncated model: exit code 1, error JSON with code "truncated", a message on stderr', async () => {
    const cut = join(dir, 'cut.gguf');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 4096));
    const r = await cli('generate', '--model', cut, '--prompt-tokens', '1,2', '--max-tokens', '2');
    expect(r.code).toBe(1);
    expect(last(r)).toMatchObject({ error: { code: 'truncated' } });
    expect(r.stderr).toContain('truncated');
  });

  it('unknown flags, unknown backends and missing arguments are errors; --help is not', async () => {
    const [unknown, backend, missing, help] = await Promise.all([
      cli('tokenize', '--model', modelPath, '--text', 'x', '--bogus'),
      cli('generate', '--model', modelPath, '--prompt-tokens', '1', '--max-tokens', '1', '--backend', 'cuda'),
      cli('generate', '--model', modelPath, '--max-tokens', '1'),
      cli('--help'),
    ]);
    expect(unknown.code).toBe(1);
    expect(last(unknown)).toMatchObject({ error: { code: 'bad_args' } });
    expect((last(unknown).error as { message: string }).message).toContain('--bogus');
    expect(backend.code).toBe(1);
    expect(last(backend)).toMatchObject({ error: { code: 'unsupported_backend' } });
    expect(missing.code).toBe(1);
    expect(last(missing)).toMatchObject({ error: { code: 'bad_args' } });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage:');
  });

  it('no WebGPU adapter: exit code 1, error JSON with code "no_adapter" that names --backend cpu', async () => {
    const r = await cliWithEnv({ VK_ICD_FILENAMES: join(dir, 'no-such-driver.json') }, 'generate', '--model', modelPath, '--prompt-tokens', '1,2', '--max-tokens', '2');
    expect(r.code).toBe(1);
    expect(last(r)).toMatchObject({ error: { code: 'no_adapter' } });
    expect((last(r).error as { message: string }).message).toContain('--backend cpu');
  });

  it('--top and --no-top exclude each other', async () => {
    const r = await cli('generate', '--model', modelPath, '--prompt-tokens', '1', '--max-tokens', '1', '--top', '3', '--no-top');
    expect(r.code).toBe(1);
    expect(last(r)).toMatchObject({ error: { code: 'bad_args' } });
  });

  it('--speculative: every drafter gives the plain greedy tokens; stats carry tokensPerStep and acceptanceRate', async () => {
    const base = ['generate', '--model', modelPath, '--prompt-tokens', '104,101,108,108,111,104,101,108', '--max-tokens', '8', '--greedy', '--no-top'];
    const draftPath = join(dir, 'draft.gguf');
    writeFileSync(draftPath, generateModel({ arch: 'qwen3moe', seed: 5, types: { embd: 'Q8_0', attn: 'Q8_0', router: 'F32', experts: 'Q8_0', shexp: 'Q8_0', output: 'Q8_0' } }));
    const otherVocab = join(dir, 'other-vocab.gguf');
    writeFileSync(otherVocab, generateModel({ arch: 'qwen3moe', seed: 5, nVocab: 300 }));
    const modes = ['off', 'ngram', 'self', `draft:${draftPath}`, 'auto'];
    const runs = await Promise.all([
      ...modes.map((m) => cli(...base, '--speculative', m, '--draft-max', '3')),
      cli(...base, '--speculative', `draft:${otherVocab}`),
      cli(...base, '--speculative', 'sometimes'),
      cli(...base, '--speculative', 'self', '--self-layers', '1', '--self-experts', '2'),
      cli(...base, '--speculative', 'self', '--self-layers', '9'),
    ]);
    const plain = last(runs[0]) as Result;
    for (const [i, r] of runs.slice(0, modes.length).entries()) {
      expect(r.code, r.stderr).toBe(0);
      const result = last(r) as Result;
      expect(result.tokens, modes[i]).toEqual(plain.tokens);
      expect(result.stats).toMatchObject({ speculative: modes[i], generatedTokens: 8 });
      expect(result.stats.tokensPerStep).toBeGreaterThanOrEqual(1);
      expect(typeof result.stats.acceptanceRate).toBe('number');
    }
    expect((last(runs[2]) as Result).stats.draftLength).toBeGreaterThan(1); // 3 but near --max-tokens
    expect(Object.keys((last(runs[3]) as Result).stats.acceptanceByDrafter as object)).toEqual(['draft']);
    expect(last(runs[5])).toMatchObject({ error: { code: 'vocab_mismatch' } });
    expect(last(runs[6])).toMatchObject({ error: { code: 'bad_args' } });
    // Early-exit self-drafting (the first layer, every expert) changes nothing either.
    expect(runs[7].code, runs[7].stderr).toBe(0);
    expect((last(runs[7]) as Result).tokens).toEqual(plain.tokens);
    expect(last(runs[8])).toMatchObject({ error: { code: 'bad_args', message: expect.stringMatching(/--self-layers 9/) } });
  });
});
