import { describe, expect, it } from 'vitest';
import { type SafeStorageLike, safeStorageCipher } from './secret-cipher';

/** A stand-in for safeStorage: reversible, and visibly not the plain text. */
function fakeSafeStorage(available: boolean, backend?: string): SafeStorageLike {
  return {
    isEncryptionAvailable: () => available,
    encryptString: (s) => Buffer.from(`enc:${s}`).reverse(),
    decryptString: (b) => Buffer.from(b).reverse().toString().replace(/^enc:/, ''),
    ...(backend ? { getSelectedStorageBackend: () => backend } : {}),
  };
}

describe('safeStorageCipher', () => {
  it('encrypts and decrypts through safeStorage and names the keychain', () => {
    const cipher = safeStorageCipher(fakeSafeStorage(true, 'gnome_libsecret'), 'linux');
    expect(cipher?.backend).toBe('gnome_libsecret');
    const sealed = cipher?.encrypt('s3cret') as Buffer;
    expect(sealed.toString()).not.toContain('s3cret');
    expect(cipher?.decrypt(sealed)).toBe('s3cret');
    expect(safeStorageCipher(fakeSafeStorage(true), 'darwin')?.backend).toBe('Keychain');
  });

  it('is none when encryption is unavailable', () => {
    expect(safeStorageCipher(fakeSafeStorage(false), 'win32')).toBeUndefined();
  });

  it("is none on Linux's basic_text fallback, which only obfuscates with a built-in key", () => {
    expect(safeStorageCipher(fakeSafeStorage(true, 'basic_text'), 'linux')).toBeUndefined();
  });
});
