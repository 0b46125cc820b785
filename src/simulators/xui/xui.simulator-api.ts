/**
 * What a 3x-ui simulator is given and what it hands back: its options and the running simulator
 * with its test hooks (see xui.simulator.ts).
 */
import type { SimClock, SimServerHandle } from '../shared/sim-http';
import type { XuiHooks } from './xui.hooks';
import type { XuiFeatures, XuiProfile } from './xui.profile';
import type { SubOptions } from './xui.subscription';

/** Options of {@link startXuiSimulator}. */
export interface XuiSimulatorOptions {
  /** Panel port; default 0 (random free port). */
  port?: number;
  profile: XuiProfile;
  /** Override the version the profile plays (e.g. `1.8.1`, `2.8.11`); behaviour follows the version. */
  version?: string;
  /** Web base path, `/…/`; default a random-looking `/<10 chars>/` like the install script makes. */
  basePath?: string;
  /** Subscription listener port; default 0 (random free port). */
  subPort?: number;
  /** Default `admin`. */
  username?: string;
  /** Default `admin`. */
  password?: string;
  /** Session lifetime in ms (the panel's `sessionMaxAge`, minutes there); default 6 h; 0 = no expiry. */
  sessionMaxAgeMs?: number;
  /** Bearer tokens accepted (3.0+; ignored before). */
  apiTokens?: string[];
  clock?: SimClock;
  /** 2.9.4+: whether `server/getPanelUpdateInfo` succeeds (the real one needs GitHub); default false. */
  updateCheckReachable?: boolean;
  /**
   * Whether `server/getPanelUpdateInfo` is registered at all; default: from 2.9.4. `false` plays a
   * build without the route (it answers 404 like any unknown route), to prove a probe's 404 is not
   * read as a refused token.
   */
  updateInfoRoute?: boolean;
  /** 3.5+: play a CI dev build of this commit, which reports `dev+<first 8 chars>` as its version. */
  devBuildCommit?: string;
  /** false = the panel has not sampled its status yet (`server/status` obj `null`); default true. */
  statusSampled?: boolean;
  /**
   * Deployment fault, not panel behaviour: a proxy or theme that strips the version from the
   * HTML pages (asset query strings and injected globals), to exercise route probing.
   */
  pageVersionHidden?: boolean;
  /** Subscription settings. */
  sub?: Partial<Pick<SubOptions, 'subPath' | 'remarkModel' | 'showInfo' | 'encrypt' | 'title' | 'updateIntervalHours'>>;
}

/** A running 3x-ui simulator. */
export interface XuiSimulator extends XuiHooks {
  /** Panel URL including the base path, ending with `/` (e.g. `http://127.0.0.1:2053/AbC12xYz/`). */
  url: string;
  /** Subscription base, ending with the sub path (e.g. `http://127.0.0.1:2096/sub/`): `${subUrl}${subId}`. */
  subUrl: string;
  server: SimServerHandle;
  subServer: SimServerHandle;
  clock: SimClock;
  profile: XuiProfile;
  /** The version string the panel reports. */
  version: string;
  features: XuiFeatures;
  basePath: string;
  username: string;
  password: string;
  /** Bearer tokens accepted (empty before 3.0). */
  apiTokens: readonly string[];
  /** What the panel reports as its version (`version`, or `dev+<commit>` for a 3.5+ dev build). */
  reportedVersion: string;
  /** Whether `server/status` has a sample (`obj` is `null` before the first one). */
  setStatusSampled(sampled: boolean): void;
  close(): Promise<void>;
}
