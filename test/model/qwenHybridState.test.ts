// The CPU reference's DeltaNet state (reference/cpu/recurrentState.ts) rolls back exactly: logits
// after a truncate and a re-run equal those of a fresh model bit for bit, wherever the pass
// boundaries fell; positions past the window are refused, not guessed.

import { describe, expect, it } from 'vitest';
import { CpuModel } from '../../reference/cpu/model.ts';
import { CpuRecurrentState } from '../../reference/cpu/recurrentState.ts';
import { testModel } from '../helpers/testModels.ts';
import { Rng } from '../../scripts/model-gen/random.ts';

const model = (arch: 'qwen3next' | 'qwen35moe'): CpuModel => CpuModel.fromBytes(testModel({ arch, nLayer: 3 }).bytes);

describe.each(['qwen3next', 'qwen35moe'] as const)('%s recurrent state', (arch) => {
  const rng = new Rng(7);
  const tokens = Array.from({ length: 24 }, () => Math.floor(rng.next() * 300));

  it('a pass split anywhere, or rolled back and re-run, gives the logits of one pass', () => {
    const whole = model(arch).forward(tokens);
    const m = model(arch);
    m.forward(tokens.slice(0, 5));
    m.forward([7, 8, 9]); // rejected drafts
    m.truncate(5);
    m.forward(tokens.slice(5, 9));
    const rest = m.forward([...tokens.slice(9, 20), 1, 2]);
    m.truncate(20);
    expect(m.nPast).toBe(20);
    const tail = m.forward(tokens.slice(20));
    expect(rest.slice(0, 11)).toEqual(whole.slice(9, 20));
    expect(tail).toEqual(whole.slice(20));
    expect(m.recurrentStateBytes).toBeGreaterThan(0);
  });

  it('restores what the window holds, refuses what it does not, and starts over from 0', () => {
    const m = model(arch);
    m.forward(tokens);
    expect(m.restorable(10)).toBe(10);
    expect(m.restorable(100)).toBe(24);
    const cfg = m.cfg.deltaNet;
    if (!cfg) throw new Error('no DeltaNet config');
    const state = new CpuRecurrentState(cfg, 2);
    for (let pos = 1; pos <= 5; pos++) state.record(0, pos);
    state.prune(5);
    expect(state.restorable(2)).toBe(0);
    expect(state.restorable(4)).toBe(4);
    expect(() => state.truncate(2)).toThrow(/cannot be restored/);
    m.truncate(0);
    expect(m.nPast).toBe(0);
    expect(m.recurrentStateBytes).toBe(0);
    expect(m.forward(tokens)).toEqual(model(arch).forward(tokens));
  });
});
