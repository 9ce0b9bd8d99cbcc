import type * as cog from '@grafana/grafana-foundation-sdk/cog';

/** The datasource provisioned in provisioning/datasources/influxdb.yaml. */
export const INFLUX_DATASOURCE = { type: 'influxdb', uid: 'walkstream-influxdb' } as const;

/**
 * A Flux target for the InfluxDB datasource. The foundation SDK has no InfluxDB query builder, so
 * this is the small one it would generate: refId, datasource and the Flux text.
 */
export class FluxQueryBuilder implements cog.Builder<cog.Dataquery> {
  private readonly target: { refId: string; datasource: typeof INFLUX_DATASOURCE; query: string };

  constructor(refId: string, query: string) {
    this.target = { refId, datasource: INFLUX_DATASOURCE, query: query.trim() };
  }

  build(): cog.Dataquery {
    return this.target as unknown as cog.Dataquery;
  }
}

/** The common start of every query: the bucket over the dashboard's time range. */
export const FROM_RANGE =
  'from(bucket: v.defaultBucket)\n  |> range(start: v.timeRangeStart, stop: v.timeRangeStop)';
