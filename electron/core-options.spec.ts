import { describe, expect, it } from 'vitest';
import { desktopCoreOptions } from './core-options';

describe('desktopCoreOptions', () => {
  it('an installed app runs its stack from the per-user folder, copied from the read-only install', () => {
    const o = desktopCoreOptions({
      isPackaged: true,
      resourcesPath: '/opt/Walkstream/resources',
      checkoutDir: '/nowhere',
      userData: '/home/a b/.config/Walkstream',
      appVersion: '1.2.3',
    });
    expect(o).toMatchObject({
      stackDir: '/home/a b/.config/Walkstream/stack',
      stackSource: '/opt/Walkstream/resources/stack',
      settingsPath: '/home/a b/.config/Walkstream/settings.json',
      appVersion: '1.2.3',
    });
    expect(o.envFile).toBeUndefined(); // .env lives in the per-user stack folder
    expect(JSON.stringify(o)).not.toContain('"stackDir":"/opt');
  });

  it('from a checkout it uses the repository stack/ in place', () => {
    const o = desktopCoreOptions({
      isPackaged: false,
      resourcesPath: '/x',
      checkoutDir: '/src/walkstream',
      userData: '/u',
      appVersion: '0.1.0',
    });
    expect(o.stackDir).toBe('/src/walkstream/stack');
    expect(o.stackSource).toBeUndefined();
  });

  it('hands the keychain cipher to the core, installed or not, so secrets never go to a plain file when there is one', () => {
    const secretCipher = {
      backend: 'Keychain',
      encrypt: (s: string) => Buffer.from(s),
      decrypt: (b: Buffer) => b.toString(),
    };
    for (const isPackaged of [true, false]) {
      const o = desktopCoreOptions({
        isPackaged,
        resourcesPath: '/x',
        checkoutDir: '/src',
        userData: '/u',
        appVersion: '0.1.0',
        secretCipher,
      });
      expect(o.secretCipher).toBe(secretCipher);
    }
  });
});
