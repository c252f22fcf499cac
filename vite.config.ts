import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

// Cross-origin isolation lets llama.cpp (wllama) use SharedArrayBuffer threads.
// A static host must send the same two headers (see README).
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [
    react(),
    // A service worker precaches the built app, so it loads with the network off after one visit.
    VitePWA({
      registerType: 'autoUpdate',
      manifest: false,
      workbox: {
        globPatterns: ['**/*.{html,js,css,wasm,svg,csv}'],
        // llama.cpp's wasm (10 MB) and web-llm's chunk (7 MB) are the app too.
        maximumFileSizeToCacheInBytes: 32 * 2 ** 20,
      },
    }),
  ],
  worker: { format: 'es' },
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
  optimizeDeps: { exclude: ['@wllama/wllama', '@mlc-ai/web-llm'] },
  build: { target: 'es2022', chunkSizeWarningLimit: 8000 },
});
