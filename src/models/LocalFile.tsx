import { useState } from 'react';
import { useDownloads, useTransfers } from './useDownloads.ts';
import { useModelLoader } from './useModelLoader.ts';
import { localModelId } from './ids.ts';
import { ErrorNotice } from '../ui/ErrorNotice.tsx';
import { DownloadBar } from './Progress.tsx';

/** Open a .gguf from disk: straight onto the GPU, or kept in the browser's store first. */
export function LocalFile({ disabled }: { disabled: boolean }) {
  const [keep, setKeep] = useState(false);
  /** The file being imported, or the last one (its failure stays shown until the next file). */
  const [importing, setImporting] = useState<{ id: string; name: string } | undefined>();
  const { load } = useModelLoader();
  const { importFile } = useDownloads();
  const transfers = useTransfers();

  /** One .gguf, or every part of a split one picked together. */
  const open = async (files: File[]): Promise<void> => {
    const name = [...files].sort((a, b) => a.name.localeCompare(b.name))[0].name;
    if (!keep) {
      await load({ kind: 'file', files, name });
      return;
    }
    const id = localModelId(files);
    setImporting({ id, name });
    if (await importFile(id, files)) await load({ kind: 'store', id, name });
  };

  const transfer = importing ? transfers.get(importing.id) : undefined;
  return (
    <div className="local-file">
      <label className={`button${disabled ? ' disabled' : ''}`}>
        Open a local .gguf
        <input
          type="file"
          accept=".gguf"
          multiple
          aria-label="Open a local .gguf file"
          disabled={disabled}
          className="visually-hidden"
          onChange={(e) => {
            const files = [...(e.target.files ?? [])];
            e.target.value = '';
            if (files.length > 0) void open(files);
          }}
        />
      </label>
      <label className="check">
        <input type="checkbox" checked={keep} onChange={(e) => setKeep(e.target.checked)} /> Keep a copy in this browser (loads again after a reload)
      </label>
      <p className="muted small">
        A model split into parts (<code>…-00001-of-00003.gguf</code>): pick all of them together.
      </p>
      {transfer?.running && <DownloadBar progress={transfer.progress} label="Importing the file" />}
      {transfer?.error && <ErrorNotice help={transfer.error} title={`Could not keep ${importing?.name ?? 'the file'}: ${transfer.error.title.toLowerCase()}`} />}
    </div>
  );
}
