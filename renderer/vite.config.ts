import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The renderer alone, for browser mode (npm run web serves out/web). The Electron build of the
// same renderer is in electron.vite.config.ts.
export default defineConfig({
  root: __dirname,
  base: './',
  plugins: [react()],
  build: { outDir: '../out/web', emptyOutDir: true },
});
