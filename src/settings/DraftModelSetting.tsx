import { useLoadedModel, useStoredModels } from '../models/queries.ts';
import { retryDraftModel, useDraftModelState } from '../models/useDraftModel.ts';
import { formatBytes } from '../ui/format.ts';
import { useSettings } from './useSettings.ts';

/** Which stored model drafts for the loaded one, and whether it is loaded. */
export function DraftModelSetting() {
  const { settings, update } = useSettings();
  const loaded = useLoadedModel().data;
  const stored = useStoredModels().data ?? [];
  const state = useDraftModelState();
  // Any complete model but the loaded one; the engine checks that the tokenizers match.
  const choices = stored.filter((m) => m.state === 'complete' && m.id !== loaded?.id);
  const draft = loaded?.draftModel;
  return (
    <div className="setting">
      <label htmlFor="setting-draft-model">Draft model</label>
      <select
        id="setting-draft-model"
        value={settings.draftModelId}
        onChange={(e) => {
          retryDraftModel();
          update({ draftModelId: e.target.value });
        }}
      >
        <option value="">None</option>
        {choices.map((m) => (
          <option key={m.id} value={m.id}>
            {m.name ?? m.id} ({formatBytes(m.size)})
          </option>
        ))}
      </select>
      <p className="muted small" role="status" data-testid="draft-model-status">
        {state.loading
          ? 'Loading the draft model…'
          : state.error
            ? `${state.error.title}: ${state.error.message}`
            : draft
              ? `Drafting with ${draft.name} (${draft.nLayer} layer${draft.nLayer === 1 ? '' : 's'}, ${formatBytes(draft.weightBytes)} on the GPU).`
              : settings.draftModelId === ''
                ? 'A smaller downloaded model with the same tokenizer guesses tokens for the loaded one.'
                : loaded
                  ? 'Not loaded.'
                  : 'Loads with the next model.'}
      </p>
    </div>
  );
}
