/**
 * S-UI version profiles the simulator can play (PANELS.md A.8).
 *
 * A profile is a family of releases with the same API behaviour; each reports one concrete
 * version string through `GET status?r=sys` (`obj.sys.appVersion`), which is where the real panel
 * exposes `config.GetVersion()` to API callers (`settings` deliberately omits `version`).
 */

/** Profiles the simulator supports. `1.1` exists only so adapters can prove they refuse it. */
export type SuiProfile = '1.1' | '1.2' | '1.3' | '1.4' | '1.5';

/** All profiles, oldest first. */
export const SUI_PROFILES: readonly SuiProfile[] = ['1.1', '1.2', '1.3', '1.4', '1.5'];

/** Behaviour switches derived from a profile. */
export interface SuiFeatures {
  /** The version string `status?r=sys` reports. */
  version: string;
  /** 1.2+: `save` with object/action/data, `/apiv2` with the Token header, ids in client.inbounds. */
  modernApi: boolean;
  /** 1.3+: `edit` of an unknown id fails with `record not found` (1.2 upserts it) and the save
   *  response lists inbounds only when membership/identity changed. */
  editChecksExisting: boolean;
  /** 1.4+: `editbulk`, `delbulk`, and the delayStart/autoReset/resetDays/nextReset/totalUp/totalDown fields. */
  resetFields: boolean;
  /** 1.5+: `resetTraffic` action, `remark`/`createdAt`/`onlineAt`, config names forced to the client name;
   *  bulk saves generate each client's links from its own inbounds (before: the first client's). */
  v15: boolean;
  /**
   * 1.3.0–1.3.4 only (select with `version`): the `clients` branch of the save dispatcher shadows
   * its error variable, so a failed client save answers success (nothing stored, a change-log row
   * written, no `inbounds` list). Fixed in 1.3.5.
   */
  swallowsClientSaveErrors: boolean;
}

/** The version string each profile reports (the last release of the family, read from `config/version`). */
export const SUI_PROFILE_VERSIONS: Record<SuiProfile, string> = {
  '1.1': '1.1.0',
  '1.2': '1.2.2',
  '1.3': '1.3.11',
  '1.4': '1.4.2',
  '1.5': '1.5.1',
};

/** Feature switches of a profile; `version` overrides the reported version string. */
export function suiFeatures(profile: SuiProfile, version?: string): SuiFeatures {
  const n = Number(profile.split('.')[1]);
  const reported = version ?? SUI_PROFILE_VERSIONS[profile];
  const m = /^v?1\.3\.(\d+)/.exec(reported);
  return {
    version: reported,
    modernApi: n >= 2,
    editChecksExisting: n >= 3,
    resetFields: n >= 4,
    v15: n >= 5,
    swallowsClientSaveErrors: profile === '1.3' && m !== null && Number(m[1]) <= 4,
  };
}

/** Type guard for profile strings coming from argv or options. */
export function isSuiProfile(value: string): value is SuiProfile {
  return (SUI_PROFILES as readonly string[]).includes(value);
}
