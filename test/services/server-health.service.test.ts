import { ServerStatus } from '../../src/entities/server.entity';
import { alertFor, nextHealth, type HealthPolicy, type HealthState, type ProbeOutcome } from '../../src/services/server-health.service';

const POLICY: HealthPolicy = { failuresToDown: 3, successesToRecover: 2, degradedLatencyMs: 2000, flakyFailures: 2 };

function play(outcomes: string, from: ServerStatus = ServerStatus.HEALTHY): ServerStatus[] {
  let state: HealthState = { status: from, failureStreak: 0, successStreak: 0, probeHistory: '' };
  return [...outcomes].map((o) => {
    state = nextHealth(state, o as ProbeOutcome, POLICY);
    return state.status;
  });
}

describe('server health state machine', () => {
  it('marks a server DEGRADED after 2 slow probes in a row and HEALTHY after 2 fast ones', () => {
    expect(play('GSSGGS')).toEqual(['HEALTHY', 'HEALTHY', 'DEGRADED', 'DEGRADED', 'HEALTHY', 'HEALTHY']);
  });

  it('ignores a single failure and goes DOWN only on the third in a row', () => {
    expect(play('FGFFF')).toEqual(['HEALTHY', 'HEALTHY', 'HEALTHY', 'HEALTHY', 'DOWN']);
  });

  it('comes back DEGRADED when the recovery probes are slow', () => {
    expect(play('SS', ServerStatus.DOWN)).toEqual(['DOWN', 'DEGRADED']);
  });

  it('takes the first success of a new server at face value without alerting', () => {
    expect(play('G', ServerStatus.UNKNOWN)).toEqual(['HEALTHY']);
    expect(alertFor(ServerStatus.UNKNOWN, ServerStatus.HEALTHY)).toBeNull();
    expect(alertFor(ServerStatus.UNKNOWN, ServerStatus.DOWN)).toBe('SERVER_DOWN');
    expect(alertFor(ServerStatus.DEGRADED, ServerStatus.HEALTHY)).toBe('SERVER_RECOVERED');
  });
});
