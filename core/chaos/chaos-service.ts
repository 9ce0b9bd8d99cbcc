import {
  type ActiveFault,
  BROKER_SERVICES,
  type ChaosStatus,
  type ContainerState,
  FAULT_TARGETS,
  type FaultKind,
  type FaultRecovery,
  type KafkaStats,
  type PreviewUpdate,
  type ServiceName,
  type StackStatus,
} from '../contract/data';
import { WalkstreamError } from '../contract/errors';
import type { EventHub } from '../events/event-hub';
import { chaosEffect, isRecovered } from './chaos-effect';

/** The single-container controls faults need; StackService provides them. */
export interface ChaosContainers {
  status(): Promise<StackStatus>;
  killService(service: ServiceName): Promise<StackStatus>;
  stopService(service: ServiceName): Promise<StackStatus>;
  startService(service: ServiceName): Promise<StackStatus>;
  pauseService(service: ServiceName): Promise<StackStatus>;
  unpauseService(service: ServiceName): Promise<StackStatus>;
}

export interface ChaosServiceOptions {
  containers: ChaosContainers;
  /** Source of stack status, Kafka stats and preview updates, and where chaos:status goes. */
  hub: EventHub;
  now?: () => number;
  /** How often the status (with the effect's ageing freshness) is pushed. */
  intervalMs?: number;
  /** Recovery tracking gives up after this long. */
  recoveryTimeoutMs?: number;
  /** Faults the current stack cannot take, with the reason; read at each use. */
  unavailable?: () => Partial<Record<FaultKind, string>>;
}

interface FaultSpec {
  inject: (c: ChaosContainers, s: ServiceName) => Promise<StackStatus>;
  undo: (c: ChaosContainers, s: ServiceName) => Promise<StackStatus>;
  /** Container states in which the fault is in force. */
  holds: readonly ContainerState[];
  verb: string;
}

const SPECS: Record<FaultKind, FaultSpec> = {
  'kill-broker': {
    inject: (c, s) => c.killService(s),
    undo: (c, s) => c.startService(s),
    holds: ['exited', 'dead'],
    verb: 'kill',
  },
  'stop-broker': {
    inject: (c, s) => c.stopService(s),
    undo: (c, s) => c.startService(s),
    holds: ['exited', 'dead'],
    verb: 'stop',
  },
  // docker pause: alive and holding its connections, answering nothing — a long GC pause, a full
  // disk, a hung VM. The cluster fences it after its session timeout; clients must not wait on it.
  'freeze-broker': {
    inject: (c, s) => c.pauseService(s),
    undo: (c, s) => c.unpauseService(s),
    holds: ['paused'],
    verb: 'freeze',
  },
  // The same on a KRaft controller: the other two elect a new active one; no partition changes.
  'freeze-controller': {
    inject: (c, s) => c.pauseService(s),
    undo: (c, s) => c.unpauseService(s),
    holds: ['paused'],
    verb: 'freeze',
  },
  'pause-telegraf': {
    inject: (c, s) => c.pauseService(s),
    undo: (c, s) => c.unpauseService(s),
    holds: ['paused'],
    verb: 'pause',
  },
  'stop-influxdb': {
    inject: (c, s) => c.stopService(s),
    undo: (c, s) => c.startService(s),
    holds: ['exited', 'dead'],
    verb: 'stop',
  },
};

const KEEP_RECOVERIES = 4;

interface FaultRecord extends ActiveFault {
  /** Seen in its faulted state at least once: only then does "running" mean it came back. */
  confirmed: boolean;
}

/**
 * Injects faults into single containers of the running stack and undoes them. The list of active
 * faults follows the stack status, so a container brought back by other means, or a stack taken
 * down, does not leave a stale fault behind. After a fault ends it tracks how long the pipeline
 * takes to heal, from the Kafka stats and the chart's data freshness the hub carries anyway.
 */
export class ChaosService {
  private faults: FaultRecord[] = [];
  private recoveries: FaultRecovery[] = [];
  private busy = new Set<ServiceName>();
  private stack: StackStatus | null = null;
  private kafka: KafkaStats | null = null;
  private preview: { at: number; newestPointAt: number | null } | null = null;
  private seq = 0;
  private timer: NodeJS.Timeout | null = null;
  private offs: (() => void)[] = [];
  private readonly now: () => number;

