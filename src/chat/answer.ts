// One answer, end to end: store the question, stream the engine's tokens into the live answer,
// keep the conversation inside the context, and store the result, also when stopped or failed.

import type { QueryClient } from '@tanstack/react-query';
import { EngineError, engineCalls, getEngine, type ChatEvent, type ChatMessage, type ChatStats, type GenerationParams } from '../engine/client.ts';
import type { CatalogEntry } from '../models/catalog.ts';
import { modelKeys } from '../models/queries.ts';
import { currentSettings } from '../settings/useSettings.ts';
import { toGenerationParams } from '../settings/settings.ts';
import { createStore } from '../ui/store.ts';
import { addRoutingStep, addTokenText, emptyRouting, routingLog, routingWanted } from '../insights/routing.ts';
import { answerReserve, fitToContext } from './contextWindow.ts';
import { appendMessages, pendingAnswer, replaceMessage, toChatMessages } from './conversation.ts';
import { storedParts } from './reasoning.ts';
import type { Conversation, Message } from './types.ts';
import { convKeys, saveConversation } from './useConversations.ts';

/** The answer being generated, token by token. */
export interface LiveAnswer {
  readonly conversationId: string;
  readonly messageId: string;
  readonly text: string;
  readonly tokens: readonly number[];
  readonly promptTokens: number | undefined;
  readonly reusedTokens: number | undefined;
  /** Messages left out of the prompt to fit the context. */
  readonly dropped: number;
  /** performance.now() values. */
  readonly startedAt: number;
  readonly firstTokenAt: number | undefined;
  readonly lastTokenAt: number | undefined;
}

export const liveAnswer = createStore<LiveAnswer | undefined>(undefined);

/** Stops the answer being written (the part written so far is kept). */
let stopLive: AbortController | undefined;

export function stopAnswer(): void {
  stopLive?.abort();
}

const PARTIAL_SAVE_MS = 2000;

/** Answers `base`, whose last message is the user's. Resolves when the answer is stored. */
export async function answer(qc: QueryClient, base: Conversation): Promise<void> {
  if (liveAnswer.get()) throw new EngineError('busy', 'An answer is already being written; stop it first.');
  const engine = getEngine();
  const model = (await engine.loadedModel()) ?? undefined;
  const pending = pendingAnswer(Date.now(), model?.name);
  // The question and an empty answer are stored before the engine starts.
  await saveConversation(qc, appendMessages(base, [pending], Date.now()));

  const started = performance.now();
  const stop = new AbortController();
  stopLive = stop;
  liveAnswer.set({
    conversationId: base.id,
    messageId: pending.id,
    text: '',
    tokens: [],
    promptTokens: undefined,
    reusedTokens: undefined,
    dropped: 0,
    startedAt: started,
    firstTokenAt: undefined,
    lastTokenAt: undefined,
  });
  const update = (patch: Partial<LiveAnswer>): void => liveAnswer.set((a) => (a ? { ...a, ...patch } : a));
  const current = (): Conversation | undefined => qc.getQueryData<Conversation | null>(convKeys.one(base.id)) ?? undefined;
  const store = (message: Message): Promise<void> => {
    const conv = current();
    // A conversation deleted meanwhile stays deleted.
    return conv ? saveConversation(qc, replaceMessage(conv, message, Date.now())) : Promise.resolve();
  };

  const settings = currentSettings();
  const routing = routingWanted(settings.alwaysRecordRouting) && model !== undefined;
  routingLog.set(routing ? emptyRouting(pending.id, model.nLayer, model.nExpert) : undefined);

  let lastSave = started;
  const onEvent = (e: ChatEvent): void => {
    const a = liveAnswer.get();
    if (!a || a.messageId !== pending.id) return;
    if (e.type === 'routing') routingLog.set((log) => (log?.messageId === pending.id ? addRoutingStep(log, e) : log));
    if (e.type === 'token') routingLog.set((log) => (log?.messageId === pending.id ? addTokenText(log, e.token, e.text) : log));
    if (e.type === 'prefill') update({ promptTokens: e.promptTokens, reusedTokens: e.reusedTokens });
    if (e.type === 'token' || e.type === 'done') {
      const now = performance.now();
      const tokens = e.type === 'token' ? [...a.tokens, e.token] : [...a.tokens];
      update({ text: a.text + e.text, tokens, firstTokenAt: a.firstTokenAt ?? now, lastTokenAt: now });
      if (now - lastSave > PARTIAL_SAVE_MS) {
        lastSave = now;
        void store({ ...pending, ...storedParts(a.text + e.text), tokens });
      }
    }
  };

  try {
    const entry = qc.getQueryData<CatalogEntry[]>(modelKeys.catalog)?.find((e) => e.id === model?.id);
    const params = toGenerationParams(settings, routing, { temperature: entry?.temperature, mtp: model?.mtp });
    const { stats, done, dropped } = await generateFitted(toChatMessages(base), params, model?.contextLength, { onEvent, signal: stop.signal }, update);
    const a = liveAnswer.get()!;
    await store({
      ...pending,
      ...storedParts(done?.fullText ?? a.text),
      status: done?.stopReason === 'abort' ? 'stopped' : 'done',
      tokens: [...a.tokens],
      stats,
      ...(dropped > 0 ? { droppedMessages: dropped } : {}),
    });
  } catch (e) {
    const a = liveAnswer.get()!;
    const error = e instanceof EngineError ? { code: e.code, message: e.message } : { code: 'internal', message: String(e) };
    await store({ ...pending, ...storedParts(a.text), status: 'error', error, tokens: [...a.tokens], ...(a.dropped > 0 ? { droppedMessages: a.dropped } : {}) });
  } finally {
    if (stopLive === stop) stopLive = undefined;
    liveAnswer.set(undefined);
    void qc.invalidateQueries({ queryKey: modelKeys.loaded });
  }
}

type Done = Extract<ChatEvent, { type: 'done' }>;

/** Runs the engine on the longest recent part of the conversation that fits its context. */
async function generateFitted(
  history: ChatMessage[],
  params: GenerationParams,
  contextLength: number | undefined,
  o: { readonly onEvent: (e: ChatEvent) => void; readonly signal: AbortSignal },
  update: (patch: Partial<LiveAnswer>) => void,
): Promise<{ stats: ChatStats; done: Done | undefined; dropped: number }> {
  const fitted =
    contextLength === undefined
      ? { messages: history, dropped: 0 }
      : await fitToContext(history, { contextLength, answerTokens: answerReserve(contextLength, params.maxTokens) }, (m) => getEngine().countTokens(m));
  update({ dropped: fitted.dropped });
  let done: Done | undefined;
  // Events and the result share one channel: every event, the done event included, is in before the stats.
  const stats = await engineCalls.generate(fitted.messages, params, {
    signal: o.signal,
    onEvent: (e) => {
      o.onEvent(e);
      if (e.type === 'done') done = e;
    },
  });
  return { stats, done, dropped: fitted.dropped };
}
