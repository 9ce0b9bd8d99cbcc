import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSecretStore, type SecretCipher } from './secret-store';

const dir = () => mkdtempSync(join(tmpdir(), 'walkstream-secrets-'));
const reversing: SecretCipher = {
  backend: 'test-keychain',
  encrypt: (s) => Buffer.from(s).reverse(),
  decrypt: (b) => Buffer.from(b).reverse().toString(),
};

describe('the secret store', () => {
  it('without a keychain keeps secrets in a file only the user can read, and says so', () => {
    const d = dir();
    const store = createSecretStore(d);
    expect(store.state('kafkaPassword')).toBe('not set');
    store.set('kafkaPassword', 'pa55');
    expect(store.get('kafkaPassword')).toBe('pa55');
    expect(store.state('kafkaPassword')).toBe('set');
    expect(store.info()).toMatchObject({ kind: 'file', path: join(d, 'secrets.json') });
    expect(statSync(join(d, 'secrets.json')).mode & 0o777).toBe(0o600);
  });

  it('with a keychain writes only ciphertext', () => {
    const d = dir();
    const store = createSecretStore(d, reversing);
    store.set('influxToken', 'tok-123');
    expect(readFileSync(join(d, 'secrets.safe-storage.json'), 'utf8')).not.toContain('tok-123');
    expect(store.get('influxToken')).toBe('tok-123');
    expect(store.info()).toMatchObject({ kind: 'os-keychain' });
    expect(store.info().note).toContain('test-keychain');
  });

  it('an empty value removes the secret', () => {
    const store = createSecretStore(dir());
    store.set('influxToken', 'x');
    store.set('influxToken', '');
    expect(store.state('influxToken')).toBe('not set');
    expect(store.get('influxToken')).toBe('');
  });

  it('narrows a secrets file others can read back to 0600 before reading it', () => {
    const d = dir();
    writeFileSync(join(d, 'secrets.json'), '{"kafkaPassword":"p"}', { mode: 0o644 });
    expect(createSecretStore(d).get('kafkaPassword')).toBe('p');
    expect(statSync(join(d, 'secrets.json')).mode & 0o777).toBe(0o600);
  });

  it('a secret the keychain cannot decrypt is an error that says to enter it again', () => {
    const d = dir();
    createSecretStore(d, reversing).set('kafkaPassword', 'p');
    const broken = {
      ...reversing,
      decrypt: () => {
        throw new Error('key changed');
      },
    };
    expect(() => createSecretStore(d, broken).get('kafkaPassword')).toThrow(/Kafka password.*enter it again/);
  });
});
