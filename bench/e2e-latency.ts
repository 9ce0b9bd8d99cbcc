/**
 * npm run bench:e2e — event time → queryable in InfluxDB at one steady rate (default 5 000
 * points/s), the method of bench/lib/e2e-rate.ts. npm run bench sweeps many rates.
 * Runs inside tests/stack/with-stack.sh, which brings the stack up and exports its addresses.
 */
import { flux, stackEnv } from '../tests/stack/stack-env';
import { createLagProbe } from './lib/consumer-lag';
import { runAtRate } from './lib/e2e-rate';
import { envNumber, fmt } from './lib/stats';

async function main(): Promise<void> {
  const lag = await createLagProbe(stackEnv.brokers);
  try {
    const r = await runAtRate({
      brokers: stackEnv.brokers,
      bucket: stackEnv.influxBucket,
      flux,
      lag,
      rate: envNumber('BENCH_RATE', 5_000),
      walks: envNumber('BENCH_WALKS', 50),
      seconds: envNumber('BENCH_SECONDS', 30),
      pollMs: envNumber('BENCH_POLL_MS', 100),
    });
    const t = r.lagTrend;
    console.log(
      `event → queryable at ${fmt(r.rate)} points/s (${r.walks} walks) for ${r.seconds} s: ` +
        `p50 ${fmt(r.p50Ms)} ms, p99 ${fmt(r.p99Ms)} ms, max ${fmt(r.maxMs)} ms ` +
        `(${fmt(r.queryable)} queryable, ${fmt(r.counted)} counted of ${fmt(r.generated)} generated; ` +
        `stored ${fmt(r.storedPerSecond)} points/s, delivered to Kafka ${fmt(r.deliveredPerSecond)} points/s; ` +
        `producer lag max ${fmt(r.producerLagMaxMs)} ms, ${fmt(r.ticksSkipped)} ticks skipped; ` +
        `backlog trend ${fmt(t.pointsPerSecond)} ± ${fmt(2 * t.stdErrPointsPerSecond)} points/s, limit ${fmt(r.lagSlopeLimit)}; ` +
        `query p50 ${fmt(r.queryP50Ms)} ms)`,
    );
    if (!r.sustainable) {
      console.log(`NOT sustainable: ${r.reasons.join('; ')}`);
      process.exitCode = 1;
    }
  } finally {
    await lag.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
