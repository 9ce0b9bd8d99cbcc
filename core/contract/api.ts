/**
 * The one API between the UI and the core: every call, its validated input and its output type.
 * Both transports (Electron IPC and the local HTTP server) serve exactly this; the renderer
 * imports the types only.
 */
import { z } from 'zod';
import { type ConnectionCheck, type ConnectionView, connectionUpdateSchema } from './connection';
import type {
  ChaosStatus,
  DockerEngine,
  FlowStatus,
  KafkaStats,
  Links,
  PreviewUpdate,
  ProducerStatus,
  Settings,
  StackInfo,
  StackStatus,
  TelegrafStats,
} from './data';
import { FAULT_KINDS, FAULT_TARGETS, SERVICE_NAMES } from './data';
import { walkParamsPatchSchema } from './walk-params';

const serviceName = z.enum(SERVICE_NAMES, { error: `must be one of ${SERVICE_NAMES.join(', ')}` });
const none = z.undefined().or(z.strictObject({}));

const chaosInject = z
  .strictObject({
    fault: z.enum(FAULT_KINDS, { error: `must be one of ${FAULT_KINDS.join(', ')}` }),
    service: serviceName.optional(),
  })
  .superRefine(({ fault, service }, ctx) => {
    const targets: readonly string[] = FAULT_TARGETS[fault];
    const node = fault.endsWith('controller') ? 'controller' : 'broker';
    if (targets.length > 1 && service === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['service'],
        message: `${fault} needs the ${node} to hit: one of ${targets.join(', ')}`,
      });
    } else if (service !== undefined && !targets.includes(service)) {
      ctx.addIssue({
        code: 'custom',
        path: ['service'],
        message:
          targets.length > 1
            ? `${fault} works on ${node}s only: choose one of ${targets.join(', ')}, not ${service}`
            : `${fault} always targets ${targets[0]}: leave service out (got ${service})`,
      });
    }
  });

export const apiInputs = {
  'stack:status': none,
  'stack:up': none,
  'stack:down': z
    .strictObject({ removeVolumes: z.boolean().default(false) })
    .default({ removeVolumes: false }),
  'stack:restartService': z.strictObject({ service: serviceName }),
  'stack:stopService': z.strictObject({ service: serviceName }),
  'stack:startService': z.strictObject({ service: serviceName }),
  'stack:logs': z.strictObject({
    service: serviceName,
    lines: z.number().int().min(1).max(2_000).default(200),
  }),
  'producer:status': none,
  'producer:start': none,
  'producer:stop': none,
  'producer:setParams': walkParamsPatchSchema,
  'kafka:stats': none,
  'telegraf:stats': none,
  'preview:snapshot': none,
  'links:get': none,
  'docker:engine': none,
  'settings:get': none,
  'chaos:status': none,
  'chaos:inject': chaosInject,
  'chaos:undo': z.strictObject({ id: z.string().min(1, 'must name the fault to undo') }),
  'flow:status': none,
  'settings:updateStack': z.strictObject({
    profile: z.enum(['full', 'lite'], { error: 'must be "full" or "lite"' }).optional(),
    localImages: z.boolean().optional(),
    dockerEndpoint: z.string().trim().max(1_000, 'must be at most 1000 characters').optional(),
    dockerCli: z.string().trim().max(1_000, 'must be at most 1000 characters').optional(),
  }),
  'stack:info': none,
  'stack:adoptMatchingEnv': none,
  'connection:get': none,
  'connection:update': connectionUpdateSchema,
  'connection:test': none,
  'settings:updateUi': z.strictObject({
    theme: z.enum(['system', 'light', 'dark']).optional(),
    previewWalks: z.number().int().min(1).max(50).optional(),
    stopStackOnQuit: z.enum(['ask', 'yes', 'no']).optional(),
  }),
} as const;

export interface ApiOutputs {
  'stack:status': StackStatus;
  'stack:up': StackStatus;
  'stack:down': StackStatus;
  'stack:restartService': StackStatus;
  'stack:stopService': StackStatus;
  'stack:startService': StackStatus;
  'stack:logs': { service: string; lines: string[] };
  'producer:status': ProducerStatus;
  'producer:start': ProducerStatus;
  'producer:stop': ProducerStatus;
  'producer:setParams': ProducerStatus;
  'kafka:stats': KafkaStats;
  'telegraf:stats': TelegrafStats;
  'preview:snapshot': PreviewUpdate;
  'links:get': Links;
  'docker:engine': DockerEngine;
  'settings:get': Settings;
  'settings:updateUi': Settings;
  'settings:updateStack': Settings;
  'stack:info': StackInfo;
  'stack:adoptMatchingEnv': { envFile: string; adoptedFrom: string; keptAs: string | null };
  'connection:get': ConnectionView;
  'connection:update': ConnectionView;
  'connection:test': ConnectionCheck;
  'chaos:status': ChaosStatus;
  'chaos:inject': ChaosStatus;
  'chaos:undo': ChaosStatus;
  'flow:status': FlowStatus;
}

export type ApiName = keyof typeof apiInputs;
export type ApiInput<N extends ApiName> = z.input<(typeof apiInputs)[N]>;
export type ApiParsedInput<N extends ApiName> = z.output<(typeof apiInputs)[N]>;
export type ApiOutput<N extends ApiName> = ApiOutputs[N];

/** What the core pushes; the UI subscribes by topic. */
export interface ApiEvents {
  'stack:status': StackStatus;
  'producer:status': ProducerStatus;
  'kafka:stats': KafkaStats;
  'telegraf:stats': TelegrafStats;
  'preview:update': PreviewUpdate;
  'chaos:status': ChaosStatus;
  'flow:status': FlowStatus;
}
export type ApiTopic = keyof ApiEvents;

// A record rather than a list, so a topic added to ApiEvents and forgotten here fails to compile.
const TOPICS: Record<ApiTopic, true> = {
  'stack:status': true,
  'producer:status': true,
  'kafka:stats': true,
  'telegraf:stats': true,
  'preview:update': true,
  'chaos:status': true,
  'flow:status': true,
};
export const API_TOPICS = Object.keys(TOPICS) as readonly ApiTopic[];

export function isApiTopic(s: string): s is ApiTopic {
  return Object.hasOwn(TOPICS, s);
}

/** Every reply crosses the boundary as one of these envelopes. */
export type ApiReply<T> = { ok: true; result: T } | { ok: false; error: import('./data').ApiErrorData };
