import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';

// main and preload for Node/Electron (dependencies external), the renderer bundled. The preload
// is one file importing only `electron`, which the sandbox requires. Entries are absolute paths:
// "electron/main.ts" would be mistaken for the electron package and externalized. The producer
// workspace is bundled although a dependency: its package points at TypeScript sources, which
// Electron cannot load.
export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin({ exclude: ['@walkstream/producer'] })],
    build: { outDir: 'out/main', rollupOptions: { input: { main: resolve(__dirname, 'electron/main.ts') } } },
  },
  preload: {
    plugins: [externalizeDepsPlugin()],
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { preload: resolve(__dirname, 'electron/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].js' },
      },
    },
  },
  renderer: {
    root: 'renderer',
    plugins: [react()],
    build: { outDir: 'out/renderer', rollupOptions: { input: resolve(__dirname, 'renderer/index.html') } },
  },
});
