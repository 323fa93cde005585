import { expose, wrap } from 'comlink';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { EngineError, installEngineErrorTransfer, toEngineErrorInfo } from '../../workers/engine/errors.ts';
import { GgufError } from '../../workers/engine/gguf/errors.ts';
import { TemplateError } from '../../workers/engine/template/errors.ts';

describe('toEngineErrorInfo', () => {
  it('keeps the code of typed engine errors', () => {
    expect(toEngineErrorInfo(new GgufError('truncated', 'file ends at byte 1000'))).toEqual({
      code: 'truncated',
      message: 'file ends at byte 1000',
    });
    expect(toEngineErrorInfo(new TemplateError('parse', 'bad'))).toEqual({ code: 'parse', message: 'bad' });
  });

  it('calls anything else internal', () => {
    expect(toEngineErrorInfo(new TypeError('x is undefined'))).toEqual({
      code: 'internal',
      message: 'TypeError: x is undefined',
    });
    expect(toEngineErrorInfo('just a string')).toEqual({ code: 'internal', message: 'just a string' });
    // DOMException's numeric legacy code is not an engine code.
    expect(toEngineErrorInfo(new DOMException('gone', 'NotFoundError')).code).toBe('internal');
  });
});

describe('errors across Comlink', () => {
  const { port1, port2 } = new MessageChannel();
  afterAll(() => {
    port1.close();
    port2.close();
  });

  installEngineErrorTransfer();
  installEngineErrorTransfer(); // idempotent: a second install must not wrap the first
  // Node's MessagePort is a close enough Endpoint for Comlink (postMessage + listeners).
  type Endpoint = Parameters<typeof expose>[1];
  const asEndpoint = (p: MessagePort) => p as unknown as NonNullable<Endpoint>;
  expose(
    {
      fail: (kind: string) => {
        if (kind === 'gguf') throw new GgufError('truncated', 'file ends at byte 1000 inside the header');
        if (kind === 'bug') throw new RangeError('index out of range');
        return 'ok';
      },
    },
    asEndpoint(port1),
  );
  const remote = wrap<{ fail(kind: string): string }>(asEndpoint(port2));

  it('arrive as EngineError with code and message', async () => {
    const err = await remote.fail('gguf').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect(err).toMatchObject({ code: 'truncated', message: 'file ends at byte 1000 inside the header' });
  });

  it('give unexpected failures the code internal', async () => {
    const err = await remote.fail('bug').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'internal', message: 'RangeError: index out of range' });
  });

  it('leave results alone', async () => {
    expect(await remote.fail('none')).toBe('ok');
  });
});
