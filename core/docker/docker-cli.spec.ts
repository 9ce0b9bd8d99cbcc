import { describe, expect, it } from 'vitest';
import { type CliProbes, dockerCliCandidates, findDockerCli, parseComposeVersion } from './docker-cli';

/** A fake machine: which files are executable, and what `compose version` says for each. */
function machine(compose: Record<string, string | Error>): CliProbes & { probed: string[] } {
  const probed: string[] = [];
  return {
    probed,
    isExecutable: (path) => {
      probed.push(path);
      return Object.hasOwn(compose, path);
    },
    composeVersion: async (path) => {
      const answer = compose[path];
      if (answer instanceof Error) throw answer;
      return answer ?? '';
    },
  };
}
const V2 = 'Docker Compose version v2.29.1\n';
const linux = { platform: 'linux' as const, homeDir: '/home/u', env: { PATH: '/usr/bin:/bin' } };
const mac = { platform: 'darwin' as const, homeDir: '/Users/u', env: { PATH: '/usr/bin:/bin' } };

describe('dockerCliCandidates', () => {
  it('looks at the setting, then PATH, then the usual places of each installer', () => {
    expect(dockerCliCandidates({ ...linux, setting: '/opt/docker/docker' })).toEqual([
      '/opt/docker/docker',
      '/usr/bin/docker',
      '/bin/docker',
      '/usr/local/bin/docker',
      '/snap/bin/docker',
      '/home/u/.docker/bin/docker',
      '/home/u/.rd/bin/docker',
      '/home/u/.orbstack/bin/docker',
      '/home/u/bin/docker',
    ]);
    const onMac = dockerCliCandidates(mac);
    expect(onMac.indexOf('/usr/local/bin/docker')).toBeLessThan(onMac.indexOf('/opt/homebrew/bin/docker'));
    expect(onMac).toContain('/Applications/Docker.app/Contents/Resources/bin/docker');
    expect(onMac).toContain('/Users/u/.orbstack/bin/docker');
    expect(onMac).toContain('/opt/local/bin/docker');
  });

  it('looks a bare command name up in PATH', () => {
    expect(dockerCliCandidates({ ...linux, setting: 'podman' }).slice(0, 2)).toEqual([
      '/usr/bin/podman',
      '/bin/podman',
    ]);
  });

  it("knows Windows' installs and its Path spelling", () => {
    const found = dockerCliCandidates({
      platform: 'win32',
      homeDir: 'C:\\Users\\u',
      env: {
        Path: 'C:\\tools',
        ProgramFiles: 'C:\\Program Files',
        LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local',
      },
    });
    expect(found).toEqual([
      'C:\\tools\\docker.exe',
      'C:\\Program Files\\Docker\\Docker\\resources\\bin\\docker.exe',
      'C:\\Users\\u\\AppData\\Local\\Programs\\Rancher Desktop\\resources\\resources\\win32\\bin\\docker.exe',
    ]);
  });
});

describe('findDockerCli', () => {
  it('finds Docker Desktop outside the short PATH a menu-launched app gets', async () => {
    const fake = machine({ '/Applications/Docker.app/Contents/Resources/bin/docker': V2 });
    await expect(findDockerCli(mac, fake)).resolves.toEqual({
      path: '/Applications/Docker.app/Contents/Resources/bin/docker',
      composeVersion: '2.29.1',
    });
    expect(fake.probed.slice(0, 3)).toEqual(['/usr/bin/docker', '/bin/docker', '/usr/local/bin/docker']);
  });

  it('prefers the setting', async () => {
    const fake = machine({ '/usr/bin/docker': V2, '/opt/d/docker': 'Docker Compose version v5.5.0' });
    await expect(findDockerCli({ ...linux, setting: '/opt/d/docker' }, fake)).resolves.toEqual({
      path: '/opt/d/docker',
      composeVersion: '5.5.0',
    });
  });

  it('skips a docker without Compose v2 for a later one that has it', async () => {
    const noPlugin = Object.assign(new Error('exit 1'), {
      stderr: "docker: 'compose' is not a docker command.\n",
    });
    const fake = machine({ '/usr/bin/docker': noPlugin, '/home/u/.docker/bin/docker': V2 });
    await expect(findDockerCli(linux, fake)).resolves.toMatchObject({ path: '/home/u/.docker/bin/docker' });
  });

  it('lists every place it looked and what to install when there is no docker', async () => {
    const err = (await findDockerCli(linux, machine({})).catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({ code: 'DOCKER_CLI_MISSING' });
    for (const place of dockerCliCandidates(linux)) expect(err.message).toContain(place);
    expect(err.message).toContain('Install Docker Desktop');
    expect(err.message).toMatch(/Compose plugin, v2 or later/);
    expect(err.message).toMatch(/settings/);
  });

  it('names the docker it found when Compose is missing or v1', async () => {
    const noPlugin = Object.assign(new Error('exit 1'), {
      stderr: "docker: 'compose' is not a docker command.",
    });
    await expect(findDockerCli(linux, machine({ '/usr/bin/docker': noPlugin }))).rejects.toMatchObject({
      code: 'COMPOSE_MISSING',
      message: expect.stringMatching(/\/usr\/bin\/docker.*'compose' is not a docker command/),
    });
    await expect(
      findDockerCli(linux, machine({ '/usr/bin/docker': 'docker-compose version 1.29.2, build 5becea4c' })),
    ).rejects.toMatchObject({
      code: 'COMPOSE_MISSING',
      message: expect.stringContaining('1.29.2 is too old'),
    });
  });
});

describe('parseComposeVersion', () => {
  it('reads the long and the short forms', () => {
    expect(parseComposeVersion('Docker Compose version v2.29.1-desktop.1')).toBe('2.29.1-desktop.1');
    expect(parseComposeVersion('2.40.3\n')).toBe('2.40.3');
    expect(parseComposeVersion('nothing here')).toBeNull();
  });
});
