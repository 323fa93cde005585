import { useEffect } from 'react';
import { Icon } from '../ui/Icon.tsx';
import { useConversationActions, useLastDeleted } from './useConversationActions.ts';

const SHOW_MS = 10_000;

/** "Deleted …  Undo" for a while after a conversation is deleted. */
export function UndoToast({ onRestored }: { onRestored: (id: string) => void }) {
  const deleted = useLastDeleted();
  const { undoDelete, dismissUndo } = useConversationActions();
  useEffect(() => {
    if (!deleted) return;
    const t = setTimeout(dismissUndo, SHOW_MS);
    return () => clearTimeout(t);
  }, [deleted, dismissUndo]);
  if (!deleted) return null;
  return (
    <div className="toast" role="status">
      <span>
        Deleted “<span className="ellipsis">{deleted.title}</span>”
      </span>
      <button type="button" className="ghost" onClick={() => void undoDelete().then((id) => id && onRestored(id))}>
        Undo
      </button>
      <button type="button" className="ghost icon" aria-label="Dismiss" onClick={dismissUndo}>
        <Icon name="close" size={16} />
      </button>
    </div>
  );
}
