import type { Links, StackProfile } from './contract/data';

/** Where the stack's web UIs are, from the ports in stack/.env (all bound to 127.0.0.1). */
export function stackLinks(env: Record<string, string>): Links {
  const port = (key: string, dflt: number) => Number(env[key] ?? dflt);
  const grafana = `http://localhost:${port('GRAFANA_PORT', 3000)}`;
  return {
    grafanaRandomWalks: `${grafana}/d/walkstream-random-walks/random-walks?refresh=1s`,
    grafanaPipelineHealth: `${grafana}/d/walkstream-pipeline-health/pipeline-health`,
    kafkaUi: `http://localhost:${port('KAFKA_UI_PORT', 8080)}`,
    influxdb: `http://localhost:${port('INFLUXDB_PORT', 8086)}`,
  };
}

/** Host bootstrap list for the stack's Kafka, from the same ports; the lite profile has one broker. */
export function stackBrokers(env: Record<string, string>, profile: StackProfile = 'full'): string[] {
  if (profile === 'lite') return [`localhost:${env.KAFKA_1_PORT ?? 9092}`];
  return [
    `localhost:${env.KAFKA_1_PORT ?? 9092}`,
    `localhost:${env.KAFKA_2_PORT ?? 9094}`,
    `localhost:${env.KAFKA_3_PORT ?? 9096}`,
  ];
}
