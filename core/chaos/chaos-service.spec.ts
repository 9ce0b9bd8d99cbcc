import { afterEach, describe, expect, it } from 'vitest';
import {
  type ChaosStatus,
  type ContainerState,
  type KafkaStats,
  SERVICE_NAMES,
  type ServiceInfo,
  type ServiceName,
  type StackStatus,
} from '../contract/data';
import { EventHub } from '../events/event-hub';
import { notAvailable, pipelineState } from '../stack/container-mapping';
import { type ChaosContainers, ChaosService } from './chaos-service';

type State = ContainerState | 'not-available';

/** Containers as a map of states; every action is recorded and returns the new stack status. */
class FakeContainers implements ChaosContainers {
  states = new Map<ServiceName, State>(SERVICE_NAMES.map((s) => [s, 'running']));
  actions: string[] = [];
  failWith: Error | null = null;
  /** Simulates a status inspected before the action took effect. */
  staleNext = false;

  stackStatus(): StackStatus {
    const services: ServiceInfo[] = SERVICE_NAMES.map((service) => ({
      ...notAvailable(service),
      state: this.states.get(service) ?? 'not-available',
    }));
    return {
      state: pipelineState(null, null, services),
      services,
      error: null,
      dockerAvailable: true,
      updatedAt: 0,
    };
  }

  async status() {
    return this.stackStatus();
  }
  private act(verb: string, service: ServiceName, to: State): Promise<StackStatus> {
    if (this.failWith) return Promise.reject(this.failWith);
    this.actions.push(`${verb} ${service}`);
    const before = this.stackStatus();
    this.states.set(service, to);
    if (this.staleNext) {
      this.staleNext = false;
      return Promise.resolve(before);
    }
    return this.status();
  }
  killService = (s: ServiceName) => this.act('kill', s, 'exited');
  stopService = (s: ServiceName) => this.act('stop', s, 'exited');
  startService = (s: ServiceName) => this.act('start', s, 'running');
  pauseService = (s: ServiceName) => this.act('pause', s, 'paused');
  unpauseService = (s: ServiceName) => this.act('unpause', s, 'running');
}

function kafkaStats(at: number, over: Partial<KafkaStats> = {}): KafkaStats {
  const all = [1, 2, 3];
  return {
    reachable: true,
    error: null,
    brokers: all.map((nodeId) => ({
      nodeId,
      host: 'localhost',
      port: 0,
      up: true,
      isController: false,
      probe: null,
    })),
    controller: 1,
    topic: 'random-walks',
    partitions: [0, 1, 2].map((partition) => ({
      partition,
      leader: partition + 1,
      replicas: all,
      isr: all,
      underReplicated: false,
      endOffset: 0,
      messagesPerSecond: 100,
      consumerOffset: 0,
      lag: 0,
    })),
    underReplicated: 0,
    messagesPerSecond: 300,
    consumerGroup: 'g',
    totalLag: 10,
    lagSeconds: 0.03,
    at,
    ...over,
  };
}

/** Broker 2 down: its partition led by broker 1 now, every ISR short of it. */
function brokerTwoDown(at: number): KafkaStats {
  const healthy = kafkaStats(at);
  return {
    ...healthy,
    brokers: healthy.brokers.map((b) => (b.nodeId === 2 ? { ...b, up: false } : b)),
    partitions: healthy.partitions.map((p) => ({
      ...p,
      leader: p.leader === 2 ? 1 : p.leader,
      isr: [1, 3],
      underReplicated: true,
    })),
    underReplicated: 3,
  };
}

function preview(at: number, freshnessMs: number) {
  return {
    reset: false,
    series: [{ walk: 'w0000', points: [], lastValue: 0, freshnessMs }],
    gapMs: 1_500,
    hiddenWalks: 0,
    windowSeconds: 60,
    at,
  };
}

let now = 1_000_000;
let chaos: ChaosService;
afterEach(() => chaos?.close());

