import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, SettingsStore } from './settings-store';

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('SettingsStore', () => {
  it('persists parameters and UI preferences across instances', () => {
    dir = mkdtempSync(`${tmpdir()}/ws-settings-`);
    const path = `${dir}/sub/settings.json`;
    new SettingsStore(path).setParams({ ...DEFAULT_SETTINGS.params, walks: 42 });
    new SettingsStore(path).updateUi({ theme: 'dark' });
    expect(new SettingsStore(path).get()).toMatchObject({
      params: { walks: 42 },
      ui: { theme: 'dark', previewWalks: 10 },
    });
  });

  it('sets a corrupt or invalid file aside and starts from defaults', () => {
    dir = mkdtempSync(`${tmpdir()}/ws-settings-`);
    const path = `${dir}/settings.json`;
    writeFileSync(path, JSON.stringify({ params: { walks: -5 } }));
    expect(new SettingsStore(path).get()).toEqual(DEFAULT_SETTINGS);
    expect(JSON.parse(readFileSync(`${path}.bad`, 'utf8'))).toEqual({ params: { walks: -5 } });
  });
});
