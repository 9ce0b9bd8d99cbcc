/**
 * A container's trouble and its remedy, in words the diagnosis line uses: from the state, exit
 * code and OOM flag Docker reports, and the Chaos panel's fault when it caused it.
 */
import {
  BROKER_SERVICES,
  FAULT_TARGETS,
  type FaultKind,
  type ServiceInfo,
  type ServiceName,
} from '../contract/data';
import { type FlowSignals, service, stackUp } from './flow-signals';

const FAULT_LABELS: Record<FaultKind, string> = {
  'kill-broker': 'Kill broker',
  'stop-broker': 'Stop broker',
  'freeze-broker': 'Freeze broker',
  'freeze-controller': 'Freeze controller',
  'pause-telegraf': 'Pause Telegraf',
  'stop-influxdb': 'Stop InfluxDB',
};

/** Why a container is not doing its work, in words; null when it runs and passes its healthcheck. */
export function containerProblem(info: ServiceInfo | undefined): string | null {
  if (!info || info.state === 'not-available') return 'it has no container in the running stack';
  switch (info.state) {
    case 'running':
      return info.health === 'unhealthy' ? 'its container runs but fails its healthcheck' : null;
    case 'paused':
      return 'its container is paused';
    case 'restarting':
      return `its container keeps restarting (${info.restartCount} restarts${exitDetail(info, '; last exit code')})`;
    case 'exited':
      return `its container exited${exitDetail(info, ' with code')}`;
    case 'dead':
      return `its container is dead${exitDetail(info, ', exit code')}`;
    case 'created':
      return 'its container was created but never started';
    case 'removing':
      return 'its container is being removed';
  }
}

function exitDetail(info: ServiceInfo, lead: string): string {
  if (info.exitCode === null) return '';
  const why = info.oomKilled
    ? 'out of memory'
    : info.exitCode === 137
      ? 'killed with SIGKILL'
      : info.exitCode === 143
        ? 'stopped with SIGTERM'
        : info.exitCode === 0
          ? 'stopped'
          : null;
  return `${lead} ${info.exitCode}${why ? ` (${why})` : ''}`;
}

/** What brings a service back: the fault's Undo when the Chaos panel caused it. */
export function bringBack(s: FlowSignals, name: ServiceName): string {
  const fault = s.faults.find((f) => f.service === name);
  if (fault)
    return `Undo “${FAULT_LABELS[fault.kind]}${FAULT_TARGETS[fault.kind].length > 1 ? ` ${name}` : ''}” in the Chaos panel`;
  const info = service(s, name);
  if (info?.state === 'paused') return `Unpause ${name} (docker unpause)`;
  if (info?.oomKilled)
    return `Restart ${name} from its service card; if it happens again, give Docker more memory`;
  if (!info || info.state === 'not-available') return 'Start the pipeline';
  return `Restart ${name} from its service card`;
}

/** Broker containers of this stack that are not running (the lite profile has no kafka-2/3 at all). */
export function brokersNotRunning(s: FlowSignals): { name: ServiceName; problem: string }[] {
  if (!stackUp(s)) return [];
  return BROKER_SERVICES.flatMap((name) => {
    const info = service(s, name);
    if (!info || info.state === 'not-available' || info.state === 'running') return [];
    return [{ name, problem: (containerProblem(info) ?? '').replace(/^its container /, '') }];
  });
}

export const describeBrokers = (brokers: { name: ServiceName; problem: string }[]) =>
  brokers.map((b) => `${b.name} ${b.problem}`).join(', ');

export function startBrokers(s: FlowSignals, brokers: { name: ServiceName }[]): string {
  if (brokers.length === 1) return bringBack(s, (brokers[0] as { name: ServiceName }).name);
  return `Start ${brokers.map((b) => b.name).join(' and ')} from their service cards`;
}
