import { useCallback, useEffect, useState } from 'react';
import { safeGet } from '../settings/useSettings.ts';

/** The composer's text for one conversation, kept in localStorage so a reload loses nothing typed. */
export function useDraft(conversationId: string | undefined): [string, (text: string) => void] {
  const key = `pakar.draft.${conversationId ?? 'new'}`;
  const [draft, setDraft] = useState(() => safeGet(key) ?? '');
  useEffect(() => setDraft(safeGet(key) ?? ''), [key]);
  const update = useCallback(
    (text: string) => {
      setDraft(text);
      try {
        if (text) localStorage.setItem(key, text);
        else localStorage.removeItem(key);
      } catch {
        // Storage full or disabled: the draft lives in the page only.
      }
    },
    [key],
  );
  return [draft, update];
}
