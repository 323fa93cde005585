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

  const open = async (file: File): Promise<void> => {
    if (!keep) {
      await load({ kind: 'file', file, name: file.name });
      return;
    }
    const id = localModelId(file);
    setImporting({ id, name: file.name });
    if (await importFile(id, file)) await load({ kind: 'store', id, name: file.name });
  };

  const transfer = importing ? transfers.get(importing.id) : undefined;
  return (
    <div className="local-file">
      <label className={`button${disabled ? ' disabled' : ''}`}>
        Open a local .gguf
        <input
          type="file"
          accept=".gguf"
          aria-label="Open a local .gguf file"
          disabled={disabled}
          className="visually-hidden"
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) void open(file);
          }}
        />
      </label>
      <label className="check">
        <input type="checkbox" checked={keep} onChange={(e) => setKeep(e.target.checked)} /> Keep a copy in this browser (loads again after a reload)
      </label>
      {transfer?.running && <DownloadBar progress={transfer.progress} label="Importing the file" />}
      {transfer?.error && <ErrorNotice help={transfer.error} title={`Could not keep ${importing?.name ?? 'the file'}: ${transfer.error.title.toLowerCase()}`} />}
    </div>
  );
}
