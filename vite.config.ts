import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

// Cross-origin isolation lets llama.cpp (wllama) use SharedArrayBuffer threads.
// Static hosts send them from public/_headers or vercel.json; where a host cannot,
// the service worker (src/sw.ts) adds them.
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * The built app's Content-Security-Policy. public/_headers and vercel.json send the
 * same policy plus `frame-ancestors 'none'`, which a <meta> policy cannot carry
 * (e2e/hardening.test.ts checks that they agree).
 */
const contentSecurityPolicy = [
  "default-src 'self'",
  // Scripts are the app's own files; WebAssembly (llama.cpp, web-llm's model
  // libraries) compiles under 'wasm-unsafe-eval', which allows no JavaScript eval.
  "script-src 'self' 'wasm-unsafe-eval'",
  // wllama starts its worker and llama.cpp's thread workers from blob: URLs it
  // makes from its own bundled code.
  "worker-src 'self' blob:",
  // Open: the person chooses where requests go (an OpenAI-compatible server
  // anywhere, the Hugging Face Hub, a GGUF at any URL), so no list could be right.
  'connect-src *',
  // Observable Plot puts a <style> element in every chart it draws, and draws a
  // colour legend as a data: image.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  // The app needs no plugins, no <base> and no form posts: nothing may add them.
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** The policy headers a static host sends with every file (public/_headers, vercel.json). */
const hostHeaders = {
  ...isolationHeaders,
  'Content-Security-Policy': `${contentSecurityPolicy}; frame-ancestors 'none'`,
};

/**
 * Puts the policy in the built page as a <meta>, so it holds on any host. Only in
 * the build: the dev server's hot reload and React Refresh run inline scripts.
 */
function contentSecurityPolicyMeta(): Plugin {
  return {
    name: 'retort-csp-meta',
    apply: 'build',
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: contentSecurityPolicy },
        injectTo: 'head-prepend',
      },
    ],
  };
}

export default defineConfig({
  plugins: [
    react(),
    contentSecurityPolicyMeta(),
    // One service worker (src/sw.ts) precaches the built app, so it loads with the
    // network off after one visit, and adds the isolation headers where the host did
    // not. src/main.tsx registers it; `npm start` has none (offline needs a build).
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      injectRegister: false,
      injectManifest: {
        // The manifest's icons are added to these by the plugin.
        globPatterns: ['**/*.{html,js,css,wasm,svg,csv}'],
        // llama.cpp's wasm (10 MB) and web-llm's chunk (7 MB) are the app too.
        maximumFileSizeToCacheInBytes: 32 * 2 ** 20,
      },
      manifest: {
        name: 'Retort',
        short_name: 'Retort',
        description: "Make synthetic datasets in your browser with distilabel's tasks.",
        // The page's background (--bg in src/styles.css): a calm window while it opens.
        theme_color: '#f7f7f5',
        background_color: '#f7f7f5',
        display: 'standalone',
        start_url: '.',
        scope: '.',
        // Rendered from favicon.svg by scripts/make-icons.mjs.
        icons: [
          { src: 'icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icon-512.png', sizes: '512x512', type: 'image/png' },
          {
            src: 'icon-maskable-512.png',
            sizes: '512x512',
            type: 'image/png',
            purpose: 'maskable',
          },
        ],
      },
    }),
  ],
  worker: { format: 'es' },
  server: { headers: isolationHeaders },
  // As a static host would serve the build.
  preview: { headers: hostHeaders },
  optimizeDeps: { exclude: ['@wllama/wllama', '@mlc-ai/web-llm'] },
  build: { target: 'es2022', chunkSizeWarningLimit: 8000 },
});
