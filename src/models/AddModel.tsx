// "Add from the Hub": paste a repository, a Hub link or a .gguf URL, see its GGUF files (the
// Hub's listing: sizes, quantizations, split files as one), download the one you pick. The
// catalog below stays as suggestions.

import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { getEngine, type LoadedModelInfo, type ModelFileChoice, type ModelFileListing, type StoredModelInfo } from '../engine/client.ts';
import { describeError } from '../engine/errorHelp.ts';
import { modelIdFor } from '../../workers/engine/store/keys.ts';
import { ErrorNotice } from '../ui/ErrorNotice.tsx';
import { formatBytes } from '../ui/format.ts';
import type { CatalogEntry } from './catalog.ts';
import { ModelCard, type ModelCardActions } from './ModelCard.tsx';
import type { Transfer } from './useDownloads.ts';

interface Props {
  readonly catalog: readonly CatalogEntry[];
  readonly stored: readonly StoredModelInfo[];
  readonly transfers: ReadonlyMap<string, Transfer>;
  readonly loaded: LoadedModelInfo | null | undefined;
  readonly loading: boolean;
  readonly offline: boolean;
  /** The card actions for a model id, name and choice (download, load, …). */
  readonly actionsFor: (id: string, name: string, choice: ModelFileChoice) => ModelCardActions;
}

/** The store id of a choice: the catalog's id when the catalog lists the same file. */
export function choiceId(choice: ModelFileChoice, catalog: readonly CatalogEntry[]): string {
  const s = choice.source;
  const entry = s.kind === 'hub' ? catalog.find((e) => e.source.kind === 'hub' && e.source.repo === s.repo && e.source.file === s.file && e.source.revision === s.revision) : undefined;
  return entry?.id ?? modelIdFor(s);
}

/** GPU buffers besides the weights (as catalog.json's estimates; the KV cache comes on top). */
const RUNTIME_BYTES = 256 * 2 ** 20;

function summary(c: ModelFileChoice, listing: ModelFileListing): string {
  return [
    listing.repo && `${listing.repo}${listing.revision && listing.revision !== 'main' ? ` @ ${listing.revision}` : ''}`,
    c.quant,
    c.size === undefined ? 'size unknown' : formatBytes(c.size),
    c.parts > 1 && `split into ${c.parts} files, downloaded as one model`,
  ]
    .filter(Boolean)
    .join(' · ');
}

export function AddModel({ catalog, stored, transfers, loaded, loading, offline, actionsFor }: Props) {
  const [text, setText] = useState('');
  const find = useMutation<ModelFileListing, Error, string>({ mutationFn: (reference) => getEngine().findModelFiles(reference), networkMode: 'always' });
  const error = find.error ? describeError(find.error) : undefined;

  return (
    <section aria-labelledby="add-title" className="add-model">
      <h3 id="add-title">Add from the Hub</h3>
      <form
        className="add-model-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim()) find.mutate(text);
        }}
      >
        <input
          type="text"
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder="owner/name, hf.co/… or https://…/model.gguf"
          aria-label="Hub repository or GGUF link"
          spellCheck={false}
          autoCapitalize="off"
          autoCorrect="off"
        />
        <button type="submit" disabled={offline || !text.trim() || find.isPending}>
          {find.isPending ? 'Looking…' : 'Find GGUF files'}
        </button>
      </form>
      <p className="muted small">
        A repository (<code>owner/name</code>, or <code>owner/name:Q4_K_M</code> for one quantization), a huggingface.co or hf.co link to a repository, folder or file, or the https URL of a .gguf
        file.
        {offline && ' Looking up files needs a connection.'}
      </p>
      {error && <ErrorNotice help={error} title={error.title} />}
      {find.data && (
        <ul className="model-list" aria-label="GGUF files found">
          {find.data.files.map((c) => {
            const id = choiceId(c, catalog);
            const name = c.path.slice(c.path.lastIndexOf('/') + 1);
            return (
              <ModelCard
                key={id}
                name={name}
                entry={undefined}
                summary={summary(c, find.data)}
                memoryEstimateBytes={c.size === undefined ? undefined : c.size + RUNTIME_BYTES}
                stored={stored.find((m) => m.id === id)}
                transfer={transfers.get(id)}
                loaded={loaded}
                loading={loading}
                offline={offline}
                actions={actionsFor(id, name, c)}
              />
            );
          })}
        </ul>
      )}
    </section>
  );
}
