/**
 * The core options of the desktop app, from where Electron says things are. Pure (no Electron
 * import) so the installed-app test drives the core with exactly these options.
 */
import { join } from 'node:path';
import type { SecretCipher } from '../core/connect/secret-store';
import type { CoreOptions } from '../core/create-core';

export interface DesktopPaths {
  /** app.isPackaged: an installed app (AppImage, .deb, .dmg, NSIS), not `npm start` from a checkout. */
  isPackaged: boolean;
  /** process.resourcesPath: the install folder's resources, read-only for the user. */
  resourcesPath: string;
  /** The source checkout (electron-vite's out/main/../..) when not packaged. */
  checkoutDir: string;
  /** app.getPath('userData'): ~/.config/Walkstream, ~/Library/Application Support/Walkstream, %APPDATA%\Walkstream. */
  userData: string;
  /** app.getVersion() */
  appVersion: string;
  /** safeStorage as a cipher (secret-cipher.ts), when the OS has a keychain to use. */
  secretCipher?: SecretCipher;
}

/**
 * An installed app never writes inside its install folder: its stack files are laid into the
 * per-user folder (which Docker Desktop shares by default) and `.env` is kept there. From a
 * checkout, the repository's stack/ is used as it is, like `npm run web` and the tests do.
 */
export function desktopCoreOptions(paths: DesktopPaths): CoreOptions {
  const settingsPath = join(paths.userData, 'settings.json');
  if (!paths.isPackaged) {
    return {
      stackDir: join(paths.checkoutDir, 'stack'),
      settingsPath,
      appVersion: paths.appVersion,
      secretCipher: paths.secretCipher,
    };
  }
  const stackSource = join(paths.resourcesPath, 'stack');
  return {
    stackDir: join(paths.userData, 'stack'),
    stackSource,
    appVersion: paths.appVersion,
    settingsPath,
    secretCipher: paths.secretCipher,
    // Versions before the per-user folder kept .env beside the install's stack files.
    otherEnvDirs: [stackSource],
  };
}
