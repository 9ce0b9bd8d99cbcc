import { describe, expect, it } from 'vitest';
import {
  backlogSeconds,
  LatencyRing,
  ProgressWatch,
  percentile,
  RateMeter,
  RecentGrowth,
  RunCounter,
} from './flow-math';

describe('RateMeter', () => {
  it('averages a counter’s growth over the window', () => {
    const r = new RateMeter(3_000);
    r.add(0, 0);
    r.add(1_000, 90);
    r.add(2_000, 210);
    expect(r.rate(2_000)).toBe(105);
    r.add(5_000, 510); // the samples older than 3 s before the newest fall out
    expect(r.rate(5_000)).toBe(100);
  });

  it('is unknown with one sample, or when the samples stopped coming', () => {
    const r = new RateMeter(3_000, 3_500);
    r.add(0, 10);
    expect(r.rate(0)).toBeNull();
    r.add(1_000, 20);
    expect(r.rate(1_000)).toBe(10);
    expect(r.rate(5_000)).toBeNull();
  });

  it('starts over when the counter restarts (it went down)', () => {
    const r = new RateMeter();
    r.add(0, 1_000);
    r.add(1_000, 2_000);
    r.add(2_000, 50);
    expect(r.rate(2_000)).toBeNull();
    r.add(3_000, 150);
    expect(r.rate(3_000)).toBe(100);
  });
});

describe('RunCounter', () => {
  it('counts from the first value seen', () => {
    const c = new RunCounter();
    expect(c.total).toBeNull();
    c.observe(5_000);
    c.observe(5_600);
    expect(c.total).toBe(600);
  });

  it('keeps counting across a restart of the process whose counter it reads', () => {
    const c = new RunCounter();
    c.observe(5_000);
    c.observe(5_600); // +600
    c.observe(100); // restarted: counted 100 since
    c.observe(400);
    expect(c.total).toBe(1_000);
  });

  it('ignores unknown values and starts again on reset', () => {
    const c = new RunCounter();
    c.observe(10);
    c.observe(null);
    c.observe(30);
    expect(c.total).toBe(20);
    c.reset();
    c.observe(70);
    expect(c.total).toBe(0);
  });
});

describe('ProgressWatch', () => {
  it('measures how long a value has not moved', () => {
    const w = new ProgressWatch();
    expect(w.stillForMs(1_000)).toBe(0);
    w.observe(5, 1_000);
    w.observe(5, 2_000);
    w.observe(null, 3_000);
    expect(w.stillForMs(4_000)).toBe(3_000);
    w.observe(6, 4_500);
    expect(w.stillForMs(5_000)).toBe(500);
  });
});

describe('RecentGrowth', () => {
  it('sums the growth within the window, a restart counting from zero', () => {
    const g = new RecentGrowth(10_000);
    expect(g.growth()).toBeNull();
    g.add(0, 3);
    g.add(5_000, 5);
    expect(g.growth()).toBe(2);
    g.add(9_000, 1); // restarted, then 1 error
    expect(g.growth()).toBe(3);
    g.add(16_000, 1); // the first two samples are older than 10 s now
    expect(g.growth()).toBe(0);
  });
});

describe('backlogSeconds', () => {
  it('is the backlog over the rate; zero when empty; unknown when nothing flows', () => {
    expect(backlogSeconds(5_000, 1_000)).toBe(5);
    expect(backlogSeconds(0, 0)).toBe(0);
    expect(backlogSeconds(0, null)).toBe(0);
    expect(backlogSeconds(10, 0)).toBeNull();
    expect(backlogSeconds(null, 100)).toBeNull();
  });
});

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 0.5)).toBe(50);
    expect(percentile(xs, 0.99)).toBe(99);
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([], 0.5)).toBeNull();
  });
});

describe('LatencyRing', () => {
  it('gives p50 and p99 over the last window only', () => {
    const ring = new LatencyRing(60_000, 1_000);
    for (let i = 1; i <= 100; i++) ring.add(1_000, i * 10); // 10..1000 ms, seen at t=1 s
    expect(ring.summary(2_000)).toEqual({ p50Ms: 500, p99Ms: 990, samples: 100 });
    ring.add(70_000, 42);
    expect(ring.summary(70_000)).toEqual({ p50Ms: 42, p99Ms: 42, samples: 1 });
  });

  it('holds at most its capacity, dropping the oldest', () => {
    const ring = new LatencyRing(60_000, 3);
    for (const ms of [900, 800, 100, 200, 300]) ring.add(0, ms);
    expect(ring.summary(0)).toEqual({ p50Ms: 200, p99Ms: 300, samples: 3 });
  });
});
