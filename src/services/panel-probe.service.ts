import type { PanelAdapter, PanelInbound, PanelInfo } from '../clients/panel.types';
import { isPanelError } from '../clients/panel-error';
import { isAppError } from '../errors';

/*
 * The connection test of a panel (adding a server, testServer): what answered, and when something
 * failed, which part of the input a person should fix.
 */

/** What a connection test found. */
export interface ServerTestResult {
  reachable: boolean;
  loggedIn: boolean;
  version: string | null;
  profile: string | null;
  latencyMs: number;
  inbounds: PanelInbound[];
  /** Stable code and safe message when something failed. */
  errorCode: string | null;
  error: string | null;
  /** Which part of the input the failure points at (for a person fixing it). */
  failure?: PanelTestFailure | null;
}

/**
 * WRONG_PATH: something answered but no panel at this URL path; UNREACHABLE: nothing answers at
 * the host and port; WRONG_CREDENTIALS: the panel refused the login.
 */
export type PanelTestFailure = 'WRONG_PATH' | 'WRONG_CREDENTIALS' | 'UNREACHABLE' | 'UNSUPPORTED' | 'REFUSED';

function failureOf(err: unknown, code: string): PanelTestFailure {
  if (isPanelError(err) && (err.status === 404 || /base path|login page|not found/i.test(err.panelMessage ?? ''))) return 'WRONG_PATH';
  if (code === 'PANEL_AUTH_FAILED') return 'WRONG_CREDENTIALS';
  if (code === 'PANEL_UNAVAILABLE') return 'UNREACHABLE';
  if (code === 'PANEL_VERSION_UNSUPPORTED') return 'UNSUPPORTED';
  return 'REFUSED';
}

/** A message for a person that says which input to fix: the URL's path, the host and port, or what the panel said. */
function failureMessage(err: unknown, failure: PanelTestFailure): string {
  if (failure === 'WRONG_PATH') {
    return 'The server at this address answers, but there is no panel at this web base path (HTTP 404): check the path part of the URL (e.g. https://host:2095/app/).';
  }
  if (failure === 'UNREACHABLE' && isPanelError(err) && err.status === undefined) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return `Nothing answers at this address${cause ? ` (${cause})` : ''}: check the host and the port, and that the panel is running and reachable from this server.`;
  }
  if (isPanelError(err)) return err.panelMessage ? `${err.message} ${err.panelMessage}` : err.message;
  return isAppError(err) ? err.message : 'The panel could not be reached.';
}

/** Probes a panel: version (which implies login) and inbounds. Never throws. */
export async function probePanel(adapter: PanelAdapter): Promise<ServerTestResult & { info: PanelInfo | null }> {
  const started = Date.now();
  const result = { reachable: false, loggedIn: false, version: null, profile: null, latencyMs: 0, inbounds: [], errorCode: null, error: null, info: null } as ServerTestResult & { info: PanelInfo | null };
  try {
    const info = await adapter.detect();
    Object.assign(result, { reachable: true, loggedIn: true, version: info.version, profile: info.profile, info });
    result.inbounds = await adapter.listInbounds();
  } catch (err) {
    const code = isAppError(err) ? err.code : 'PANEL_UNAVAILABLE';
    // A server that answered over HTTP (even 404) is reachable: only the panel is not where the URL says.
    result.reachable = code !== 'PANEL_UNAVAILABLE' || (isPanelError(err) && err.status !== undefined);
    result.errorCode = code;
    result.failure = failureOf(err, code);
    result.error = failureMessage(err, result.failure);
  }
  result.latencyMs = Date.now() - started;
  return result;
}
