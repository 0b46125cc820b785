/**
 * The client operations one 3x-ui API generation implements: the classic `inbounds/*` routes
 * (2.x–3.0, `xui.classic.ts`) and the `clients/*` routes (3.1+, `xui.client-routes.ts`).
 */
import type { ClientSpec } from './panel.types';
import type { RawClient, XuiClientView } from './xui.model';
import type { XuiInboundDto } from './xui.schemas';

/** Builds the share link of one client on one inbound (null when the protocol has none). */
export type ShareLinkBuilder = (inbound: XuiInboundDto, client: RawClient) => string | null;

/** The client operations one API generation implements (classic ≤3.0, client routes 3.1+). */
export interface XuiRoutes {
  /** All inbounds with their JSON columns parsed (`settings.clients` included). */
  listInbounds(): Promise<XuiInboundDto[]>;
  /** The client whose email matches `email` (case-insensitive on classic panels), or null. */
  getClient(email: string): Promise<XuiClientView | null>;
  /** Every client, in a bounded number of requests (one). */
  listClients(): Promise<XuiClientView[]>;
  /**
   * Creates a missing client (classic: on the first target inbound; 3.1+: on all) and returns the
   * client object it sent. May throw ambiguously.
   */
  create(spec: ClientSpec): Promise<RawClient>;
  /** Whether {@link create} alone leaves the client exactly as `spec` (no reconcile step needed). */
  createsAsSpec(spec: ClientSpec): boolean;
  /**
   * The share links of a client this adapter has just created as `sent` (with {@link create}),
   * without looking it up: from the panel's link routes where it has them, else built here with
   * `build` from the inbounds as last read (re-read when older than a few minutes).
   */
  newClientLinks(spec: ClientSpec, sent: RawClient, build: ShareLinkBuilder): Promise<string[]>;
  /** Brings an existing client to `spec` (fields and inbound membership); true when anything was sent. */
  reconcile(view: XuiClientView, spec: ClientSpec): Promise<boolean>;
  setEnabled(view: XuiClientView, enabled: boolean): Promise<void>;
  resetTraffic(view: XuiClientView): Promise<void>;
  delete(view: XuiClientView): Promise<void>;
  /**
   * The share links the panel builds itself (3.0.1+), or null when it has no client of that email.
   * Only called when the detected panel has the link routes.
   */
  panelLinks(email: string): Promise<string[] | null>;
  /**
   * Leaves one copy of the client in each inbound that holds it twice or more (see
   * `extraCopies` in xui.model.ts), keeping its traffic counters; the caller reads the client again after.
   */
  collapseCopies(view: XuiClientView, spec: ClientSpec): Promise<void>;
}
