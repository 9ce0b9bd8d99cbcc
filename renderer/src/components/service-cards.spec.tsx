// @vitest-environment happy-dom
/**
 * The service cards' buttons, with the API faked at its module boundary: what each one asks the
 * core, and that a failure is shown on the card instead of vanishing.
 */
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ServiceInfo, StackStatus } from '../../../core/contract/data';
import { answer, api, refusal, resetFakeApi } from '../fake-api-client';
import { ServiceCards } from './service-cards';

vi.mock('../api-client', () => import('../fake-api-client'));

const telegraf: ServiceInfo = {
  service: 'telegraf',
  state: 'running',
  health: 'healthy',
  containerId: 'c1',
  startedAt: new Date().toISOString(),
  restartCount: 0,
  ports: [],
  image: 'telegraf:1.36',
  exitCode: null,
  oomKilled: false,
};
const stack: StackStatus = {
  state: 'running',
  services: [telegraf],
  error: null,
  dockerAvailable: true,
  updatedAt: 0,
};
const cards = () => render(<ServiceCards stack={stack} links={null} telegraf={null} />);

beforeEach(resetFakeApi);
afterEach(cleanup);

describe('a service card', () => {
  it('Restart asks the core to restart that service, and is disabled until it answers', async () => {
    let finish: (s: StackStatus) => void = () => {};
    answer('stack:restartService', () => new Promise((resolve) => (finish = resolve)));
    cards();
    const restart = screen.getByRole('button', { name: 'Restart telegraf' });
    fireEvent.click(restart);
    expect(api.call).toHaveBeenCalledWith('stack:restartService', { service: 'telegraf' });
    await vi.waitFor(() => expect((restart as HTMLButtonElement).disabled).toBe(true));
    finish(stack);
    await vi.waitFor(() => expect((restart as HTMLButtonElement).disabled).toBe(false));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('shows why a restart failed', async () => {
    answer('stack:restartService', () => {
      throw refusal('DOCKER_NOT_RUNNING', 'Docker is not running. Start Docker and try again.');
    });
    cards();
    fireEvent.click(screen.getByRole('button', { name: 'Restart telegraf' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('DOCKER_NOT_RUNNING: Docker is not running. Start Docker and try again.');
  });

  it('Logs shows the last 40 lines, and a second click hides them without asking again', async () => {
    answer('stack:logs', ({ service }) => ({ service, lines: ['first line', 'second line'] }));
    cards();
    fireEvent.click(screen.getByRole('button', { name: 'Show logs of telegraf' }));
    expect(api.call).toHaveBeenCalledWith('stack:logs', { service: 'telegraf', lines: 40 });
    const hide = await screen.findByRole('button', { name: 'Hide logs of telegraf' });
    expect(hide.textContent).toBe('Hide logs');
    expect(screen.getByText(/first line\s+second line/)).toBeTruthy();

    fireEvent.click(hide);
    expect(screen.queryByText(/first line/)).toBeNull();
    expect(screen.getByRole('button', { name: 'Show logs of telegraf' }).textContent).toBe('Logs');
    expect(api.call).toHaveBeenCalledTimes(1);
  });

  it('shows why the logs could not be read', async () => {
    answer('stack:logs', () => {
      throw refusal('SERVICE_NOT_RUNNING', 'telegraf has no container.');
    });
    cards();
    fireEvent.click(screen.getByRole('button', { name: 'Show logs of telegraf' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'SERVICE_NOT_RUNNING: telegraf has no container.',
    );
    expect(screen.getByRole('button', { name: 'Show logs of telegraf' })).toBeTruthy();
  });
});
