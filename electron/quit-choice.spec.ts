import { describe, expect, it, vi } from 'vitest';
import type { PipelineState } from '../core/contract/data';
import { chooseQuit, QUIT_DIALOG, type StopStackOnQuit } from './quit-choice';

const STATES: (PipelineState | null)[] = [
  null,
  'stopped',
  'starting',
  'running',
  'degraded',
  'stopping',
  'error',
];
const LIVE = STATES.filter((s) => s !== null && s !== 'stopped');
const KEEP = QUIT_DIALOG.buttons.indexOf('Keep running');
const STOP = QUIT_DIALOG.buttons.indexOf('Stop the stack');

function asker(response: number, checkboxChecked: boolean) {
  return vi.fn(async () => ({ response, checkboxChecked }));
}

describe('chooseQuit', () => {
  describe.each<[StopStackOnQuit, boolean]>([
    ['yes', true],
    ['no', false],
  ])('setting "%s"', (setting, stopStack) => {
    it.each(STATES)(`never asks and stopStack is ${stopStack} (stack %s)`, async (stackState) => {
      const ask = asker(STOP, true);
      await expect(chooseQuit({ setting, stackState, ask })).resolves.toEqual({ stopStack, remember: null });
      expect(ask).not.toHaveBeenCalled();
    });
  });

  describe('setting "ask"', () => {
    it.each([null, 'stopped'] as const)(
      'does not ask when the stack is %s, and keeps it',
      async (stackState) => {
        const ask = asker(STOP, true);
        await expect(chooseQuit({ setting: 'ask', stackState, ask })).resolves.toEqual({
          stopStack: false,
          remember: null,
        });
        expect(ask).not.toHaveBeenCalled();
      },
    );

    describe.each(LIVE)('stack %s', (stackState) => {
      it.each([
        ['Keep running', KEEP, false, { stopStack: false, remember: null }],
        ['Keep running', KEEP, true, { stopStack: false, remember: 'no' }],
        ['Stop the stack', STOP, false, { stopStack: true, remember: null }],
        ['Stop the stack', STOP, true, { stopStack: true, remember: 'yes' }],
      ] as const)(
        'asks once; "%s" (button %i), remember %s → %o',
        async (_label, response, checked, expected) => {
          const ask = asker(response, checked);
          await expect(chooseQuit({ setting: 'ask', stackState, ask })).resolves.toEqual(expected);
          expect(ask).toHaveBeenCalledTimes(1);
          expect(ask).toHaveBeenCalledWith(QUIT_DIALOG);
        },
      );
    });
  });

  it('keeps the stack when the dialog is dismissed with Esc or Enter', async () => {
    for (const response of [QUIT_DIALOG.cancelId, QUIT_DIALOG.defaultId]) {
      await expect(
        chooseQuit({ setting: 'ask', stackState: 'running', ask: asker(response, false) }),
      ).resolves.toEqual({ stopStack: false, remember: null });
    }
  });

  it('offers the choice to remember', () => {
    expect(QUIT_DIALOG.checkboxLabel).toBe('Remember my choice');
    expect(KEEP).toBeGreaterThanOrEqual(0);
    expect(STOP).toBeGreaterThanOrEqual(0);
  });
});
