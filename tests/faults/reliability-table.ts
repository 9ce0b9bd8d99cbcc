/**
 * The README's reliability table from the figures a fault-suite run printed
 * (test-results/faults.jsonl, the last entry of each scenario):
 *   npx tsx tests/faults/reliability-table.ts [path/to/faults.jsonl]
 * Every number in the table comes from that file: paste the output into the README.
 */
import { readFileSync } from 'node:fs';

/** Which broker went silent (never the controller: they run apart), and whether it coordinated Telegraf's group. */
const silentWho = (f: Record<string, unknown>) =>
  f.silentBroker === undefined
    ? ''
    : `kafka-${f.silentBroker}${f.silentBrokerCoordinatesTelegraf === 'yes' ? ", also the coordinator of Telegraf's consumer group" : f.silentBrokerCoordinatesTelegraf === 'no' ? ", not Telegraf's group coordinator" : ''}; `;

type Figures = Record<string, number | string>;
const file = process.argv[2] ?? new URL('../../test-results/faults.jsonl', import.meta.url).pathname;
const last = new Map<string, Figures>();
for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
  const f = JSON.parse(line) as Figures;
  last.set(String(f.scenario), f);
}

const n = (v: unknown) => Math.round(Number(v)).toLocaleString('en-US').replaceAll(',', ' ');
const s = (ms: unknown) =>
  Number(ms) === Number.POSITIVE_INFINITY || ms === null
    ? 'not within the fault'
    : `${(Number(ms) / 1000).toFixed(1)} s`;
const find = (prefix: string) => [...last.entries()].find(([k]) => k.startsWith(prefix))?.[1];

/** "queryable again after 30.2 s", or "not queryable again within the fault" (a gap still open at the heal). */
const again = (what: string, ms: unknown) =>
  s(ms) === 'not within the fault' ? `not ${what} again within the fault` : `${what} again after ${s(ms)}`;

/** A broker alive but answering nothing (frozen or cut off): the data kept, and how each side paused. */
const silentRow =
  (fault: string) =>
  (f: Figures): [string, string, string] => [
    fault,
    `${n(f.points)} points: ${n(f.lost)} lost, ${n(f.duplicatesInKafka)} duplicated, ${n(f.outOfOrderWalksInKafka)} walks out of order in Kafka`,
    `${silentWho(f)}cluster's own leader failover ${s(f.clusterLeaderFailoverMs)}; its partitions ${again('acknowledged', f.movedPartitionsAckedAgainAfterMs)}, ${again('queryable', f.movedPartitionsQueryableAgainAfterMs)}; other partitions' longest gap ${s(f.stayingPartitionsLongestAckGapMs)} acknowledged, ${s(f.stayingPartitionsLongestQueryableGapMs)} queryable`,
  ];