  constructor(private readonly opts: ChaosServiceOptions) {
    this.now = opts.now ?? Date.now;
  }

  init(): void {
    const hub = this.opts.hub;
    this.offs = [
      hub.subscribe('stack:status', (s) => this.onStack(s)),
      hub.subscribe('kafka:stats', (k) => {
        this.kafka = k;
        this.evaluate();
      }),
      hub.subscribe('preview:update', (u) => this.onPreview(u)),
    ];
    this.timer = setInterval(() => this.publish(), this.opts.intervalMs ?? 1_000);
  }

  close(): void {
    for (const off of this.offs) off();
    this.offs = [];
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  status(): ChaosStatus {
    const now = this.now();
    return {
      faults: this.faults.map(({ confirmed: _, ...f }) => f),
      unavailable: this.opts.unavailable?.() ?? {},
      recoveries: this.recoveries.map((r) => ({ ...r })),
      effect: chaosEffect(this.kafka, this.preview?.newestPointAt ?? null, now),
      at: now,
    };
  }

  async inject({ fault, service }: { fault: FaultKind; service?: ServiceName }): Promise<ChaosStatus> {
    const target = service ?? (FAULT_TARGETS[fault][0] as ServiceName);
    const reason = this.opts.unavailable?.()[fault];
    if (reason) throw new WalkstreamError('CHAOS_FAULT_UNAVAILABLE', reason);
    const stack = await this.opts.containers.status();
    this.onStack(stack);
    if (stack.state !== 'running' && stack.state !== 'degraded') {
      throw new WalkstreamError(
        'CHAOS_STACK_NOT_RUNNING',
        `Faults are injected into a running pipeline, and the stack is ${stack.state}. Start the pipeline first.`,
        { retriable: true },
      );
    }
    const existing = this.faults.find((f) => f.service === target);
    if (existing) {
      throw new WalkstreamError(
        'CHAOS_ALREADY_ACTIVE',
        `${target} already has an active fault (${existing.kind}). Undo it first, then inject another.`,
      );
    }
    // One of three at a time: a second would take the brokers' or the controllers' majority.
    const among = (group: readonly ServiceName[]) => group.includes(target);
    const sibling = this.faults.find((f) => among(FAULT_TARGETS[f.kind]));
    if (sibling && among(BROKER_SERVICES)) {
      throw new WalkstreamError(
        'CHAOS_ONE_BROKER',
        `${sibling.service} is already down. With two of three brokers gone no partition has the 2 in-sync replicas a write needs (min.insync.replicas), so producing stops; undo the fault on ${sibling.service} first.`,
      );
    }
    if (sibling) {
      throw new WalkstreamError(
        'CHAOS_ONE_CONTROLLER',
        `${sibling.service} is already frozen. With two of three KRaft controllers silent the quorum has no majority, so the cluster could not replace a leader or change an ISR; undo the fault on ${sibling.service} first.`,
      );
    }
    const state = stack.services.find((s) => s.service === target)?.state ?? 'not-available';
    if (state !== 'running') {
      throw new WalkstreamError(
        'CHAOS_TARGET_NOT_RUNNING',
        `${target} is ${state === 'not-available' ? 'not part of the running stack' : state}, so there is nothing to ${SPECS[fault].verb}. Start it from its service card first.`,
        { retriable: true },
      );
    }
    const after = await this.act(target, fault, () => SPECS[fault].inject(this.opts.containers, target));
    // A newer fault on this service makes its old recovery meaningless.
    this.recoveries = this.recoveries.filter((r) => r.service !== target || r.state !== 'recovering');
    this.faults.push({
      id: `fault-${++this.seq}`,
      kind: fault,
      service: target,
      since: this.now(),
      confirmed: false,
    });
    this.onStack(after);
    this.publish();
    return this.status();
  }

  async undo({ id }: { id: string }): Promise<ChaosStatus> {
    const fault = this.faults.find((f) => f.id === id);
    if (!fault) {
      throw new WalkstreamError(
        'CHAOS_FAULT_NOT_FOUND',
        `There is no active fault "${id}": it was undone already, or dropped when its container came back or the stack stopped.`,
      );
    }
    const after = await this.act(fault.service, fault.kind, () =>
      SPECS[fault.kind].undo(this.opts.containers, fault.service),
    );
    this.end(fault, 'undo');
    this.onStack(after);
    this.publish();
    return this.status();
  }

  /** One action per service at a time: a double click must not kill and then start. */
  private async act(
    service: ServiceName,
    kind: FaultKind,
    action: () => Promise<StackStatus>,
  ): Promise<StackStatus> {
    if (this.busy.has(service)) {
      throw new WalkstreamError('CHAOS_BUSY', `A fault on ${service} is being changed; wait a moment.`, {
        retriable: true,
      });
    }
    this.busy.add(service);
    try {
      return await action();
    } catch (err) {
      if (err instanceof WalkstreamError) throw err;
      throw new WalkstreamError(
        'CHAOS_ACTION_FAILED',
        `Docker refused the ${kind} on ${service}: ${(err as Error).message}. Check the service card and try again.`,
        { retriable: true, cause: err },
      );
    } finally {
      this.busy.delete(service);
    }
  }

  private end(fault: FaultRecord, by: FaultRecovery['endedBy']): void {
    this.faults = this.faults.filter((f) => f !== fault);
    const { confirmed: _, ...plain } = fault;
    this.recoveries = [
      { ...plain, endedAt: this.now(), endedBy: by, state: 'recovering' as const, recoveredInMs: null },
      ...this.recoveries,
    ].slice(0, KEEP_RECOVERIES);
  }

  /** Faults follow the containers: dropped when gone, ended when back by other means. */
  private onStack(stack: StackStatus): void {
    this.stack = stack;
    let changed = false;
    for (const fault of [...this.faults]) {
      if (this.busy.has(fault.service)) continue; // our own action is still in flight
      const state = stack.services.find((s) => s.service === fault.service)?.state ?? 'not-available';
      if (state === 'not-available' || stack.state === 'stopped') {
        this.faults = this.faults.filter((f) => f !== fault);
        changed = true;
      } else if (SPECS[fault.kind].holds.includes(state)) {
        fault.confirmed = true;
      } else if (fault.confirmed && state === 'running') {
        this.end(fault, 'external');
        changed = true;
      }
    }
    const gone = (r: FaultRecovery) =>
      r.state === 'recovering' &&
      (stack.state === 'stopped' ||
        (stack.services.find((s) => s.service === r.service)?.state ?? 'not-available') === 'not-available');
    if (this.recoveries.some(gone)) {
      this.recoveries = this.recoveries.filter((r) => !gone(r));
      changed = true;
    }
    if (this.evaluate(false) || changed) this.publish();
  }

  private onPreview(update: PreviewUpdate): void {
    const ages = update.series.map((s) => s.freshnessMs).filter((a): a is number => a !== null);
    const newest = ages.length > 0 ? update.at - Math.min(...ages) : null;
    // An update without points (nothing in the chart's window) keeps the older newest point ageing.
    this.preview = { at: update.at, newestPointAt: newest ?? this.preview?.newestPointAt ?? null };
    this.evaluate();
  }

  /** Marks recoveries that completed (or timed out); publishes when anything changed. */
  private evaluate(publish = true): boolean {
    const now = this.now();
    let changed = false;
    for (const r of this.recoveries) {
      if (r.state !== 'recovering') continue;
      const healed = isRecovered(r, {
        container: this.stack?.services.find((s) => s.service === r.service)?.state ?? null,
        kafka: this.kafka,
        preview: this.preview,
        now,
      });
      if (healed) {
        r.state = 'recovered';
        r.recoveredInMs = now - r.endedAt;
        changed = true;
      } else if (now - r.endedAt > (this.opts.recoveryTimeoutMs ?? 5 * 60_000)) {
        r.state = 'gave-up';
        changed = true;
      }
    }
    if (changed && publish) this.publish();
    return changed;
  }

  private publish(): void {
    this.opts.hub.publish('chaos:status', this.status());
  }
}
