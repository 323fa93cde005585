import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  // The engine worker imports modules (Comlink, the engine), so it must be an ES module worker.
  worker: { format: 'es' },
  // 127.0.0.1 is a secure context, which WebGPU requires, and it keeps the server off the network.
  server: { host: '127.0.0.1', port: 5173, strictPort: true },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
});
