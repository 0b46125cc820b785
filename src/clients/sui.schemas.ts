/**
 * zod schemas of the S-UI API responses the adapter reads (PANELS.md A.1.2, A.5).
 *
 * Client and inbound rows are loose objects on purpose: `edit` replaces the whole row, so the
 * adapter must send back every field it received, including ones newer panels add.
 */
import { z } from 'zod';

/** The `{success, msg, obj}` envelope of every handled API call. */
export const suiEnvelopeSchema = z.object({
  success: z.boolean(),
  msg: z.string(),
  obj: z.unknown(),
});

/** An S-UI API envelope. */
export type SuiEnvelope = z.infer<typeof suiEnvelopeSchema>;

/** One entry of a client's `links`. */
export const suiLinkSchema = z.looseObject({
  remark: z.string().optional(),
  type: z.string(),
  uri: z.string(),
});

/** A link row (`local`, `external` or `sub`). */
export type SuiLink = z.infer<typeof suiLinkSchema>;

const count = z.number().finite();

/** A client summary (`GET clients`, `save` answers): no `config`, no `links`, reset fields zeroed. */
export const suiClientSummarySchema = z.looseObject({
  id: z.number().int(),
  enable: z.boolean(),
  name: z.string(),
  // A row edited without `inbounds` stores JSON null.
  inbounds: z.array(z.number().int()).nullable().optional(),
  volume: count,
  expiry: count,
  up: count,
  down: count,
});

/** A client summary row. */
export type SuiClientSummary = z.infer<typeof suiClientSummarySchema>;

/** A full client row (`GET clients?id=…`). */
export const suiClientFullSchema = suiClientSummarySchema.extend({
  config: z.record(z.string(), z.unknown()).nullable().optional(),
  links: z.array(suiLinkSchema).nullable().optional(),
});

/** A full client row. */
export type SuiClientFull = z.infer<typeof suiClientFullSchema>;

/** `obj` of `GET clients` / `GET clients?id=`. */
export const suiClientsObjSchema = z.looseObject({
  clients: z.array(suiClientSummarySchema).nullable(),
});

/** `obj` of a `save`: its client list is checked row by row, only for the rows the caller needs. */
export const suiSaveObjSchema = z.looseObject({
  clients: z.array(z.unknown()).nullable().optional(),
});

/** `obj` of `GET clients?id=`. */
export const suiClientsFullObjSchema = z.looseObject({
  clients: z.array(suiClientFullSchema).nullable(),
});

/** An inbound summary (`GET inbounds`). */
export const suiInboundSummarySchema = z.looseObject({
  id: z.number().int(),
  type: z.string(),
  tag: z.string(),
  listen_port: z.number().nullable().optional(),
});

/** `obj` of `GET inbounds` (`inbounds` is null when the panel has none). */
export const suiInboundsObjSchema = z.looseObject({
  inbounds: z.array(suiInboundSummarySchema).nullable(),
});

/** `obj` of `GET status?r=sys`: where S-UI reports its version (`config.GetVersion()`). */
export const suiStatusSysSchema = z.looseObject({
  sys: z.looseObject({ appVersion: z.string() }),
});
