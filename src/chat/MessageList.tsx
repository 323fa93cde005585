import { useEffect, useRef, useState } from 'react';
import { Icon } from '../ui/Icon.tsx';
import type { LiveAnswer } from './answer.ts';
import { MessageItem, type MessageActions } from './MessageItem.tsx';
import type { Message } from './types.ts';
import { useAutoScroll } from './useAutoScroll.ts';

interface Props {
  readonly messages: readonly Message[];
  readonly live: LiveAnswer | undefined;
  readonly busy: boolean;
  readonly actions: MessageActions;
}

/** The text to announce: the last answer, from the moment its streaming ends. */
function useFinishedAnswer(busy: boolean, last: Message | undefined): string {
  const [text, setText] = useState('');
  const wasBusy = useRef(busy);
  useEffect(() => {
    if (wasBusy.current && !busy && last) {
      const error = last.status === 'error' && last.error ? ` (${last.error.message})` : '';
      setText(`${last.content}${last.status === 'stopped' ? ' (stopped)' : ''}${error}`);
    }
    wasBusy.current = busy;
  }, [busy, last]);
  return text;
}

/** The conversation, following the answer as it streams unless the user scrolled up. */
export function MessageList({ messages, live, busy, actions }: Props) {
  const { ref, following, jump, onScroll } = useAutoScroll<HTMLDivElement>([messages, live?.text]);
  const lastAnswer = messages.findLast((m) => m.role === 'assistant');
  const announcement = useFinishedAnswer(busy, lastAnswer);
  return (
    <div className="messages-wrap">
      <div className="messages" ref={ref} onScroll={onScroll} role="log" aria-label="Conversation" aria-live="off">
        <div className="messages-inner">
          {messages.map((m) => {
            const isLive = live?.messageId === m.id;
            return (
              <MessageItem
                key={m.id}
                message={m}
                liveText={isLive ? live.text : undefined}
                liveTokens={isLive ? live.tokens : undefined}
                busy={busy}
                canRegenerate={m.id === lastAnswer?.id}
                actions={actions}
              />
            );
          })}
        </div>
      </div>
      {/* The log is silent while tokens stream; a screen reader hears each answer once it ends. */}
      <div className="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </div>
      {!following && (
        <button type="button" className="jump" onClick={jump} aria-label="Scroll to the latest message">
          <Icon name="down" />
        </button>
      )}
    </div>
  );
}
