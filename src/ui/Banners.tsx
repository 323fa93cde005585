// Page-wide notices: no WebGPU, and a model that failed to load (with what to do about it).

import { useGpuProbe } from '../inspect/hooks.ts';
import { describeError } from '../engine/errorHelp.ts';
import { useLoadState, useModelLoader } from '../models/useModelLoader.ts';
import { ErrorNotice } from './ErrorNotice.tsx';

export function GpuBanner() {
  const probe = useGpuProbe();
  if (!probe.data || probe.data.available) return null;
  const help = describeError({ code: 'no_webgpu', message: probe.data.reason });
  return <ErrorNotice help={help} />;
}

export function LoadErrorBanner({ onOpenModels }: { onOpenModels: () => void }) {
  const { error, errorWhile, target } = useLoadState();
  const { reload, dismissError } = useModelLoader();
  if (!error) return null;
  const name = target?.name ?? 'the model';
  const title = errorWhile === 'running' ? `${name} stopped: ${error.title.toLowerCase()}` : `Could not load ${name}: ${error.title.toLowerCase()}`;
  return (
    <ErrorNotice help={error} title={title} onDismiss={dismissError}>
      {error.action === 'reload-model' && target && (
        <button type="button" className="primary" onClick={() => void reload()}>
          Reload the model
        </button>
      )}
      <button type="button" onClick={onOpenModels}>
        Open Models
      </button>
    </ErrorNotice>
  );
}
