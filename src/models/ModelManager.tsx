// The Models panel: what is loaded, local files, storage, the catalog and the store's models.

import { ModelInspector } from '../inspect/ModelInspector.tsx';
import { useGpuProbe } from '../inspect/hooks.ts';
import { useOnline } from '../pwa/useOnline.ts';
import { formatBytes } from '../ui/format.ts';
import { downloadHost } from '../engine/workerUrl.ts';
import type { CatalogEntry } from './catalog.ts';
import { AddModel } from './AddModel.tsx';
import { LocalFile } from './LocalFile.tsx';
import { ModelCard } from './ModelCard.tsx';
import { LoadBar } from './Progress.tsx';
import { useCatalog, useDeleteModel, useLoadedModel, useStoredModels } from './queries.ts';
import { StorageSummary } from './StorageSummary.tsx';
import { useDownloads, useTransfers } from './useDownloads.ts';
import { useLoadState, useModelLoader } from './useModelLoader.ts';
import type { ModelSource, StoredModelInfo } from '../engine/client.ts';

/** `otherTabsModels`: the models other tabs of the app have loaded (otherTabs.ts). */
export function ModelManager({ busy, otherTabsModels }: { busy: boolean; otherTabsModels: readonly string[] }) {
  const catalog = useCatalog().data ?? [];
  const stored = useStoredModels().data ?? [];
  const loaded = useLoadedModel().data;
  const loadState = useLoadState();
  const transfers = useTransfers();
  const { download, pause, cancel } = useDownloads();
  const { load, unload, cancel: cancelLoad } = useModelLoader();
  const del = useDeleteModel();
  const online = useOnline();
  const catalogIds = new Set(catalog.map((e) => e.id));
  const others = stored.filter((m) => !catalogIds.has(m.id));
  const loadBlocked = loadState.loading || busy;

  const actionsFor = (id: string, name: string, source: ModelSource | undefined) => ({
    onDownload: () => void (source && download(id, source)),
    onPause: () => pause(id),
    onCancel: () => void cancel(id),
    onLoad: () => void load({ kind: 'store', id, name }),
    onDelete: () => {
      if (confirm(`Delete ${name} from this browser? You can download it again later.`)) del.mutate(id);
    },
  });

  const card = (name: string, entry: CatalogEntry | undefined, s: StoredModelInfo | undefined, id: string) => (
    <ModelCard
      key={id}
      name={name}
      entry={entry}
      stored={s}
      transfer={transfers.get(id)}
      loaded={loaded}
      loading={loadBlocked}
      offline={!online}
      actions={actionsFor(id, name, entry?.source ?? s?.source)}
    />
  );

  return (
    <div className="model-manager">
      <section aria-labelledby="loaded-title">
        <h3 id="loaded-title">Loaded</h3>
        {loadState.loading && loadState.target && <LoadBar progress={loadState.progress} name={loadState.target.name} onCancel={cancelLoad} />}
        {loaded ? (
          <div className="loaded-card" data-testid="loaded-model">
            <div>
              <strong>{loaded.name}</strong>
              <p className="muted small">
                {loaded.architecture} · {loaded.nLayer} layers · {loaded.nExpert} experts, {loaded.nExpertUsed} per token · context {loaded.contextLength.toLocaleString('en-US')} ·{' '}
                {formatBytes(loaded.weightBytes)} on {loaded.adapter || 'the GPU'}
              </p>
            </div>
            <button type="button" className="ghost" onClick={() => void unload()} disabled={busy}>
              Unload
            </button>
          </div>
        ) : (
          !loadState.loading && <p className="muted">No model is loaded.</p>
        )}
        {otherTabsModels.length > 0 && (
          <p className="muted small" data-testid="other-tabs">
            Another Pakar tab has {otherTabsModels.join(', ')} loaded. Each tab holds its own copy of its model on the GPU, so two tabs need the memory twice; close the other tab to free it.
          </p>
        )}
        <LocalFile disabled={loadBlocked} />
        <GpuLine />
      </section>

      <section aria-labelledby="storage-title">
        <h3 id="storage-title">Storage</h3>
        <StorageSummary />
      </section>

      {others.length > 0 && (
        <section aria-labelledby="device-title">
          <h3 id="device-title">On this device</h3>
          <ul className="model-list">{others.map((m) => card(m.name ?? m.id, undefined, m, m.id))}</ul>
        </section>
      )}

      <AddModel catalog={catalog} stored={stored} transfers={transfers} loaded={loaded} loading={loadBlocked} offline={!online} actionsFor={(id, name, c) => actionsFor(id, name, c.source)} />

      <section aria-labelledby="catalog-title">
        <h3 id="catalog-title">Catalog</h3>
        <p className="muted small" data-testid="download-host">
          Downloaded from <strong>{downloadHost(location.href, __PAKAR_HUB_PARAM__, __PAKAR_HUB_URL__)}</strong> into this browser, then used offline. Downloads resume where they stopped.
        </p>
        {!online && (
          <p className="notice pwa-notice offline small" role="status" data-testid="catalog-offline">
            You are offline: downloads need a connection (press Download or Resume once you are back online). Downloaded models load and chat as usual.
          </p>
        )}
        <ul className="model-list">
          {catalog.map((e) =>
            card(
              `${e.name} ${e.quant}`,
              e,
              stored.find((m) => m.id === e.id),
              e.id,
            ),
          )}
        </ul>
      </section>

      <details className="inspect-details">
        <summary>GGUF inspector: read a file's header</summary>
        <ModelInspector />
      </details>
    </div>
  );
}

function GpuLine() {
  const probe = useGpuProbe();
  if (!probe.data) return null;
  if (!probe.data.available) return <p className="error-text">No WebGPU: {probe.data.reason}</p>;
  const g = probe.data;
  return (
    <p className="muted small">
      GPU: {[g.vendor, g.architecture, g.device].filter(Boolean).join(' · ') || 'unnamed adapter'}
      {g.isFallbackAdapter ? ' (software fallback)' : ''} · largest buffer {formatBytes(g.limits.maxBufferSize)}
    </p>
  );
}
