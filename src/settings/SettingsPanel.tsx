import { AboutSection } from '../pwa/AboutSection.tsx';
import { useCatalog, useLoadedModel } from '../models/queries.ts';
import { DraftModelSetting } from './DraftModelSetting.tsx';
import { clampField, draftField, drafterLabels, drafters, effectiveSpeculative, effectiveTemperature, expertCacheField, numberFields, type Drafter, type NumberField } from './settings.ts';
import { useSettings } from './useSettings.ts';
import type { ExpertCacheInfo } from '../engine/client.ts';
import { formatBytes } from '../ui/format.ts';

/** Sampling and length settings; they apply to the next answer and are kept in this browser. */
export function SettingsPanel() {
  const { settings, update, reset } = useSettings();
  const loaded = useLoadedModel().data;
  const entry = useCatalog().data?.find((e) => e.id === loaded?.id);
  const modelDefault = entry?.temperature !== undefined && !settings.temperatureChosen ? entry.temperature : undefined;
  const temperature = effectiveTemperature(settings, entry?.temperature);
  const speculative = effectiveSpeculative(settings, loaded?.mtp === true);
  return (
    <form className="settings" onSubmit={(e) => e.preventDefault()}>
      {numberFields.map((f) =>
        f.key === 'temperature' ? (
          <NumberSetting
            key={f.key}
            field={f}
            value={temperature}
            note={modelDefault !== undefined && entry ? `${entry.name}'s own default; change it to choose your own for every model.` : undefined}
            onChange={(v) => update({ temperature: v, temperatureChosen: true })}
          />
        ) : (
          <NumberSetting key={f.key} field={f} value={settings[f.key]} onChange={(v) => update({ [f.key]: v })} />
        ),
      )}
      <fieldset className="setting wide">
        <legend>Speculative decoding</legend>
        <label className="check">
          <input type="checkbox" checked={speculative} onChange={(e) => update({ speculative: e.target.checked, speculativeChosen: true })} /> Guess tokens ahead and verify them in one pass
        </label>
        {speculative && !settings.speculativeChosen && loaded && <p className="muted small">{loaded.name} drafts with its own multi-token-prediction head: on until you choose.</p>}
        {speculative && (
          <div className="setting">
            <label htmlFor="setting-drafter">Drafter</label>
            <select id="setting-drafter" value={settings.drafter} onChange={(e) => update({ drafter: e.target.value as Drafter })}>
              {drafters.map((d) => (
                <option key={d} value={d}>
                  {drafterLabels[d]}
                </option>
              ))}
            </select>
          </div>
        )}
        {settings.speculative && (settings.drafter === 'draft' || settings.drafter === 'auto') && <DraftModelSetting />}
        {settings.speculative && <NumberSetting field={draftField} value={settings.draftMax} onChange={(v) => update({ draftMax: v })} />}
        <p className="muted small">{temperature > 0 ? 'Sampled answers keep exactly the same distribution; only the speed changes.' : 'Same answer, token for token; only the speed changes.'}</p>
      </fieldset>
      <div className="setting">
        <label htmlFor="setting-context">Context length</label>
        <input id="setting-context" type="text" readOnly value={loaded ? `${loaded.contextLength.toLocaleString('en-US')} tokens` : 'no model loaded'} />
        <p className="muted small">Set by the loaded model (at most 4,096 tokens for now). When a conversation outgrows it, the oldest turns are left out of the prompt.</p>
      </div>
      <NumberSetting field={expertCacheField} value={settings.expertCacheMiB} note={loaded ? expertsNote(loaded.experts, loaded.nExpert) : undefined} onChange={(v) => update({ expertCacheMiB: v })} />
      <div className="setting wide">
        <label htmlFor="setting-system">System prompt for new chats</label>
        <textarea id="setting-system" rows={3} value={settings.defaultSystemPrompt} onChange={(e) => update({ defaultSystemPrompt: e.target.value })} />
      </div>
      <div className="row">
        <button type="button" className="ghost" onClick={reset}>
          Reset to defaults
        </button>
      </div>
      <AboutSection />
    </form>
  );
}

function NumberSetting({ field, value, note, onChange }: { field: NumberField; value: number; note?: string; onChange: (v: number) => void }) {
  const id = `setting-${field.key}`;
  const rangeMax = field.key === 'maxTokens' ? 4096 : field.key === 'seed' || field.key === 'expertCacheMiB' ? undefined : field.max;
  return (
    <div className="setting">
      <label htmlFor={id}>{field.label}</label>
      <div className="setting-inputs">
        {rangeMax !== undefined && (
          <input
            type="range"
            aria-hidden="true"
            tabIndex={-1}
            min={field.min}
            max={rangeMax}
            step={field.step}
            value={Math.min(value, rangeMax)}
            onChange={(e) => onChange(clampField(field, e.target.valueAsNumber))}
          />
        )}
        <input
          id={id}
          type="number"
          min={field.min}
          max={field.max}
          step={field.step}
          value={value}
          onChange={(e) => {
            if (e.target.value !== '') onChange(clampField(field, e.target.valueAsNumber));
          }}
        />
      </div>
      <p className="muted small">{field.help}</p>
      {note && <p className="muted small">{note}</p>}
    </div>
  );
}

/** Where the loaded model's experts are, for the expert-memory setting. */
function expertsNote(e: ExpertCacheInfo, nExpert: number): string {
  return e.paged ? `Loaded: ${e.slotsPerLayer} of ${nExpert} experts per layer on the GPU (${formatBytes(e.bytes)}).` : `Loaded: every expert on the GPU (${formatBytes(e.bytes)}).`;
}
