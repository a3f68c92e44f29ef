/**
 * Per-tenant token buckets over uncompressed bytes. Rate and burst are read from
 * the tenant's limits on every call, so runtime overrides apply at once.
 */

/** A token-bucket limiter keyed by tenant. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; lastMs: number }>();

  constructor(private readonly nowMs: () => number = () => Date.now()) {}

  /**
   * Takes `n` tokens for `tenant` from a bucket refilled at `ratePerSecond` up to
   * `burst`. A request larger than the burst can never pass, like Go's rate.Limiter.
   */
  allow(tenant: string, n: number, ratePerSecond: number, burst: number): boolean {
    const now = this.nowMs();
    let b = this.buckets.get(tenant);
    if (!b) {
      b = { tokens: burst, lastMs: now };
      this.buckets.set(tenant, b);
    }
    b.tokens = Math.min(burst, b.tokens + ((now - b.lastMs) / 1000) * ratePerSecond);
    b.lastMs = now;
    if (n > b.tokens) return false;
    b.tokens -= n;
    return true;
  }
}
