/**
 * Where connect mode keeps its secrets (the SASL password, the InfluxDB token): never in
 * settings.json, which users copy, back up and paste into bug reports.
 *
 * With a cipher (Electron's safeStorage, handed in by the desktop shell) the file holds only
 * ciphertext that the OS keychain's key decrypts; without one (browser mode has no keychain to
 * ask) the file holds them in clear, readable by the user alone (0600), and the UI says so.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SecretName, SecretState, SecretStoreInfo } from '../contract/connection';
import { WalkstreamError } from '../contract/errors';

/** The port the desktop shell implements with safeStorage; the core never imports Electron. */
export interface SecretCipher {
  encrypt(plain: string): Buffer;
  decrypt(data: Buffer): string;
  /** Which keychain protects the key, for the UI: e.g. "gnome-libsecret", "Keychain". */
  backend: string;
}

export interface SecretStore {
  info(): SecretStoreInfo;
  get(name: SecretName): string;
  state(name: SecretName): SecretState;
  /** An empty value removes the secret. */
  set(name: SecretName, value: string): void;
}

export function createSecretStore(dir: string, cipher?: SecretCipher): SecretStore {
  const path = join(dir, cipher ? 'secrets.safe-storage.json' : 'secrets.json');
  const info: SecretStoreInfo = cipher
    ? {
        kind: 'os-keychain',
        path,
        note: `Encrypted with the OS keychain (Electron safeStorage, ${cipher.backend}).`,
      }
    : {
        kind: 'file',
        path,
        note: 'Browser mode has no keychain: kept unencrypted in a file only your user can read (0600).',
      };

  const read = (): Partial<Record<SecretName, string>> => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return {};
    }
    try {
      return JSON.parse(text) as Partial<Record<SecretName, string>>;
    } catch (err) {
      throw failed(
        `${path} is not valid JSON (${(err as Error).message}): delete it and enter the secrets again.`,
      );
    }
  };
  const write = (all: Partial<Record<SecretName, string>>) => {
    try {
      mkdirSync(dirname(path), { recursive: true });
      const tmp = `${path}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
      chmodSync(tmp, 0o600); // mode applies only to a new file: a leftover tmp keeps its own
      renameSync(tmp, path);
    } catch (err) {
      throw failed(`Could not write ${path}: ${(err as Error).message}`);
    }
  };
  // A file someone made readable by others is narrowed again before a secret is read from it.
  const narrow = () => {
    try {
      if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
    } catch {}
  };

  return {
    info: () => info,
    state: (name) => (read()[name] ? 'set' : 'not set'),
    get(name) {
      narrow();
      const stored = read()[name];
      if (!stored) return '';
      if (!cipher) return stored;
      try {
        return cipher.decrypt(Buffer.from(stored, 'base64'));
      } catch (err) {
        throw failed(
          `Could not decrypt the stored ${name === 'kafkaPassword' ? 'Kafka password' : 'InfluxDB token'} with the OS keychain (${(err as Error).message}): enter it again.`,
        );
      }
    },
    set(name, value) {
      const all = read();
      if (value === '') delete all[name];
      else all[name] = cipher ? cipher.encrypt(value).toString('base64') : value;
      write(all);
    },
  };
}

function failed(message: string): WalkstreamError {
  return new WalkstreamError('SECRET_STORE_FAILED', message);
}
