import { useEffect, useMemo, useState } from 'react';
import type { LoadedModelInfo } from '../engine/client.ts';
import { useSettings } from '../settings/useSettings.ts';
import { useStore } from '../ui/store.ts';
import { Heatmap } from './Heatmap.tsx';
import { addRoutingViewer, relativeToLayerMax, routingLog, tokenMatrix, topExperts, usageShares, type RoutingLog } from './routing.ts';

const TOKEN_ROWS = 48;

/** Which experts each layer chose: over the whole answer, or token by token for one layer. */
export function RoutingView({ model }: { model: LoadedModelInfo | undefined }) {
  const log = useStore(routingLog);
  const { settings, update } = useSettings();
  useEffect(() => addRoutingViewer(), []);
  return (
    <section className="routing" aria-labelledby="routing-title" data-testid="routing" data-steps={log?.steps.length ?? 0}>
      <h3 id="routing-title">Expert routing</h3>
      {log && log.steps.length > 0 ? (
        <RoutingMaps log={log} />
      ) : (
        <p className="muted small">{model ? 'Send a message while this panel is open to see which experts each layer picks for every token.' : 'Load a model to see its experts at work.'}</p>
      )}
      <label className="check small">
        <input type="checkbox" checked={settings.alwaysRecordRouting} onChange={(e) => update({ alwaysRecordRouting: e.target.checked })} /> Record routing even when this panel is closed (a small
        extra readback per token)
      </label>
    </section>
  );
}

function RoutingMaps({ log }: { log: RoutingLog }) {
  const [mode, setMode] = useState<'answer' | 'tokens'>('answer');
  const [layer, setLayer] = useState(0);
  const last = log.steps[log.steps.length - 1];
  const shares = useMemo(() => usageShares(log), [log]);
  const strength = useMemo(() => relativeToLayerMax(shares, log.nLayer, log.nExpert), [shares, log.nLayer, log.nExpert]);
  const marked = useMemo(() => new Set(last.experts.flatMap((ids, l) => ids.map((e) => l * log.nExpert + e))), [last, log.nExpert]);
  const perToken = useMemo(() => tokenMatrix(log, Math.min(layer, log.nLayer - 1), TOKEN_ROWS), [log, layer]);
  const top = useMemo(() => topExperts(log), [log]);
  const label = (token: number): string => {
    const text = log.texts.get(token);
    return text === undefined ? `token ${token}` : `“${text.replace(/\n/g, '⏎')}” (${token})`;
  };

  return (
    <>
      <div className="segmented" role="group" aria-label="Routing view">
        <button type="button" aria-pressed={mode === 'answer'} onClick={() => setMode('answer')}>
          Whole answer
        </button>
        <button type="button" aria-pressed={mode === 'tokens'} onClick={() => setMode('tokens')}>
          Per token
        </button>
      </div>
      {mode === 'answer' ? (
        <Heatmap
          values={strength}
          rows={log.nLayer}
          cols={log.nExpert}
          marked={marked}
          label={`${log.nLayer} layers × ${log.nExpert} experts over ${log.steps.length} tokens; stronger = picked more often (relative to the layer's favourite), outlined = the latest token's picks`}
          describe={(l, e) => `Layer ${l}, expert ${e}: ${log.counts[l * log.nExpert + e]} of ${log.steps.length} tokens (${Math.round(100 * shares[l * log.nExpert + e])}% of the layer's picks)`}
        />
      ) : (
        <>
          <label className="inline small">
            Layer{' '}
            <select value={layer} onChange={(e) => setLayer(Number(e.target.value))}>
              {Array.from({ length: log.nLayer }, (_, l) => (
                <option key={l} value={l}>
                  {l}
                </option>
              ))}
            </select>
          </label>
          <Heatmap
            values={perToken.values}
            rows={perToken.steps.length}
            cols={log.nExpert}
            label={`Layer ${layer}: the last ${perToken.steps.length} tokens (rows) × ${log.nExpert} experts; darker = ranked higher`}
            describe={(r, e) =>
              `${label(perToken.steps[r].token)} → ${perToken.steps[r].experts[layer]?.includes(e) ? `expert ${e}, rank ${perToken.steps[r].experts[layer].indexOf(e) + 1}` : `not expert ${e}`}`
            }
          />
        </>
      )}
      <details className="small">
        <summary>Most used expert per layer</summary>
        <ol className="top-experts" start={0}>
          {top.map((t, l) => (
            <li key={l}>
              expert {t.expert} · {Math.round(100 * t.share)}%
            </li>
          ))}
        </ol>
      </details>
    </>
  );
}
