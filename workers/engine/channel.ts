// A long engine call (an answer, a model load, a download) talks over one MessagePort of its
// own: its events in order, then its result or its error, on that one channel, so the result can
// never overtake the last event. The page cancels the call by closing over the same port (a
// `cancel` message), which aborts the call's AbortSignal in the worker.

import { EngineError, toEngineError, toEngineErrorInfo, type EngineErrorInfo } from './errors.ts';

/** A port that carries events of type E and then one result of type R (types only: a MessagePort at run time). */
export type Channel<E, R> = MessagePort & { readonly __channel?: (e: E) => R };

type ChannelMessage<E, R> = { readonly kind: 'event'; readonly event: E } | { readonly kind: 'result'; readonly value: R } | { readonly kind: 'error'; readonly error: EngineErrorInfo };

const CANCEL = 'cancel';

/** Worker side: runs the call, posting each event, then the result or the error, on `port`. */
export function serveChannel<E, R>(port: Channel<E, R>, run: (emit: (event: E) => void, signal: AbortSignal) => Promise<R>): void {
  const ctl = new AbortController();
  port.onmessage = (m: MessageEvent) => {
    if (m.data === CANCEL) ctl.abort();
  };
  const post = (msg: ChannelMessage<E, R>): void => port.postMessage(msg);
  let closed = false;
  run((event) => closed || post({ kind: 'event', event }), ctl.signal)
    .then(
      (value) => post({ kind: 'result', value }),
      (e: unknown) => post({ kind: 'error', error: toEngineErrorInfo(e) }),
    )
    .finally(() => {
      closed = true;
      port.close();
    });
}

export interface ChannelOptions<E> {
  readonly onEvent?: (event: E) => void;
  /** Aborting it cancels the call in the worker; the call then ends as the engine reports it (an `abort` stop, an `aborted` error). */
  readonly signal?: AbortSignal;
}

/**
 * Page side: opens a channel, hands its far end to `start` (the Comlink call, which must transfer
 * it), and resolves with the call's result once every event before it has been delivered.
 */
export function callOverChannel<E, R>(start: (port: Channel<E, R>) => Promise<unknown>, o: ChannelOptions<E> = {}): Promise<R> {
  const { port1, port2 } = new MessageChannel();
  return new Promise<R>((resolve, reject) => {
    const cancel = (): void => port1.postMessage(CANCEL);
    const finish = (): void => {
      o.signal?.removeEventListener('abort', cancel);
      port1.close();
    };
    port1.onmessage = (m: MessageEvent<ChannelMessage<E, R>>) => {
      const msg = m.data;
      if (msg.kind === 'event') {
        o.onEvent?.(msg.event);
        return;
      }
      finish();
      if (msg.kind === 'result') resolve(msg.value);
      else reject(new EngineError(msg.error.code, msg.error.message));
    };
    o.signal?.addEventListener('abort', cancel, { once: true });
    if (o.signal?.aborted) cancel();
    start(port2).catch((e: unknown) => {
      finish();
      reject(toEngineError(e));
    });
  });
}
