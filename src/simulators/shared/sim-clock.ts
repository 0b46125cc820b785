/**
 * The simulated wall clock (milliseconds). Simulators read time only from it so tests can
 * expire sessions, tokens and quotas without waiting.
 */
export class SimClock {
  private ms: number;

  /** Starts at `startMs`, or at the real current time. */
  constructor(startMs?: number) {
    this.ms = startMs ?? Date.now();
  }

  /** Current simulated time in ms since the epoch. */
  now(): number {
    return this.ms;
  }

  /** Moves the clock forward (negative values are refused: time never runs back by accident). */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('SimClock.advance needs a finite ms >= 0');
    this.ms += ms;
  }

  /** Sets the clock to an absolute time (may go back; tests use it deliberately). */
  set(ms: number): void {
    if (!Number.isFinite(ms)) throw new RangeError('SimClock.set needs a finite ms');
    this.ms = ms;
  }
}
