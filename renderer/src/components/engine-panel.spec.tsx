// @vitest-environment happy-dom
/**
 * The Docker settings, with the API faked at its module boundary: the local-images checkbox and
 * Save each send what they change to settings:updateStack, and a refusal is shown.
 */
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_CONNECTION } from '../../../core/contract/connection';
import type { DockerEngine, Settings, StackInfo } from '../../../core/contract/data';
import { answer, api, refusal, resetFakeApi } from '../fake-api-client';
import { EnginePanel } from './engine-panel';

vi.mock('../api-client', () => import('../fake-api-client'));

const settings: Settings = {
  params: { walks: 10, rate: 10, volatility: 1, drift: 0, theta: 0, mu: 0, start: 100, seed: 42 },
  ui: { theme: 'system', previewWalks: 10, stopStackOnQuit: 'ask' },
  stack: { profile: 'full', localImages: false, dockerEndpoint: '', dockerCli: '' },
  connection: DEFAULT_CONNECTION,
};
const engine: DockerEngine = {
  name: 'Docker Engine',
  serverVersion: '28.5.1',
  memTotalBytes: 8 * 2 ** 30,
  contextName: null,
  host: 'unix:///var/run/docker.sock',
  source: 'default',
  cliPath: '/usr/bin/docker',
  composeVersion: '2.40.0',
  cliError: null,
};
const info: StackInfo = {
  stackDir: '/home/me/.local/share/walkstream/stack',
  envFile: '/home/me/.local/share/walkstream/stack/.env',
  appVersion: null,
  lastUpdate: null,
  localImages: false,
  profile: 'full',
  leftOut: [],
};
const updates = () => api.call.mock.calls.filter(([name]) => name === 'settings:updateStack');

beforeEach(() => {
  resetFakeApi();
  answer('settings:get', () => settings);
  answer('docker:engine', () => engine);
  answer('stack:info', () => info);
  answer('settings:updateStack', (patch) => ({ ...settings, stack: { ...settings.stack, ...patch } }));
});
afterEach(cleanup);

describe('the Docker settings', () => {
  it('the local-images checkbox saves the choice at once and shows what it leaves out', async () => {
    render(<EnginePanel stack={null} />);
    const checkbox = await screen.findByLabelText(/Use locally built images/);
    fireEvent.click(checkbox);
    expect(updates()).toEqual([['settings:updateStack', { localImages: true }]]);
    await screen.findByText(/Grafana and Kafka UI have no local build/);
    expect((checkbox as HTMLInputElement).checked).toBe(true);
  });

  it('Save sends the engine and the docker CLI as typed', async () => {
    render(<EnginePanel stack={null} />);
    fireEvent.change(await screen.findByLabelText(/^Engine/), {
      target: { value: 'unix:///run/user/1000/docker.sock' },
    });
    fireEvent.change(screen.getByLabelText(/^docker CLI/), { target: { value: '/opt/docker/bin/docker' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(updates()).toEqual([
      [
        'settings:updateStack',
        { dockerEndpoint: 'unix:///run/user/1000/docker.sock', dockerCli: '/opt/docker/bin/docker' },
      ],
    ]);
    // Saved settings change which engine is used: the panel asks again.
    await vi.waitFor(() =>
      expect(api.call.mock.calls.filter(([name]) => name === 'docker:engine')).toHaveLength(2),
    );
  });

  it('shows why the settings were refused', async () => {
    answer('settings:updateStack', () => {
      throw refusal(
        'INVALID_INPUT',
        'Invalid input for settings:updateStack: dockerCli: must be at most 1000 characters',
      );
    });
    render(<EnginePanel stack={null} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Save' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/^INVALID_INPUT: .*dockerCli/);
  });
});