const rows: [string, (f: Figures) => [string, string, string]][] = [
  [
    '1 ',
    (f) => [
      'one broker SIGKILLed for 30 s, then restarted',
      `${n(f.points)} points: ${n(f.lost)} lost, ${n(f.duplicatesInKafka)} duplicated in Kafka (read back by offset), InfluxDB holds exactly the acknowledged set`,
      `longest produce stall ${s(f.longestProduceStallMs)}; ISR back to 3 ${s(f.isrBackTo3AfterRestartMs)} after the restart`,
    ],
  ],
  [
    '2 ',
    (f) => [
      'a second broker killed while one is down',
      `producing blocked ${s(f.blockedAfterSecondKillMs)} after the second kill; ${n(f.points)} points, ${n(f.lost)} lost, ${n(f.duplicatesInKafka)} duplicated`,
      `${n(f.pointsHeldUnacknowledgedWhileBlocked)} points held unacknowledged while blocked; producing resumed ${s(f.producingResumedAfterRestartMs)} after the restart, ISR 3 after ${s(f.isrBackTo3AfterRestartMs)}`,
    ],
  ],
  ['3 one broker frozen', silentRow('one broker frozen (`docker pause`) for 60 s')],
  [
    '3b the active controller',
    (f) => [
      'the active KRaft controller frozen for 60 s',
      `${n(f.points)} points: ${n(f.lost)} lost, ${n(f.duplicatesInKafka)} duplicated, ${n(f.outOfOrderWalksInKafka)} walks out of order in Kafka`,
      `${f.frozenController} (the controllers run apart from the brokers); ${f.newActiveController} active within ${s(f.newControllerAfterMs)} (asked with Kafka's quorum tool, ${s(f.newControllerPollMs)} per question); every partition's longest gap ${s(f.allPartitionsLongestAckGapMs)} acknowledged, ${s(f.allPartitionsLongestQueryableGapMs)} queryable`,
    ],
  ],
  ['4 one broker cut', silentRow('one broker cut off the network for 60 s')],
  [
    '3 Telegraf',
    (f) => [
      'Telegraf SIGKILLed for 10 s',
      `${n(f.points)} points: ${n(f.lost)} lost, ${n(f.duplicates)} duplicated in InfluxDB`,
      `caught up ${s(f.caughtUpAfterRestartMs)} after its restart`,
    ],
  ],
  [
    '4 InfluxDB',
    (f) => [
      'InfluxDB stopped for 60 s (producer at 1 000 points/s)',
      `${n(f.points)} points: ${n(f.lost)} lost, ${n(f.duplicates)} duplicated`,
      `${n(f.backlogPoints)} points stamped during the outage, all drained ${s(f.drainedInMs)} after InfluxDB was back (${n(f.drainRatePointsPerS)} points/s)`,
    ],
  ],
  [
    '6 InfluxDB',
    (f) => [
      'InfluxDB stopped for 2 min while 1 100 000 points are loaded by two producers that are not ours (100-line messages, and a 1/10/100-line mix)',
      `${n(f.stored)} of ${n(f.points)} points in InfluxDB, exact; no buffer overflow in Telegraf's log; ${n(f.telegrafRestarts)} restarts`,
      `drained ${s(f.drainedInMs)} after InfluxDB was back (${n(f.drainRatePointsPerS)} points/s); Telegraf's peak memory ${n(f.telegrafPeakMiB)} MiB of its 512 MiB`,
    ],
  ],
  [
    '7 ',
    (f) => [
      'a 3 000 000-point burst (100-line messages), InfluxDB up',
      `${n(f.stored)} of ${n(f.points)} points, exact; Telegraf not OOM-killed`,
      `all stored ${s(f.allStoredAfterMs)} after the load began (${n(f.endToEndPointsPerS)} points/s end to end); Telegraf's peak memory ${n(f.telegrafPeakMiB)} MiB`,
    ],
  ],
  [
    '5 ',
    (f) => [
      `${n(f.malformedMessages)} malformed messages (garbage, half a line, 900 KB, empty, binary) and ${n(f.oversizedMessagesRefused)} valid message over the 16 KiB bound, between good ones`,
      `the ${n(f.goodPointsAroundThem)} good points around them and the running stream (${n(f.streamPoints)} points, ${n(f.lost)} lost) arrive; the oversized one is refused and logged`,
      `good points queryable ${s(f.goodPointsQueryableAfterMs)} after sending`,
    ],
  ],
  [
    '6a',
    (f) => [
      'bad parameters / unknown calls over the API',
      `${n(f.rejected)} rejected with \`INVALID_INPUT\`/\`UNKNOWN_CALL\` naming the field and its range; ${n(f.parametersChanged)} parameters changed`,
      '–',
    ],
  ],
  [
    '6b',
    (f) => [
      'a stack file with an error',
      `Start answers *${String(f.message).replace(/\s+/g, ' ')}…*; the app keeps answering`,
      '–',
    ],
  ],
  [
    '6c',
    (f) => [
      'the Docker socket disappearing while running',
      'Docker shown unavailable, the producer keeps running, everything back when it returns',
      `noticed in ${n(f.noticedAfterMs)} ms, recovered in ${n(f.recoveredAfterMs)} ms; ${n(f.pointsProducedWithoutDocker)} points produced meanwhile`,
    ],
  ],
  [
    '8a',
    (f) => [
      'Grafana alert "walk data older than 10 s", Telegraf paused',
      'fires, and is quiet again after',
      `fired ${s(f.firedAfterPauseMs)} after the pause`,
    ],
  ],
  [
    '8b',
    (f) => [
      'Grafana alert "Telegraf cannot write to InfluxDB", after a 10 s InfluxDB outage',
      'fires',
      `${n(f.failedWritesInLastMinute)} failed writes in the last minute`,
    ],
  ],
  [
    '8c',
    (f) => [
      'Grafana alert "fewer than 3 Kafka brokers accept connections", a broker frozen then stopped',
      'quiet while frozen (it still accepts connections), fires while stopped, quiet again after',
      `fired ${s(f.firedAfterStopMs)} after the stop; ${n(f.accepting)} brokers accepting`,
    ],
  ],
];

console.log('| fault | result | figures |\n|---|---|---|');
for (const [prefix, row] of rows) {
  const f = find(prefix);
  if (f) console.log(`| ${row(f).join(' | ')} |`);
}
