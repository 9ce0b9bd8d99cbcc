import { describe, expect, it } from 'vitest';
import { composeError, runCompose } from './compose-cli';

describe('runCompose', () => {
  it('names the project, its folder, the env file and every compose file, in order, before the command', async () => {
    const files = ['/s/compose.yaml', '/s/local-images/compose.local.yaml'];
    const echoed = await runCompose(
      {
        // echo prints the arguments it was given: the command line Compose would see.
        cli: async () => ({ path: '/bin/echo', env: process.env }),
        project: 'walkstream',
        stackDir: '/s',
        envFile: '/s/.env',
        composeFiles: () => files,
      },
      ['up', '-d'],
      10_000,
    );
    expect(echoed.trim()).toBe(
      'compose -p walkstream --project-directory /s --env-file /s/.env -f /s/compose.yaml -f /s/local-images/compose.local.yaml up -d',
    );
  });
});

describe('composeError', () => {
  it("keeps the last three lines of Compose's stderr, which name the service and the problem", () => {
    const err = Object.assign(new Error('Command failed'), {
      stderr: 'a\nb\n\nservice "influxdb" refers to undefined volume data\nexit 1\n',
    });
    expect(composeError('start', err)).toMatchObject({
      code: 'COMPOSE_FAILED',
      retriable: true,
      message: 'Could not start the stack: b / service "influxdb" refers to undefined volume data / exit 1',
    });
  });

  it('says what to look at when Compose ran out of time', () => {
    const err = Object.assign(new Error('Command failed'), { killed: true, stderr: 'waiting' });
    expect(composeError('start', err).message).toBe(
      'Could not start the stack in time: a service did not become healthy. Check its logs in the service card.',
    );
  });
});
