/**
 * From Start pipeline to the first point on the chart, as a user waits for it: images present,
 * volumes empty (the project is taken down with its volumes first), driven through the app core's
 * own API (stack:up, then producer:start, as the Start button does). Each service's time to
 * healthy is read from the core's stack status, polled while it starts; the first point is the
 * first one the chart's own query (the preview service) returns.
 * The lite profile's memory is sampled here too, with the producer at 1 000 points/s.
 */
import type { Core } from '../../core/create-core';
import { type ServiceUsage, sampleFootprint } from './footprint';

export type StackProfile = 'full' | 'lite';

export interface StartTiming {
  profile: StackProfile;
  /** ms from the click until each service was first seen healthy. */
  healthyMs: Record<string, number>;
  /** ms from the click until every service was healthy (stack:up returned). */
  allHealthyMs: number;
  /** ms from the click until the chart's query returned a point. */
  firstPointMs: number;
  /** Memory of the profile's containers with the producer at `memoryAtRate` points/s. */
  memory?: { rate: number; usage: ServiceUsage[] };
}

export interface StartTimeOptions {
  /** A core wired to the bench's project; its settings are changed to the profile measured. */
  core: Core;
  docker: string;
  project: string;
  profile: StackProfile;
  /** Also sample memory with the producer at 1 000 points/s for this long (lite). */
  memorySampleAfterMs?: number;
}

const poll = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Calls a route as the renderer does; a refusal becomes an error with the core's own words. */
async function call(core: Core, route: string, input?: unknown): Promise<unknown> {
  const reply = await core.router.call(route, input);
  if (!reply.ok) throw new Error(`${route}: ${reply.error.message}`);
  return reply.result;
}

export async function measureStart(o: StartTimeOptions): Promise<StartTiming> {
  const { core } = o;
  await call(core, 'producer:stop');
  await call(core, 'stack:down', { removeVolumes: true });
  await call(core, 'settings:updateStack', { profile: o.profile });

  const clickedAt = Date.now();
  const healthyMs: Record<string, number> = {};
  let starting = true;
  const look = async () => {
    const status = (await call(core, 'stack:status')) as {
      services: { service: string; health: string; state: string }[];
    };
    for (const s of status.services) {
      if (s.state !== 'not-available' && s.health === 'healthy')
        healthyMs[s.service] ??= Date.now() - clickedAt;
    }
  };
  const watcher = (async () => {
    while (starting) {
      await look();
      await poll(250);
    }
  })();
  try {
    await call(core, 'stack:up');
  } finally {
    starting = false;
    await watcher;
  }
  const allHealthyMs = Date.now() - clickedAt;
  // A service that turned healthy within the last poll interval before stack:up returned.
  await look();
  await call(core, 'producer:start');
  while (!core.preview.snapshot().series.some((s) => s.points.length > 0)) {
    if (Date.now() - clickedAt > 180_000)
      throw new Error(`no point on the chart 180 s after Start (${o.profile})`);
    await poll(100);
  }
  const firstPointMs = Date.now() - clickedAt;

  let memory: StartTiming['memory'];
  if (o.memorySampleAfterMs !== undefined) {
    await call(core, 'producer:setParams', { walks: 100, rate: 10 });
    await poll(o.memorySampleAfterMs);
    memory = { rate: 1_000, usage: await sampleFootprint(o.docker, o.project) };
  }
  await call(core, 'producer:stop');
  return { profile: o.profile, healthyMs, allHealthyMs, firstPointMs, memory };
}
