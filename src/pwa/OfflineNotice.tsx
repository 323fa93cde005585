import { useOnline } from './useOnline.ts';

/** Says what works without a network, so nothing that needs one fails silently. */
export function OfflineNotice() {
  const online = useOnline();
  if (online) return null;
  return (
    <div className="notice pwa-notice offline" role="status" data-testid="offline-notice">
      <div className="notice-body">
        <strong>You are offline.</strong>
        <p className="muted small">Conversations and downloaded models work as usual. Downloading models needs a connection.</p>
      </div>
    </div>
  );
}
