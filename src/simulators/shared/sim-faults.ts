/**
 * Fault injection rules of the simulator harness (see sim-http.ts): what can go wrong with a
 * request, which requests a rule applies to, and how many times.
 */

/** A failure to inject in front of (or after) the simulator's handler. */
export type Fault =
  /** Answer with this status (e.g. 500/502/503) without running the handler. */
  | { kind: 'status'; status: number; body?: string }
  /** Run the handler (the change is applied), answer 200 with an empty body (3x-ui empty-200 pitfall). */
  | { kind: 'empty' }
  /** Wait `ms` (real time) before handling; the client may time out meanwhile. */
  | { kind: 'slow'; ms: number }
  /** Destroy the socket before handling: nothing is applied. */
  | { kind: 'reset' }
  /** Run the handler (the change is applied), then destroy the socket without answering. */
  | { kind: 'lost-reply' }
  /**
   * Run the handler, send the status line, headers and the first half of the body, wait `ms`
   * (real time), then send the rest — exercises the client's body timeout.
   */
  | { kind: 'slow-body'; ms: number };

/** One fault injection rule; rules are tried in insertion order, the first match wins. */
export interface FaultRule {
  fault: Fault;
  /** How many matching requests it applies to; default 1; `Infinity` = until cleared. */
  times?: number;
  /** Applies to every non-control request when omitted. `method` compares case-insensitively. */
  match?: { method?: string; pathIncludes?: string };
}

/** A filter for {@link SimServerHandle.requestCount}. */
export interface RequestFilter {
  method?: string;
  pathIncludes?: string;
}

/** A fault rule as the server keeps it: what is left of its `times`. */
export interface ActiveRule {
  fault: Fault;
  remaining: number;
  match?: RequestFilter;
}

/** Whether a request matches a filter (no filter matches everything). */
export function matches(filter: RequestFilter | undefined, method: string, path: string): boolean {
  if (!filter) return true;
  if (filter.method !== undefined && filter.method.toUpperCase() !== method.toUpperCase()) return false;
  if (filter.pathIncludes !== undefined && !path.includes(filter.pathIncludes)) return false;
  return true;
}
