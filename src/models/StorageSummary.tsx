import { formatBytes, percent } from '../ui/format.ts';
import { usePersistStorage, useStorageEstimate } from './queries.ts';

/** How much of the browser's quota the store uses, and persistence. */
export function StorageSummary() {
  const estimate = useStorageEstimate().data;
  const persist = usePersistStorage();
  if (!estimate) return <p className="muted small">This browser does not report storage use.</p>;
  return (
    <div className="storage" data-testid="storage">
      <progress aria-label="Storage used" max={estimate.quota || 1} value={estimate.usage} />
      <p className="muted small">
        {formatBytes(estimate.usage)} used of {formatBytes(estimate.quota)} available ({percent(estimate.usage, estimate.quota)}%).{' '}
        {estimate.persisted ? 'Kept: the browser will not clear it to save space.' : 'The browser may clear it when space runs low.'}
      </p>
      {!estimate.persisted && (
        <button type="button" className="small" onClick={() => persist.mutate()} disabled={persist.isPending}>
          Keep storage
        </button>
      )}
      {persist.data === false && <p className="muted small">The browser declined; it may grant it after more visits, or when the site is installed.</p>}
    </div>
  );
}
