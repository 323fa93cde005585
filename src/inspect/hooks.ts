import { useMutation, useQuery } from '@tanstack/react-query';
import { EngineError, getEngine, type GgufSummary, type GpuProbe } from '../engine/client.ts';

/** Reads a local file's GGUF header in the engine worker. */
export function useInspectGguf() {
  return useMutation<GgufSummary, EngineError, File>({
    mutationKey: ['inspect-gguf'],
    mutationFn: (file) => getEngine().inspectGguf(file),
    // Local work: TanStack would otherwise pause it while the browser reports being offline.
    networkMode: 'always',
  });
}

/** Whether WebGPU works in the engine worker. Asked once per page. */
export function useGpuProbe() {
  return useQuery<GpuProbe, EngineError>({
    queryKey: ['gpu-probe'],
    queryFn: () => getEngine().probeGpu(),
    networkMode: 'always',
    staleTime: Infinity,
  });
}
