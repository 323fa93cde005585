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

/** The conversation, following the answer as it streams unless the user scrolled up. */
export function MessageList({ messages, live, busy, actions }: Props) {
  const { ref, following, jump, onScroll } = useAutoScroll<HTMLDivElement>([messages, live?.text]);
  const lastAnswerId = messages.findLast((m) => m.role === 'assistant')?.id;
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
                canRegenerate={m.id === lastAnswerId}
                actions={actions}
              />
            );
          })}
        </div>
      </div>
      {!following && (
        <button type="button" className="jump" onClick={jump} aria-label="Scroll to the latest message">
          <Icon name="down" />
        </button>
      )}
    </div>
  );
}
