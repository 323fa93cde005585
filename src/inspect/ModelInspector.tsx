import { useState, type DragEvent } from 'react';
import { describeError } from '../engine/errorHelp.ts';
import { ErrorNotice } from '../ui/ErrorNotice.tsx';
import { GgufSummaryView } from './GgufSummaryView.tsx';
import { useGpuProbe, useInspectGguf } from './hooks.ts';
import { formatBytes } from './format.ts';

/** Pick or drop a local .gguf file; the engine worker reads its header and this shows it. */
export function ModelInspector() {
  const inspect = useInspectGguf();
  const fileName = inspect.variables?.name;

  return (
    <section className="inspector" aria-labelledby="inspector-title">
      <h2 id="inspector-title">Inspect a GGUF file</h2>
      <p className="muted">Only the header (metadata and tensor table) is read, on this device. Nothing is uploaded.</p>
      <FileDrop onFile={(file) => inspect.mutate(file)} busy={inspect.isPending} />
      {inspect.isPending && (
        <p role="status" className="muted">
          Reading {fileName}…
        </p>
      )}
      {inspect.isError && <ErrorNotice help={describeError(inspect.error)} title={`Could not read ${fileName ?? 'the file'}`} />}
      {inspect.isSuccess && <GgufSummaryView summary={inspect.data} fileName={fileName} />}
      <GpuStatus />
    </section>
  );
}

function FileDrop({ onFile, busy }: { onFile: (file: File) => void; busy: boolean }) {
  const [dragging, setDragging] = useState(false);
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const file = e.dataTransfer.files[0];
    if (file) onFile(file);
  };
  return (
    <label
      className={`drop${dragging ? ' dragging' : ''}${busy ? ' busy' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <span className="drop-title">Choose a .gguf file</span>
      <span className="muted">or drop it here</span>
      <input
        type="file"
        accept=".gguf"
        aria-label="GGUF file"
        onChange={(e) => {
          const file = e.target.files?.[0];
          // Cleared so that choosing the same file again reads it again.
          e.target.value = '';
          if (file) onFile(file);
        }}
      />
    </label>
  );
}

function GpuStatus() {
  const probe = useGpuProbe();
  if (probe.isPending) {
    return (
      <aside className="card gpu" aria-label="WebGPU" data-state="pending">
        Checking WebGPU in the engine worker…
      </aside>
    );
  }
  if (probe.isError) {
    return <ErrorNotice help={describeError(probe.error)} title="Could not check WebGPU" />;
  }
  const gpu = probe.data;
  if (!gpu.available) {
    return (
      <aside className="card gpu" aria-label="WebGPU" data-state="unavailable">
        <strong>No WebGPU.</strong> {gpu.reason}
      </aside>
    );
  }
  return (
    <aside className="card gpu" aria-label="WebGPU" data-state="available">
      <strong>WebGPU adapter:</strong> <span data-testid="gpu-adapter">{[gpu.vendor, gpu.architecture, gpu.device].filter(Boolean).join(' · ') || 'unnamed'}</span>
      {gpu.isFallbackAdapter && <span className="badge warn">software fallback</span>}
      <p className="muted">
        {gpu.description && `${gpu.description}. `}
        Largest buffer {formatBytes(gpu.limits.maxBufferSize)}, storage binding {formatBytes(gpu.limits.maxStorageBufferBindingSize)}, workgroup memory{' '}
        {formatBytes(gpu.limits.maxComputeWorkgroupStorageSize)}.{gpu.features.length > 0 && ` Features: ${gpu.features.join(', ')}.`}
      </p>
    </aside>
  );
}
