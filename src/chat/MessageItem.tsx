import { memo, useState } from 'react';
import { describeError } from '../engine/errorHelp.ts';
import { formatMs, formatRate } from '../ui/format.ts';
import { ErrorNotice } from '../ui/ErrorNotice.tsx';
import { useCopy } from '../ui/useCopy.ts';
import { Markdown } from './markdown/Markdown.tsx';
import { splitReasoning, type ReasoningSplit } from './reasoning.ts';
import type { Message } from './types.ts';

export interface MessageActions {
  readonly onEdit: (messageId: string, text: string) => void;
  readonly onRegenerate: (messageId: string) => void;
  readonly onReloadModel: () => void;
  readonly onOpenModels: () => void;
  readonly onNewChat: () => void;
}

interface Props {
  readonly message: Message;
  /** The streamed text while this answer is being written. */
  readonly liveText: string | undefined;
  readonly liveTokens: readonly number[] | undefined;
  /** Editing and regenerating are off while any answer is being written. */
  readonly busy: boolean;
  readonly canRegenerate: boolean;
  readonly actions: MessageActions;
}

export const MessageItem = memo(function MessageItem({ message, liveText, liveTokens, busy, canRegenerate, actions }: Props) {
  const [editing, setEditing] = useState(false);
  const streaming = liveText !== undefined;
  const text = liveText ?? message.content;
  const tokens = liveTokens ?? message.tokens;
  const status = streaming ? 'streaming' : message.status;
  const parts = message.role === 'assistant' ? answerParts(message, liveText) : undefined;

  return (
    <article className={`message ${message.role}`} aria-label={message.role === 'user' ? 'Your message' : 'Answer'} data-role={message.role} data-status={status} data-tokens={tokens?.join(',')}>
      {editing ? (
        <EditBox
          initial={message.content}
          onCancel={() => setEditing(false)}
          onSubmit={(t) => {
            setEditing(false);
            actions.onEdit(message.id, t);
          }}
        />
      ) : (
        <div className="bubble">
          {parts && (parts.reasoning !== '' || (streaming && parts.thinking)) && <Reasoning text={parts.reasoning} thinking={streaming && parts.thinking} />}
          {parts ? <Markdown text={parts.answer} cursor={streaming && !parts.thinking} /> : <p className="user-text">{text}</p>}
          {streaming && text === '' && <span className="visually-hidden">Thinking…</span>}
        </div>
      )}
      {message.droppedMessages !== undefined && message.droppedMessages > 0 && (
        <p className="note" role="note">
          The conversation outgrew the model's context: the {message.droppedMessages} oldest message{message.droppedMessages === 1 ? '' : 's'} were left out of this answer's prompt (the system prompt
          was kept).
        </p>
      )}
      {status === 'stopped' && <p className="note">Stopped — partial answer kept.</p>}
      {status === 'error' && message.error && <AnswerError message={message} actions={actions} />}
      {!editing && !streaming && <Toolbar message={message} busy={busy} canRegenerate={canRegenerate} onEdit={() => setEditing(true)} actions={actions} />}
    </article>
  );
});

/** An answer's reasoning and answer: split from the live text, or as stored. */
function answerParts(message: Message, liveText: string | undefined): ReasoningSplit {
  if (liveText !== undefined) return splitReasoning(liveText);
  // Answers stored before reasoning was kept apart still hold it in their content.
  if (message.reasoning === undefined) return splitReasoning(message.content);
  return { reasoning: message.reasoning, answer: message.content, thinking: false };
}

/** The model's reasoning, collapsed until the reader opens it. */
function Reasoning({ text, thinking }: { text: string; thinking: boolean }) {
  return (
    <details className="reasoning" data-testid="reasoning" data-thinking={thinking}>
      <summary>{thinking ? 'Thinking…' : 'Reasoning'}</summary>
      <div className="reasoning-text">{text}</div>
    </details>
  );
}

function Toolbar({ message, busy, canRegenerate, onEdit, actions }: { message: Message; busy: boolean; canRegenerate: boolean; onEdit: () => void; actions: MessageActions }) {
  const { copied, copy } = useCopy();
  const s = message.stats;
  return (
    <div className="message-tools">
      <button type="button" className="ghost small" onClick={() => copy(message.content)} aria-label="Copy message">
        {copied ? 'Copied' : 'Copy'}
      </button>
      {message.role === 'user' && (
        <button type="button" className="ghost small" onClick={onEdit} disabled={busy} aria-label="Edit message">
          Edit
        </button>
      )}
      {message.role === 'assistant' && canRegenerate && (
        <button type="button" className="ghost small" onClick={() => actions.onRegenerate(message.id)} disabled={busy} aria-label="Regenerate">
          Regenerate
        </button>
      )}
      {s && (
        <span className="stats-line" title={`${s.promptTokens} prompt tokens (${s.reusedTokens} reused)`}>
          {s.generatedTokens} tokens · {formatRate(s.decodeTokensPerSecond)} · first token {formatMs(s.timeToFirstTokenMs)}
        </span>
      )}
      {message.model && <span className="stats-line">{message.model}</span>}
    </div>
  );
}

function AnswerError({ message, actions }: { message: Message; actions: MessageActions }) {
  const help = describeError(message.error);
  return (
    <ErrorNotice help={help} title={`The answer failed: ${help.title.toLowerCase()}`}>
      {help.action === 'reload-model' && (
        <button type="button" onClick={actions.onReloadModel}>
          Reload the model
        </button>
      )}
      {help.action === 'open-models' && (
        <button type="button" onClick={actions.onOpenModels}>
          Open Models
        </button>
      )}
      {help.action === 'new-chat' && (
        <button type="button" onClick={actions.onNewChat}>
          New chat
        </button>
      )}
    </ErrorNotice>
  );
}

function EditBox({ initial, onSubmit, onCancel }: { initial: string; onSubmit: (text: string) => void; onCancel: () => void }) {
  const [text, setText] = useState(initial);
  return (
    <form
      className="edit-box"
      onSubmit={(e) => {
        e.preventDefault();
        if (text.trim()) onSubmit(text);
      }}
    >
      <textarea
        aria-label="Edit message"
        value={text}
        autoFocus
        rows={Math.min(10, text.split('\n').length + 1)}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onCancel();
          if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            if (text.trim()) onSubmit(text);
          }
        }}
      />
      <div className="row end">
        <button type="button" className="ghost" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={!text.trim()}>
          Save and send
        </button>
      </div>
    </form>
  );
}
