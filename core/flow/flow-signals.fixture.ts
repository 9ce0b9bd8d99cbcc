/**
 * A healthy running pipeline as FlowSignals, for the flow specs: each test changes the one signal
 * its rule reads.
 */
import { DEFAULT_PARAMS } from '@walkstream/producer';
import {
  type ProducerStatus,
  SERVICE_NAMES,
  type ServiceInfo,
  type ServiceName,
  type TelegrafStats,
} from '../contract/data';
import { kafkaStats, NOW, producerMetrics } from '../contract/data.fixture';
import type { FlowSignals } from './flow-signals';

export { kafkaStats as kafka, NOW, producerMetrics as metrics } from '../contract/data.fixture';

export function running(service: ServiceName, patch: Partial<ServiceInfo> = {}): ServiceInfo {
  return {
    service,
    state: 'running',
    health: 'healthy',
    containerId: `c-${service}`,
    startedAt: new Date(NOW - 600_000).toISOString(),
    restartCount: 0,
    ports: [],
    image: null,
    exitCode: null,
    oomKilled: false,
    ...patch,
  };
}

export function telegraf(patch: Partial<TelegrafStats> = {}): TelegrafStats {
  return {
    reachable: true,
    error: null,
    bufferedPoints: 40,
    bufferLimit: 5_460_000,
    writtenPoints: 5_900,
    droppedPoints: 0,
    writeErrors: 0,
    consumedPoints: 5_950,
    consumedAt: null,
    at: NOW,
    ...patch,
  };
}

export function producerStatus(patch: Partial<ProducerStatus> = {}): ProducerStatus {
  return {
    state: 'running',
    startedAt: NOW - 60_000,
    params: { ...DEFAULT_PARAMS },
    metrics: producerMetrics(),
    error: null,
    ...patch,
  };
}

type SignalsPatch = Partial<Omit<FlowSignals, 'run' | 'rates' | 'stillMs' | 'influx'>> & {
  run?: Partial<FlowSignals['run']>;
  rates?: Partial<FlowSignals['rates']>;
  stillMs?: Partial<FlowSignals['stillMs']>;
  influx?: Partial<FlowSignals['influx']>;
  /** Services whose info differs from a healthy running container. */
  services?: Partial<Record<ServiceName, Partial<ServiceInfo>>>;
};

export function signals(patch: SignalsPatch = {}): FlowSignals {
  const { run, rates, stillMs, influx, services, ...rest } = patch;
  return {
    now: NOW,
    stack: {
      state: 'running',
      services: SERVICE_NAMES.map((s) => running(s, services?.[s])),
      error: null,
      dockerAvailable: true,
      updatedAt: NOW,
    },
    producer: producerStatus(),
    kafka: kafkaStats(),
    telegraf: telegraf(),
    faults: [],
    headlessProducer: false,
    chartNewestAt: NOW - 800,
    ...rest,
    influx: { stored: 5_880, newestAt: NOW - 600, error: null, ...influx },
    run: {
      startedAt: NOW - 60_000,
      producing: true,
      stoppedForMs: null,
      askedPerSecond: 100,
      kafkaMessages: 600,
      consumed: 5_950,
      acknowledgedWhenConsumed: null,
      written: 5_900,
      dropped: 0,
      recentWriteErrors: 0,
      recentSkippedTicks: 0,
      ...run,
    },
    rates: { generated: 100, acknowledged: 100, consumed: 100, written: 100, stored: 100, ...rates },
    stillMs: { acknowledged: 0, consumed: 0, written: 0, ...stillMs },
  };
}
