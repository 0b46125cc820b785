/**
 * The S-UI simulator's table rows, store options and the small value helpers the store layers share.
 */
import type { GoScalar } from './sui.go-json';
import type { SuiFeatures } from './sui.profile';

/** One client row, all fields of the newest profile (older profiles hide some on output). */
export interface SuiClientRow {
  id: number;
  enable: boolean;
  name: string;
  /** Protocol-keyed config JSON; `undefined` = NULL in the DB (omitted on output). */
  config: unknown;
  /** Inbound ids JSON as stored (normally an array of numbers). */
  inbounds: unknown;
  /** Links JSON as stored (`[{remark,type,uri}]`); `undefined` = NULL. */
  links: unknown;
  volume: number;
  expiry: number;
  down: number;
  up: number;
  desc: string;
  group: string;
  remark: string;
  createdAt: number;
  onlineAt: number;
  delayStart: boolean;
  autoReset: boolean;
  resetDays: number;
  nextReset: number;
  totalUp: number;
  totalDown: number;
}

/** One change-log row (A.5.7). */
export interface SuiChangeRow {
  id: number;
  dateTime: number;
  actor: string;
  key: string;
  action: string;
  obj: unknown;
}

/** One API token row (A.2.2). */
export interface SuiTokenRow {
  id: number;
  desc: string;
  token: string;
  /** Unix seconds; 0 = never. */
  expiry: number;
  userId: number;
}

/** One admin user. Passwords are plaintext, as in the real panel. */
export interface SuiUserRow {
  id: number;
  username: string;
  password: string;
  lastLogin: string;
}

/** A tagged object of the outbounds/endpoints/services tables. */
export interface TaggedRow {
  id: number;
  type: string;
  tag: string;
  options: Record<string, unknown>;
}

/** Duplicate client names: `accept` = S-UI up to 1.5.1; `reject` = after PR #1231. */
export type DuplicateNamePolicy = 'accept' | 'reject';

/** Options of {@link SuiStore}. */
export interface SuiStoreOptions {
  features: SuiFeatures;
  /** Simulated wall clock in ms. */
  now: () => number;
  duplicateNames: DuplicateNamePolicy;
  username: string;
  password: string;
  /** Pre-provisioned tokens (never expire). */
  tokens: readonly string[];
  webPath: string;
  subPort: number;
  subPath: string;
}

/** The settings defaults of A.5.6 (all strings). */
export function defaultSettings(opts: SuiStoreOptions): Record<string, string> {
  const s: Record<string, string> = {
    webListen: '',
    webDomain: '',
    webPort: '2095',
    webCertFile: '',
    webKeyFile: '',
    webPath: opts.webPath,
    webURI: '',
    sessionMaxAge: '0',
    trafficAge: '30',
    statsBucketSeconds: '60',
    timeLocation: 'Asia/Tehran',
    subListen: '',
    subPort: String(opts.subPort),
    subPath: opts.subPath,
    subDomain: '',
    subCertFile: '',
    subKeyFile: '',
    subUpdates: '12',
    subEncode: 'true',
    subShowInfo: 'false',
    subURI: '',
    subJsonExt: '',
    subClashExt: '',
  };
  if (opts.features.v15) s.globalReset = '';
  return s;
}

export const DEFAULT_CONFIG = {
  log: { level: 'info' },
  dns: {},
  route: { rules: [] },
  experimental: {},
};

export function emptyClient(): SuiClientRow {
  return {
    id: 0,
    enable: false,
    name: '',
    config: undefined,
    inbounds: undefined,
    links: undefined,
    volume: 0,
    expiry: 0,
    down: 0,
    up: 0,
    desc: '',
    group: '',
    remark: '',
    createdAt: 0,
    onlineAt: 0,
    delayStart: false,
    autoReset: false,
    resetDays: 0,
    nextReset: 0,
    totalUp: 0,
    totalDown: 0,
  };
}

export type ScalarKey = Exclude<keyof SuiClientRow, 'config' | 'inbounds' | 'links'>;

export const BASE_SCALARS: Array<[ScalarKey, GoScalar]> = [
  ['id', 'uint'],
  ['enable', 'bool'],
  ['name', 'string'],
  ['volume', 'int64'],
  ['expiry', 'int64'],
  ['down', 'int64'],
  ['up', 'int64'],
  ['desc', 'string'],
  ['group', 'string'],
];
export const V15_SCALARS: Array<[ScalarKey, GoScalar]> = [
  ['remark', 'string'],
  ['createdAt', 'int64'],
  ['onlineAt', 'int64'],
];
export const RESET_SCALARS: Array<[ScalarKey, GoScalar]> = [
  ['delayStart', 'bool'],
  ['autoReset', 'bool'],
  ['resetDays', 'int'],
  ['nextReset', 'int64'],
  ['totalUp', 'int64'],
  ['totalDown', 'int64'],
];

/** A `[{remark,type,uri}]` link as kept in `links`. */
export interface SuiLink {
  remark: string;
  type: string;
  uri: string;
}

export function cloneJson<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** A stored `inbounds` value as ids, ignoring what does not decode (the jobs ignore those errors too). */
export function storedIds(value: unknown): number[] {
  return Array.isArray(value) ? value.filter((v): v is number => typeof v === 'number') : [];
}

export function unionInto(target: number[], ids: readonly number[]): void {
  for (const id of ids) if (!target.includes(id)) target.push(id);
}

