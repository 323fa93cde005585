import { useEffect, useMemo, useState } from 'react';
import type { CatalogEntry } from '../models/catalog.ts';
import { useCatalog, useLoadedModel } from '../models/queries.ts';
import { useLoadState, useModelLoader } from '../models/useModelLoader.ts';
import { useSettings } from '../settings/useSettings.ts';
import { Composer } from './Composer.tsx';
import type { MessageActions } from './MessageItem.tsx';
import { MessageList } from './MessageList.tsx';
import { SystemPrompt } from './SystemPrompt.tsx';
import { useChat, useLiveAnswer } from './useChat.ts';
import { useConversationActions } from './useConversationActions.ts';
import { useConversation } from './useConversations.ts';

interface Props {
  readonly conversationId: string | undefined;
  readonly onConversation: (id: string | undefined) => void;
  readonly onOpenModels: () => void;
}

export function ChatView({ conversationId, onConversation, onOpenModels }: Props) {
  const conv = useConversation(conversationId).data ?? undefined;
  const live = useLiveAnswer();
  const loaded = useLoadedModel().data;
  const catalog = useCatalog();
  const loadState = useLoadState();
  const { settings } = useSettings();
  const chat = useChat();
  const { setSystemPrompt } = useConversationActions();
  const { reload } = useModelLoader();
  const [draftSystemPrompt, setDraftSystemPrompt] = useState<string | undefined>(undefined);
  const busy = live !== undefined;
  const id = conv?.id;

  const actions = useMemo<MessageActions>(
    () => ({
      onEdit: (messageId, text) => id && void chat.editAndResend(id, messageId, text),
      onRegenerate: (messageId) => id && void chat.regenerate(id, messageId),
      onReloadModel: () => void reload(),
      onOpenModels,
      onNewChat: () => onConversation(undefined),
    }),
    [id, chat, reload, onOpenModels, onConversation],
  );

  useStopOnEscape(busy, chat.stop);

  const blocked = loaded ? undefined : loadState.loading ? 'Loading the model…' : 'Load a model to start chatting';
  const systemPrompt = conv ? conv.systemPrompt : (draftSystemPrompt ?? settings.defaultSystemPrompt);
  const send = async (text: string): Promise<void> => {
    const newId = await chat.send(conversationId, text, conv ? undefined : systemPrompt);
    setDraftSystemPrompt(undefined);
    if (newId !== conversationId) onConversation(newId);
  };

  return (
    <section className="chat" aria-label="Chat">
      <SystemPrompt value={systemPrompt} disabled={busy} onChange={(text) => (conv ? void setSystemPrompt(conv.id, text) : setDraftSystemPrompt(text))} />
      {conv && conv.messages.length > 0 ? (
        <MessageList messages={conv.messages} live={live} busy={busy} actions={actions} />
      ) : (
        <Welcome
          modelName={loaded?.name}
          loadingName={loadState.loading ? loadState.target?.name : undefined}
          entry={catalog.data?.find((e) => e.id === loaded?.id)}
          disabled={busy || !!blocked}
          onOpenModels={onOpenModels}
          onSuggest={send}
        />
      )}
      <Composer conversationId={conversationId} busy={busy} blocked={blocked} onStop={chat.stop} onSend={send} />
    </section>
  );
}

/**
 * Escape stops a streaming answer, unless something else on the page takes it first (a dialog, a
 * drawer, a message being edited, the sidebar on a narrow screen).
 */
function useStopOnEscape(busy: boolean, stop: () => void): void {
  useEffect(() => {
    if (!busy) return;
    const onKey = (e: KeyboardEvent): void => {
      if (e.key !== 'Escape' || e.defaultPrevented || e.isComposing) return;
      const target = e.target instanceof Element ? e.target : null;
      if (target?.closest('[role="dialog"], .edit-box, .sidebar.open')) return;
      e.preventDefault();
      stop();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [busy, stop]);
}

function Welcome({
  modelName,
  loadingName,
  entry,
  disabled,
  onOpenModels,
  onSuggest,
}: {
  modelName: string | undefined;
  /** The model being loaded while none is: said instead of "choose a model". */
  loadingName: string | undefined;
  /** The loaded model's catalog entry: a narrow model's scope and suggested prompts. */
  entry: CatalogEntry | undefined;
  disabled: boolean;
  onOpenModels: () => void;
  onSuggest: (prompt: string) => Promise<void>;
}) {
  return (
    <div className="welcome">
      <img src="/favicon.svg" alt="" width={48} height={48} />
      <h2>{modelName ? 'What can I help with?' : 'Welcome to Pakar'}</h2>
      {!modelName && loadingName ? (
        <p className="muted">
          Loading <strong>{loadingName}</strong>… Everything runs on this device; nothing you type leaves it.
        </p>
      ) : modelName ? (
        <>
          <p className="muted">
            Chatting with <strong>{modelName}</strong>. Everything runs on this device; nothing you type leaves it.
          </p>
          {entry?.scope && <p className="muted small">{entry.scope}</p>}
          {entry && entry.suggestions.length > 0 && (
            <ul className="suggestions" aria-label="Suggested prompts">
              {entry.suggestions.map((prompt) => (
                <li key={prompt}>
                  <button type="button" disabled={disabled} onClick={() => void onSuggest(prompt)}>
                    {prompt}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </>
      ) : (
        <>
          <p className="muted">Mixture-of-Experts models, running privately in your browser on WebGPU. Download a model or open a local .gguf file to start.</p>
          <button type="button" className="primary" onClick={onOpenModels}>
            Choose a model
          </button>
        </>
      )}
    </div>
  );
}
