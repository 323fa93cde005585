import { useCallback, useEffect, useState } from 'react';
import { ChatView } from './chat/ChatView.tsx';
import { Sidebar } from './chat/Sidebar.tsx';
import { UndoToast } from './chat/UndoToast.tsx';
import { useAnswering } from './chat/useChat.ts';
import { useConversationSync } from './chat/useConversations.ts';
import { InsightsPanel } from './insights/InsightsPanel.tsx';
import { ModelManager } from './models/ModelManager.tsx';
import { ModelPicker } from './models/ModelPicker.tsx';
import { useOtherTabsModels } from './models/otherTabs.ts';
import { useLoadedModel } from './models/queries.ts';
import { useAutoLoad } from './models/useAutoLoad.ts';
import { useGpuWatch } from './models/useModelLoader.ts';
import { useDraftModelSync } from './models/useDraftModel.ts';
import { InstallButton } from './pwa/InstallButton.tsx';
import { OfflineNotice } from './pwa/OfflineNotice.tsx';
import { UpdatePrompt } from './pwa/UpdatePrompt.tsx';
import { SettingsPanel } from './settings/SettingsPanel.tsx';
import { safeGet } from './settings/useSettings.ts';
import { GpuBanner, LoadErrorBanner } from './ui/Banners.tsx';
import { Drawer } from './ui/Drawer.tsx';
import { Icon } from './ui/Icon.tsx';

type Panel = 'Models' | 'Settings' | 'Insights';
const PANELS: readonly Panel[] = ['Models', 'Settings', 'Insights'];
const SELECTED_KEY = 'pakar.conversation';

export function App() {
  useAutoLoad();
  useDraftModelSync();
  useGpuWatch();
  useConversationSync();
  const otherTabsModels = useOtherTabsModels(useLoadedModel().data?.name);
  const [conversationId, setConversationId] = useState<string | undefined>(() => safeGet(SELECTED_KEY) ?? undefined);
  const [panel, setPanel] = useState<Panel | undefined>();
  const [sidebarOpen, setSidebarOpen] = useState(false);
  const busy = useAnswering();

  useEffect(() => {
    if (!sidebarOpen) return;
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') setSidebarOpen(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [sidebarOpen]);

  const select = useCallback((id: string | undefined) => {
    setConversationId(id);
    try {
      if (id) localStorage.setItem(SELECTED_KEY, id);
      else localStorage.removeItem(SELECTED_KEY);
    } catch {
      // Only the selection is not remembered.
    }
  }, []);
  const openModels = useCallback(() => setPanel('Models'), []);
  const closePanel = useCallback(() => setPanel(undefined), []);

  return (
    <div className={`shell${panel ? ' with-panel' : ''}`}>
      <Sidebar selected={conversationId} onSelect={select} open={sidebarOpen} onClose={() => setSidebarOpen(false)} />
      {sidebarOpen && <div className="scrim sidebar-scrim" onClick={() => setSidebarOpen(false)} aria-hidden="true" />}
      <div className="main">
        <header className="topbar">
          <button type="button" className="ghost icon menu" aria-label="Conversations" aria-expanded={sidebarOpen} onClick={() => setSidebarOpen((o) => !o)}>
            <Icon name="menu" />
          </button>
          <ModelPicker busy={busy} onOpenModels={openModels} />
          <span className="spacer" />
          <InstallButton />
          <nav className="panel-buttons" aria-label="Panels">
            {PANELS.map((p) => (
              <button key={p} type="button" className={`ghost${panel === p ? ' active' : ''}`} aria-pressed={panel === p} onClick={() => setPanel(panel === p ? undefined : p)}>
                {p}
              </button>
            ))}
          </nav>
        </header>
        <div className="banners">
          <UpdatePrompt busy={busy} />
          <OfflineNotice />
          <GpuBanner />
          <LoadErrorBanner onOpenModels={openModels} />
        </div>
        <ChatView conversationId={conversationId} onConversation={select} onOpenModels={openModels} />
      </div>
      {panel && (
        <Drawer title={panel} onClose={closePanel}>
          {panel === 'Models' && <ModelManager busy={busy} otherTabsModels={otherTabsModels} />}
          {panel === 'Settings' && <SettingsPanel />}
          {panel === 'Insights' && <InsightsPanel conversationId={conversationId} />}
        </Drawer>
      )}
      <UndoToast onRestored={select} />
    </div>
  );
}
