import { applyUpdate, useAppUpdate } from './serviceWorker.ts';

/** "Update available — reload" when a new version waits; held back while an answer is written. */
export function UpdatePrompt({ busy }: { busy: boolean }) {
  const { updateAvailable } = useAppUpdate();
  if (!updateAvailable) return null;
  return (
    <div className="notice pwa-notice" role="status" data-testid="update-prompt">
      <div className="notice-body">
        <strong>A new version of Pakar is ready.</strong>
        <p className="muted small">{busy ? 'It can load once this answer is finished.' : 'Your conversations and models are kept.'}</p>
      </div>
      <button type="button" className="primary" disabled={busy} onClick={() => void applyUpdate()}>
        Update available — reload
      </button>
    </div>
  );
}
