/**
 * The strip's figures and each hop's state, from the signals: pure, so a test states a situation
 * and reads what the strip would show.
 */
import {
  FAULT_TARGETS,
  type FaultKind,
  FLOW_HOPS,
  type FlowHopName,
  type FlowHopState,
  type FlowLatency,
  type FlowStatus,
} from '../contract/data';
import { diagnose, type Finding } from './flow-diagnosis';
import { backlogSeconds } from './flow-math';
import { type FlowSignals, kafkaBacklog } from './flow-signals';

/** The chart counts as up to date while its newest point is at most this much older than InfluxDB's. */
const CHART_BEHIND_MS = 5_000;

const WORST: FlowHopState[] = ['down', 'stalled', 'degraded'];

function faultOn(s: FlowSignals, hop: FlowHopName): FaultKind | null {
  const fault = s.faults.find((f) =>
    hop === 'kafka'
      ? FAULT_TARGETS[f.kind].length > 1
      : (hop === 'telegraf' || hop === 'influxdb') && f.service === hop,
  );
  return fault?.kind ?? null;
}

/**
 * A hop a finding names takes the finding's mark (the worst, if several); a hop that moves data is
 * flowing; one that does not, while another hop is down or stalled, is waiting on it; else idle.
 */
export function hopStates(
  findings: Finding[],
  moving: Record<FlowHopName, boolean>,
): Record<FlowHopName, FlowHopState> {
  const marked = new Map<FlowHopName, FlowHopState>();
  for (const f of findings) {
    const current = marked.get(f.hop);
    if (!current || WORST.indexOf(f.marks) < WORST.indexOf(current)) marked.set(f.hop, f.marks);
  }
  const blocked = [...marked.values()].some((m) => m === 'down' || m === 'stalled');
  const states = {} as Record<FlowHopName, FlowHopState>;
  for (const hop of FLOW_HOPS) {
    states[hop] = marked.get(hop) ?? (moving[hop] ? 'flowing' : blocked ? 'waiting' : 'idle');
  }
  return states;
}

export function buildFlowStatus(s: FlowSignals, latency: FlowLatency): FlowStatus {
  const m = s.producer?.metrics ?? null;
  const producing = s.run.producing;
  const asked = s.run.askedPerSecond;
  // Seconds of data: at the rate data is asked for while producing, else at what this hop sees.
  const seconds = (backlog: number | null, hopRate: number | null) =>
    backlogSeconds(backlog, producing && asked > 0 ? asked : hopRate);
  const ackRate = producing ? (s.rates.acknowledged ?? m?.pointsPerSecond ?? null) : s.rates.acknowledged;
  const kafkaWaiting = kafkaBacklog(s);
  const buffered = s.telegraf?.reachable ? s.telegraf.bufferedPoints : null;
  const influxAge = s.influx.newestAt === null ? null : Math.max(0, s.now - s.influx.newestAt);
  const chartAge = s.chartNewestAt === null ? null : Math.max(0, s.now - s.chartNewestAt);
  const chartBehindMs =
    s.influx.newestAt !== null && s.chartNewestAt !== null
      ? Math.max(0, s.influx.newestAt - s.chartNewestAt)
      : null;

  const findings = diagnose(s);
  const states = hopStates(findings, {
    producer: producing,
    kafka: (ackRate ?? 0) > 0 || (s.kafka?.messagesPerSecond ?? 0) > 0,
    telegraf: (s.rates.consumed ?? 0) > 0 || (s.rates.written ?? 0) > 0,
    influxdb: (s.rates.stored ?? 0) > 0,
    chart:
      producing && chartAge !== null && chartAge < CHART_BEHIND_MS && (chartBehindMs ?? 0) < CHART_BEHIND_MS,
  });
  const base = (hop: FlowHopName) => ({ state: states[hop], fault: faultOn(s, hop) });
  const brokers = s.kafka?.brokers ?? [];

  return {
    runStartedAt: s.run.startedAt,
    producing,
    askedPerSecond: producing ? asked : 0,
    hops: {
      producer: {
        hop: 'producer',
        ...base('producer'),
        inPerSecond: producing ? (s.rates.generated ?? 0) : 0,
        inTotal: m?.pointsGenerated ?? null,
        backlog: m?.queuedPoints ?? null,
        backlogSeconds: seconds(m?.queuedPoints ?? null, ackRate),
        generated: m?.pointsGenerated ?? 0,
        acknowledged: m?.pointsProduced ?? 0,
        queued: m?.queuedPoints ?? 0,
        ticksSkipped: m?.ticksSkipped ?? 0,
        lagMs: producing ? (m?.lagMs ?? 0) : 0,
      },
      kafka: {
        hop: 'kafka',
        ...base('kafka'),
        inPerSecond: ackRate,
        inTotal: m?.pointsProduced ?? null,
        backlog: kafkaWaiting,
        backlogSeconds: seconds(kafkaWaiting, s.rates.consumed),
        acknowledged: m?.pointsProduced ?? null,
        messages: s.run.kafkaMessages,
        messagesPerSecond: s.kafka?.reachable ? s.kafka.messagesPerSecond : null,
        lagMessages: s.kafka?.totalLag ?? null,
        brokersUp: brokers.filter((b) => b.up).length,
        brokersDown: brokers.filter((b) => !b.up).map((b) => b.nodeId),
        leaderless: (s.kafka?.partitions ?? []).filter((p) => p.leader < 0).map((p) => p.partition),
      },
      telegraf: {
        hop: 'telegraf',
        ...base('telegraf'),
        inPerSecond: s.rates.consumed,
        inTotal: s.run.consumed,
        backlog: buffered,
        backlogSeconds: seconds(buffered, s.rates.written),
        consumed: s.run.consumed,
        written: s.run.written,
        dropped: s.telegraf?.reachable ? s.telegraf.droppedPoints : null,
        buffered,
        bufferLimit: s.telegraf?.reachable ? s.telegraf.bufferLimit : null,
        recentWriteErrors: s.run.recentWriteErrors,
      },
      influxdb: {
        hop: 'influxdb',
        ...base('influxdb'),
        inPerSecond: s.rates.stored,
        inTotal: s.influx.stored,
        // The chart reads InfluxDB itself: what it lacks is time, not a count of points.
        backlog: null,
        backlogSeconds: chartBehindMs === null ? null : chartBehindMs / 1000,
        stored: s.influx.stored,
        newestAgeMs: influxAge,
        queryError: s.influx.error,
      },
      chart: {
        hop: 'chart',
        ...base('chart'),
        inPerSecond: null,
        inTotal: null,
        backlog: null,
        backlogSeconds: null,
        newestAgeMs: chartAge,
      },
    },
    latency,
    diagnoses: findings.map(({ marks: _, ...d }) => d),
    at: s.now,
  };
}
