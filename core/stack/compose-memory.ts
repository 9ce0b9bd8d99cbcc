/**
 * How much memory the stack may take: the sum of the memory limits of the services `compose up`
 * starts, read from the compose files themselves so the pre-flight check follows every edit.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

interface ServiceSpec {
  mem_limit?: unknown;
  profiles?: unknown;
  scale?: unknown;
  deploy?: { replicas?: unknown; resources?: { limits?: { memory?: unknown } } };
}

interface MergedService {
  memory?: unknown;
  profiles?: unknown;
  replicas?: unknown;
}

/**
 * Later files override earlier ones field by field, as Compose merges them (an override can put
 * a service under a profile, or change its limit). A service without a profile always starts; one
 * with profiles only when one of them is active ("*" activates all). Limits Compose would fill in
 * from the environment (${VAR}) are not counted.
 */
export function composeMemoryLimitBytes(composeFiles: string[], profiles: string[]): number {
  const services = new Map<string, MergedService>();
  for (const file of composeFiles) {
    for (const [name, spec] of Object.entries(composeServices(file))) {
      const merged = services.get(name) ?? {};
      const memory = spec?.mem_limit ?? spec?.deploy?.resources?.limits?.memory;
      const replicas = spec?.deploy?.replicas ?? spec?.scale;
      if (memory !== undefined) merged.memory = memory;
      if (spec?.profiles !== undefined) merged.profiles = spec.profiles;
      if (replicas !== undefined) merged.replicas = replicas;
      services.set(name, merged);
    }
  }
  const active = new Set(profiles);
  let total = 0;
  for (const service of services.values()) {
    const own = Array.isArray(service.profiles) ? service.profiles.map(String) : [];
    if (own.length > 0 && !active.has('*') && !own.some((p) => active.has(p))) continue;
    const replicas = service.replicas === undefined ? 1 : Number(service.replicas);
    total += (parseMemoryBytes(service.memory) ?? 0) * (Number.isFinite(replicas) ? replicas : 1);
  }
  return total;
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/** Compose's memory sizes: a byte count, or a number with b, k, m, g (optionally kb, mb, gb), in powers of 1024. */
export function parseMemoryBytes(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : null;
  if (typeof value !== 'string') return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([bkmgt]?)b?\s*$/i.exec(value);
  const unit = UNITS[m?.[2]?.toLowerCase() ?? ''];
  return m && unit !== undefined ? Math.round(Number(m[1]) * unit) : null;
}

/** The image a service runs, as the last compose file that names one sets it; null if none does. */
export function serviceImage(composeFiles: string[], service: string): string | null {
  let image: string | null = null;
  for (const file of composeFiles) {
    const named = composeServices(file)[service]?.image;
    if (typeof named === 'string') image = named;
  }
  return image;
}

/** The `services` of one compose file as YAML reads them (before Compose merges the files). */
function composeServices(file: string): Record<string, ServiceSpec & { image?: unknown }> {
  // merge: the stack's services inherit their limits through `<<: *anchor` merge keys; Compose's
  // own tags (!override, !reset) read as the plain value they carry, which is what they set.
  const doc = parse(readFileSync(file, 'utf8'), { merge: true, logLevel: 'error' }) as {
    services?: Record<string, ServiceSpec & { image?: unknown }>;
  } | null;
  return doc?.services ?? {};
}
