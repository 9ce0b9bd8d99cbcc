// @vitest-environment happy-dom
/**
 * The walk sliders, with the API faked at its module boundary: a move is sent as a patch once the
 * hand rests (debounced), moves in quick succession go together, and a refusal is shown.
 */
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ProducerStatus } from '../../../core/contract/data';
import { answer, api, refusal, resetFakeApi } from '../fake-api-client';
import { WalkControls } from './walk-controls';

vi.mock('../api-client', () => import('../fake-api-client'));

const producer: ProducerStatus = {
  state: 'running',
  startedAt: 0,
  params: { walks: 10, rate: 10, volatility: 1, drift: 0, theta: 0, mu: 0, start: 100, seed: 42 },
  metrics: null,
  error: null,
};
const slide = (name: string, value: number) =>
  fireEvent.change(screen.getByTestId(`param-${name}`), { target: { value: String(value) } });
/** Past the debounce, and past the call it then makes. */
const rest = () => act(() => vi.advanceTimersByTimeAsync(200));

beforeEach(() => {
  resetFakeApi();
  vi.useFakeTimers();
  answer('producer:setParams', (patch) => ({ ...producer, params: { ...producer.params, ...patch } }));
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('the walk sliders', () => {
  it('send the moved parameter as a patch once the slider rests, not on every step', async () => {
    render(<WalkControls producer={producer} />);
    slide('volatility', 3);
    slide('volatility', 7);
    slide('volatility', 10);
    expect(screen.getByTestId('param-volatility').parentElement?.querySelector('output')?.textContent).toBe(
      '10',
    );
    await act(() => vi.advanceTimersByTimeAsync(100));
    expect(api.call).not.toHaveBeenCalled();

    await rest();
    expect(api.call).toHaveBeenCalledTimes(1);
    expect(api.call).toHaveBeenCalledWith('producer:setParams', { volatility: 10 });
  });

  it('send two sliders moved within the debounce together', async () => {
    render(<WalkControls producer={producer} />);
    slide('walks', 20);
    slide('rate', 50);
    await rest();
    expect(api.call).toHaveBeenCalledTimes(1);
    expect(api.call).toHaveBeenCalledWith('producer:setParams', { walks: 20, rate: 50 });

    slide('drift', 2);
    await rest();
    expect(api.call).toHaveBeenLastCalledWith('producer:setParams', { drift: 2 });
  });

  it("show the core's refusal, and clear it when a later change is taken", async () => {
    answer('producer:setParams', () => {
      throw refusal('INVALID_INPUT', 'Invalid walk parameters: theta: must be at most the rate (10 ticks/s)');
    });
    render(<WalkControls producer={producer} />);
    slide('theta', 5);
    await rest();
    expect(screen.getByRole('alert').textContent).toBe(
      'INVALID_INPUT: Invalid walk parameters: theta: must be at most the rate (10 ticks/s)',
    );

    answer('producer:setParams', () => producer);
    slide('theta', 1);
    await rest();
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
