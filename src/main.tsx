import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { announceFirstVisit } from './models/useAutoLoad.ts';
import { listenForInstallOffer } from './pwa/installPrompt.ts';
import { registerServiceWorker } from './pwa/serviceWorker.ts';
// Stylesheets in cascade order: base, features, then the screen-width overrides.
import './styles.css';
import './chat/chat.css';
import './chat/markdown/markdown.css';
import './ui/drawer.css';
import './models/models.css';
import './inspect/inspect.css';
import './settings/settings.css';
import './insights/insights.css';
import './ui/toast.css';
import './responsive.css';
import './pwa/pwa.css';

const queryClient = new QueryClient({
  defaultOptions: {
    // Engine state lives in this tab; refetching on focus would only redo work. Queries and
    // mutations read IndexedDB or the worker, never the network: they must not pause offline.
    queries: { refetchOnWindowFocus: false, retry: false, networkMode: 'always' },
    mutations: { networkMode: 'always' },
  },
});

listenForInstallOffer();
registerServiceWorker();
announceFirstVisit();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
