import { useMemo, useState } from 'react';
import { useLoadedModel } from '../models/queries.ts';
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

  const blocked = loaded ? undefined : loadState.loading ? 'Loading the model…' : 'Load a model to start chatting';
  const systemPrompt = conv ? conv.systemPrompt : (draftSystemPrompt ?? settings.defaultSystemPrompt);

  return (
    <section className="chat" aria-label="Chat">
      <SystemPrompt
        value={systemPrompt}
        disabled={busy}
        onChange={(text) => (conv ? void setSystemPrompt(conv.id, text) : setDraftSystemPrompt(text))}
      />
      {conv && conv.messages.length > 0 ? (
        <MessageList messages={conv.messages} live={live} busy={busy} actions={actions} />
      ) : (
        <Welcome modelName={loaded?.name} onOpenModels={onOpenModels} />
      )}
      <Composer
        conversationId={conversationId}
        busy={busy}
        blocked={blocked}
        onStop={chat.stop}
        onSend={async (text) => {
          const newId = await chat.send(conversationId, text, conv ? undefined : systemPrompt);
          setDraftSystemPrompt(undefined);
          if (newId !== conversationId) onConversation(newId);
        }}
      />
    </section>
  );
}

function Welcome({ modelName, onOpenModels }: { modelName: string | undefined; onOpenModels: () => void }) {
  return (
    <div className="welcome">
      <img src="/favicon.svg" alt="" width={48} height={48} />
      <h2>{modelName ? 'What can I help with?' : 'Welcome to Pakar'}</h2>
      {modelName ? (
        <p className="muted">
          Chatting with <strong>{modelName}</strong>. Everything runs on this device; nothing you type leaves it.
        </p>
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
