/**
 * Builds the adapter for a panel connection: the one place that maps `PanelKind` to a class,
 * so services depend on `PanelAdapter` only.
 */
import type { PanelHttpOptions } from './panel-http';
import type { PanelAdapter, PanelConnection } from './panel.types';
import { SuiAdapter } from './sui.adapter';
import { XuiAdapter } from './xui.adapter';

/**
 * Returns the S-UI or 3x-ui adapter for `conn`.
 * @param opts transport overrides (timeouts, retries, a test dispatcher); `serverId` and
 *   `baseUrl` always come from `conn`.
 */
export function createPanelAdapter(conn: PanelConnection, opts?: Partial<PanelHttpOptions>): PanelAdapter {
  switch (conn.kind) {
    case 'SUI':
      return new SuiAdapter(conn, opts);
    case 'XUI':
      return new XuiAdapter(conn, opts);
    default: {
      // Exhaustiveness: a new PanelKind must be wired here.
      const unknownKind: never = conn.kind;
      throw new TypeError(`unsupported panel kind ${String(unknownKind)}`);
    }
  }
}
