import { describe, expect, it } from 'vitest';
import { describeError } from '../../src/engine/errorHelp.ts';
import { downloadHost, engineWorkerHref } from '../../src/engine/workerUrl.ts';
import { EngineError, type EngineErrorCode } from '../../workers/engine/errors.ts';

describe('errors people can act on', () => {
  it.each<[EngineErrorCode, string]>([
    ['device_lost', 'reload-model'],
    ['quota', 'open-models'],
    ['unknown_arch', 'open-models'],
    ['context_full', 'new-chat'],
    ['network', 'retry'],
    ['too_large', 'open-models'],
    ['remote_missing', 'open-models'],
    ['access_denied', 'open-models'],
    ['http', 'retry'],
  ])('%s offers %s', (code, action) => {
    const help = describeError(new EngineError(code, 'details'));
    expect(help).toMatchObject({ code, action, message: 'details' });
    expect(help.title).not.toBe('Something went wrong');
  });

  it('a missing file is not something to try again later', () => {
    expect(describeError(new EngineError('remote_missing', 'x')).hint).not.toMatch(/later|again/i);
  });

  it('no WebGPU names the browsers that have it', () => {
    expect(describeError({ code: 'no_webgpu', message: 'navigator.gpu is missing' }).hint).toMatch(/Chrome and Edge 113\+/);
  });

  it('anything else is internal, with its message', () => {
    expect(describeError(new TypeError('boom'))).toMatchObject({ code: 'internal', message: 'boom', action: 'none' });
    expect(describeError('plain')).toMatchObject({ code: 'internal', message: 'plain' });
  });
});

describe('engine worker URL', () => {
  const page = 'http://127.0.0.1:4173/?hub=http%3A%2F%2F127.0.0.1%3A9999';

  it("a test build carries the page's hub parameter to the worker", () => {
    expect(engineWorkerHref('/assets/engine.worker-abc.js', page, true)).toBe('http://127.0.0.1:4173/assets/engine.worker-abc.js?hub=http%3A%2F%2F127.0.0.1%3A9999');
    expect(engineWorkerHref('/assets/w.js', 'http://localhost/', true)).toBe('http://localhost/assets/w.js');
  });

  it('the download host shown is the one the worker uses: test parameter, else the built-in mirror, else the Hub', () => {
    expect(downloadHost(page, true, '')).toBe('127.0.0.1:9999');
    expect(downloadHost(page, false, 'https://mirror.example/hf')).toBe('mirror.example');
    expect(downloadHost(page, false, '')).toBe('huggingface.co');
  });

  it('a production build ignores it: a crafted link cannot redirect downloads', () => {
    expect(engineWorkerHref('/assets/engine.worker-abc.js', page, false)).toBe('http://127.0.0.1:4173/assets/engine.worker-abc.js');
  });

  it('only PAKAR_TEST_HUB=1 makes a build honour it', async () => {
    const { resolveConfig } = await import('vite');
    const saved = process.env.PAKAR_TEST_HUB;
    const hubParam = async (value: string | undefined) => {
      if (value === undefined) delete process.env.PAKAR_TEST_HUB;
      else process.env.PAKAR_TEST_HUB = value;
      const config = await resolveConfig({ configFile: 'vite.config.ts', logLevel: 'silent' }, 'build', 'production');
      return config.define?.__PAKAR_HUB_PARAM__;
    };
    try {
      expect(await hubParam(undefined)).toBe('false');
      expect(await hubParam('0')).toBe('false');
      expect(await hubParam('1')).toBe('true');
    } finally {
      if (saved === undefined) delete process.env.PAKAR_TEST_HUB;
      else process.env.PAKAR_TEST_HUB = saved;
    }
  });
});
