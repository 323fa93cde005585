// One model in the manager: a catalog entry and/or a stored model, with what can be done to it.

import type { LoadedModelInfo, StoredModelInfo } from '../engine/client.ts';
import { ErrorNotice } from '../ui/ErrorNotice.tsx';
import { describeError } from '../engine/errorHelp.ts';
import { deviceMemoryGiB, modelFit } from './fit.ts';
import { formatBytes, formatCount } from '../ui/format.ts';
import type { CatalogEntry } from './catalog.ts';
import { DownloadBar } from './Progress.tsx';
import type { Transfer } from './useDownloads.ts';

export interface ModelCardActions {
  readonly onDownload: () => void;
  readonly onPause: () => void;
  /** Stops a running download and deletes its part. */
  readonly onCancel: () => void;
  readonly onDelete: () => void;
  readonly onLoad: () => void;
}

interface Props {
  readonly name: string;
  readonly entry: CatalogEntry | undefined;
  /** What to say of a model that is neither in the catalog nor stored (a file found on the Hub). */
  readonly summary?: string;
  /** GPU memory it needs, when not from a catalog entry (a file found on the Hub: its size plus runtime buffers). */
  readonly memoryEstimateBytes?: number;
  readonly stored: StoredModelInfo | undefined;
  readonly transfer: Transfer | undefined;
  readonly loaded: LoadedModelInfo | null | undefined;
  readonly loading: boolean;
  /** No network: downloads cannot start (the card says so). */
  readonly offline: boolean;
  readonly actions: ModelCardActions;
}

export function ModelCard({ name, entry, summary, memoryEstimateBytes, stored, transfer, loaded, loading, offline, actions }: Props) {
  const running = transfer?.running ?? false;
  const complete = stored?.state === 'complete';
  const isLoaded = loaded?.id === stored?.id && stored !== undefined;
  const unsupported = entry ? !entry.supported : false;
  const resumable = stored !== undefined && stored.source.kind !== 'file';
  const failure = transfer?.error ?? (stored?.failure && !running ? describeError(stored.failure) : undefined);
  const canDownload = !complete && !running && !unsupported && (!stored || resumable);
  // Dense weights stored, experts still coming: it can answer now, reading experts from the source.
  const usableNow = stored !== undefined && !complete && stored.denseStored && resumable && !isLoaded && !unsupported;
  const need = entry ? (entry.bundled ? undefined : entry.memoryEstimateBytes) : memoryEstimateBytes;
  const fit = need !== undefined && !complete ? modelFit(need, deviceMemoryGiB()) : undefined;
  const state = running ? 'downloading' : isLoaded ? 'loaded' : complete ? 'stored' : stored ? 'partial' : unsupported ? 'unsupported' : 'available';

  return (
    <li className="model-card" aria-label={name} data-state={state}>
      <div className="model-head">
        <div>
          <h4>{name}</h4>
          <p className="muted small">{describe(entry, stored) || summary}</p>
        </div>
        <div className="badges">
          {entry && <span className="badge">{entry.quant}</span>}
          {unsupported && (
            <span className="badge warn" title={`This version of Pakar does not run ${entry?.architecture} models yet`}>
              not supported yet
            </span>
          )}
          {fit?.verdict === 'too_big' && <span className="badge warn">too big for this device</span>}
          {fit?.verdict === 'tight' && <span className="badge warn">may not fit</span>}
          {isLoaded && <span className="badge ok">loaded</span>}
          {complete && !isLoaded && <span className="badge">downloaded</span>}
          {stored && !complete && !running && <span className="badge warn">{stored.percent}% · paused</span>}
        </div>
      </div>
      {entry?.note && <p className="muted small">{entry.note}</p>}
      {fit && (
        <p className="muted small" data-testid="fit" data-fit={fit.verdict}>
          {fit.text}
        </p>
      )}
      {running && <DownloadBar progress={transfer?.progress} label={`Downloading ${name}`} />}
      {failure && <ErrorNotice help={failure} title={`${failure.title} (${name})`} />}
      {canDownload && offline && <p className="muted small">Offline: {stored ? 'resuming' : 'downloading'} needs a connection.</p>}
      {usableNow && !offline && (
        <p className="muted small">Its dense weights are stored: it can answer now, loading each expert from the Hub when an answer first needs it, slower until the download completes.</p>
      )}
      {isLoaded && loaded?.experts.downloading && (
        <p className="muted small" data-testid="experts-downloading">
          Answers are slower until the download completes: experts not stored yet are read from the Hub as they are needed.
        </p>
      )}
      <div className="row">
        {complete && !isLoaded && (
          <button type="button" className="primary" onClick={actions.onLoad} disabled={loading} aria-label={`Load ${name}`}>
            Load
          </button>
        )}
        {usableNow && (
          <button type="button" onClick={actions.onLoad} disabled={loading || offline} aria-label={`Use ${name} now`}>
            Use now
          </button>
        )}
        {canDownload && (
          <button
            type="button"
            className="primary"
            onClick={actions.onDownload}
            disabled={offline}
            title={offline ? 'Needs a network connection' : undefined}
            aria-label={`${stored ? 'Resume' : 'Download'} ${name}`}
          >
            {stored ? 'Resume' : 'Download'}
            {entry && !stored && <span className="muted-on-primary"> · {formatBytes(entry.sizeBytes)}</span>}
          </button>
        )}
        {running && (
          <button type="button" onClick={actions.onPause} aria-label={`Pause ${name}`}>
            Pause
          </button>
        )}
        {running && (
          <button type="button" className="ghost danger" onClick={actions.onCancel} aria-label={`Cancel ${name}`} title="Stop the download and delete what it stored">
            Cancel
          </button>
        )}
        {stored && !running && (
          <button type="button" className="ghost danger" onClick={actions.onDelete} aria-label={`Delete ${name}`}>
            Delete
          </button>
        )}
      </div>
    </li>
  );
}

function describe(entry: CatalogEntry | undefined, stored: StoredModelInfo | undefined): string {
  if (entry) {
    const { parameters: p, experts: x } = entry;
    return [
      `${entry.architecture}`,
      `${formatCount(p.total)} params, ${formatCount(p.active)} active`,
      `${x.total} experts, ${x.used} per token${x.shared ? ` + ${x.shared} shared` : ''}`,
      `${formatBytes(entry.sizeBytes)}${entry.sizeEstimated ? ' (estimated)' : ''}`,
      `needs ≈ ${formatBytes(entry.memoryEstimateBytes)} GPU memory`,
      entry.licence,
    ].join(' · ');
  }
  if (stored) return [stored.architecture ?? 'unknown architecture', formatBytes(stored.size), stored.source.kind === 'file' ? 'imported file' : 'downloaded'].join(' · ');
  return '';
}