function setup() {
  now = 1_000_000;
  const hub = new EventHub();
  const containers = new FakeContainers();
  const published: ChaosStatus[] = [];
  hub.subscribe('chaos:status', (s) => published.push(s));
  chaos = new ChaosService({ containers, hub, now: () => now, intervalMs: 1e9, recoveryTimeoutMs: 60_000 });
  chaos.init();
  const pushStack = () => hub.publish('stack:status', containers.stackStatus());
  return { hub, containers, published, pushStack };
}

describe('ChaosService', () => {
  it('freezes a broker with docker pause, refuses a second broker fault meanwhile, and unpauses it on Undo', async () => {
    const { containers } = setup();
    const frozen = await chaos.inject({ fault: 'freeze-broker', service: 'kafka-3' });
    expect(containers.actions).toEqual(['pause kafka-3']);
    expect(frozen.faults).toMatchObject([{ kind: 'freeze-broker', service: 'kafka-3' }]);
    await expect(chaos.inject({ fault: 'kill-broker', service: 'kafka-1' })).rejects.toMatchObject({
      code: 'CHAOS_ONE_BROKER',
    });
    await chaos.undo({ id: frozen.faults[0]?.id as string });
    expect(containers.actions).toEqual(['pause kafka-3', 'unpause kafka-3']);
  });

  it('freezes one KRaft controller, refuses a second one but not a broker fault meanwhile, and unpauses it on Undo', async () => {
    const { containers } = setup();
    const frozen = await chaos.inject({ fault: 'freeze-controller', service: 'kafka-controller-2' });
    expect(containers.actions).toEqual(['pause kafka-controller-2']);
    await expect(
      chaos.inject({ fault: 'freeze-controller', service: 'kafka-controller-1' }),
    ).rejects.toMatchObject({ code: 'CHAOS_ONE_CONTROLLER', message: /no majority/ });
    const both = await chaos.inject({ fault: 'freeze-broker', service: 'kafka-1' });
    expect(both.faults.map((f) => f.service)).toEqual(['kafka-controller-2', 'kafka-1']);
    await chaos.undo({ id: frozen.faults[0]?.id as string });
    expect(containers.actions).toEqual([
      'pause kafka-controller-2',
      'pause kafka-1',
      'unpause kafka-controller-2',
    ]);
  });

  it('counts a frozen controller as recovered once it runs again and Kafka answers with every broker up', async () => {
    const { hub } = setup();
    const frozen = await chaos.inject({ fault: 'freeze-controller', service: 'kafka-controller-1' });
    const id = frozen.faults[0]?.id as string;
    now += 20_000;
    await chaos.undo({ id });
    hub.publish('kafka:stats', brokerTwoDown(now + 1));
    expect(chaos.status().recoveries[0]?.state).toBe('recovering');
    now += 2_000;
    hub.publish('kafka:stats', kafkaStats(now));
    expect(chaos.status().recoveries[0]).toMatchObject({ state: 'recovered', recoveredInMs: 2_000 });
  });

  it('refuses a fault the stack cannot take, with the reason, and lists it as unavailable', async () => {
    const hub = new EventHub();
    const containers = new FakeContainers();
    chaos = new ChaosService({
      containers,
      hub,
      now: () => now,
      intervalMs: 1e9,
      unavailable: () => ({ 'kill-broker': 'one broker only' }),
    });
    await expect(chaos.inject({ fault: 'kill-broker', service: 'kafka-1' })).rejects.toMatchObject({
      code: 'CHAOS_FAULT_UNAVAILABLE',
      message: 'one broker only',
    });
    expect(containers.actions).toEqual([]);
    expect(chaos.status().unavailable).toEqual({ 'kill-broker': 'one broker only' });
    await chaos.inject({ fault: 'pause-telegraf' });
    expect(containers.actions).toEqual(['pause telegraf']);
  });

  it('kills a broker, lists the fault, and after Undo times the recovery from Kafka stats taken after it', async () => {
    const { hub, containers, published } = setup();
    const injected = await chaos.inject({ fault: 'kill-broker', service: 'kafka-2' });
    expect(containers.actions).toEqual(['kill kafka-2']);
    expect(injected.faults).toEqual([
      { id: expect.any(String), kind: 'kill-broker', service: 'kafka-2', since: now },
    ]);
    expect(published.at(-1)?.faults).toHaveLength(1);

    now += 10_000;
    hub.publish('kafka:stats', brokerTwoDown(now));
    expect(chaos.status().effect).toMatchObject({
      brokersDown: [2],
      underReplicated: 3,
      isrSizes: [2, 2, 2],
      leaders: [
        { broker: 1, partitions: 2 },
        { broker: 2, partitions: 0 },
        { broker: 3, partitions: 1 },
      ],
    });

    const id = injected.faults[0]?.id as string;
    const undone = await chaos.undo({ id });
    expect(containers.actions).toEqual(['kill kafka-2', 'start kafka-2']);
    expect(undone.faults).toEqual([]);
    expect(undone.recoveries[0]).toMatchObject({ id, endedBy: 'undo', state: 'recovering', endedAt: now });

    // A healthy sample from before the Undo proves nothing; one still short of ISR neither.
    hub.publish('kafka:stats', kafkaStats(now - 1));
    now += 4_000;
    hub.publish('kafka:stats', brokerTwoDown(now));
    expect(chaos.status().recoveries[0]?.state).toBe('recovering');
    now += 3_000;
    hub.publish('kafka:stats', kafkaStats(now));
    expect(chaos.status().recoveries[0]).toMatchObject({ state: 'recovered', recoveredInMs: 7_000 });
    expect(published.at(-1)?.recoveries[0]?.state).toBe('recovered');
  });

  it('refuses faults while the stack is not running, and does nothing', async () => {
    const { containers } = setup();
    for (const s of SERVICE_NAMES) containers.states.set(s, 'not-available');
    await expect(chaos.inject({ fault: 'stop-influxdb' })).rejects.toMatchObject({
      code: 'CHAOS_STACK_NOT_RUNNING',
      message: expect.stringContaining('Start the pipeline first'),
    });
    expect(containers.actions).toEqual([]);
    expect(chaos.status().faults).toEqual([]);
  });

  it('allows one fault per service and one broker down at a time', async () => {
    const { containers } = setup();
    await chaos.inject({ fault: 'pause-telegraf' });
    await expect(chaos.inject({ fault: 'pause-telegraf' })).rejects.toMatchObject({
      code: 'CHAOS_ALREADY_ACTIVE',
      message: expect.stringContaining('Undo it first'),
    });
    await chaos.inject({ fault: 'stop-broker', service: 'kafka-1' });
    await expect(chaos.inject({ fault: 'kill-broker', service: 'kafka-3' })).rejects.toMatchObject({
      code: 'CHAOS_ONE_BROKER',
      message: expect.stringContaining('undo the fault on kafka-1 first'),
    });
    expect(containers.actions).toEqual(['pause telegraf', 'stop kafka-1']);
    expect(chaos.status().faults.map((f) => f.service)).toEqual(['telegraf', 'kafka-1']);
  });

  it('refuses to fault a container that is not running, naming its state', async () => {
    const { containers } = setup();
    containers.states.set('influxdb', 'exited');
    await expect(chaos.inject({ fault: 'stop-influxdb' })).rejects.toMatchObject({
      code: 'CHAOS_TARGET_NOT_RUNNING',
      message: expect.stringContaining('influxdb is exited'),
    });
  });

  it('turns a Docker failure into an actionable error and records no fault', async () => {
    const { containers } = setup();
    containers.failWith = new Error('conflict: container is restarting');
    await expect(chaos.inject({ fault: 'kill-broker', service: 'kafka-3' })).rejects.toMatchObject({
      code: 'CHAOS_ACTION_FAILED',
      retriable: true,
      message: expect.stringMatching(/kill-broker on kafka-3: conflict/),
    });
    expect(chaos.status().faults).toEqual([]);
  });

  it('ends a fault whose container was started by other means, and tracks its recovery', async () => {
    const { containers, pushStack } = setup();
    await chaos.inject({ fault: 'stop-broker', service: 'kafka-3' });
    now += 5_000;
    containers.states.set('kafka-3', 'running'); // the service card's Start
    pushStack();
    const status = chaos.status();
    expect(status.faults).toEqual([]);
    expect(status.recoveries[0]).toMatchObject({ service: 'kafka-3', endedBy: 'external', endedAt: now });
  });

  it('does not take a status inspected before the kill for the container coming back', async () => {
    const { containers, pushStack } = setup();
    containers.staleNext = true;
    await chaos.inject({ fault: 'kill-broker', service: 'kafka-1' });
    containers.states.set('kafka-1', 'running');
    pushStack(); // still the stale picture: running
    expect(chaos.status().faults).toHaveLength(1);
    containers.states.set('kafka-1', 'exited');
    pushStack();
    containers.states.set('kafka-1', 'running');
    pushStack();
    expect(chaos.status().faults).toEqual([]);
  });

  it('drops faults and pending recoveries without a trace when the stack goes down', async () => {
    const { containers, pushStack } = setup();
    const { faults } = await chaos.inject({ fault: 'pause-telegraf' });
    await chaos.inject({ fault: 'kill-broker', service: 'kafka-2' });
    await chaos.undo({ id: faults[0]?.id as string });
    for (const s of SERVICE_NAMES) containers.states.set(s, 'not-available');
    pushStack();
    expect(chaos.status()).toMatchObject({ faults: [], recoveries: [] });
    await expect(chaos.undo({ id: faults[0]?.id as string })).rejects.toMatchObject({
      code: 'CHAOS_FAULT_NOT_FOUND',
    });
  });

  it('Telegraf counts as recovered once lag is about a second and the data is fresh again', async () => {
    const { hub } = setup();
    const { faults } = await chaos.inject({ fault: 'pause-telegraf' });
    now += 20_000;
    hub.publish('kafka:stats', kafkaStats(now, { totalLag: 6_000, lagSeconds: 20 }));
    expect(chaos.status().effect).toMatchObject({ totalLag: 6_000, lagSeconds: 20 });
    await chaos.undo({ id: faults[0]?.id as string });
    now += 2_000;
    hub.publish('kafka:stats', kafkaStats(now, { totalLag: 300, lagSeconds: 1 }));
    expect(chaos.status().recoveries[0]?.state).toBe('recovering'); // lag fine, freshness unknown
    hub.publish('preview:update', preview(now, 12_000));
    expect(chaos.status().recoveries[0]?.state).toBe('recovering'); // chart still stale
    now += 1_000;
    hub.publish('preview:update', preview(now, 800));
    expect(chaos.status().recoveries[0]).toMatchObject({ state: 'recovered', recoveredInMs: 3_000 });
  });

  it('shows data ageing while InfluxDB is stopped, and recovery when fresh points are read again', async () => {
    const { hub } = setup();
    hub.publish('kafka:stats', kafkaStats(now));
    hub.publish('preview:update', preview(now, 500));
    const { faults } = await chaos.inject({ fault: 'stop-influxdb' });
    now += 15_000; // no preview updates: the chart's query fails meanwhile
    expect(chaos.status().effect.freshnessMs).toBe(15_500);
    await chaos.undo({ id: faults[0]?.id as string });
    now += 6_000;
    hub.publish('kafka:stats', kafkaStats(now));
    expect(chaos.status().recoveries[0]?.state).toBe('recovering');
    hub.publish('preview:update', preview(now, 1_000));
    expect(chaos.status().recoveries[0]).toMatchObject({ state: 'recovered', recoveredInMs: 6_000 });
    expect(chaos.status().effect.freshnessMs).toBe(1_000);
  });

  it('gives up tracking a recovery that does not come', async () => {
    const { hub } = setup();
    const { faults } = await chaos.inject({ fault: 'kill-broker', service: 'kafka-2' });
    await chaos.undo({ id: faults[0]?.id as string });
    now += 61_000;
    hub.publish('kafka:stats', brokerTwoDown(now));
    expect(chaos.status().recoveries[0]).toMatchObject({ state: 'gave-up', recoveredInMs: null });
  });
});
