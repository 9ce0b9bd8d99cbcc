/**
 * Electron's safeStorage as the core's SecretCipher port. Takes safeStorage as an argument (main.ts
 * passes the real one) so it is tested without Electron.
 */
import type { SecretCipher } from '../core/connect/secret-store';

/** The part of Electron's `safeStorage` used here. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(data: Buffer): string;
  /** Linux only: which secret service holds the key. */
  getSelectedStorageBackend?(): string;
}

/**
 * Undefined when there is no keychain to use, so the core keeps secrets in a 0600 file and says so.
 * On Linux without a secret service, safeStorage falls back to "basic_text": a key built into
 * Chromium, which only obfuscates. Calling that "the OS keychain" would mislead, so it counts as none.
 */
export function safeStorageCipher(
  safe: SafeStorageLike,
  platform = process.platform,
): SecretCipher | undefined {
  if (!safe.isEncryptionAvailable()) return undefined;
  const backend =
    platform === 'linux'
      ? (safe.getSelectedStorageBackend?.() ?? 'unknown')
      : platform === 'darwin'
        ? 'Keychain'
        : 'DPAPI';
  if (backend === 'basic_text' || backend === 'unknown') return undefined;
  return {
    backend,
    encrypt: (plain) => safe.encryptString(plain),
    decrypt: (data) => safe.decryptString(data),
  };
}
