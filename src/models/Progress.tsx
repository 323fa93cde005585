import type { DownloadProgress, LoadProgress } from '../engine/client.ts';
import { formatBytes, formatEta, formatSpeed, percent } from '../ui/format.ts';

/** Download progress: bar, bytes, speed and time left. */
export function DownloadBar({ progress, label }: { progress: DownloadProgress | undefined; label: string }) {
  const done = progress?.bytesDone ?? 0;
  const total = progress?.bytesTotal ?? 0;
  const state = progress?.state ?? 'checking';
  return (
    <div className="progress" data-state={state}>
      <progress aria-label={label} max={total || 1} value={done} />
      <p className="muted small" data-testid="download-progress">
        {state === 'checking' && 'Checking…'}
        {state === 'waiting' && 'Waiting for another tab…'}
        {state !== 'checking' && state !== 'waiting' && (
          <>
            {percent(done, total)}% · {formatBytes(done)} of {formatBytes(total)} · {formatSpeed(progress?.bytesPerSecond ?? 0)} · {formatEta(progress?.etaSeconds)} left
          </>
        )}
      </p>
    </div>
  );
}

/** Upload of weights to the GPU, with a Cancel button when the load can be stopped. */
export function LoadBar({ progress, name, onCancel }: { progress: LoadProgress | undefined; name: string; onCancel?: () => void }) {
  const done = progress?.bytesDone ?? 0;
  const total = progress?.bytesTotal ?? 0;
  return (
    <div className="progress">
      <progress aria-label={`Loading ${name}`} max={total || 1} value={done} />
      <p className="muted small">
        Loading {name} onto the GPU{total > 0 ? ` · ${percent(done, total)}% · ${formatBytes(done)} of ${formatBytes(total)}` : '…'}
      </p>
      {onCancel && (
        <button type="button" className="ghost" onClick={onCancel} aria-label={`Cancel loading ${name}`}>
          Cancel
        </button>
      )}
    </div>
  );
}
