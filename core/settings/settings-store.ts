import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DEFAULT_PARAMS, validateParams, type WalkParams } from '@walkstream/producer';
import { type ConnectionSettings, DEFAULT_CONNECTION } from '../contract/connection';
import type { Settings } from '../contract/data';

export const DEFAULT_SETTINGS: Settings = {
  params: { ...DEFAULT_PARAMS },
  ui: { theme: 'system', previewWalks: 10, stopStackOnQuit: 'ask' },
  stack: { profile: 'full', localImages: false, dockerEndpoint: '', dockerCli: '' },
  connection: DEFAULT_CONNECTION,
};

/**
 * Walk parameters and UI preferences, persisted per user as JSON. A file that does not parse or
 * validate is set aside (settings.json.bad) and defaults are used: a broken file never stops the app.
 */
export class SettingsStore {
  private settings: Settings;

  constructor(private readonly path: string) {
    this.settings = this.load();
  }

  get(): Settings {
    return structuredClone(this.settings);
  }

  setParams(params: WalkParams): Settings {
    this.settings.params = params;
    this.save();
    return this.get();
  }

  updateUi(patch: Partial<Settings['ui']>): Settings {
    this.settings.ui = { ...this.settings.ui, ...definedOnly(patch) };
    this.save();
    return this.get();
  }

  updateStack(patch: Partial<Settings['stack']>): Settings {
    this.settings.stack = { ...this.settings.stack, ...definedOnly(patch) };
    this.save();
    return this.get();
  }

  /** Secrets are not part of it: the caller keeps them in its secret store. */
  updateConnection(patch: {
    mode?: ConnectionSettings['mode'];
    bridge?: boolean;
    kafka?: Partial<ConnectionSettings['kafka']>;
    influx?: Partial<ConnectionSettings['influx']>;
  }): Settings {
    const c = this.settings.connection;
    this.settings.connection = {
      mode: patch.mode ?? c.mode,
      kafka: { ...c.kafka, ...definedOnly(patch.kafka ?? {}) },
      influx: { ...c.influx, ...definedOnly(patch.influx ?? {}) },
      bridge: patch.bridge ?? c.bridge,
    };
    this.save();
    return this.get();
  }

  private load(): Settings {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch {
      return structuredClone(DEFAULT_SETTINGS);
    }
    try {
      const raw = JSON.parse(text) as Partial<Settings>;
      return {
        params: validateParams({ ...DEFAULT_PARAMS, ...raw.params }),
        ui: { ...DEFAULT_SETTINGS.ui, ...raw.ui },
        stack: { ...DEFAULT_SETTINGS.stack, ...raw.stack },
        connection: {
          mode: raw.connection?.mode ?? DEFAULT_CONNECTION.mode,
          kafka: { ...DEFAULT_CONNECTION.kafka, ...raw.connection?.kafka },
          influx: { ...DEFAULT_CONNECTION.influx, ...raw.connection?.influx },
          bridge: raw.connection?.bridge === true,
        },
      };
    } catch {
      renameSync(this.path, `${this.path}.bad`);
      return structuredClone(DEFAULT_SETTINGS);
    }
  }

  private save(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(this.settings, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, this.path); // atomic: a crash mid-write cannot leave half a file
  }
}

/** A patch without its undefined fields: a field left out of an update keeps its stored value. */
function definedOnly<T extends object>(patch: Partial<T>): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}
