import { useLoadedModel, useStoredModels } from './queries.ts';
import { useLoadState, useModelLoader } from './useModelLoader.ts';
import { percent } from '../ui/format.ts';

/** The model chooser in the top bar: the downloaded models; choosing one loads it. */
export function ModelPicker({ busy, onOpenModels }: { busy: boolean; onOpenModels: () => void }) {
  const stored = (useStoredModels().data ?? []).filter((m) => m.state === 'complete');
  const loaded = useLoadedModel().data;
  const loadState = useLoadState();
  const { load } = useModelLoader();

  if (loadState.loading && loadState.target) {
    const p = loadState.progress;
    return (
      <span className="model-chip loading" role="status" data-testid="model-status">
        <span className="spinner" aria-hidden="true" /> Loading {loadState.target.name}
        {p && p.bytesTotal > 0 ? ` · ${percent(p.bytesDone, p.bytesTotal)}%` : '…'}
      </span>
    );
  }
  if (stored.length === 0 && !loaded) {
    return (
      <button type="button" className="model-chip" onClick={onOpenModels} data-testid="model-status">
        No model · choose one
      </button>
    );
  }
  const fileLoaded = loaded && !stored.some((m) => m.id === loaded.id);
  return (
    <select
      className="model-chip"
      aria-label="Model"
      data-testid="model-status"
      value={loaded?.id ?? ''}
      disabled={busy}
      onChange={(e) => {
        const m = stored.find((s) => s.id === e.target.value);
        if (m) void load({ kind: 'store', id: m.id, name: m.name ?? m.id });
      }}
    >
      {!loaded && <option value="">Choose a model…</option>}
      {fileLoaded && <option value={loaded.id}>{loaded.name} (local file)</option>}
      {stored.map((m) => (
        <option key={m.id} value={m.id}>
          {m.name ?? m.id}
        </option>
      ))}
    </select>
  );
}
