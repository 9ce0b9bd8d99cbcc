/**
 * Whether quitting the app also stops the Docker stack. Pure (the dialog is passed in) so every
 * setting × stack state × answer is unit-tested without Electron.
 */
import type { PipelineState, Settings } from '../core/contract/data';

export type StopStackOnQuit = Settings['ui']['stopStackOnQuit'];

/** The question, in the shape Electron's dialog.showMessageBox takes. */
export const QUIT_DIALOG = {
  type: 'question' as const,
  buttons: ['Keep running', 'Stop the stack'],
  // Enter and Esc both keep the stack: stopping it is the choice that needs a deliberate click.
  defaultId: 0,
  cancelId: 0,
  message: 'Stop the Docker stack too?',
  detail:
    'The producer stops now. The stack (Kafka, Telegraf, InfluxDB, Grafana) can keep running in Docker.',
  checkboxLabel: 'Remember my choice',
};
const STOP_BUTTON = 1;

export interface QuitChoice {
  stopStack: boolean;
  /** The new setting when the user ticked "Remember my choice"; null leaves the setting alone. */
  remember: 'yes' | 'no' | null;
}

export async function chooseQuit(input: {
  setting: StopStackOnQuit;
  /** The stack's last known state; null when it was never read. */
  stackState: PipelineState | null;
  ask: (dialog: typeof QUIT_DIALOG) => Promise<{ response: number; checkboxChecked: boolean }>;
}): Promise<QuitChoice> {
  if (input.setting !== 'ask') return { stopStack: input.setting === 'yes', remember: null };
  // A stack that is stopped, or was never seen, has nothing to stop: no question to ask.
  if (input.stackState === null || input.stackState === 'stopped')
    return { stopStack: false, remember: null };
  const { response, checkboxChecked } = await input.ask(QUIT_DIALOG);
  const stopStack = response === STOP_BUTTON;
  return { stopStack, remember: checkboxChecked ? (stopStack ? 'yes' : 'no') : null };
}
