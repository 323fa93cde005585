// Which models other tabs of the app have loaded. Each tab runs its own engine worker, so each
// holds its own copy of its model on the GPU; the Models panel says so when another tab has one.

import { useEffect, useState } from 'react';

type TabMessage = { readonly type: 'hello'; readonly tab: string } | { readonly type: 'loaded'; readonly tab: string; readonly model: string | null } | { readonly type: 'gone'; readonly tab: string };

const tab = Math.random().toString(36).slice(2);

/** The names of the models loaded in other tabs; tells them what this tab has loaded (`model`). */
export function useOtherTabsModels(model: string | undefined): string[] {
  const [others, setOthers] = useState<ReadonlyMap<string, string>>(new Map());
  useEffect(() => {
    if (typeof BroadcastChannel === 'undefined') return;
    const ch = new BroadcastChannel('pakar.tabs');
    const post = (m: TabMessage): void => ch.postMessage(m);
    const set = (id: string, name: string | null): void =>
      setOthers((prev) => {
        const next = new Map(prev);
        if (name) next.set(id, name);
        else next.delete(id);
        return next;
      });
    ch.onmessage = (e: MessageEvent<TabMessage>) => {
      const m = e.data;
      if (m.type === 'hello') post({ type: 'loaded', tab, model: model ?? null });
      else if (m.type === 'loaded') set(m.tab, m.model);
      else set(m.tab, null);
    };
    post({ type: 'hello', tab });
    post({ type: 'loaded', tab, model: model ?? null });
    const gone = (): void => post({ type: 'gone', tab });
    window.addEventListener('pagehide', gone);
    return () => {
      window.removeEventListener('pagehide', gone);
      gone();
      ch.close();
    };
  }, [model]);
  return [...others.values()];
}
