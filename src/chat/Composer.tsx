import { useLayoutEffect, useRef, type FormEvent, type KeyboardEvent } from 'react';
import { Icon } from '../ui/Icon.tsx';
import { useDraft } from './useDraft.ts';

interface ComposerProps {
  readonly conversationId: string | undefined;
  readonly busy: boolean;
  /** Why sending is not possible now (no model loaded, …); undefined when it is. */
  readonly blocked: string | undefined;
  readonly onSend: (text: string) => Promise<unknown>;
  readonly onStop: () => void;
}

/** The message box: Enter sends, Shift+Enter starts a new line; Stop while an answer streams. */
export function Composer({ conversationId, busy, blocked, onSend, onStop }: ComposerProps) {
  const [draft, setDraft] = useDraft(conversationId);
  const area = useRef<HTMLTextAreaElement>(null);
  const canSend = draft.trim() !== '' && !busy && !blocked;

  useLayoutEffect(() => {
    const el = area.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 240)}px`;
  }, [draft]);

  // Ready to type in a new or newly picked conversation (not on touch screens: it would pop the keyboard up).
  useLayoutEffect(() => {
    if (!matchMedia('(pointer: coarse)').matches) area.current?.focus();
  }, [conversationId]);

  const submit = (e?: FormEvent): void => {
    e?.preventDefault();
    if (!canSend) return;
    const text = draft;
    // The draft is cleared only once the message is stored.
    void onSend(text).then(() => setDraft(''));
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>): void => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  };

  return (
    <form className="composer" onSubmit={submit}>
      <textarea ref={area} aria-label="Message" placeholder={blocked ?? 'Message Pakar'} rows={1} value={draft} onChange={(e) => setDraft(e.target.value)} onKeyDown={onKeyDown} />
      {busy ? (
        <button type="button" className="send stop" aria-label="Stop" onClick={onStop} title="Stop the answer">
          <Icon name="stop" />
        </button>
      ) : (
        <button type="submit" className="send" aria-label="Send" disabled={!canSend} title={blocked ?? 'Send (Enter; Shift+Enter for a new line)'}>
          <Icon name="up" size={20} />
        </button>
      )}
    </form>
  );
}
