// @vitest-environment happy-dom
/**
 * The "your own cluster" settings, with the API faked at its module boundary: the mode is saved at
 * once, secrets show as stored or not (never their value) and are sent only when typed, and a
 * failed test shows the core's words and marks the field it names.
 */
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../core/contract/client';
import { type ConnectionView, DEFAULT_CONNECTION } from '../../../core/contract/connection';
import { answer, api, resetFakeApi } from '../fake-api-client';
import { ConnectionPanel } from './connection-panel';

vi.mock('../api-client', () => import('../fake-api-client'));

const connected: ConnectionView = {
  settings: {
    mode: 'connect',
    kafka: {
      ...DEFAULT_CONNECTION.kafka,
      bootstrapServers: ['b1.example.com:9093'],
      sasl: 'scram-sha-512',
      username: 'walker',
      tls: true,
    },
    influx: { url: 'https://influx.example', org: 'acme', bucket: 'walks' },
    bridge: false,
  },
  secrets: { kafkaPassword: 'set', influxToken: 'not set' },
  secretStore: {
    kind: 'file',
    path: '/home/me/.config/Walkstream/secrets.json',
    note: 'Browser mode has no keychain: kept unencrypted in a file only your user can read (0600).',
  },
};
const calls = (name: string) => api.call.mock.calls.filter(([n]) => n === name);

beforeEach(() => {
  resetFakeApi();
  answer('connection:get', () => connected);
  answer('connection:update', () => connected);
});
afterEach(cleanup);

describe('the cluster settings', () => {
  it('choosing "Your own cluster" saves the mode at once', async () => {
    answer('connection:get', () => ({ ...connected, settings: { ...connected.settings, mode: 'local' } }));
    render(<ConnectionPanel />);
    fireEvent.click(await screen.findByLabelText(/Your own cluster/));
    expect(calls('connection:update')).toEqual([['connection:update', { mode: 'connect' }]]);
    await screen.findByLabelText('Bootstrap servers');
  });

  it('ticking the bridge saves it at once and says a container will start', async () => {
    const bridged = { ...connected, settings: { ...connected.settings, bridge: true } };
    answer('connection:update', () => bridged);
    render(<ConnectionPanel />);
    await screen.findByText(/Starts no containers/);
    fireEvent.click(screen.getByLabelText(/Run a local Telegraf/));
    expect(calls('connection:update')).toEqual([['connection:update', { bridge: true }]]);
    await screen.findByText(/Starts one container, the stack's Telegraf/);
  });

  it('shows whether each secret is stored and where, never its value', async () => {
    render(<ConnectionPanel />);
    const password = (await screen.findByLabelText('Password')) as HTMLInputElement;
    expect(password.type).toBe('password');
    expect(password.value).toBe('');
    expect(password.placeholder).toMatch(/stored/);
    expect((screen.getByLabelText('Token') as HTMLInputElement).placeholder).toBe('not set');
    expect(screen.getByTestId('secret-store').textContent).toMatch(
      /unencrypted in a file only your user can read .*secrets.json/,
    );
  });

  it('Save sends the fields, the broker list split, and a secret only when one was typed', async () => {
    render(<ConnectionPanel />);
    fireEvent.change(await screen.findByLabelText('Bootstrap servers'), {
      target: { value: 'b1:9093, b2:9093' },
    });
    fireEvent.change(screen.getByLabelText('Token'), { target: { value: 'new-token' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    const [[, sent]] = calls('connection:update') as [
      [string, { kafka: Record<string, unknown>; influx: Record<string, unknown> }],
    ];
    expect(sent.kafka.bootstrapServers).toEqual(['b1:9093', 'b2:9093']);
    expect(sent.kafka).not.toHaveProperty('password');
    expect(sent.influx).toMatchObject({ url: 'https://influx.example', token: 'new-token' });
  });

  it('a failed test shows the cause and marks the setting to fix', async () => {
    answer('connection:test', () => {
      throw new ApiError({
        code: 'KAFKA_TLS_UNTRUSTED',
        message: "The broker's TLS certificate is signed by a CA this machine does not trust: set CA file.",
        retriable: false,
        details: { setting: 'kafka.caFile' },
      });
    });
    render(<ConnectionPanel />);
    fireEvent.click(await screen.findByRole('button', { name: 'Test connection' }));
    expect((await screen.findByTestId('connection-error')).textContent).toMatch(
      /KAFKA_TLS_UNTRUSTED.*set CA file/,
    );
    expect(screen.getByLabelText('CA file').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByLabelText('Bootstrap servers').getAttribute('aria-invalid')).toBeNull();
  });

  it('a passing test says what it reached', async () => {
    answer('connection:test', () => ({
      kafka: { brokers: 3, controller: 1 },
      influx: { url: 'https://influx.example', bucket: 'walks' },
      checkedAt: 1,
    }));
    render(<ConnectionPanel />);
    fireEvent.click(await screen.findByRole('button', { name: 'Test connection' }));
    expect((await screen.findByTestId('connection-ok')).textContent).toMatch(
      /Kafka 3 brokers; InfluxDB https:\/\/influx.example/,
    );
  });
});
