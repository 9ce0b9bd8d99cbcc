// Downloads Electron's binary by running the electron package's own installer, which package.json
// keeps npm from running (`allowScripts`): there a failed download fails the whole `npm install`,
// even on a server or air-gapped machine that only wants browser mode (`npm run web`).
//   node electron/install-binary.mjs             the desktop app needs it: a failure is an error
//   node electron/install-binary.mjs --optional  from `postinstall`: a failure is a warning
// The installer does nothing when the binary is already there or ELECTRON_SKIP_BINARY_DOWNLOAD is set.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const optional = process.argv.includes('--optional');
let installer;
try {
  installer = createRequire(import.meta.url).resolve('electron/install.js');
} catch {
  // Installed without devDependencies: there is no desktop app to download a binary for.
  if (optional) process.exit(0);
  console.error('The electron package is not installed: run `npm install` first.');
  process.exit(1);
}

const { status, error } = spawnSync(process.execPath, [installer], { stdio: 'inherit' });
if (status === 0) process.exit(0);

const why = error ? error.message : `its installer exited with ${status}`;
if (optional) {
  console.warn(
    `\nwalkstream: Electron's binary could not be downloaded (${why}).\n` +
      'Browser mode (`npm run web`) does not need it. The desktop app does: `npm start` tries again.\n',
  );
  process.exit(0);
}
console.error(
  `Electron's binary could not be downloaded (${why}), so the desktop app cannot start.\n` +
    'Check the connection to its download host (or set ELECTRON_MIRROR), or use browser mode: `npm run web`.',
);
process.exit(1);
