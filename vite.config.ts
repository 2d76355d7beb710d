import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    // The layout worker carries ELK (1.6 MB of compiled Java); it loads off the page's thread.
    chunkSizeWarningLimit: 2500,
    // No gzip sizes in the build's report: gzipping the 42 MB of onnxruntime wasm for a console table cost
    // ~0.5-1 s of CPU in every `npm test` (docs/ci.md, fifth pass). The files written are the same.
    reportCompressedSize: false,
  },
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
});
