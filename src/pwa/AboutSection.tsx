import { useAppUpdate } from './serviceWorker.ts';
import { appVersion, buildId } from './version.ts';

/** Which version runs, and whether it starts offline; for Settings. */
export function AboutSection() {
  const { offlineReady, updateAvailable } = useAppUpdate();
  return (
    <div className="setting wide about" aria-labelledby="about-title">
      <h4 id="about-title">About Pakar</h4>
      <p className="small" data-testid="app-version">
        Version {appVersion} · build {buildId}
      </p>
      <p className="muted small">
        {offlineReady
          ? 'Installed for offline use: Pakar starts without a network, with your conversations and downloaded models.'
          : 'Offline use is being set up (after the first visit, Pakar starts without a network).'}
        {updateAvailable ? ' A newer version is ready: reload to use it.' : ''}
      </p>
    </div>
  );
}
