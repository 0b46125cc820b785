/**
 * The panel transport's circuit breaker and request slots.
 *
 * Breaker: after `failureThreshold` consecutive transient failures the circuit opens for `openMs`
 * (requests fail fast); then one probe request is let through (half-open); its success closes
 * the circuit, its failure opens it again at once.
 *
 * Slots: at most `concurrency` requests in flight; the others queue, and a releasing request
 * hands its slot over directly, so the count never exceeds the limit.
 */
import type { BreakerState } from './panel-http.types';

/** One panel's circuit breaker. */
export class CircuitBreaker {
  private consecutiveFailures = 0;
  private openUntil = 0;
  private open = false;
  private probeInFlight = false;

  constructor(
    private readonly failureThreshold: number,
    private readonly openMs: number,
    private readonly now: () => number,
  ) {}

  state(): BreakerState {
    if (!this.open) return 'closed';
    return this.now() >= this.openUntil ? 'half-open' : 'open';
  }

  /**
   * Whether a request may go: 'go' while closed, 'probe' for the one half-open probe (call
   * {@link probeDone} after it), 'refuse' while open or while the probe is out.
   */
  admit(): 'go' | 'probe' | 'refuse' {
    const state = this.state();
    if (state === 'closed') return 'go';
    if (state === 'half-open' && !this.probeInFlight) {
      this.probeInFlight = true;
      return 'probe';
    }
    return 'refuse';
  }

  probeDone(): void {
    this.probeInFlight = false;
  }

  recordSuccess(): void {
    this.consecutiveFailures = 0;
    this.open = false;
  }

  recordFailure(): void {
    this.consecutiveFailures += 1;
    // A failed half-open probe re-opens at once; otherwise open on reaching the threshold.
    if (this.open || this.consecutiveFailures >= this.failureThreshold) {
      this.open = true;
      this.openUntil = this.now() + this.openMs;
    }
  }
}

/** At most `concurrency` holders at once; the others wait in order. */
export class RequestSlots {
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly concurrency: number) {}

  async acquire(): Promise<void> {
    if (this.inFlight < this.concurrency) {
      this.inFlight += 1;
      return;
    }
    // The releasing request hands its slot over directly, so inFlight never exceeds the limit.
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight -= 1;
  }

  /** Wakes every waiter (the transport is closing); each gets a slot it will release. */
  wakeAll(): void {
    const woken = this.waiting.splice(0);
    this.inFlight += woken.length;
    for (const wake of woken) wake();
  }

  get active(): number {
    return this.inFlight;
  }

  get queued(): number {
    return this.waiting.length;
  }
}
